/**
 * Password verifiers of the legacy binary Office formats, used for one question only: does the file
 * open with Excel's built-in default password `VelvetSweatshop` — as Excel opens it, without asking?
 * (Excel encrypts a workbook with that password when it is write- or structure-protected.) The check
 * compares the file's verifier with one computed from the known password; no content is decrypted.
 *
 * Reference: [MS-OFFCRYPTO] §2.3.7.1 (password verifier method 1, XOR obfuscation), §2.3.6.2 (RC4
 * key derivation, Office binary RC4), §2.3.5.2 (RC4 CryptoAPI key derivation), §2.3.6.4/§2.3.5.6
 * (password verification); [MS-XLS] §2.4.117 (FilePass).
 */
import { digest, equalPrefix, rc4, u32le } from '../tpm-common/crypto.js';

/** The password Excel uses when none is given: a file encrypted with it opens without a prompt. */
export const EXCEL_DEFAULT_PASSWORD = 'VelvetSweatshop';

const utf16le = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf16le'));

/** The 16-bit XOR obfuscation verifier of a password (ASCII). Reference: [MS-OFFCRYPTO] §2.3.7.1. */
export function xorVerifier(password: string): number {
  const bytes = [password.length, ...Buffer.from(password, 'latin1')];
  let v = 0;
  for (let i = bytes.length - 1; i >= 0; i--) {
    const carry = (v & 0x4000) === 0 ? 0 : 1;
    v = (((v * 2) & 0x7fff) | carry) ^ bytes[i]!;
  }
  return v ^ 0xce4b;
}

/** Office binary RC4 (version 1.1): salt, encrypted verifier and its encrypted MD5, 16 bytes each. */
export function rc4VerifierMatches(password: string, salt: Uint8Array, encVerifier: Uint8Array, encHash: Uint8Array): boolean {
  const h0 = digest('md5', utf16le(password)).subarray(0, 5);
  const buf = new Uint8Array(16 * 21);
  for (let i = 0; i < 16; i++) {
    buf.set(h0, i * 21);
    buf.set(salt.subarray(0, 16), i * 21 + 5);
  }
  const base = digest('md5', buf).subarray(0, 5);
  const key = digest('md5', base, u32le(0));
  const plain = rc4(key, concat(encVerifier.subarray(0, 16), encHash.subarray(0, 16)));
  return equalPrefix(digest('md5', plain.subarray(0, 16)), plain.subarray(16), 16);
}

/** RC4 CryptoAPI (versions 2.2, 3.2, 4.2): SHA-1 key derivation; the verifier hash is 20 bytes. */
export function cryptoApiVerifierMatches(password: string, keyBits: number, salt: Uint8Array, encVerifier: Uint8Array, encHash: Uint8Array): boolean {
  const h0 = digest('sha1', salt, utf16le(password));
  const hfinal = digest('sha1', h0, u32le(0));
  const bytes = Math.max(5, Math.min(20, Math.floor((keyBits || 40) / 8)));
  // A 40-bit key is used as 128 bits with the high 88 bits zero (§2.3.5.2).
  const key = bytes === 5 ? concat(hfinal.subarray(0, 5), new Uint8Array(11)) : hfinal.subarray(0, bytes);
  const plain = rc4(key, concat(encVerifier.subarray(0, 16), encHash.subarray(0, 20)));
  return equalPrefix(digest('sha1', plain.subarray(0, 16)), plain.subarray(16), 20);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
