/**
 * Test helper for archive detectors: runs a detector on bytes the way the engine reads a large file
 * without hashing — a head, a tail, no whole file, and `wants.ranges` served round by round within
 * the engine's limits — so that tests see what a detector does when the directory or the members
 * are not in the first read.
 */
import { execFileSync } from 'node:child_process';
import { deflateRawSync } from 'node:zlib';
import type { Detector } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { detectPartially } from '../tpm-common/testing.js';

/** Options of {@link runAsLargeFile}. */
export interface LargeFileRead {
  /** Bytes of the head read; default 4100 (what the engine reads to sniff). */
  head?: number;
  /** Bytes of the tail read; default the detector's `wants.tail`, or none. */
  tail?: number;
  mediaType?: string;
}

/** Runs a detector as the engine does for a file read in part; returns its findings and the bytes and ranges it read. */
export async function runAsLargeFile(
  detector: Detector,
  path: string,
  bytes: Uint8Array,
  options: LargeFileRead = {},
): Promise<{ findings: FindingInput[]; rangesRead: number; bytesRead: number }> {
  const { findings, rangesRead, bytesRead } = await detectPartially(detector, path, bytes, {
    head: options.head ?? 4100,
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
    ...(options.mediaType !== undefined ? { mediaType: options.mediaType } : {}),
    truncated: detector.wants.whole !== undefined,
  });
  return { findings, rangesRead, bytesRead };
}

/** One member for {@link buildZip}. */
export interface BuildMember {
  name: string;
  data: Uint8Array | string;
  /** 0 stored, 8 deflated (default), or any number written as is (with `data` written raw). */
  method?: number;
  /** General purpose flags to set (bit 0 marks it encrypted; the data is not actually encrypted). */
  flags?: number;
  /** Extra field bytes, written in both headers. */
  extra?: Uint8Array;
}

/** Options of {@link buildZip}. */
export interface BuildZipOptions {
  /** Archive comment (may hold anything, even a fake end record). */
  comment?: Uint8Array | string;
  /** Bytes before the archive; offsets are written as if they were absent, like a self-extractor's stub. */
  prefix?: Uint8Array;
  /** Write a ZIP64 end record and locator, with these fields overriding the true values. */
  zip64?: { entries?: number; size?: number; offset?: number; locatorOffset?: number; extra?: Uint8Array };
  /** Override the end record's fields (entries, directory size and offset). */
  eocd?: { entries?: number; size?: number; offset?: number };
  /** Override each central entry's local header offset. */
  localOffsets?: (index: number, real: number) => number;
}

/**
 * A minimal ZIP writer for tests: local headers, data, central directory, end record — each field
 * overridable so that tests can make archives that lie. Not a general-purpose writer.
 */
