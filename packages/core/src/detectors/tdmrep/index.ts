/**
 * W3C TDMRep site file: `/.well-known/tdmrep.json`, the rules by which a site reserves text and data
 * mining (or not) path by path. It is a marker: the site root is the folder that holds `.well-known/`
 * (`news/.well-known/tdmrep.json` governs `news/…`), and each file below it gets the first rule whose
 * `location` matches its path below the root, with a leading `/` (robots-style `*` and `$`).
 *
 * Reference: TDMRep final community group report (2024), §"TDM File on the Origin Server" and
 * §"Use of regular expressions" (matching as robots.txt, first match wins, no match = unset),
 * §"Processing priority" (HTTP headers, then HTML/EPUB metadata, supersede the file: in Clearance a
 * file's own statement or a nearer sidecar shadows the site rule of the same protocol).
 *
 * A file no rule matches gets no TDMRep finding from this file: the report says `tdm-reservation` is
 * then unset — not "not reserved". A tdmrep.json that cannot be read (not JSON, no rules, over 1 MiB)
 * makes every file of the site `unknown`: a site that published the file meant something by it.
 *
 * ok:     `[{"location": "/articles/*", "tdm-reservation": 1}]` → news/articles/a.html reserved yes
 * ok:     `[{"location": "/press/*", "tdm-reservation": 0}]` → news/press/p.html reserved no
 * not-ok: `{"location": "/", "tdm_reservation": 1}` → reserved unknown, with optout.tdmrep.malformed
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { Finding, FindingInput } from '../../schema/finding.js';
import { applied, lineEvidence, memoByFinding, ownPath } from '../optout-common/findings.js';
import { canonicalPath, compilePattern, sitePath, type PathPattern } from '../optout-common/path-pattern.js';
import { policyLocation } from '../optout-common/policy-url.js';
import { decodeText } from '../text.js';
import { readRules, type TdmRule, type TdmRules } from './rules.js';

const ID = 'tdmrep';
/** A tdmrep.json is a few hundred bytes; 1 MiB is far beyond any real one and bounds a hostile one. */
const MAX_BYTES = 1024 * 1024;

/** The carrier's value: what the site file says, compiled again in forPath. */
interface CarrierValue {
  siteRoot: string;
  rules: TdmRule[];
  truncated: boolean;
  unreadable?: string;
}

