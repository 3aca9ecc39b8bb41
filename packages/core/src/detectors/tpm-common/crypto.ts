/**
 * The few primitives needed to check whether a protected file opens WITHOUT a secret — the empty PDF
 * user password, Excel's built-in default password — exactly as any viewer does when it opens the
 * file. They verify a password against the file's verifier; they never decrypt content.
 *
 * RC4 is written out here: OpenSSL 3 (Node ≥ 17) moved it to the legacy provider, so `createCipheriv('rc4')`
 * fails on many installs.
 */
import { createCipheriv, createHash } from 'node:crypto';

/** RC4 keystream applied to `data` (encryption and decryption are the same operation). */
export function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    const t = s[i]!;
    s[i] = s[j]!;
    s[j] = t;
  }
  const out = new Uint8Array(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    const t = s[i]!;
    s[i] = s[j]!;
    s[j] = t;
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  return out;
}

/** Digest of the concatenated parts. */
export function digest(algorithm: 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512', ...parts: Uint8Array[]): Uint8Array {
  const h = createHash(algorithm);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** AES-CBC encryption without padding (`data` must be a multiple of 16 bytes). */
export function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv(`aes-${key.length * 8}-cbc`, key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** Whether the first `n` bytes of two arrays are equal (both at least `n` long). */
export function equalPrefix(a: Uint8Array, b: Uint8Array, n: number): boolean {
  if (a.length < n || b.length < n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Little-endian bytes of an unsigned 32-bit integer. */
export function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}
