/**
 * Stored HTTP response headers, in the two sidecar layouts Clearance reads:
 * - `<file>.headers`: the raw header block as a client wrote it (`curl -D`, `wget -S` logs): an
 *   optional status line, `Name: value` lines, obsolete line folding. When several responses follow
 *   each other (a redirect chain: `HTTP/1.1 301 …`, blank line, `HTTP/1.1 200 …`), the last one is the
 *   response that delivered the file, and only it is read. Reading stops at the blank line that ends
 *   the last header block, so a stored body after it is never taken for headers.
 * - `<file>.headers.json`: a JSON object whose `headers` member holds the headers as an object
 *   (`{"X-Robots-Tag": "noai"}`, a value may be an array of values), as `[name, value]` pairs, or as
 *   HAR-style `{"name": …, "value": …}` objects.
 *
 * Reference: RFC 9112 §2.2, §4 and §5 (status line, field lines, obs-fold), RFC 9110 §5.3 (a field
 * repeated in one message is one field whose values are joined with commas).
 */
import { clip } from '../optout-common/findings.js';

/** Most header lines kept from one sidecar. */
const MAX_FIELDS = 500;

export interface StoredHeaders {
  /** Header values by lower-case name, in order, with the 1-based line of each (raw layout only). */
  fields: Map<string, { value: string; line?: number }[]>;
  /** The final response's status code, when a status line was stored. */
  status?: number;
  /** Responses stored before the final one (redirects). */
  earlier: number;
}

export type ParsedHeaders = { ok: true; headers: StoredHeaders } | { ok: false; problem: string };

const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Reads a raw header block. */
export function parseRawHeaders(text: string): ParsedHeaders {
  const lines = text.split(/\r?\n/);
  let fields = new Map<string, { value: string; line?: number }[]>();
  let status: number | undefined;
  let earlier = -1;
  let count = 0;
  let last: { value: string; line?: number } | null = null;
  let i = 0;
  // Skip blank lines before the first block.
  while (i < lines.length && lines[i]!.trim() === '') i++;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const statusLine = /^HTTP\/\d(?:\.\d)?\s+(\d{3})\b/.exec(line);
    if (statusLine) {
      // A new response: what came before was a redirect or an interim response.
      fields = new Map();
      status = Number(statusLine[1]);
      earlier++;
      last = null;
      continue;
    }
    if (line.trim() === '') {
      // The end of a block: another response may follow, else what follows is a body.
      let j = i + 1;
      while (j < lines.length && lines[j]!.trim() === '') j++;
      if (j < lines.length && /^HTTP\/\d/.test(lines[j]!)) {
        i = j - 1;
        continue;
      }
      break;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      last.value = clip(`${last.value} ${line.trim()}`, 4096);
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!FIELD_NAME.test(name)) {
      if (count === 0 && status === undefined) return { ok: false, problem: `line ${i + 1} is neither a status line nor a header field` };
      continue;
    }
    if (count++ >= MAX_FIELDS) break;
    last = { value: clip(line.slice(colon + 1).trim(), 4096), line: i + 1 };
    const key = name.toLowerCase();
    const list = fields.get(key);
    if (list) list.push(last);
    else fields.set(key, [last]);
  }
  if (fields.size === 0 && status === undefined) return { ok: false, problem: 'no header fields' };
  return { ok: true, headers: { fields, ...(status !== undefined ? { status } : {}), earlier: Math.max(0, earlier) } };
}

/** Reads a JSON sidecar's `headers` member. */
export function parseJsonHeaders(text: string): ParsedHeaders {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `not JSON: ${clip((err as Error).message, 120)}` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, problem: 'not a JSON object' };
  const raw = (data as Record<string, unknown>)['headers'];
  const fields = new Map<string, { value: string }[]>();
  let count = 0;
  const add = (name: unknown, value: unknown) => {
    if (typeof name !== 'string' || !FIELD_NAME.test(name) || count >= MAX_FIELDS) return;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values.slice(0, 50)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
      count++;
      const key = name.toLowerCase();
      const entry = { value: clip(String(v).trim(), 4096) };
      const list = fields.get(key);
      if (list) list.push(entry);
      else fields.set(key, [entry]);
    }
  };
  if (Array.isArray(raw)) {
    for (const item of raw.slice(0, MAX_FIELDS)) {
      if (Array.isArray(item) && item.length === 2) add(item[0], item[1]);
      else if (typeof item === 'object' && item !== null) add((item as Record<string, unknown>)['name'], (item as Record<string, unknown>)['value']);
    }
  } else if (typeof raw === 'object' && raw !== null) {
    for (const [k, v] of Object.entries(raw).slice(0, MAX_FIELDS)) add(k, v);
  } else return { ok: false, problem: raw === undefined ? 'no "headers" member' : '"headers" is neither an object nor an array' };
  const status = (data as Record<string, unknown>)['status'];
  return { ok: true, headers: { fields, ...(typeof status === 'number' ? { status } : {}), earlier: 0 } };
}
