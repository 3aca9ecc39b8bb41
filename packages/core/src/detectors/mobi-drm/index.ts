/**
 * DRM and usage restrictions in Mobipocket / Kindle books (MOBI, PRC, AZW, AZW3, AZW4) and Amazon
 * KFX containers: the PalmDOC header's encryption type (1 = old Mobipocket, 2 = Mobipocket/Kindle
 * DRM), the MOBI header's DRM fields, and EXTH records that restrict use (401 clipping limit, 404
 * text-to-speech disabled) or carry DRM keys (208 watermark, 209 tamper-proof keys, 1–3 DRM ids).
 * A KFX file that starts with the DRMION signature is a DRM-wrapped KFX container.
 *
 * ok:     BOOKMOBI with encryption type 0 and no restricting EXTH record → no finding
 * not-ok: encryption type 2 → tpm.mobi.drm, system Mobipocket (Kindle when the book is a Kindle one)
 * not-ok: encryption type 0, EXTH 404 = 1 → tpm.mobi.restricted, denied text-to-speech
 * not-ok: `\xEADRMION\xEE` at the start → tpm.kfx.drm
 * warning: a record 0 offset past the end, EXTH lengths that lie → tpm.mobi.malformed
 *
 * Reference: MobileRead wiki "MOBI" (PalmDOC header, MOBI header offsets 0x80 EXTH flags,
 * 0xA8–0xB4 DRM offset/count/size/flags, EXTH record types) and "PDB" (Palm database header);
 * calibre format_docs/pdb/mobi.txt (EXTH 208, 209, 401, 404); exiftool Palm tags (encryption values).
 */
