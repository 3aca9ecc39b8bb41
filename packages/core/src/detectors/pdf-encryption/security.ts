/**
 * What a PDF encryption dictionary says: handler, algorithm, key length, crypt filters, permission
 * bits, and whether the document opens with the EMPTY user password — the check every viewer makes
 * before it prompts. Only the password verifier `/U` is computed and compared; no content is decrypted.
 *
 * Reference: ISO 32000-1:2008 §7.6.1–7.6.3 (Table 20 encryption dictionary, Table 21 standard
 * handler, Table 22 user access permissions, Algorithms 2, 4 and 5), §7.6.5 (crypt filters, /EFF,
 * Identity); ISO 32000-2:2020 §7.6.4.3.3–7.6.4.4 (Algorithms 2.A, 2.B, 11 for R6); Adobe Supplement
 * to ISO 32000 BaseVersion 1.7 ExtensionLevel 3 (R5: SHA-256 of password and validation salt).
 */
import { aesCbcEncrypt, digest, equalPrefix, rc4, u32le } from '../tpm-common/crypto.js';
import { asBool, asDict, asInt, asName, asString, type PdfDict } from './lexer.js';

/** Padding string of Algorithm 2 step a (ISO 32000-1 §7.6.3.3). */
const PAD = Uint8Array.from([
  0x28, 0xbf, 0x4e, 0x5e, 0x4e, 0x75, 0x8a, 0x41, 0x64, 0x00, 0x4e, 0x56, 0xff, 0xfa, 0x01, 0x08, 0x2e, 0x2e, 0x00, 0xb6, 0xd0, 0x68, 0x3e, 0x80, 0x2f, 0x0c, 0xa9, 0xfe, 0x64, 0x53, 0x69, 0x7a,
]);

/** Whether the empty user password opens the document. */
export type UserPassword = 'empty' | 'required' | 'unknown';

export interface PdfEncryption {
  /** Security handler: `Standard`, or a vendor's (`Adobe.APS`, `Adobe.PubSec`, `FOPN_foweb`, …); `missing` when absent. */
  filter: string;
  subFilter?: string;
  v?: number;
  r?: number;
  /** Key length in bits. */
  keyBits?: number;
  /** Crypt filter methods in use: streams, strings, embedded files (`V2`, `AESV2`, `AESV3`, `None`, `Identity`). */
  stmF?: string;
  strF?: string;
  eff?: string;
  /** `/P` read as a signed 32-bit integer (writers sometimes store it unsigned). */
  p?: number;
  encryptMetadata: boolean;
  /** Cipher of what is encrypted: `RC4-40`, `RC4-128`, `AES-128`, `AES-256`, or `unknown`. */
  scheme: string;
  userPassword: UserPassword;
  /** Permissions the bits deny to a user who opened the file with the user password. */
  denied: string[];
  /** Only embedded files are encrypted (strings and streams use Identity). */
  attachmentsOnly: boolean;
}

/** Reads an encryption dictionary; `id0` is the first string of the trailer's /ID. */
export function readEncryption(dict: PdfDict, id0: Uint8Array | undefined): PdfEncryption {
  const m = dict.map;
  const filter = asName(m.get('Filter')) ?? 'missing';
  const subFilter = asName(m.get('SubFilter'));
  const v = asInt(m.get('V'));
  const r = asInt(m.get('R'));
  const rawP = asInt(m.get('P'));
  const p = rawP === undefined ? undefined : rawP | 0;
  const encryptMetadata = asBool(m.get('EncryptMetadata')) ?? true;
  const cf = asDict(m.get('CF'));
  const method = (name: string | undefined): string | undefined => {
    if (name === undefined) return undefined;
    if (name === 'Identity') return 'Identity';
    return asName(asDict(cf?.map.get(name))?.map.get('CFM')) ?? 'None';
  };
  const filterBits = (name: string | undefined): number | undefined => {
    const len = asInt(asDict(cf?.map.get(name ?? ''))?.map.get('Length'));
    // Crypt filter /Length is in bytes (ISO 32000-1 Table 25), though some writers put bits.
    return len === undefined ? undefined : len <= 32 ? len * 8 : len;
  };
  let stmF: string | undefined;
  let strF: string | undefined;
  let eff: string | undefined;
  let keyBits = asInt(m.get('Length'));
  let scheme = 'unknown';
  if (v === 1) {
    scheme = 'RC4-40';
    keyBits = 40;
  } else if (v === 2) {
    keyBits ??= 40;
    scheme = `RC4-${keyBits}`;
  } else if (v === 3) scheme = 'unpublished-V3';
  else if (v === 4 || v === 5) {
    // Absent /StmF and /StrF mean Identity (§7.6.5); /EFF defaults to /StmF.
    const stmName = asName(m.get('StmF')) ?? 'Identity';
    const strName = asName(m.get('StrF')) ?? 'Identity';
    const effName = asName(m.get('EFF')) ?? stmName;
    stmF = method(stmName);
    strF = method(strName);
    eff = method(effName);
    const main = [stmName, strName, effName].find((n) => method(n) !== 'Identity');
    const cfm = method(main);
    const bits = filterBits(main) ?? keyBits;
    if (cfm === 'AESV3') scheme = 'AES-256';
    else if (cfm === 'AESV2') scheme = 'AES-128';
    else if (cfm === 'V2') scheme = `RC4-${bits ?? 128}`;
    else if (cfm === 'None' || cfm === undefined) scheme = main === undefined ? 'identity' : 'unknown';
    keyBits = cfm === 'AESV3' ? 256 : cfm === 'AESV2' ? 128 : (bits ?? keyBits);
  }
  const attachmentsOnly = stmF === 'Identity' && strF === 'Identity' && eff !== undefined && eff !== 'Identity';
  const userPassword = filter === 'Standard' ? checkEmptyUserPassword(dict, r, v, keyBits, p, encryptMetadata, id0) : 'unknown';
  return {
    filter,
    ...(subFilter !== undefined ? { subFilter } : {}),
    ...(v !== undefined ? { v } : {}),
    ...(r !== undefined ? { r } : {}),
    ...(keyBits !== undefined ? { keyBits } : {}),
    ...(stmF !== undefined ? { stmF } : {}),
    ...(strF !== undefined ? { strF } : {}),
    ...(eff !== undefined ? { eff } : {}),
    ...(p !== undefined ? { p } : {}),
    encryptMetadata,
    scheme,
    userPassword,
    denied: p === undefined ? [] : deniedPermissions(p, r ?? 2),
    attachmentsOnly,
  };
}

