/**
 * What protects an ISO-BMFF file (MP4, M4A/M4V/M4P, MOV, 3GP, CMAF, Audible AAX): Common Encryption
 * (`sinf` in a protected sample entry, `schm` cenc/cbc1/cens/cbcs, `tenc` defaults, `pssh` system
 * ids — a cbcs file may carry no pssh at all), PIFF (Smooth Streaming) uuid boxes, Apple FairPlay
 * .m4p (`drms`/`drmi` entries, scheme `itun`), Audible AAX (`aavd` entry, `adrm` box), OMA DRM
 * (scheme `odkm`), and encrypted media segments (`senc` in a fragment) without their init segment.
 *
 * Reference: ISO/IEC 23001-7:2023 (CENC) §4 (schemes), §8.1 (pssh), §8.2 (tenc), §7.2 (senc);
 * ISO/IEC 14496-12:2022 §8.12 (sinf, frma, schm, schi); DASH-IF system id registry
 * (dashif.org/identifiers/content_protection); Microsoft PIFF 1.1 §5.3 (uuid boxes).
 */
import type { ByteView } from '../tpm-common/byte-view.js';
import { hex } from '../tpm-common/findings.js';
import { BoxReader, fourcc, type Box } from './boxes.js';

/** DRM system ids (pssh SystemID), from the DASH-IF registry. */
export const SYSTEMS: Record<string, string> = {
  edef8ba979d64acea3c827dcd51d21ed: 'Widevine',
  '9a04f07998404286ab92e65be0885f95': 'PlayReady',
  '94ce86fb07ff4f43adb893d2fa968ca2': 'FairPlay',
  '1077efecc0b24d02ace33c1e52e2fb4b': 'ClearKey',
  '5e629af538da4063897797ffbd9902d4': 'Marlin',
  f239e769efa348509c16a903c6932efb: 'Adobe Primetime',
  adb41c242dbf4a6d958b4457c0d27b95: 'Nagra',
  '9a27dd82fde247258cbc4234aa06ec09': 'Verimatrix',
  '80a6be7e14484c379e70d5aebe04c8d2': 'Irdeto',
  '3d5e6d359b9a41e8b843dd3c6e72c42c': 'ChinaDRM',
  '279fe473512c48feade8d176fee6b40f': 'Arris Titanium',
  '644fe7b5260f4fad949a0762ffb054b4': 'CMLA (OMA)',
};

const PIFF_PSSH = 'd08a4f1810f34a82b6c832d8aba183d3';
const PIFF_TENC = '8974dbce7be74c5184f97148f9882554';
const PIFF_SENC = 'a2394f525a9b4f14a2446c427c648df4';

/** Sample entry types that announce protection (CENC §8.12, QuickTime/iTunes, Audible). */
const PROTECTED_ENTRIES = new Set(['encv', 'enca', 'enct', 'encs', 'encm', 'encf', 'encu', 'drms', 'drmi', 'aavd']);
const VISUAL = new Set(['encv', 'drmi']);
const AUDIO = new Set(['enca', 'drms', 'aavd']);

/** A moov larger than this is read in part (its sample tables are not needed). */
const MOOV_MAX = 8 * 1024 * 1024;

export interface Track {
  entry: string;
  entryAt: number;
  original?: string;
  scheme?: string;
  schemeVersion?: string;
  schemeAt?: number;
  defaultIsProtected?: number;
  defaultKid?: string;
  ivSize?: number;
  pattern?: string;
  itunes?: boolean;
  adrmAt?: number;
}

export interface Pssh {
  systemId: string;
  system: string;
  at: number;
  kids: number;
}

export interface BmffProtection {
  brand?: string;
  tracks: Track[];
  pssh: Pssh[];
  /** Offset of the first sample-encryption box of a fragment (senc or PIFF uuid). */
  sencAt?: number;
  sawMoov: boolean;
  reader: BoxReader;
}

/** Walks the top level, then `moov` (or the first `moof`), noting missing bytes in the view. */
export function readProtection(view: ByteView): BmffProtection {
  const reader = new BoxReader(view);
  const out: BmffProtection = { tracks: [], pssh: [], sawMoov: false, reader };
  for (let at = 0; at + 8 <= view.size; ) {
    // A top-level box not yet read: ask for 64 KiB, so that a moov arrives with its header.
    const box = reader.header(at, view.size, 64 * 1024);
    if (!box) break;
    if (box.type === 'ftyp' || box.type === 'styp') {
      const p = reader.payload(box, 4);
      if (p && p.length === 4 && out.brand === undefined) out.brand = fourcc(p, 0).trim();
    } else if (box.type === 'moov') {
      out.sawMoov = true;
      if (!view.has(box.start, box.end)) view.want(box.start, Math.min(box.end, box.start + MOOV_MAX));
      readMoov(reader, box, out);
      // Everything a player needs to know about protection is in moov; fragments only repeat it.
      break;
    } else if (box.type === 'moof') {
      readMoof(reader, box, out);
      break;
    }
    at = box.end;
  }
  return out;
}