export function buildZip(members: readonly BuildMember[], options: BuildZipOptions = {}): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let pos = 0;
  for (const [i, m] of members.entries()) {
    const raw = typeof m.data === 'string' ? enc.encode(m.data) : m.data;
    const method = m.method ?? 8;
    const data = method === 8 ? new Uint8Array(deflateRawSync(raw)) : raw;
    const name = enc.encode(m.name);
    const extra = m.extra ?? new Uint8Array(0);
    const flags = (m.flags ?? 0) | 0x0800;
    const crc = crc32(raw);
    const local = new Uint8Array(30 + name.length + extra.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, raw.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, extra.length, true);
    local.set(name, 30);
    local.set(extra, 30 + name.length);
    const c = new Uint8Array(46 + name.length + extra.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 0x031e, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, raw.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, extra.length, true);
    cv.setUint32(42, options.localOffsets ? options.localOffsets(i, pos) : pos, true);
    c.set(name, 46);
    c.set(extra, 46 + name.length);
    central.push(c);
    parts.push(local, data);
    pos += local.length + data.length;
  }
  const cdOffset = pos;
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  parts.push(...central);
  pos += cdSize;
  if (options.zip64) {
    const z = options.zip64;
    const ext = z.extra ?? new Uint8Array(0);
    const rec = new Uint8Array(56 + ext.length);
    const rv = new DataView(rec.buffer);
    rv.setUint32(0, 0x06064b50, true);
    rv.setBigUint64(4, BigInt(44 + ext.length), true);
    rv.setUint16(12, 45, true);
    rv.setUint16(14, 45, true);
    rv.setBigUint64(24, BigInt(z.entries ?? members.length), true);
    rv.setBigUint64(32, BigInt(z.entries ?? members.length), true);
    rv.setBigUint64(40, BigInt(z.size ?? cdSize), true);
    rv.setBigUint64(48, BigInt(z.offset ?? cdOffset), true);
    rec.set(ext, 56);
    const loc = new Uint8Array(20);
    const lv = new DataView(loc.buffer);
    lv.setUint32(0, 0x07064b50, true);
    lv.setBigUint64(8, BigInt(z.locatorOffset ?? pos), true);
    lv.setUint32(16, 1, true);
    parts.push(rec, loc);
    pos += rec.length + loc.length;
  }
  const comment = typeof options.comment === 'string' ? enc.encode(options.comment) : (options.comment ?? new Uint8Array(0));
  const end = new Uint8Array(22 + comment.length);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  const entries = options.eocd?.entries ?? (options.zip64 ? 0xffff : members.length);
  ev.setUint16(8, Math.min(entries, 0xffff), true);
  ev.setUint16(10, Math.min(entries, 0xffff), true);
  ev.setUint32(12, options.eocd?.size ?? (options.zip64 ? 0xffffffff : cdSize), true);
  ev.setUint32(16, options.eocd?.offset ?? (options.zip64 ? 0xffffffff : cdOffset), true);
  ev.setUint16(20, comment.length, true);
  end.set(comment, 22);
  parts.push(end);
  if (options.prefix) parts.unshift(options.prefix);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO-HDLC), as ZIP and RAR use it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** What `7z l -slt` says about an archive, for cross-checks in tests. */
export interface SevenZipListing {
  /** Archive-level properties (Type, Method, Characteristics, …). */
  archive: Record<string, string>;
  entries: { path: string; encrypted: boolean; folder: boolean; method: string }[];
  /** Whether 7z could not open the archive because its headers are encrypted. */
  headersEncrypted: boolean;
  /** The exit status: 0 clean, 2 errors. */
  status: number;
}

let sevenZip: string | null | undefined;

/** The 7-Zip command installed (`7z`, `7zz`), or null: cross-checks are skipped without it. */
export function sevenZipCommand(): string | null {
  if (sevenZip !== undefined) return sevenZip;
  sevenZip = null;
  for (const cmd of ['7z', '7zz']) {
    try {
      execFileSync(cmd, ['i'], { stdio: 'ignore', timeout: 20_000 });
      sevenZip = cmd;
      break;
    } catch {
      // not installed; try the next name
    }
  }
  return sevenZip;
}

/** Lists an archive with `7z l -slt` (a wrong password is given so that 7z never prompts); null when 7z is absent. */
export function sevenZipList(file: string): SevenZipListing | null {
  const cmd = sevenZipCommand();
  if (!cmd) return null;
  let out: string;
  let status = 0;
  try {
    out = execFileSync(cmd, ['l', '-slt', '-pclearance-wrong-password', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; status?: number };
    out = `${e.stdout ?? ''}\n${e.stderr ?? ''}`;
    status = e.status ?? 2;
  }
  const [head = '', body = ''] = out.split(/^-{10}$/m);
  const block = (text: string) => Object.fromEntries([...text.matchAll(/^([A-Za-z ]+?) = (.*)$/gm)].map((m) => [m[1]!, m[2]!]));
  const archive = block(head.slice(head.lastIndexOf('--\n')));
  const entries = body
    .split(/\n\s*\n/)
    .map(block)
    .filter((b) => b.Path !== undefined)
    .map((b) => ({ path: b.Path!, encrypted: b.Encrypted === '+', folder: b.Folder === '+' || (b.Attributes ?? '').startsWith('D'), method: b.Method ?? '' }));
  return { archive, entries, headersEncrypted: /Cannot open encrypted archive|Headers Error/.test(out), status };
}