/**
 * What the permission bits deny, as effective permissions (the names qpdf reports):
 * `print` (bit 3), `modify` (4), `copy` (5), `annotate` (6), `fill-forms` (9, or 6),
 * `extract-accessibility` (10), `assemble` (11), `print-high-quality` (12, needs 3).
 * Revision 2 has only bits 3–6; there the later permissions follow them.
 * Reference: ISO 32000-1 Table 22.
 */
export function deniedPermissions(p: number, r: number): string[] {
  const bit = (n: number) => (p & (1 << (n - 1))) !== 0;
  const allowed: Record<string, boolean> =
    r >= 3
      ? {
          print: bit(3),
          'print-high-quality': bit(3) && bit(12),
          modify: bit(4),
          copy: bit(5),
          annotate: bit(6),
          'fill-forms': bit(6) || bit(9),
          'extract-accessibility': bit(10),
          assemble: bit(11),
        }
      : {
          print: bit(3),
          'print-high-quality': bit(3),
          modify: bit(4),
          copy: bit(5),
          annotate: bit(6),
          'fill-forms': bit(6),
          'extract-accessibility': bit(5),
          assemble: bit(4),
        };
  return Object.entries(allowed)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
}

function checkEmptyUserPassword(
  dict: PdfDict,
  r: number | undefined,
  v: number | undefined,
  keyBits: number | undefined,
  p: number | undefined,
  encryptMetadata: boolean,
  id0: Uint8Array | undefined,
): UserPassword {
  const o = asString(dict.map.get('O'));
  const u = asString(dict.map.get('U'));
  if (r === undefined || !o || !u) return 'unknown';
  if (r >= 2 && r <= 4) {
    if (p === undefined || o.length < 32 || u.length < (r === 2 ? 32 : 16)) return 'unknown';
    const n = r === 2 ? 5 : Math.max(5, Math.min(16, Math.floor((v === 4 ? (keyBits ?? 128) : (keyBits ?? 40)) / 8)));
    // Algorithm 2: the file key from the padded (here empty) password, /O, /P, /ID[0].
    const parts = [PAD, o.subarray(0, 32), u32le(p), id0 ?? new Uint8Array(0)];
    if (r >= 4 && !encryptMetadata) parts.push(Uint8Array.from([0xff, 0xff, 0xff, 0xff]));
    let key = digest('md5', ...parts);
    if (r >= 3) for (let i = 0; i < 50; i++) key = digest('md5', key.subarray(0, n));
    key = key.subarray(0, n);
    if (r === 2) {
      // Algorithm 4: /U is the padding string encrypted with the key.
      return equalPrefix(rc4(key, PAD), u, 32) ? 'empty' : 'required';
    }
    // Algorithm 5: MD5 of padding and /ID[0], encrypted 20 times with XOR-varied keys.
    let x = rc4(key, digest('md5', PAD, id0 ?? new Uint8Array(0)));
    for (let i = 1; i <= 19; i++) x = rc4(key.map((b) => b ^ i), x);
    return equalPrefix(x, u, 16) ? 'empty' : 'required';
  }
  if (r === 5 || r === 6) {
    if (u.length < 48) return 'unknown';
    const salt = u.subarray(32, 40);
    const empty = new Uint8Array(0);
    // R5: SHA-256(password ‖ validation salt); R6: Algorithm 2.B over the same input.
    const hash = r === 5 ? digest('sha256', empty, salt) : hash2B(empty, salt, empty);
    return equalPrefix(hash, u, 32) ? 'empty' : 'required';
  }
  return 'unknown';
}

/** Algorithm 2.B (ISO 32000-2 §7.6.4.3.4): the R6 password hash. At most 288 rounds by construction. */
export function hash2B(password: Uint8Array, salt: Uint8Array, udata: Uint8Array): Uint8Array {
  let k = digest('sha256', password, salt, udata);
  let e: Uint8Array = new Uint8Array(0);
  for (let round = 0; round < 64 || e[e.length - 1]! > round - 32; ) {
    const one = new Uint8Array(password.length + k.length + udata.length);
    one.set(password, 0);
    one.set(k, password.length);
    one.set(udata, password.length + k.length);
    const k1 = new Uint8Array(one.length * 64);
    for (let i = 0; i < 64; i++) k1.set(one, i * one.length);
    e = aesCbcEncrypt(k.subarray(0, 16), k.subarray(16, 32), k1);
    let sum = 0;
    for (let i = 0; i < 16; i++) sum += e[i]!;
    const alg = (['sha256', 'sha384', 'sha512'] as const)[sum % 3]!;
    k = digest(alg, e);
    round++;
    if (round > 300) break;
  }
  return k.subarray(0, 32);
}
