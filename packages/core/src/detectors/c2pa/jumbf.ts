/**
 * JUMBF (JPEG Universal Metadata Box Format) boxes, and the C2PA manifest store built from them.
 *
 * A box is `LBox` (4 bytes), `TBox` (4 bytes) and, when `LBox` is 1, an 8-byte `XLBox`; `LBox` 0
 * means "to the end of the enclosing box". A superbox (`jumb`) starts with a description box
 * (`jumd`: a 16-byte content-type UUID, a toggles byte, then — by the toggles — a NUL-terminated
 * label, a 4-byte id, a 32-byte signature and a private box) followed by its content boxes.
 * Reference: ISO/IEC 19566-5:2019 (JUMBF) §A.2–A.3; C2PA Specification 2.1 §11.1 "Manifest store"
 * (UUIDs of the store `c2pa`, standard manifest `c2ma`, update manifest `c2um`, assertion store
 * `c2as`; CBOR and JSON content boxes) and §11.3.2 "Active manifest" (the last manifest in the store).
 *
 * Bounded: at most {@link MAX_DEPTH} levels and {@link MAX_BOXES} boxes; a box whose length runs past
 * its parent, or is shorter than its header, ends the parse of that level and is reported as a
 * problem — what was read before it is kept.
 */
import { u32be, u64be } from '../xmp/bytes.js';

const MAX_DEPTH = 16;
const MAX_BOXES = 10_000;

export const C2PA_UUID = {
  store: '6332706100110010800000aa00389b71',
  manifest: '63326d6100110010800000aa00389b71',
  updateManifest: '6332756d00110010800000aa00389b71',
  assertions: '6332617300110010800000aa00389b71',
  cbor: '63626f7200110010800000aa00389b71',
  json: '6a736f6e00110010800000aa00389b71',
} as const;

export interface JumbfSuperbox {
  kind: 'super';
  /** Content-type UUID of the description box, 32 lower-case hex digits. */
  uuid: string;
  label?: string;
  /** Offset of the box in the parsed bytes. */
  offset: number;
  children: JumbfNode[];
}

export interface JumbfContent {
  kind: 'content';
  type: string;
  offset: number;
  data: Uint8Array;
}

export type JumbfNode = JumbfSuperbox | JumbfContent;

export interface ParsedJumbf {
  nodes: JumbfNode[];
  /** What went wrong, if anything: lying lengths, a superbox without a description, too deep. */
  problems: string[];
}

/** Parses the boxes of `bytes` (usually one `jumb` superbox). Never throws. */
export function parseJumbf(bytes: Uint8Array): ParsedJumbf {
  const problems: string[] = [];
  const counter = { boxes: 0 };
  const nodes = parseLevel(bytes, 0, bytes.length, 0, problems, counter);
  return { nodes, problems };
}

function parseLevel(b: Uint8Array, from: number, to: number, depth: number, problems: string[], counter: { boxes: number }): JumbfNode[] {
  const out: JumbfNode[] = [];
  let i = from;
  while (i + 8 <= to) {
    if (++counter.boxes > MAX_BOXES) {
      problems.push(`more than ${MAX_BOXES} boxes`);
      break;
    }
    const lbox = u32be(b, i);
    const type = String.fromCharCode(b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!);
    let header = 8;
    let size = lbox;
    if (lbox === 1) {
      if (i + 16 > to) {
        problems.push(`box ${JSON.stringify(type)} at ${i}: XLBox cut short`);
        break;
      }
      size = u64be(b, i + 8);
      header = 16;
    } else if (lbox === 0) size = to - i;
    if (!Number.isFinite(size) || size < header || i + size > to) {
      problems.push(`box ${JSON.stringify(type)} at ${i}: length ${Number.isFinite(size) ? size : 'over 2^53'} does not fit in ${to - i} bytes`);
      break;
    }
    const bodyStart = i + header;
    const end = i + size;
    if (type === 'jumb') {
      if (depth >= MAX_DEPTH) {
        problems.push(`superboxes nested deeper than ${MAX_DEPTH}`);
        break;
      }
      const sb = superbox(b, i, bodyStart, end, depth, problems, counter);
      if (sb) out.push(sb);
    } else out.push({ kind: 'content', type, offset: i, data: b.subarray(bodyStart, end) });
    i = end;
  }
  return out;
}

function superbox(b: Uint8Array, offset: number, from: number, to: number, depth: number, problems: string[], counter: { boxes: number }): JumbfSuperbox | null {
  // The first child must be the description box.
  if (from + 8 > to) {
    problems.push(`superbox at ${offset} is empty`);
    return null;
  }
  const dlen = u32be(b, from);
  const dtype = String.fromCharCode(b[from + 4]!, b[from + 5]!, b[from + 6]!, b[from + 7]!);
  if (dtype !== 'jumd' || dlen < 8 + 17 || from + dlen > to) {
    problems.push(`superbox at ${offset} has no valid description box`);
    return null;
  }
  const d = b.subarray(from + 8, from + dlen);
  const uuid = Buffer.from(d.subarray(0, 16)).toString('hex');
  const toggles = d[16]!;
  let label: string | undefined;
  if (toggles & 0x02) {
    const nul = d.indexOf(0, 17);
    if (nul < 0) {
      problems.push(`description box at ${from}: label not terminated`);
      return null;
    }
    label = Buffer.from(d.subarray(17, nul)).toString('utf8');
  }
  const children = parseLevel(b, from + dlen, to, depth + 1, problems, counter);
  return { kind: 'super', uuid, ...(label !== undefined ? { label } : {}), offset, children };
}
