/**
 * A small, bounded LZMA (LZMA1) decoder, for the one thing the 7z detector needs it for: unpacking a
 * compressed 7z header (7-Zip compresses headers with LZMA by default) to see whether the folders it
 * describes use the 7zAES coder. Written here rather than taken from npm: the JavaScript LZMA
 * packages either ship TypeScript sources as their types (which do not compile under this project's
 * strict settings) or are machine-translated code that returns strings, and none bounds the
 * dictionary it allocates from a hostile stream's properties.
 *
 * Bounds: the output is at most the size the caller gives (the header's declared unpacked size,
 * itself capped by the caller); the dictionary is the output, so a stream cannot make it allocate
 * more; every step emits at least one byte or ends, so work is linear in the output.
 *
 * Reference: the LZMA specification in the LZMA SDK (lzma-specification.txt, Igor Pavlov): range
 * decoder, literal coding with lc/lp/pb, the 12-state machine, length and distance decoders.
 */

/** A decoding failure: a damaged or hostile stream. */
export class LzmaError extends Error {
  override name = 'LzmaError';
}

const TOP = 1 << 24;
const PROB_INIT = 1024;

class RangeDecoder {
  range = 0xffffffff;
  code = 0;
  pos: number;
  /** Bytes read past the end of the input (taken as zero): a truncated stream. */
  overrun = 0;

  constructor(
    private readonly input: Uint8Array,
    start: number,
  ) {
    this.pos = start;
    if (this.next() !== 0) throw new LzmaError('the range coder does not start with a zero byte');
    for (let i = 0; i < 4; i++) this.code = ((this.code << 8) | this.next()) >>> 0;
    if (this.code === this.range) throw new LzmaError('damaged range coder start');
  }

  next(): number {
    if (this.pos < this.input.length) return this.input[this.pos++]!;
    if (++this.overrun > 16) throw new LzmaError('the compressed stream ends early');
    return 0;
  }

  bit(probs: Uint16Array, i: number): number {
    const p = probs[i]!;
    const bound = (this.range >>> 11) * p;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      probs[i] = p + ((2048 - p) >>> 5);
      bit = 0;
    } else {
      this.range = (this.range - bound) >>> 0;
      this.code = (this.code - bound) >>> 0;
      probs[i] = p - (p >>> 5);
      bit = 1;
    }
    if (this.range < TOP) {
      this.range = (this.range << 8) >>> 0;
      this.code = ((this.code << 8) | this.next()) >>> 0;
    }
    return bit;
  }

  direct(count: number): number {
    let result = 0;
    for (let i = 0; i < count; i++) {
      this.range >>>= 1;
      let bit = 0;
      if (this.code >= this.range) {
        this.code = (this.code - this.range) >>> 0;
        bit = 1;
      }
      result = ((result << 1) | bit) >>> 0;
      if (this.range < TOP) {
        this.range = (this.range << 8) >>> 0;
        this.code = ((this.code << 8) | this.next()) >>> 0;
      }
    }
    return result;
  }

  tree(probs: Uint16Array, base: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(probs, base + m);
    return m - (1 << bits);
  }

  reverseTree(probs: Uint16Array, base: number, bits: number): number {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i++) {
      const b = this.bit(probs, base + m);
      m = (m << 1) | b;
      symbol |= b << i;
    }
    return symbol;
  }
}

class LengthDecoder {
  readonly choice = new Uint16Array(2).fill(PROB_INIT);
  readonly low: Uint16Array;
  readonly mid: Uint16Array;
  readonly high = new Uint16Array(256).fill(PROB_INIT);

  constructor(posStates: number) {
    this.low = new Uint16Array(posStates << 3).fill(PROB_INIT);
    this.mid = new Uint16Array(posStates << 3).fill(PROB_INIT);
  }

  decode(rc: RangeDecoder, posState: number): number {
    if (rc.bit(this.choice, 0) === 0) return rc.tree(this.low, posState << 3, 3);
    if (rc.bit(this.choice, 1) === 0) return 8 + rc.tree(this.mid, posState << 3, 3);
    return 16 + rc.tree(this.high, 0, 8);
  }
}

/**
 * Decodes a raw LZMA stream (no header) with 7z coder properties — one byte lc/lp/pb and a 32-bit
 * dictionary size — into exactly `size` bytes. Throws {@link LzmaError} on a damaged stream.
 *
 * ```ts
 * const header = lzmaDecode(packed, props, unpackSize); // props: the coder's 5 property bytes
 * ```
 */