function readMoov(reader: BoxReader, moov: Box, out: BmffProtection): void {
  for (const c of reader.children(moov.payload, moov.end, 1)) {
    if (c.type === 'pssh' || (c.type === 'uuid' && c.uuid === PIFF_PSSH)) readPssh(reader, c, out);
    else if (c.type === 'trak') {
      const mdia = reader.children(c.payload, c.end, 2).find((b) => b.type === 'mdia');
      const minf = mdia && reader.children(mdia.payload, mdia.end, 3).find((b) => b.type === 'minf');
      const stbl = minf && reader.children(minf.payload, minf.end, 4).find((b) => b.type === 'stbl');
      const stsd = stbl && reader.children(stbl.payload, stbl.end, 5).find((b) => b.type === 'stsd');
      if (stsd) readStsd(reader, stsd, out);
    }
  }
}

function readStsd(reader: BoxReader, stsd: Box, out: BmffProtection): void {
  // FullBox header (4) and entry_count (4), then one box per sample entry.
  for (const entry of reader.children(stsd.payload + 8, stsd.end, 6)) {
    if (!PROTECTED_ENTRIES.has(entry.type)) continue;
    const track: Track = { entry: entry.type, entryAt: entry.start };
    out.tracks.push(track);
    const childrenAt = sampleEntryChildren(reader, entry);
    if (childrenAt === null) continue;
    for (const c of reader.children(childrenAt, entry.end, 7)) {
      if (c.type === 'sinf') readSinf(reader, c, track);
      else if (c.type === 'adrm') track.adrmAt = c.start;
    }
  }
}

/** Where a sample entry's child boxes start: after its fixed fields, which depend on its kind. */
function sampleEntryChildren(reader: BoxReader, entry: Box): number | null {
  if (VISUAL.has(entry.type)) return entry.payload + 78;
  if (AUDIO.has(entry.type)) {
    const p = reader.payload(entry, 10);
    if (!p || p.length < 10) return null;
    // QuickTime sound descriptions: version 1 adds 16 bytes, version 2 adds 36.
    const version = (p[8]! << 8) | p[9]!;
    return entry.payload + 28 + (version === 1 ? 16 : version === 2 ? 36 : 0);
  }
  // Text, metadata and other entries: find the sinf by its type, within the first 256 bytes.
  const p = reader.payload(entry, 256);
  if (!p) return null;
  for (let i = 4; i + 4 <= p.length; i++) if (fourcc(p, i) === 'sinf') return entry.payload + i - 4;
  return null;
}

function readSinf(reader: BoxReader, sinf: Box, track: Track): void {
  for (const c of reader.children(sinf.payload, sinf.end, 8)) {
    const p = reader.payload(c, 64);
    if (!p) continue;
    if (c.type === 'frma' && p.length >= 4) track.original = fourcc(p, 0);
    else if (c.type === 'schm' && p.length >= 12) {
      track.scheme = fourcc(p, 4);
      track.schemeVersion = `0x${hex(p.subarray(8, 12))}`;
      track.schemeAt = c.start;
    } else if (c.type === 'schi') {
      for (const s of reader.children(c.payload, c.end, 9)) {
        if (s.type === 'tenc' || (s.type === 'uuid' && s.uuid === PIFF_TENC)) readTenc(reader, s, track);
        else if (['user', 'key ', 'iviv', 'righ', 'name', 'priv'].includes(s.type)) track.itunes = true;
      }
    }
  }
}

function readTenc(reader: BoxReader, tenc: Box, track: Track): void {
  const p = reader.payload(tenc, 24);
  if (!p || p.length < 24) return;
  const version = p[0]!;
  // PIFF's tenc has a 3-byte AlgorithmID where CENC has reserved and pattern bytes.
  if (tenc.type === 'uuid') {
    track.defaultIsProtected = p[6] === 0 ? 0 : 1;
    track.ivSize = p[7]!;
    track.defaultKid = hex(p.subarray(8, 24));
    return;
  }
  if (version >= 1) track.pattern = `${p[5]! >> 4}:${p[5]! & 0x0f}`;
  track.defaultIsProtected = p[6]!;
  track.ivSize = p[7]!;
  track.defaultKid = hex(p.subarray(8, 24));
}

function readPssh(reader: BoxReader, box: Box, out: BmffProtection): void {
  const p = reader.payload(box, 24);
  if (!p || p.length < 20) return;
  const systemId = hex(p.subarray(4, 20));
  const kids = p[0]! > 0 && p.length >= 24 && box.type === 'pssh' ? ((p[20]! << 24) | (p[21]! << 16) | (p[22]! << 8) | p[23]!) >>> 0 : 0;
  out.pssh.push({ systemId, system: SYSTEMS[systemId] ?? `unknown (${uuidForm(systemId)})`, at: box.start, kids });
}

function readMoof(reader: BoxReader, moof: Box, out: BmffProtection): void {
  for (const c of reader.children(moof.payload, moof.end, 1, 4096)) {
    if (c.type === 'pssh' || (c.type === 'uuid' && c.uuid === PIFF_PSSH)) readPssh(reader, c, out);
    else if (c.type === 'traf') {
      for (const t of reader.children(c.payload, c.end, 2)) {
        if ((t.type === 'senc' || (t.type === 'uuid' && t.uuid === PIFF_SENC)) && out.sencAt === undefined) out.sencAt = t.start;
      }
    }
  }
}

/** 32 hex digits as a UUID. */
export function uuidForm(h: string): string {
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
