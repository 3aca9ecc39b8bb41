/**
 * Opt-outs in an HTML page's `<head>`: the TDMRep `<meta name="tdm-reservation" content="1">` and
 * `<meta name="tdm-policy" content="…">`, and the `noai` / `noimageai` / `noml` directives of a robots
 * meta tag (`<meta name="robots" content="noai">`). Both are statements about the page itself (level
 * `file`); TDMRep metadata supersedes the site's tdmrep.json and any stored header (it is the file's
 * own statement, so the engine lets it win over the farther ones of the same protocol).
 *
 * Reference: TDMRep final community group report (2024), §"TDM Metadata in HTML Content" and
 * §"Processing priority"; robots meta tag syntax (see optout-common/directives.ts).
 *
 * Parsing: htmlparser2, a tolerant, well-kept HTML tokenizer, over the first 64 KiB (where a head
 * is), stopping at `<body>` or `</head>`. A tokenizer rather than a regular expression, because a
 * meta tag quoted inside a `<script>`, a `<style>` or a comment is not a meta tag, attributes come in
 * any order, quoted or not, with entities. The bytes are first searched for the words that matter
 * (`tdm-`, `noai`, …), so pages without them are not parsed at all. `noindex` and the other search
 * directives are not AI opt-outs and are ignored.
 *
 * ok:     `<meta name="tdm-reservation" content="1">` → optout.tdmrep.html-meta, reserved yes
 * ok:     `<meta name="robots" content="noindex, noai">` → optout.noai.html-meta, reserved yes
 * not-ok: `<meta name="robots" content="noindex">` → nothing
 * not-ok: `<script>var s = '<meta name="tdm-reservation" content="1">'</script>` → nothing
 */
import { Parser } from 'htmlparser2';
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput, Reserved } from '../../schema/finding.js';
import { aiDirectivesOf } from '../optout-common/directives.js';
import { clip } from '../optout-common/findings.js';
import { relativePolicyPath } from '../optout-common/policy-url.js';
import { readReservation } from '../optout-common/tdm-values.js';
import { AI_AGENTS } from '../robots-txt/ai-agents.js';
import { decodeText, excerpt, lineColumn } from '../text.js';

const ID = 'html-meta';
/** The head of a page; a meta tag past 64 KiB of head content is not looked for. */
const HEAD = 64 * 1024;
const WORDS = /tdm-(?:reservation|policy)|noai|noimageai|noml/i;
/** Crawlers whose name in a robots meta tag makes a directive addressed to an AI training crawler. */
const TRAINING_AGENTS = new Set(AI_AGENTS.agents.filter((a) => a.use !== 'ai-other').map((a) => a.token.toLowerCase()));
const ALL_AGENTS = new Set(AI_AGENTS.agents.map((a) => a.token.toLowerCase()));

interface Meta {
  name: string;
  content: string;
  /** Character offset of the tag in the decoded head. */
  at: number;
}

export const htmlMeta = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'TDMRep meta tags and noai/noimageai/noml robots directives in an HTML page head',
  match: {
    names: ['*.html', '*.htm', '*.xhtml', '*.xht', '*.shtml'],
    // A page crawled into a WARC (member `crawl.warc.gz#record=N`) has no file name: its response's Content-Type says HTML.
    entry: (e) => e.http !== undefined && e.http.headers.some(([n, v]) => n.toLowerCase() === 'content-type' && /^\s*(?:text\/html|application\/xhtml\+xml)\b/i.test(v)),
  },
  wants: { head: HEAD },
  codes: {
    'optout.tdmrep.html-meta': {
      title: 'TDMRep meta tag in the page',
      meaning: 'The page\'s head has `<meta name="tdm-reservation">`: content 1 reserves text and data mining of the page (reserved: yes), 0 does not (no), anything else is a protocol error reported as unknown. `policy` is the page\'s `tdm-policy`. It supersedes the site\'s tdmrep.json and stored headers.',
      action: 'Reserved yes: exclude the page, or obtain a licence (see the TDM policy).',
    },
    'optout.noai.html-meta': {
      title: 'noai / noml robots directive in the page',
      meaning: 'A robots meta tag of the page says `noai` or `noml`: its author opts the page out of AI use. Reserved yes when the tag is addressed to all crawlers (`name="robots"`) or to an AI training crawler; unknown when it names another crawler only.',
      action: 'Exclude the page from training sets.',
    },
    'optout.noai.html-meta-images': {
      title: 'noimageai robots directive in the page',
      meaning: 'A robots meta tag of the page says `noimageai`: the images the page shows must not be used for AI. It does not reserve the page\'s text; the images are separate files, which Clearance cannot tie to the page from the page alone.',
      action: 'If the dataset holds this page\'s images, exclude them.',
    },
  },
  detect(input) {
    const text = decodeText(input.head.subarray(0, HEAD));
    if (!WORDS.test(text)) return [];
    const metas = headMetas(text);
    return [...tdmFindings(input, text, metas), ...noaiFindings(input, text, metas)];
  },
});

