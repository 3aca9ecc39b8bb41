/**
 * RSL (Really Simple Licensing) licence files: `license.xml` (or `*.rsl`) at a site's root, the
 * file a robots.txt `License:` record points to. It says, per `<content url>` pattern, on what terms
 * the site's content may be used by AI systems. It is a site-level marker: its folder (or the folder
 * above `.well-known/`) is the site root, and each file below gets the terms of the most specific
 * `<content url>` that matches its path.
 *
 * Reference: RSL 1.0 Specification (rslstandard.org/rsl), elements `<content>`, `<license>`,
 * `<permits>`, `<prohibits>`, `<payment>`; usage values `all` and `ai-all` include `ai-train`.
 *
 * What the terms mean for training, per matching content (licences of one content are alternatives):
 * - a licence `<prohibits type="usage">` ai-train, ai-all or all → reserved `yes`;
 * - else a licence that permits training for free (no payment, `free`, or `attribution` only) → `no`;
 * - else a licence that permits training for a payment (purchase, subscription, training, …) →
 *   `yes`: the rights holder reserves training and offers a licence;
 * - else licences that permit only other uses, or state no usage terms → `unknown`.
 * A file matched by no `<content>` gets nothing. A license.xml in the RSL namespace that is not
 * well-formed makes every file of the site `unknown`. A license.xml that is not RSL is ignored.
 *
 * ok:     `<content url="/"><license><prohibits type="usage">ai-all</prohibits></license></content>` → yes
 * ok:     `<content url="/blog/*"><license><permits type="usage">ai-train</permits></license></content>` → no
 */
import { defineDetector, findingUrl } from '../../engine/detector.js';
import type { Finding, FindingInput, Reserved } from '../../schema/finding.js';
import { applied, lineEvidence, memoByFinding, ownPath } from '../optout-common/findings.js';
import { canonicalPath, compilePattern, sitePath, type PathPattern } from '../optout-common/path-pattern.js';
import { decodeText } from '../text.js';
import { readRsl, type RslContent, type RslLicense } from './parse.js';

const ID = 'rsl';
const MAX_BYTES = 1024 * 1024;
const TRAINING = new Set(['all', 'ai-all', 'ai-train']);
/** Payment types that ask for no money: a licence on such terms grants training without a deal. */
const FREE = new Set(['free', 'attribution']);

interface CarrierValue {
  siteRoot: string;
  contents: RslContent[];
  truncated: boolean;
  unreadable?: string;
}

export const rsl = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'RSL licence files (license.xml): AI usage terms per content URL pattern, applied per path',
  match: { names: ['license.xml', 'rsl.xml', '*.rsl'] },
  marker: true,
  wants: { whole: { maxBytes: MAX_BYTES } },
  codes: {
    'optout.rsl.rules': {
      title: 'RSL licence terms',
      meaning: 'An RSL licence file states, per content URL pattern, on what terms the site rooted at its folder may be used by AI systems. This notice, on the file itself, lists its content entries; each file below gets the terms that match it as `optout.rsl.content`.',
      action: 'Nothing on its own: see the files it governs.',
    },
    'optout.rsl.content': {
      title: 'RSL terms for this file',
      meaning: 'The most specific `<content url>` of the site\'s RSL licence that matches this file: reserved yes when a licence prohibits AI training (`ai-train`, `ai-all`, `all`) or permits it only for a payment; no when a licence permits it for free; unknown when the licences permit only other uses or state no usage terms. `payments` lists the payment types offered; `licenseServer` the RSL licence server, when there is one.',
      action: 'Reserved yes: exclude the file, or obtain a licence on the stated terms.',
    },
    'optout.rsl.unreadable': {
      title: 'RSL licence file cannot be read',
      meaning: 'A file in the RSL namespace that is not well-formed XML (or larger than 1 MiB), so its terms are not known. Every file of the site is reserved: unknown.',
      action: 'Read the file by hand and decide.',
    },
  },
  detect(input) {
    const siteRoot = input.dir === '.well-known' ? '' : input.dir.endsWith('/.well-known') ? input.dir.slice(0, -'/.well-known'.length) : input.dir;
    let value: CarrierValue;
    if (input.whole === null) {
      // Too large to parse: only say something when it claims to be RSL.
      if (!decodeText(input.head).includes('rslstandard.org/rsl')) return [];
      value = { siteRoot, contents: [], truncated: false, unreadable: `larger than ${MAX_BYTES} bytes` };
    } else {
      const doc = readRsl(decodeText(input.whole));
      if (doc.kind === 'not-rsl') return [];
      value = doc.kind === 'unreadable' ? { siteRoot, contents: [], truncated: false, unreadable: doc.problem } : { siteRoot, contents: doc.contents, truncated: doc.truncated };
    }
    const carrier: FindingInput = {
        code: 'optout.rsl.rules',
        category: 'notice',
        detector: ID,
        severity: value.unreadable !== undefined ? 'warning' : 'info',
        confidence: 1,
        value: { ...value, count: value.contents.length },
        evidence: { path: input.path, line: value.contents[0]?.line ?? 1 },
        scope: { kind: 'subtree', root: siteRoot },
        url: findingUrl('optout.rsl.rules'),
      };
    // The licence file is a file of its site too; a content url "/" covers it.
    return [carrier, ...ownPath(carrier, termsFor, input.path)];
  },
  forPath(finding, path) {
    if (finding.code !== 'optout.rsl.rules') return finding;
    return termsFor(finding, path);
  },
});