import { defineDetector, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { ByteView } from '../tpm-common/byte-view.js';
import { malformedFinding, tpmFinding, type Problem } from '../tpm-common/findings.js';

const ID = 'mobi-drm';
/** Record 0 (PalmDOC + MOBI headers + EXTH) read at most. */
const RECORD0_MAX = 64 * 1024;
const DRMION = Uint8Array.from([0xea, 0x44, 0x52, 0x4d, 0x49, 0x4f, 0x4e, 0xee]);

const startsWith = (b: Uint8Array, sig: Uint8Array, at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (b: Uint8Array, at: number, n: number) => Buffer.from(b.subarray(at, at + n)).toString('latin1');

/** PalmDB type+creator of Mobipocket books (`BOOKMOBI`) and of PalmDOC text (`TEXtREAd`, no DRM field). */
function isMobi(head: Uint8Array): boolean {
  return head.length >= 86 && ascii(head, 60, 8) === 'BOOKMOBI';
}

function record0Offset(head: Uint8Array): number {
  return new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(78);
}

interface MobiInfo {
  encryption: number;
  at: number;
  drm?: { offset: number; count: number; size: number; flags: number };
  exth: Map<number, { at: number; data: Uint8Array }>;
}

function readRecord0(view: ByteView, problems: Problem[]): MobiInfo | null | 'pending' {
  const head = view.get(0, 86);
  if (!head) return 'pending';
  const r0 = record0Offset(head);
  if (r0 + 16 > view.size) {
    problems.push({ message: `record 0 offset ${r0} is past the end of the file`, byteOffset: 78 });
    return null;
  }
  const end = Math.min(view.size, r0 + RECORD0_MAX);
  const rec = view.from(r0, end - r0);
  if (!rec || (rec.length < Math.min(1024, end - r0))) {
    view.want(r0, Math.min(end, r0 + 16 * 1024));
    return 'pending';
  }
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const info: MobiInfo = { encryption: dv.getUint16(12), at: r0 + 12, exth: new Map() };
  if (rec.length < 24 || ascii(rec, 16, 4) !== 'MOBI') return info;
  const headerLen = dv.getUint32(20);
  if (rec.length >= 0xb8 && headerLen >= 0xa8) {
    const offset = dv.getUint32(0xa8);
    if (offset !== 0xffffffff) info.drm = { offset, count: dv.getUint32(0xac), size: dv.getUint32(0xb0), flags: dv.getUint32(0xb4) };
  }
  const exthFlag = rec.length >= 0x84 ? dv.getUint32(0x80) : 0;
  if ((exthFlag & 0x40) === 0) return info;
  const e = 16 + headerLen;
  if (e + 12 > rec.length || ascii(rec, e, 4) !== 'EXTH') {
    if (e + 12 > rec.length && r0 + e + 12 <= view.size && rec.length < RECORD0_MAX) {
      view.want(r0, end);
      return 'pending';
    }
    problems.push({ message: 'EXTH flag set but no EXTH header where the MOBI header ends', byteOffset: r0 + e });
    return info;
  }
  const exthLen = dv.getUint32(e + 4);
  const count = dv.getUint32(e + 8);
  if (e + exthLen > rec.length) {
    if (r0 + e + exthLen <= view.size && e + exthLen <= RECORD0_MAX && rec.length < e + exthLen) {
      view.want(r0, r0 + e + exthLen);
      return 'pending';
    }
    problems.push({ message: `EXTH claims ${exthLen} bytes, more than record 0 holds`, byteOffset: r0 + e });
  }
  let p = e + 12;
  for (let i = 0; i < count && i < 10_000 && p + 8 <= Math.min(rec.length, e + exthLen); i++) {
    const type = dv.getUint32(p);
    const len = dv.getUint32(p + 4);
    if (len < 8 || p + len > rec.length) {
      problems.push({ message: `EXTH record ${type} claims ${len} bytes`, byteOffset: r0 + p });
      break;
    }
    if (!info.exth.has(type)) info.exth.set(type, { at: r0 + p, data: rec.subarray(p + 8, p + len) });
    p += len;
  }
  return info;
}

export const mobiDrm = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'Mobipocket/Kindle DRM and usage restrictions in MOBI/AZW books, and DRM-wrapped KFX',
  match: {
    mediaTypes: ['application/x-mobipocket-ebook', 'application/vnd.amazon.ebook', 'application/vnd.amazon.mobi8-ebook'],
    names: ['*.mobi', '*.prc', '*.azw', '*.azw3', '*.azw4', '*.kfx', '*.azw8'],
  },
  wants: {
    ranges(view) {
      if (!isMobi(view.head)) return [];
      const bytes = ByteView.fromRangeView(view);
      readRecord0(bytes, []);
      return bytes.missing({ maxRanges: 2, maxBytes: RECORD0_MAX });
    },
  },
  codes: {
    'tpm.mobi.drm': {
      title: 'Mobipocket / Kindle book with DRM',
      meaning:
        'The book\'s PalmDOC header says its text records are encrypted: encryption type 1 (old Mobipocket) or 2 (Mobipocket DRM, as Amazon Kindle AZW books use). Reading it needs the device or account key (PID) the book was sold to. `drm` gives the MOBI header\'s DRM fields and `exth` the DRM-related EXTH records present.',
      action: 'Exclude the file. Removing Kindle DRM is circumvention; obtain a DRM-free copy from the rights holder.',
    },
    'tpm.mobi.restricted': {
      title: 'Mobipocket / Kindle book with usage restrictions',
      meaning:
        'The book is not encrypted, but EXTH records restrict its use in reading software: 404 with value 1 disables text-to-speech (`text-to-speech` in `denied`), 401 limits how much may be clipped (copied; `copy` in `denied`, `clippingLimit` gives the percentage). These are machine-enforced restrictions set by the publisher.',
      action: 'The policy decides (`tpm.restrictionsOnly`, default `review`). A copy limit signals the publisher\'s intent; check the licence.',
    },
    'tpm.kfx.drm': {
      title: 'Amazon KFX book with DRM (DRMION)',
      meaning: 'The file starts with the DRMION signature: an Amazon KFX book whose content is encrypted to a Kindle device or account, with the key in a separate voucher.',
      action: 'Exclude the file. Removing Kindle DRM is circumvention; obtain a DRM-free copy from the rights holder.',
    },
    'tpm.mobi.malformed': {
      title: 'Mobipocket headers could not be read',
      meaning: 'The Palm database or MOBI headers could not be read within bounds: a record 0 offset past the end of the file, an EXTH block or record whose length lies. `problems` lists what went wrong; without a protection finding beside this one, whether the book is protected is not known for sure.',
      action: 'Check the file (calibre\'s `ebook-meta`); repair or drop it.',
    },
  },
  detect(input) {
    if (startsWith(input.head, DRMION)) {
      return [tpmFinding(ID, input, 'tpm.kfx.drm', { format: 'kfx', scheme: 'drmion', system: 'Kindle', needsSecret: true, denied: [] }, { byteOffset: 0, excerpt: 'DRMION' })];
    }
    if (!isMobi(input.head)) return [];
    const problems: Problem[] = [];
    const info = readRecord0(ByteView.fromInput(input), problems);
    const out: FindingInput[] = [];
    if (info === 'pending') problems.push({ message: 'record 0 could not be read within the read limits' });
    else if (info) {
      const f = protection(input, info);
      if (f) out.push(f);
    }
    if (problems.length > 0) out.push(malformedFinding(ID, input, 'tpm.mobi.malformed', 'mobi', problems));
    return out;
  },
});

