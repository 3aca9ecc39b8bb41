/**
 * Stored HTTP response headers beside downloaded files: what the server said about a file's use when
 * it was fetched — `X-Robots-Tag: noai`, TDMRep `tdm-reservation` / `tdm-policy`, and the AIPREF
 * `Content-Usage` field. A sidecar is a marker for exactly one file: `page.html.headers` and
 * `page.html.headers.json` speak about `page.html` in the same folder, and about nothing else.
 *
 * Layouts read (parse.ts): `<file>.headers` (raw header block; the last response of a redirect chain)
 * and `<file>.headers.json` (a JSON object with a `headers` member). A generic `<file>.json` is not
 * read, although some tools store headers there: markers are read before every other file and held
 * until the scan ends, and image datasets often carry a `.json` sidecar of other metadata for every
 * file, which would make the held set grow with the dataset.
 *
 * A WARC response record (a member `crawl.warc.gz#record=N`, opened by the warc container) carries
 * its HTTP headers on `entry.http`: they are read the same way and give the same opt-out findings,
 * scoped to that one member. `noimageai` counts when the response's Content-Type is an image; a
 * relative `tdm-policy` is resolved against the record's target URL.
 *
 * Reference: TDMRep final community group report (2024), §"TDM Header Field in HTTP Responses" and
 * §"Processing priority" (a header supersedes the site's tdmrep.json; HTML metadata supersedes the
 * header); draft-ietf-aipref-attach §"HTTP Content-Usage Header Field" (an RFC 9651 Dictionary, read
 * with the `structured-headers` package, see optout-common/aipref.ts); X-Robots-Tag as documented
 * by Google, with the `noai` / `noimageai` / `noml` directives (optout-common/directives.ts).
 *
 * Cost: the engine hands `forPath` every sidecar of a folder for every file of that folder, so the
 * work grows with the square of the sidecars in one folder (4,000 pages with 4,000 sidecars: about
 * 16 s of CPU). An engine scope for "this one other file" would make it linear; until then, crawls
 * with tens of thousands of sidecars in one folder are slow.
 *
 * Each protocol gets its own finding (the engine resolves one finding per protocol): on the sidecar a
 * notice carries what it says (`optout.sidecar.*`), and `forPath` turns it into the opt-out finding
 * of the file it describes. The AIPREF header is protocol `aipref-header`, apart from robots.txt's
 * `aipref`, because AIPREF statements combine (the most restrictive wins) instead of the nearer one
 * overriding the farther.
 *
 * ok:     `page.html.headers` with `tdm-reservation: 1` → page.html: optout.tdmrep.http-header, yes
 * ok:     `img.jpg.headers.json` `{"headers": {"X-Robots-Tag": "noimageai"}}` → img.jpg: noai, yes
 * ok:     `crawl.warc.gz#record=3` whose response said `tdm-reservation: 1` → that member: tdmrep, yes
 * not-ok: `page.html.headers` with `X-Robots-Tag: noindex` → nothing (not an AI opt-out)
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { Finding, FindingInput, Reserved } from '../../schema/finding.js';
import { parseUsagePreferences, reservedOf } from '../optout-common/aipref.js';
import { parseXRobotsTag } from '../optout-common/directives.js';
import { applied, clip, lineEvidence, memoByFinding } from '../optout-common/findings.js';
import { relativePolicyPath } from '../optout-common/policy-url.js';
import { readReservation } from '../optout-common/tdm-values.js';
import { AI_AGENTS } from '../robots-txt/ai-agents.js';
import { decodeText } from '../text.js';
import { parseJsonHeaders, parseRawHeaders, type StoredHeaders } from './parse.js';

const ID = 'http-headers';
const HEAD = 64 * 1024;
const TRAINING_AGENTS = new Set(AI_AGENTS.agents.filter((a) => a.use !== 'ai-other').map((a) => a.token.toLowerCase()));
const IMAGE_EXT = /\.(?:jpe?g|jfif|png|gif|webp|avif|heic|heif|tiff?|bmp|svg|ico|jxl)$/i;

/** The file a sidecar speaks about, and its layout; null when the name is not a sidecar's. */
export function sidecarTarget(path: string): { target: string; layout: 'raw' | 'json' } | null {
  const m = /^(.*[^/])\.headers(\.json)?$/i.exec(path);
  if (!m || m[1]!.endsWith('/')) return null;
  return { target: m[1]!, layout: m[2] ? 'json' : 'raw' };
}