export function lzmaDecode(input: Uint8Array, props: Uint8Array, size: number): Uint8Array {
  if (props.length < 5) throw new LzmaError('LZMA properties are 5 bytes');
  let d = props[0]!;
  if (d >= 9 * 5 * 5) throw new LzmaError('bad LZMA properties byte');
  const lc = d % 9;
  d = Math.floor(d / 9);
  const lp = d % 5;
  const pb = Math.floor(d / 5);
  if (!Number.isSafeInteger(size) || size < 0) throw new LzmaError('bad unpacked size');
  const out = new Uint8Array(size);
  if (size === 0) return out;

  const rc = new RangeDecoder(input, 0);
  const literal = new Uint16Array(0x300 << (lc + lp)).fill(PROB_INIT);
  const isMatch = new Uint16Array(12 << 4).fill(PROB_INIT);
  const isRep = new Uint16Array(12).fill(PROB_INIT);
  const isRepG0 = new Uint16Array(12).fill(PROB_INIT);
  const isRepG1 = new Uint16Array(12).fill(PROB_INIT);
  const isRepG2 = new Uint16Array(12).fill(PROB_INIT);
  const isRep0Long = new Uint16Array(12 << 4).fill(PROB_INIT);
  const posSlot = new Uint16Array(4 << 6).fill(PROB_INIT);
  const posSpecial = new Uint16Array(115).fill(PROB_INIT);
  const align = new Uint16Array(16).fill(PROB_INIT);
  const lengths = new LengthDecoder(1 << pb);
  const repLengths = new LengthDecoder(1 << pb);
  const pbMask = (1 << pb) - 1;
  const lpMask = (1 << lp) - 1;

  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  let pos = 0;
  while (pos < size) {
    const posState = pos & pbMask;
    if (rc.bit(isMatch, (state << 4) + posState) === 0) {
      const prev = pos > 0 ? out[pos - 1]! : 0;
      const base = 0x300 * (((pos & lpMask) << lc) + (prev >>> (8 - lc)));
      let symbol = 1;
      if (state >= 7) {
        let match = out[pos - rep0 - 1]!;
        while (symbol < 0x100) {
          const matchBit = (match >>> 7) & 1;
          match = (match << 1) & 0xff;
          const b = rc.bit(literal, base + ((1 + matchBit) << 8) + symbol);
          symbol = (symbol << 1) | b;
          if (b !== matchBit) break;
        }
      }
      while (symbol < 0x100) symbol = (symbol << 1) | rc.bit(literal, base + symbol);
      out[pos++] = symbol - 0x100;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let len: number;
    if (rc.bit(isRep, state) !== 0) {
      if (pos === 0) throw new LzmaError('a repeated match before any output');
      if (rc.bit(isRepG0, state) === 0) {
        if (rc.bit(isRep0Long, (state << 4) + posState) === 0) {
          state = state < 7 ? 9 : 11;
          out[pos] = out[pos - rep0 - 1]!;
          pos++;
          continue;
        }
      } else {
        let dist: number;
        if (rc.bit(isRepG1, state) === 0) dist = rep1;
        else {
          if (rc.bit(isRepG2, state) === 0) dist = rep2;
          else {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = repLengths.decode(rc, posState);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = lengths.decode(rc, posState);
      state = state < 7 ? 7 : 10;
      rep0 = distance(rc, len, posSlot, posSpecial, align);
      if (rep0 === 0xffffffff) break; // end marker
    }
    if (rep0 >= pos) throw new LzmaError('a match reaches before the start of the output');
    len += 2;
    const end = Math.min(size, pos + len);
    for (; pos < end; pos++) out[pos] = out[pos - rep0 - 1]!;
  }
  if (pos < size) throw new LzmaError(`the stream ended after ${pos} of ${size} bytes`);
  return out;
}

function distance(rc: RangeDecoder, len: number, posSlot: Uint16Array, posSpecial: Uint16Array, align: Uint16Array): number {
  const slot = rc.tree(posSlot, Math.min(len, 3) << 6, 6);
  if (slot < 4) return slot;
  const directBits = (slot >>> 1) - 1;
  let dist = ((2 | (slot & 1)) << directBits) >>> 0;
  if (slot < 14) return (dist + rc.reverseTree(posSpecial, dist - slot, directBits)) >>> 0;
  dist = (dist + ((rc.direct(directBits - 4) << 4) >>> 0)) >>> 0;
  return (dist + rc.reverseTree(align, 0, 4)) >>> 0;
}
