/**
 * Reading an RSL document (`<rsl xmlns="https://rslstandard.org/rsl">`) into the terms that matter for
 * training: for each `<content url="…">`, its `<license>`s with their `<permits type="usage">`,
 * `<prohibits type="usage">` and `<payment type="…">`.
 *
 * Reference: RSL 1.0 Specification (rslstandard.org/rsl, 2025): `<rsl>` root in the RSL namespace,
 * one or more `<content url>` (a full URL or a server path with RFC 9309 `*` and `$`), `<license>`
 * with `<permits>` / `<prohibits>` (type `usage`, `user` or `geo`; comma-separated values; usage
 * values `all`, `ai-all`, `ai-train`, `ai-input`, `ai-index`, `search`) and `<payment type>`.
 *
 * Parsed with saxes, a strict, namespace-aware XML parser that does not read DTDs: an entity defined
 * in an internal subset is never expanded (the "billion laughs" cannot happen), and a document that
 * uses one is not well-formed to it and is reported as unreadable. Elements are matched by namespace
 * and local name, not by prefix, so `<r:rsl xmlns:r="https://rslstandard.org/rsl">` reads the same.
 */
import { SaxesParser } from 'saxes';
import { clip } from '../optout-common/findings.js';

export const RSL_NS = 'https://rslstandard.org/rsl';
const MAX_CONTENTS = 1000;
const MAX_LICENSES = 20;
/**
 * Deepest element nesting read. RSL is four levels deep; saxes resolves namespaces through the open
 * elements, so a hostile document nested tens of thousands deep would cost quadratic time.
 */
const MAX_DEPTH = 32;

export interface RslLicense {
  permits: string[];
  prohibits: string[];
  /** `type` of each `<payment>`; `free` when a payment element has none. */
  payments: string[];
  line: number;
}

export interface RslContent {
  url: string;
  server?: string;
  line: number;
  licenses: RslLicense[];
}

export type RslDocument = { kind: 'rsl'; contents: RslContent[]; truncated: boolean } | { kind: 'not-rsl' } | { kind: 'unreadable'; problem: string; line?: number };

/** Reads an XML text as RSL. Never throws. */
export function readRsl(text: string): RslDocument {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const contents: RslContent[] = [];
  const stack: string[] = [];
  let root: { uri: string; local: string } | null = null;
  let truncated = false;
  let content: RslContent | null = null;
  let license: RslLicense | null = null;
  let term: { kind: 'permits' | 'prohibits'; type: string; text: string } | null = null;

  parser.on('opentag', (node) => {
    if (stack.length >= MAX_DEPTH) throw new Error(`elements nested deeper than ${MAX_DEPTH}`);
    const inRsl = node.uri === RSL_NS;
    if (root === null) root = { uri: node.uri, local: node.local };
    stack.push(inRsl ? node.local : '');
    if (!inRsl) return;
    const attr = (name: string) => {
      const a = node.attributes[name];
      return a && a.uri === '' ? a.value : undefined;
    };
    if (node.local === 'content' && stack.length === 2) {
      if (contents.length >= MAX_CONTENTS) {
        truncated = true;
        return;
      }
      const url = attr('url');
      const server = attr('server');
      content = { url: clip((url ?? '').trim(), 1000), ...(server ? { server: clip(server, 500) } : {}), line: parser.line, licenses: [] };
      contents.push(content);
    } else if (node.local === 'license' && content && stack.at(-2) === 'content') {
      license = content.licenses.length < MAX_LICENSES ? { permits: [], prohibits: [], payments: [], line: parser.line } : null;
      if (license) content.licenses.push(license);
    } else if ((node.local === 'permits' || node.local === 'prohibits') && license && stack.at(-2) === 'license') {
      term = { kind: node.local, type: (attr('type') ?? '').trim().toLowerCase(), text: '' };
    } else if (node.local === 'payment' && license && stack.at(-2) === 'license') {
      license.payments.push((attr('type') ?? 'free').trim().toLowerCase() || 'free');
    }
  });
  parser.on('text', (t) => {
    if (term && term.text.length < 2000) term.text += t;
  });
  parser.on('closetag', (node) => {
    stack.pop();
    if (node.uri !== RSL_NS) return;
    if ((node.local === 'permits' || node.local === 'prohibits') && term && license) {
      // Only usage terms decide training; `user` and `geo` terms restrict who and where.
      if (term.type === 'usage') {
        const values = term.text.split(',').map((v) => v.trim().toLowerCase()).filter((v) => v !== '').slice(0, 20);
        license[term.kind].push(...values);
      }
      term = null;
    } else if (node.local === 'license') license = null;
    else if (node.local === 'content') content = null;
  });
  parser.on('error', (err) => {
    throw err;
  });
  try {
    parser.write(text).close();
  } catch (err) {
    const r = root as { uri: string } | null;
    // A document that does not even start as RSL is simply not one; a broken RSL document is reported.
    if (r !== null && r.uri !== RSL_NS) return { kind: 'not-rsl' };
    if (r === null && !text.includes(RSL_NS)) return { kind: 'not-rsl' };
    return { kind: 'unreadable', problem: clip((err as Error).message, 160), line: parser.line };
  }
  const r = root as { uri: string; local: string } | null;
  if (r === null || r.uri !== RSL_NS || r.local !== 'rsl') return { kind: 'not-rsl' };
  return { kind: 'rsl', contents, truncated };
}