/** Meta tags before `<body>` or `</head>`, with lower-cased names. */
function headMetas(text: string): Meta[] {
  const metas: Meta[] = [];
  let done = false;
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (done) return;
        if (name === 'body') {
          done = true;
          return;
        }
        if (name !== 'meta' || attribs['name'] === undefined || metas.length >= 200) return;
        metas.push({ name: attribs['name'].trim().toLowerCase(), content: attribs['content'] ?? '', at: parser.startIndex });
      },
      onclosetag(name) {
        if (name === 'head') done = true;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(text);
  parser.end();
  return metas;
}

function evidence(input: DetectorInput, text: string, m: Meta) {
  const { line, column } = lineColumn(text, m.at);
  const end = text.indexOf('>', m.at);
  return { path: input.path, line, column, excerpt: excerpt(text.slice(m.at, end < 0 ? m.at + 200 : Math.min(end + 1, m.at + 200))) };
}

function tdmFindings(input: DetectorInput, text: string, metas: Meta[]): FindingInput[] {
  const reservations = metas.filter((m) => m.name === 'tdm-reservation');
  if (reservations.length === 0) return [];
  const problems: string[] = [];
  const values = reservations.map((m) => readReservation(m.content, { text: true }));
  for (const v of values) if (v.problem) problems.push(v.problem);
  let reserved: Reserved = values[0]!.reserved;
  if (values.some((v) => v.reserved !== reserved)) {
    reserved = 'unknown';
    problems.push('several tdm-reservation tags that disagree');
  }
  const policyMeta = metas.find((m) => m.name === 'tdm-policy');
  const extra: Record<string, unknown> = {};
  if (policyMeta && policyMeta.content.trim() !== '') {
    extra['policy'] = clip(policyMeta.content.trim(), 500);
    const local = relativePolicyPath(policyMeta.content.trim(), input.path);
    if (local !== null) extra['policyPath'] = local;
  }
  if (problems.length > 0) extra['problems'] = problems;
  const first = reservations[0]!;
  return [
    {
      code: 'optout.tdmrep.html-meta',
      category: 'opt-out',
      detector: ID,
      severity: problems.length > 0 ? 'warning' : 'info',
      confidence: problems.length > 0 ? 0.6 : 0.95,
      value: { protocol: 'tdmrep', reserved, level: 'file', rule: `<meta name="tdm-reservation" content="${clip(first.content, 40)}">`, ...extra },
      evidence: evidence(input, text, first),
      scope: { kind: 'file', root: input.path },
      url: findingUrl('optout.tdmrep.html-meta'),
    },
  ];
}

function noaiFindings(input: DetectorInput, text: string, metas: Meta[]): FindingInput[] {
  const out: FindingInput[] = [];
  let images: { meta: Meta } | null = null;
  let full: { meta: Meta; directives: string[]; reserved: Reserved } | null = null;
  for (const m of metas) {
    if (m.name !== 'robots' && !ALL_AGENTS.has(m.name)) continue;
    const directives = aiDirectivesOf(m.content);
    if (directives.length === 0) continue;
    const whole = directives.filter((d) => d !== 'noimageai');
    if (whole.length > 0) {
      const reserved: Reserved = m.name === 'robots' || TRAINING_AGENTS.has(m.name) ? 'yes' : 'unknown';
      // A tag for all crawlers, or for a training crawler, outranks one for an AI search crawler.
      if (!full || (full.reserved === 'unknown' && reserved === 'yes')) full = { meta: m, directives: whole, reserved };
    } else images ??= { meta: m };
  }
  if (full) {
    out.push({
      code: 'optout.noai.html-meta',
      category: 'opt-out',
      detector: ID,
      confidence: full.reserved === 'yes' ? 0.9 : 0.6,
      value: { protocol: 'noai', reserved: full.reserved, level: 'file', rule: `<meta name="${clip(full.meta.name, 40)}" content="${clip(full.meta.content, 80)}">`, directives: full.directives, ...(full.meta.name !== 'robots' ? { agent: full.meta.name } : {}) },
      evidence: evidence(input, text, full.meta),
      scope: { kind: 'file', root: input.path },
      url: findingUrl('optout.noai.html-meta'),
    });
  } else if (images) {
    out.push({
      code: 'optout.noai.html-meta-images',
      category: 'notice',
      detector: ID,
      confidence: 0.9,
      value: { directive: 'noimageai', rule: `<meta name="${clip(images.meta.name, 40)}" content="${clip(images.meta.content, 80)}">` },
      evidence: evidence(input, text, images.meta),
      scope: { kind: 'file', root: input.path },
      url: findingUrl('optout.noai.html-meta-images'),
    });
  }
  return out;
}