/** What a carrier holds: the statement, for one target file. */
interface CarrierValue {
  target: string;
  protocol: string;
  reserved: Reserved;
  rule: string;
  line?: number;
  extra: Record<string, unknown>;
}

export const httpHeaders = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'Stored HTTP response headers beside a file (<file>.headers, <file>.headers.json) or of a WARC response record: X-Robots-Tag noai, tdm-reservation, Content-Usage',
  match: { names: [(name: string) => /^.+\.headers(?:\.json)?$/i.test(name)], entry: (e) => e.http !== undefined },
  marker: true,
  // A header sidecar speaks about one file of its folder: it outranks a site rule at the same level.
  precedence: 10,
  wants: { head: HEAD },
  codes: {
    'optout.sidecar.tdmrep': {
      title: 'Stored TDMRep header',
      meaning: 'This sidecar stores the `tdm-reservation` (and `tdm-policy`) header of the response its file was downloaded with. This notice is on the sidecar; the file it describes gets `optout.tdmrep.http-header`.',
      action: 'Nothing on its own: see the file it describes.',
    },
    'optout.tdmrep.http-header': {
      title: 'TDMRep header of the stored response',
      meaning: 'The response this file was downloaded with said `tdm-reservation: 1` (reserved: yes) or `0` (no); another value, or disagreeing fields, is unknown. It supersedes the site\'s tdmrep.json; the file\'s own HTML or EPUB metadata supersedes it.',
      action: 'Reserved yes: exclude the file, or obtain a licence (see `policy`).',
    },
    'optout.sidecar.noai': {
      title: 'Stored X-Robots-Tag with AI directives',
      meaning: 'This sidecar stores an `X-Robots-Tag` header with `noai`, `noimageai` or `noml`. This notice is on the sidecar; the file it describes gets `optout.noai.x-robots-tag`.',
      action: 'Nothing on its own: see the file it describes.',
    },
    'optout.noai.x-robots-tag': {
      title: 'X-Robots-Tag noai of the stored response',
      meaning: 'The response this file was downloaded with carried `X-Robots-Tag: noai` or `noml` (or `noimageai`, for an image): reserved yes when addressed to every crawler or to an AI training crawler, unknown when addressed to another crawler only.',
      action: 'Exclude the file from training sets.',
    },
    'optout.sidecar.aipref': {
      title: 'Stored Content-Usage header',
      meaning: 'This sidecar stores the AIPREF `Content-Usage` header of the response its file was downloaded with. This notice is on the sidecar; the file it describes gets `optout.aipref.http-header`.',
      action: 'Nothing on its own: see the file it describes.',
    },
    'optout.aipref.http-header': {
      title: 'AIPREF Content-Usage header of the stored response',
      meaning: 'The response this file was downloaded with carried `Content-Usage`: reserved yes when it disallows AI training (`train-ai=n`, or a legacy label), no when it allows it, unknown when it cannot be read (not a Structured Fields dictionary, a value other than y/n, disagreeing labels). Protocol `aipref-header`: it combines with robots.txt preferences rather than overriding them.',
      action: 'Reserved yes: exclude the file from training sets.',
    },
    'optout.sidecar.invalid': {
      title: 'Header sidecar cannot be read',
      meaning: 'A file named like a header sidecar (`<file>.headers`, `<file>.headers.json`) does not hold headers in a layout Clearance reads, so what the server said about its file is not known.',
      action: 'Check the sidecar; if it records headers in another layout, convert it.',
    },
  },
  detect(input) {
    if (input.entry.http !== undefined) return detectResponse(input, input.entry.http);
    return detectSidecar(input);
  },
  forPath(finding, path) {
    if (!finding.code.startsWith('optout.sidecar.') || finding.code === 'optout.sidecar.invalid') return finding;
    const v = finding.value as unknown as CarrierValue;
    if (path !== v.target) return null;
    return targetFinding(finding);
  },
});