/** The path part of a content `url`: a full URL's path and query, or the server path as written. */
function patternOf(url: string): PathPattern | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    try {
      // The URL parser keeps `*` and `$` in a path as they are; the host is not checked (see policy-url.ts).
      const u = new URL(url);
      return compilePattern(`${u.pathname}${u.search}`);
    } catch {
      return null;
    }
  }
  return compilePattern(url);
}

const compile = memoByFinding((f) => {
  const v = f.value as unknown as CarrierValue;
  // What each content entry gives does not depend on the path: built once per entry.
  return { value: v, contents: v.contents.map((c) => ({ content: c, pattern: patternOf(c.url) })), given: new Map<RslContent | 'unreadable', Finding>() };
});

function termsFor(f: Finding, path: string): Finding | null {
  const { value, contents, given } = compile(f);
  const sp = sitePath(value.siteRoot, path);
  if (sp === null) return null;
  const once = (key: RslContent | 'unreadable', make: () => Finding) => {
    let out = given.get(key);
    if (!out) {
      out = make();
      given.set(key, out);
    }
    return out;
  };
  if (value.unreadable !== undefined) {
    const problem = value.unreadable;
    return once('unreadable', () => applied(f, { code: 'optout.rsl.unreadable', protocol: 'rsl', reserved: 'unknown', level: 'site', rule: `unreadable: ${problem}`, evidence: { path: f.evidence.path }, confidence: 0.5, severity: 'warning' }));
  }
  const canonical = canonicalPath(sp);
  let best: { content: RslContent; pattern: PathPattern } | null = null;
  for (const c of contents) {
    if (c.pattern && c.pattern.matches(canonical) && (!best || c.pattern.length > best.pattern.length)) best = { content: c.content, pattern: c.pattern };
  }
  if (!best) return null;
  const content = best.content;
  return once(content, () => contentFinding(f, content));
}

function contentFinding(f: Finding, content: RslContent): Finding {
  const best = { content };
  const { reserved, rule, license } = judge(best.content.licenses);
  const payments = [...new Set(best.content.licenses.flatMap((l) => l.payments))];
  return applied(f, {
    code: 'optout.rsl.content',
    protocol: 'rsl',
    reserved,
    level: 'site',
    rule: `content url="${best.content.url}"; ${rule}`,
    evidence: lineEvidence(f.evidence.path, license?.line ?? best.content.line, `<content url="${best.content.url}">`),
    confidence: reserved === 'unknown' ? 0.5 : 0.85,
    severity: reserved === 'unknown' ? 'warning' : 'info',
    extra: { ...(payments.length > 0 ? { payments } : {}), ...(best.content.server ? { licenseServer: best.content.server } : {}) },
  });
}

/** What a content's licences (alternatives) mean for training. */
function judge(licenses: readonly RslLicense[]): { reserved: Reserved; rule: string; license?: RslLicense } {
  const covers = (values: readonly string[]) => values.filter((v) => TRAINING.has(v));
  for (const l of licenses) {
    const p = covers(l.prohibits);
    if (p.length > 0) return { reserved: 'yes', rule: `prohibits usage ${p.join(',')}`, license: l };
  }
  const permitting = licenses.filter((l) => covers(l.permits).length > 0);
  const free = permitting.find((l) => l.payments.length === 0 || l.payments.every((p) => FREE.has(p)));
  if (free) return { reserved: 'no', rule: `permits usage ${covers(free.permits).join(',')}${free.payments.length > 0 ? ` (payment ${free.payments.join(',')})` : ''}`, license: free };
  const paid = permitting[0];
  if (paid) return { reserved: 'yes', rule: `permits usage ${covers(paid.permits).join(',')} for payment ${paid.payments.join(',')}`, license: paid };
  const other = licenses.find((l) => l.permits.length > 0);
  if (other) return { reserved: 'unknown', rule: `permits usage ${other.permits.slice(0, 5).join(',')} only`, license: other };
  return { reserved: 'unknown', rule: licenses.length === 0 ? 'no licence' : 'no usage terms', ...(licenses[0] ? { license: licenses[0] } : {}) };
}