/** EXTH records that name DRM ids or keys, by type. */
const DRM_EXTH: Record<number, string> = { 1: 'drmServerId', 2: 'drmCommerceId', 3: 'drmEbookBaseId', 208: 'watermark', 209: 'tamperProofKeys' };

function protection(input: DetectorInput, info: MobiInfo): FindingInput | null {
  const exth = Object.entries(DRM_EXTH)
    .filter(([t]) => info.exth.has(Number(t)))
    .map(([, name]) => name);
  const cde = info.exth.get(501);
  const kindle = (cde !== undefined && /^(EBOK|EBSP|PDOC)$/.test(ascii(cde.data, 0, 4))) || info.exth.has(113) || info.exth.has(209);
  if (info.encryption === 1 || info.encryption === 2) {
    const system = info.encryption === 1 ? 'Mobipocket (old)' : kindle ? 'Kindle' : 'Mobipocket';
    return tpmFinding(
      ID,
      input,
      'tpm.mobi.drm',
      { format: 'mobi', scheme: info.encryption === 1 ? 'mobipocket-v1' : 'mobipocket', system, needsSecret: true, denied: [], encryptionType: info.encryption, ...(info.drm ? { drm: info.drm } : {}), exth },
      { byteOffset: info.at, excerpt: `PalmDOC encryption type ${info.encryption}` },
    );
  }
  if (info.encryption !== 0) {
    return tpmFinding(ID, input, 'tpm.mobi.drm', { format: 'mobi', scheme: `unknown-${info.encryption}`, needsSecret: true, denied: [], encryptionType: info.encryption, exth }, { byteOffset: info.at, excerpt: `PalmDOC encryption type ${info.encryption}` }, 0.7);
  }
  const denied: string[] = [];
  const clip = info.exth.get(401);
  const clippingLimit = clip && clip.data.length >= 1 ? clip.data[clip.data.length - 1]! : undefined;
  if (clippingLimit !== undefined && clippingLimit < 100) denied.push('copy');
  const tts = info.exth.get(404);
  if (tts && tts.data.length >= 1 && tts.data[tts.data.length - 1] === 1) denied.push('text-to-speech');
  if (denied.length === 0) return null;
  const at = (clippingLimit !== undefined && clippingLimit < 100 ? clip?.at : tts?.at) ?? info.at;
  return tpmFinding(
    ID,
    input,
    'tpm.mobi.restricted',
    { format: 'mobi', scheme: 'exth-restrictions', needsSecret: false, denied, ...(clippingLimit !== undefined ? { clippingLimit } : {}), exth },
    { byteOffset: at, excerpt: denied.map((d) => (d === 'copy' ? `EXTH 401 clipping limit ${clippingLimit}%` : 'EXTH 404 text-to-speech disabled')).join(', ') },
    0.9,
  );
}