/** The opt-out a sidecar's carrier means for its one file. */
const targetFinding = memoByFinding((finding: Finding) => {
    const v = finding.value as unknown as CarrierValue;
    return applied(finding, {
      code: APPLIED[finding.code]!,
      protocol: v.protocol,
      reserved: v.reserved,
      level: 'file',
      rule: v.rule,
      evidence: lineEvidence(finding.evidence.path, v.line, v.rule),
      confidence: v.reserved === 'unknown' ? 0.5 : 0.9,
      severity: v.reserved === 'unknown' ? 'warning' : 'info',
      extra: v.extra,
    });
});

const APPLIED: Record<string, string> = {
  'optout.sidecar.tdmrep': 'optout.tdmrep.http-header',
  'optout.sidecar.noai': 'optout.noai.x-robots-tag',
  'optout.sidecar.aipref': 'optout.aipref.http-header',
};

function detectSidecar(input: DetectorInput): FindingInput[] {
  const side = sidecarTarget(input.path);
  if (!side) return [];
  const text = decodeText(input.head.subarray(0, HEAD));
  // A raw block is read up to 64 KiB (headers come first); JSON cannot be read in part.
  const parsed = side.layout === 'json' && input.size > HEAD ? { ok: false as const, problem: `larger than ${HEAD} bytes` } : side.layout === 'raw' ? parseRawHeaders(text) : parseJsonHeaders(text);
  if (!parsed.ok) {
    return [
      {
        code: 'optout.sidecar.invalid',
        category: 'notice',
        detector: ID,
        severity: 'warning',
        confidence: 1,
        value: { target: side.target, layout: side.layout, problem: parsed.problem },
        evidence: { path: input.path },
        scope: { kind: 'file', root: input.path },
        url: findingUrl('optout.sidecar.invalid'),
      },
    ];
  }
  const carriers: [string, CarrierValue | null][] = [
    ['optout.sidecar.tdmrep', tdmrepOf(parsed.headers, side.target)],
    ['optout.sidecar.noai', noaiOf(parsed.headers, side.target)],
    ['optout.sidecar.aipref', aiprefOf(parsed.headers, side.target)],
  ];
  const out: FindingInput[] = [];
  for (const [code, value] of carriers) {
    if (!value) continue;
    out.push({
      code,
      category: 'notice',
      detector: ID,
      confidence: 1,
      value: { ...value, ...(parsed.headers.status !== undefined ? { status: parsed.headers.status } : {}) },
      evidence: lineEvidence(input.path, value.line, value.rule),
      // The folder's subtree, narrowed to the one file by forPath: the engine has no "sibling" scope.
      scope: { kind: 'subtree', root: input.dir },
      url: findingUrl(code),
    });
  }
  return out;
}