export const tdmrep = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'W3C TDMRep site rules in /.well-known/tdmrep.json, applied to each file by its location pattern',
  match: { names: ['tdmrep.json'] },
  marker: true,
  wants: { whole: { maxBytes: MAX_BYTES } },
  codes: {
    'optout.tdmrep.rules': {
      title: 'TDMRep site rules',
      meaning: 'A tdmrep.json holds the TDMRep rules of the site rooted at the folder above `.well-known/`. This notice, on the tdmrep.json itself, lists them; each file of the site gets the rule that matches it as `optout.tdmrep.location`.',
      action: 'Nothing on its own: see the files it governs.',
    },
    'optout.tdmrep.location': {
      title: 'TDMRep site rule matches this file',
      meaning: 'The first rule of the site\'s tdmrep.json whose `location` matches this file\'s path says `tdm-reservation` 1 (reserved: yes), 0 (reserved: no), or something the report does not define (reserved: unknown, with the problems listed). `policy` is the rule\'s `tdm-policy` URL and `policyPath` the dataset file it names, when it can be resolved.',
      action: 'A reservation (yes) means text and data mining of this file is reserved by its rights holder: exclude it, or obtain a licence (see the TDM policy). Unknown: read the rule and decide.',
    },
    'optout.tdmrep.unreadable': {
      title: 'TDMRep site file cannot be read',
      meaning: 'The site has a tdmrep.json, but it is not JSON, holds no rules, or is larger than 1 MiB. Every file of the site is reserved: unknown, since the site meant to say something about text and data mining.',
      action: 'Read the file by hand and decide; if it reserves, exclude the site.',
    },
    'optout.tdmrep.malformed': {
      title: 'TDMRep site file deviates from the report',
      meaning: 'The tdmrep.json is read, but deviates from the TDMRep report: an object instead of an array, `tdm_reservation` instead of `tdm-reservation`, a string "1" instead of the number 1, a `policy` key, a rule without a location. Each deviation is listed; rules whose meaning is in doubt are reserved: unknown.',
      action: 'Check the listed rules; tell the publisher if you can.',
    },
    'optout.tdmrep.misplaced': {
      title: 'tdmrep.json outside .well-known/',
      meaning: 'A file named tdmrep.json that is not in a `.well-known` folder. Its folder is taken as the site root, which may not be what the publisher meant: the report requires /.well-known/tdmrep.json.',
      action: 'Check which folder mirrors the site root; move the file under .well-known/ if that is where it came from.',
    },
  },
  detect(input) {
    const { siteRoot, misplaced } = siteRootOf(input.dir);
    const out: FindingInput[] = [];
    if (misplaced) {
      out.push({
        code: 'optout.tdmrep.misplaced',
        category: 'notice',
        detector: ID,
        severity: 'warning',
        confidence: 1,
        value: { siteRoot },
        evidence: { path: input.path },
        scope: { kind: 'file', root: input.path },
        url: findingUrl('optout.tdmrep.misplaced'),
      });
    }
    const read: TdmRules = input.whole === null ? { rules: [], truncated: false, problems: [], unreadable: `larger than ${MAX_BYTES} bytes` } : readRules(decodeText(input.whole));
    const rules = carrier(input, siteRoot, read);
    // The tdmrep.json is a file of its site too; a rule such as location "/" covers it.
    out.push(rules, ...ownPath(rules, ruleFor, input.path));
    const problems = [...read.problems, ...read.rules.flatMap((r, i) => (r.problems ?? []).map((p) => `rule ${i + 1}${r.line !== undefined ? ` (line ${r.line})` : ''}: ${p}`))];
    if (read.truncated) problems.push(`more than ${read.rules.length} rules: only the first ${read.rules.length} were read`);
    if (problems.length > 0 && read.unreadable === undefined) {
      out.push({
        code: 'optout.tdmrep.malformed',
        category: 'notice',
        detector: ID,
        severity: 'warning',
        confidence: 1,
        value: { problems: problems.slice(0, 50), count: problems.length },
        evidence: lineEvidence(input.path, read.rules.find((r) => r.problems)?.line, undefined),
        scope: { kind: 'file', root: input.path },
        url: findingUrl('optout.tdmrep.malformed'),
      });
    }
    return out;
  },
  forPath(finding, path) {
    if (finding.code !== 'optout.tdmrep.rules') return finding;
    return ruleFor(finding, path);
  },
});

/** The site root of a tdmrep.json in folder `dir`: the folder above `.well-known`, or `dir` itself when misplaced. */
function siteRootOf(dir: string): { siteRoot: string; misplaced: boolean } {
  if (dir === '.well-known') return { siteRoot: '', misplaced: false };
  if (dir.endsWith('/.well-known')) return { siteRoot: dir.slice(0, -'/.well-known'.length), misplaced: false };
  return { siteRoot: dir, misplaced: true };
}

function carrier(input: DetectorInput, siteRoot: string, read: TdmRules): FindingInput {
  const value: CarrierValue = { siteRoot, rules: read.rules, truncated: read.truncated, ...(read.unreadable !== undefined ? { unreadable: read.unreadable } : {}) };
  return {
    code: 'optout.tdmrep.rules',
    category: 'notice',
    detector: ID,
    severity: read.unreadable !== undefined ? 'warning' : 'info',
    confidence: 1,
    value: { ...value, count: read.rules.length },
    evidence: { path: input.path, line: 1 },
    scope: { kind: 'subtree', root: siteRoot },
    url: findingUrl('optout.tdmrep.rules'),
  };
}

