/**
 * Stream decoding for cross-reference and object streams: FlateDecode with an output cap (a
 * decompression bomb stops at the cap) and the PNG predictors these streams use.
 *
 * Reference: ISO 32000-1:2008 §7.4.4 (FlateDecode, Table 8 predictors), RFC 1950/1951.
 */
import { inflateSync, constants as zlibConstants } from 'node:zlib';
import { asArray, asDict, asInt, asName, type PdfDict } from './lexer.js';
import type { Context } from './objects.js';

/** Inflated stream data beyond this is a decompression bomb, whatever the dictionary says. */
export const INFLATE_MAX = 16 * 1024 * 1024;

/** Decodes FlateDecode (with PNG predictors) into at most `cap` bytes. */
export function decodeStream(dict: PdfDict, data: Uint8Array, cap: number, at: number, out: Context): Uint8Array | null {
  cap = Math.min(cap, INFLATE_MAX);
  const filter = dict.map.get('Filter');
  const filters = (asArray(filter) ?? (filter === undefined ? [] : [filter])).map((f) => asName(f));
  if (filters.length > 1 || (filters.length === 1 && filters[0] !== 'FlateDecode' && filters[0] !== 'Fl')) {
    out.problems.push({ message: `unsupported stream filter ${filters.join(' ')}`, byteOffset: at });
    return null;
  }
  let raw: Uint8Array = data;
  if (filters.length === 1) {
    try {
      // Sync flush: a stream cut short still yields what it holds; maxOutputLength stops a bomb.
      raw = inflateSync(data, { maxOutputLength: Math.max(1, cap), finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (err) {
      const msg = (err as Error).message;
      out.problems.push({
        message: /larger than|maxOutputLength|too large/i.test(msg) ? `stream inflates past ${cap} bytes (decompression bomb)` : `stream does not inflate: ${msg}`,
        byteOffset: at,
      });
      return null;
    }
  }
  const parms = asDict(dict.map.get('DecodeParms')) ?? asDict(asArray(dict.map.get('DecodeParms'))?.[0]);
  const predictor = asInt(parms?.map.get('Predictor')) ?? 1;
  if (predictor === 1) return raw;
  if (predictor < 10) {
    out.problems.push({ message: `unsupported predictor ${predictor}`, byteOffset: at });
    return null;
  }
  const columns = asInt(parms?.map.get('Columns')) ?? 1;
  if (columns < 1 || columns > 1 << 16) {
    out.problems.push({ message: `bad predictor /Columns ${columns}`, byteOffset: at });
    return null;
  }
  return unpredictPng(raw, columns);
}

/** Undoes PNG row filters (bytes per pixel 1, as cross-reference streams use). Reference: ISO 32000-1 §7.4.4.4. */
function unpredictPng(raw: Uint8Array, columns: number): Uint8Array {
  const rows = Math.floor(raw.length / (columns + 1));
  const out = new Uint8Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    const type = raw[r * (columns + 1)]!;
    const src = r * (columns + 1) + 1;
    const dst = r * columns;
    for (let c = 0; c < columns; c++) {
      const x = raw[src + c]!;
      const left = c > 0 ? out[dst + c - 1]! : 0;
      const up = r > 0 ? out[dst - columns + c]! : 0;
      const upLeft = r > 0 && c > 0 ? out[dst - columns + c - 1]! : 0;
      let v: number;
      switch (type) {
        case 1:
          v = x + left;
          break;
        case 2:
          v = x + up;
          break;
        case 3:
          v = x + ((left + up) >> 1);
          break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left);
          const pb = Math.abs(p - up);
          const pc = Math.abs(p - upLeft);
          v = x + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default:
          v = x;
      }
      out[dst + c] = v & 0xff;
    }
  }
  return out;
}

export function readBE(b: Uint8Array, start: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + (b[start + i] ?? 0);
  return v;
}

