/**
 * Member names of a ZIP archive as bytes → text, done here rather than by yauzl so that a hostile
 * name (`../x`, `/etc/x`) is listed with an error instead of failing the whole listing (yauzl's own
 * decoding rejects such names with an error that ends the directory walk).
 *
 * Reference: PKWARE APPNOTE.TXT 6.3.x — 4.4.4 general purpose bit 11 (name and comment in UTF-8),
 * Appendix D (names without bit 11 are IBM code page 437), 4.6.9 Info-ZIP Unicode Path extra field
 * (0x7075: version 1, CRC-32 of the header's name, then the UTF-8 name; ignored when the CRC does
 * not match the name, since the name was then changed by a tool that did not update the field).
 */

/** IBM code page 437, bytes 0x80–0xFF (bytes below 0x80 are ASCII). */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** A decoded member name, and its raw bytes in hex when they are not valid text in their encoding. */
export interface DecodedName {
  name: string;
  /** Hex of the raw name, set only when a name flagged UTF-8 is not valid UTF-8 (`name` then has U+FFFD for the bad bytes). */
  rawHex?: string;
}

/** Decodes a member name as yauzl would: the Unicode Path extra field, else UTF-8 under bit 11, else CP437. */
export function decodeName(raw: Uint8Array, flags: number, extraFields: readonly { id: number; data: Uint8Array }[]): DecodedName {
  for (const field of extraFields) {
    if (field.id !== 0x7075 || field.data.length < 6 || field.data[0] !== 1) continue;
    const crc = (field.data[1]! | (field.data[2]! << 8) | (field.data[3]! << 16) | (field.data[4]! << 24)) >>> 0;
    if (crc !== crc32(raw)) continue;
    const decoded = tryUtf8(field.data.subarray(5));
    if (decoded !== null) return { name: decoded };
  }
  if (flags & 0x0800) {
    const decoded = tryUtf8(raw);
    if (decoded !== null) return { name: decoded };
    // Not `%XX`: safeMemberPath escapes `%` itself, which would garble the escapes; the raw bytes go in rawHex.
    return { name: lenient.decode(raw), rawHex: Buffer.from(raw).toString('hex') };
  }
  let name = '';
  for (const b of raw) name += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80]!;
  return { name };
}

function tryUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

let table: Uint32Array | null = null;

/** CRC-32 (ISO-HDLC, as ZIP uses it). Node 20's zlib has no crc32 (it came in 22.2). */
export function crc32(bytes: Uint8Array): number {
  if (table === null) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of bytes) crc = table[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