interface Compiled {
  value: CarrierValue;
  rules: { rule: TdmRule; pattern: PathPattern | null }[];
  /** What each rule (or the lack of one) gives, built once: it does not depend on the path. */
  given: Map<TdmRule | string, Finding | null>;
  /** A rule that reserves (or may) but has no usable location: it may cover any file. */
  unplaceable: TdmRule | undefined;
}

const compile = memoByFinding<Compiled>((f) => {
  const value = f.value as unknown as CarrierValue;
  const rules = (value.rules ?? []).map((rule) => ({ rule, pattern: rule.location !== null ? compilePattern(rule.location) : null }));
  const unplaceable = rules.find((r) => r.pattern === null && r.rule.reserved !== 'no')?.rule;
  return { value, rules, unplaceable, given: new Map() };
});

/** `make()` once per key of a carrier. */
function once(c: Compiled, key: TdmRule | string, make: () => Finding | null): Finding | null {
  if (c.given.has(key)) return c.given.get(key)!;
  const f = make();
  c.given.set(key, f);
  return f;
}

function ruleFor(f: Finding, path: string): Finding | null {
  const c = compile(f);
  const sp = sitePath(c.value.siteRoot, path);
  if (sp === null) return null;
  if (c.value.unreadable !== undefined) {
    return once(c, 'unreadable', () => applied(f, {
      code: 'optout.tdmrep.unreadable',
      protocol: 'tdmrep',
      reserved: 'unknown',
      level: 'site',
      rule: `unreadable: ${c.value.unreadable}`,
      evidence: { path: f.evidence.path },
      confidence: 0.5,
      severity: 'warning',
    }));
  }
  const canonical = canonicalPath(sp);
  for (const { rule, pattern } of c.rules) {
    if (pattern === null || !pattern.matches(canonical)) continue;
    return once(c, rule, () => applyRule(f, c.value.siteRoot, rule));
  }
  // Past the rules that were read, or a rule that cannot be placed, may still cover this file.
  if (c.value.truncated) return once(c, 'truncated', () => unknownBeyond(f, 'more rules than were read'));
  const unplaceable = c.unplaceable;
  if (unplaceable) return once(c, 'unplaceable', () => unknownBeyond(f, 'a rule without a usable location', unplaceable.line));
  return null;
}

function applyRule(f: Finding, siteRoot: string, rule: TdmRule): Finding {
  const extra: Record<string, unknown> = {};
  if (rule.policy !== undefined) {
    extra['policy'] = rule.policy;
    const loc = policyLocation(rule.policy, siteRoot, '/.well-known/tdmrep.json', { absoluteAllowed: true });
    if (loc) {
      extra['policyPath'] = loc.path;
      extra['policyHostChecked'] = loc.hostChecked;
    }
  }
  if (rule.problems) extra['problems'] = rule.problems;
  const exact = rule.problems === undefined;
  return applied(f, {
    code: 'optout.tdmrep.location',
    protocol: 'tdmrep',
    reserved: rule.reserved,
    level: 'site',
    rule: `location ${rule.location ?? ''}`,
    evidence: lineEvidence(f.evidence.path, rule.line, rule.line !== undefined ? `"location": ${JSON.stringify(rule.location)}` : undefined),
    confidence: exact ? 0.95 : rule.reserved === 'unknown' ? 0.5 : 0.7,
    severity: exact ? 'info' : 'warning',
    extra,
  });
}

function unknownBeyond(f: Finding, why: string, line?: number): Finding {
  return applied(f, {
    code: 'optout.tdmrep.location',
    protocol: 'tdmrep',
    reserved: 'unknown',
    level: 'site',
    rule: why,
    evidence: lineEvidence(f.evidence.path, line, undefined),
    confidence: 0.4,
    severity: 'warning',
    extra: { problems: [why] },
  });
}