/** The opt-outs of a crawled response's own headers (a WARC member), as findings of that member. */
function detectResponse(input: DetectorInput, http: NonNullable<DetectorInput['entry']['http']>): FindingInput[] {
  const fields = new Map<string, { value: string }[]>();
  for (const [name, value] of http.headers.slice(0, 500)) {
    const key = name.toLowerCase();
    const entry = { value: clip(value, 4096) };
    const list = fields.get(key);
    if (list) list.push(entry);
    else fields.set(key, [entry]);
  }
  const h: StoredHeaders = { fields, ...(http.status !== undefined ? { status: http.status } : {}), earlier: 0 };
  const contentType = fields.get('content-type')?.[0]?.value ?? '';
  const carriers: [string, CarrierValue | null][] = [
    ['optout.tdmrep.http-header', tdmrepOf(h, input.path, http.url ?? null)],
    ['optout.noai.x-robots-tag', noaiOf(h, input.path, /^\s*image\//i.test(contentType))],
    ['optout.aipref.http-header', aiprefOf(h, input.path)],
  ];
  const out: FindingInput[] = [];
  for (const [code, v] of carriers) {
    if (!v) continue;
    out.push({
      code,
      category: 'opt-out',
      detector: ID,
      confidence: v.reserved === 'unknown' ? 0.5 : 0.9,
      severity: v.reserved === 'unknown' ? 'warning' : 'info',
      value: { protocol: v.protocol, reserved: v.reserved, level: 'file', rule: v.rule, ...v.extra, ...(http.status !== undefined ? { status: http.status } : {}) },
      evidence: lineEvidence(input.path, undefined, v.rule),
      scope: { kind: 'file', root: input.path },
      url: findingUrl(code),
    });
  }
  return out;
}

/**
 * `target` is the file the headers speak about; `url`, when given, is the URL they were served for
 * (a WARC record): a relative tdm-policy is then resolved against it instead of the file's folder.
 */
function tdmrepOf(h: StoredHeaders, target: string, url?: string | null): CarrierValue | null {
  const fields = h.fields.get('tdm-reservation');
  if (!fields) return null;
  const problems: string[] = [];
  const values = fields.map((f) => readReservation(f.value, { text: true }));
  for (const v of values) if (v.problem) problems.push(v.problem);
  let reserved = values[0]!.reserved;
  if (values.some((v) => v.reserved !== reserved)) {
    reserved = 'unknown';
    problems.push('several tdm-reservation fields that disagree');
  }
  const extra: Record<string, unknown> = {};
  const policy = h.fields.get('tdm-policy')?.[0]?.value;
  if (policy) {
    extra['policy'] = clip(policy, 500);
    if (url === undefined) {
      const local = relativePolicyPath(policy, target);
      if (local !== null) extra['policyPath'] = local;
    } else if (url !== null) {
      const resolved = URL.parse(policy, url)?.href;
      if (resolved !== undefined && resolved !== policy) extra['policy'] = clip(resolved, 500);
    }
  }
  if (problems.length > 0) extra['problems'] = problems;
  return { target, protocol: 'tdmrep', reserved, rule: `tdm-reservation: ${clip(fields[0]!.value, 40)}`, ...(fields[0]!.line !== undefined ? { line: fields[0]!.line } : {}), extra };
}

function noaiOf(h: StoredHeaders, target: string, image = IMAGE_EXT.test(target)): CarrierValue | null {
  const fields = h.fields.get('x-robots-tag');
  if (!fields) return null;
  let best: { reserved: Reserved; field: { value: string; line?: number }; directives: string[]; agent: string | null } | null = null;
  const ignored: string[] = [];
  for (const f of fields) {
    const { agent, directives } = parseXRobotsTag(f.value);
    // noimageai speaks about images only: for any other file it reserves nothing.
    const applying = directives.filter((d) => d !== 'noimageai' || image);
    if (directives.includes('noimageai') && !image) ignored.push('noimageai (the file is not an image)');
    if (applying.length === 0) continue;
    const reserved: Reserved = agent === null || agent === '*' || TRAINING_AGENTS.has(agent) ? 'yes' : 'unknown';
    if (!best || (best.reserved === 'unknown' && reserved === 'yes')) best = { reserved, field: f, directives: applying, agent };
  }
  if (!best) return null;
  return {
    target,
    protocol: 'noai',
    reserved: best.reserved,
    rule: `X-Robots-Tag: ${clip(best.field.value, 80)}`,
    ...(best.field.line !== undefined ? { line: best.field.line } : {}),
    extra: { directives: best.directives, ...(best.agent !== null ? { agent: best.agent } : {}), ...(ignored.length > 0 ? { ignored } : {}) },
  };
}

function aiprefOf(h: StoredHeaders, target: string): CarrierValue | null {
  const fields = h.fields.get('content-usage');
  if (!fields) return null;
  // RFC 9110 §5.3: repeated field lines are one field, joined with commas.
  const joined = fields.map((f) => f.value).join(', ');
  const p = parseUsagePreferences(joined);
  const reserved = reservedOf(p.training);
  if (reserved === null) return null;
  return {
    target,
    protocol: 'aipref-header',
    reserved,
    rule: `Content-Usage: ${clip(joined, 120)}`,
    ...(fields[0]!.line !== undefined ? { line: fields[0]!.line } : {}),
    extra: { training: p.training, ...(p.problems.length > 0 ? { problems: p.problems } : {}) },
  };
}
