/**
 * A small, bounded reader of PDF objects: enough to read trailers, cross-reference stream
 * dictionaries and encryption dictionaries. It never follows references itself and never recurses
 * deeper than {@link MAX_DEPTH}; malformed bytes raise {@link PdfSyntaxError}, which callers turn
 * into a problem report.
 *
 * Reference: ISO 32000-1:2008 §7.2 (lexical conventions) and §7.3 (objects); ISO 32000-2:2020 same sections.
 */

export type PdfValue = null | boolean | number | PdfName | PdfString | PdfValue[] | PdfDict | PdfRef | PdfKeyword;
export interface PdfName {
  t: 'name';
  v: string;
}
export interface PdfString {
  t: 'str';
  v: Uint8Array;
}
export interface PdfRef {
  t: 'ref';
  num: number;
  gen: number;
}
export interface PdfKeyword {
  t: 'kw';
  v: string;
}
export interface PdfDict {
  t: 'dict';
  map: Map<string, PdfValue>;
  /** Byte offset (within the parsed buffer) of each key's `/`. */
  keyAt: Map<string, number>;
}

export class PdfSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/** Nesting deeper than this is hostile, not a real encryption dictionary. */
const MAX_DEPTH = 32;
/** Items in one array or dictionary. */
const MAX_ITEMS = 100_000;

const WS = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WS[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

export const isWhite = (c: number | undefined): boolean => c !== undefined && WS[c] === 1;
const isRegular = (c: number | undefined): boolean => c !== undefined && WS[c] !== 1 && DELIM[c] !== 1;

/** A position in a buffer, advanced as objects are read. */
export class PdfReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    pos = 0,
  ) {
    this.pos = pos;
  }

  /** Skips white space and comments. */
  skip(): void {
    const b = this.buf;
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      if (WS[c] === 1) this.pos++;
      else if (c === 0x25 /* % */) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else break;
    }
  }

  /** Reads a keyword or number token without interpreting it; null at a delimiter or the end. */
  word(): string | null {
    this.skip();
    const start = this.pos;
    while (this.pos < this.buf.length && isRegular(this.buf[this.pos])) this.pos++;
    if (this.pos === start) return null;
    return ascii(this.buf, start, this.pos);
  }

  /** Reads one object; `N G R` is read as a reference. */
  value(depth = 0): PdfValue {
    if (depth > MAX_DEPTH) throw new PdfSyntaxError('objects nested too deep', this.pos);
    this.skip();
    const b = this.buf;
    if (this.pos >= b.length) throw new PdfSyntaxError('unexpected end of data', this.pos);
    const c = b[this.pos]!;
    if (c === 0x2f /* / */) return this.name();
    if (c === 0x28 /* ( */) return this.literal();
    if (c === 0x3c /* < */) {
      if (b[this.pos + 1] === 0x3c) return this.dict(depth);
      return this.hexString();
    }
    if (c === 0x5b /* [ */) {
      this.pos++;
      const out: PdfValue[] = [];
      for (;;) {
        this.skip();
        if (this.pos >= b.length) throw new PdfSyntaxError('unterminated array', this.pos);
        if (b[this.pos] === 0x5d) {
          this.pos++;
          return out;
        }
        if (out.length >= MAX_ITEMS) throw new PdfSyntaxError('array too long', this.pos);
        out.push(this.value(depth + 1));
      }
    }
    const at = this.pos;
    const w = this.word();
    if (w === null) throw new PdfSyntaxError(`unexpected byte 0x${c.toString(16)}`, at);
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    if (/^[+-]?(?:\d+\.?\d*|\.\d+)$/.test(w)) {
      const n = Number(w);
      // An unsigned integer followed by another and `R` is a reference.
      if (/^\d+$/.test(w)) {
        const save = this.pos;
        const g = this.word();
        if (g !== null && /^\d+$/.test(g)) {
          const r = this.word();
          if (r === 'R') return { t: 'ref', num: n, gen: Number(g) };
        }
        this.pos = save;
      }
      return n;
    }
    return { t: 'kw', v: w };
  }

  private name(): PdfName {
    const b = this.buf;
    this.pos++;
    let s = '';
    while (this.pos < b.length && isRegular(b[this.pos])) {
      const c = b[this.pos]!;
      if (c === 0x23 /* # */ && this.pos + 2 < b.length && isHex(b[this.pos + 1]!) && isHex(b[this.pos + 2]!)) {
        s += String.fromCharCode(parseInt(ascii(b, this.pos + 1, this.pos + 3), 16));
        this.pos += 3;
      } else {
        s += String.fromCharCode(c);
        this.pos++;
      }
    }
    return { t: 'name', v: s };
  }

  private literal(): PdfString {
    const b = this.buf;
    this.pos++;
    const out: number[] = [];
    let depth = 1;
    while (this.pos < b.length) {
      const c = b[this.pos++]!;
      if (c === 0x5c /* \ */) {
        const e = b[this.pos++];
        if (e === undefined) break;
        if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let k = 0; k < 2 && b[this.pos] !== undefined && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x37; k++) v = v * 8 + (b[this.pos++]! - 0x30);
          out.push(v & 0xff);
        } else if (e === 0x0d) {
          if (b[this.pos] === 0x0a) this.pos++;
        } else if (e !== 0x0a) {
          out.push(({ 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c } as Record<number, number>)[e] ?? e);
        }
        continue;
      }
      if (c === 0x28) depth++;
      else if (c === 0x29 && --depth === 0) return { t: 'str', v: Uint8Array.from(out) };
      out.push(c);
    }
    throw new PdfSyntaxError('unterminated string', this.pos);
  }

  private hexString(): PdfString {
    const b = this.buf;
    this.pos++;
    const out: number[] = [];
    let half = -1;
    while (this.pos < b.length) {
      const c = b[this.pos++]!;
      if (c === 0x3e /* > */) {
        if (half >= 0) out.push(half << 4);
        return { t: 'str', v: Uint8Array.from(out) };
      }
      if (WS[c] === 1) continue;
      if (!isHex(c)) throw new PdfSyntaxError('bad hex string', this.pos - 1);
      const v = parseInt(String.fromCharCode(c), 16);
      if (half < 0) half = v;
      else {
        out.push((half << 4) | v);
        half = -1;
      }
    }
    throw new PdfSyntaxError('unterminated hex string', this.pos);
  }

  private dict(depth: number): PdfDict {
    const b = this.buf;
    this.pos += 2;
    const map = new Map<string, PdfValue>();
    const keyAt = new Map<string, number>();
    for (;;) {
      this.skip();
      if (this.pos >= b.length) throw new PdfSyntaxError('unterminated dictionary', this.pos);
      if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
        this.pos += 2;
        return { t: 'dict', map, keyAt };
      }
      if (b[this.pos] !== 0x2f) throw new PdfSyntaxError('dictionary key is not a name', this.pos);
      if (map.size >= MAX_ITEMS) throw new PdfSyntaxError('dictionary too long', this.pos);
      const at = this.pos;
      const key = this.name().v;
      const v = this.value(depth + 1);
      // A repeated key: the first one counts (as most readers do); keep reading.
      if (!map.has(key)) {
        map.set(key, v);
        keyAt.set(key, at);
      }
    }
  }
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function ascii(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

// Accessors that read a dictionary entry as one type, or undefined when it is absent or another type.
export const asDict = (v: PdfValue | undefined): PdfDict | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) && v.t === 'dict' ? v : undefined);
export const asName = (v: PdfValue | undefined): string | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) && v.t === 'name' ? v.v : undefined);
export const asInt = (v: PdfValue | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : undefined);
export const asBool = (v: PdfValue | undefined): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
export const asRef = (v: PdfValue | undefined): PdfRef | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) && v.t === 'ref' ? v : undefined);
export const asString = (v: PdfValue | undefined): Uint8Array | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) && v.t === 'str' ? v.v : undefined);
export const asArray = (v: PdfValue | undefined): PdfValue[] | undefined => (Array.isArray(v) ? v : undefined);
