/**
 * Encryption and DRM in ISO-BMFF media (MP4, M4A/M4V/M4P, MOV, 3GP, CMAF segments, Audible AAX):
 * Common Encryption schemes cenc, cbc1, cens, cbcs with their `tenc` defaults and `pssh` DRM system
 * ids (Widevine, PlayReady, FairPlay, ClearKey, …), PIFF, Apple FairPlay .m4p (`drms`), Audible
 * (`aavd`), OMA DRM. Reads the head, then the top-level boxes it needs (a `moov` at the end is
 * reached through the sizes of the boxes before it) through ranges.
 *
 * ok:     an MP4 whose sample entries are `avc1`, `mp4a` (no `sinf`) → no finding
 * not-ok: `encv` with `schm` cenc and a Widevine `pssh` → tpm.mp4.drm, system Widevine, scheme cenc
 * not-ok: `encv` with `schm` cbcs and no `pssh` → tpm.mp4.encrypted, scheme cbcs, system unknown
 * not-ok: `drms` with `schm` itun → tpm.mp4.drm, system FairPlay; `aavd` → tpm.mp4.drm, system Audible
 * warning: a box larger than its parent, sizes of 0 or 1 that lie, more than 20 000 boxes → tpm.mp4.malformed
 */
import { defineDetector, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { ByteView } from '../tpm-common/byte-view.js';
import { malformedFinding, tpmFinding } from '../tpm-common/findings.js';
import { fourcc } from './boxes.js';
import { readProtection, uuidForm, type BmffProtection } from './protection.js';

const ID = 'bmff-encryption';

/** Box types a file may begin with; anything else is not ISO-BMFF. */
const FIRST_BOXES = new Set(['ftyp', 'styp', 'moov', 'moof', 'sidx', 'free', 'skip', 'mdat', 'wide', 'pdin', 'emsg', 'prft', 'uuid', 'meta', 'jP  ']);

/** CENC schemes (ISO/IEC 23001-7 §4.2) and PIFF's. */
const CENC = new Set(['cenc', 'cbc1', 'cens', 'cbcs', 'piff']);

function looksLikeBmff(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  const size = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  return FIRST_BOXES.has(fourcc(head, 4)) && (size === 0 || size === 1 || size >= 8);
}

export const bmffEncryption = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'Common Encryption, FairPlay, Audible and PIFF protection in ISO-BMFF media (MP4, M4A, MOV, CMAF)',
  match: {
    mediaTypes: ['video/mp4', 'audio/mp4', 'audio/x-m4a', 'video/x-m4v', 'video/quicktime', 'video/3gpp', 'video/3gpp2', 'video/iso.segment', 'application/mp4'],
    names: ['*.m4s', '*.cmfv', '*.cmfa', '*.cmft', '*.m4p', '*.m4b', '*.aax', '*.aaxc', '*.ismv', '*.isma', '*.uvu', '*.uvv', '*.piff', '*.m4f'],
  },
  wants: {
    ranges(view) {
      if (!looksLikeBmff(view.head)) return [];
      const bytes = ByteView.fromRangeView(view);
      readProtection(bytes);
      return bytes.missing({ maxRanges: 8, maxBytes: 12 * 1024 * 1024 });
    },
  },
  codes: {
    'tpm.mp4.encrypted': {
      title: 'Encrypted media (Common Encryption, no DRM system named)',
      meaning:
        'Tracks of this ISO-BMFF file are encrypted (a protected sample entry such as `encv`/`enca` with a `sinf`: scheme `cenc`, `cbc1`, `cens` or `cbcs`, or a fragment with `senc`), and no DRM system other than ClearKey is named: a cbcs file (HLS/FairPlay streaming) may carry no `pssh` at all, and the key comes from a licence server the file does not name. `tracks` gives each track\'s scheme, default KID and pattern. Decoding needs the content key.',
      action: 'Exclude the file (the default policy does). The key is a secret of the rights holder; do not try to obtain it otherwise.',
    },
    'tpm.mp4.drm': {
      title: 'Media protected by a DRM system',
      meaning:
        'Tracks of this ISO-BMFF file are encrypted and a DRM system guards the key: `pssh` boxes name Widevine, PlayReady, FairPlay, Marlin, … (`system` lists them), or the file is an iTunes FairPlay purchase (`drms`/`drmi` entries, scheme `itun`), an Audible audiobook (`aavd`, `adrm`), or OMA DRM (scheme `odkm`).',
      action: 'Exclude the file. Circumventing the DRM is prohibited; obtain an unprotected copy from the rights holder.',
    },
    'tpm.mp4.malformed': {
      title: 'ISO-BMFF box structure could not be read',
      meaning:
        'The box tree could not be read within bounds — a box that claims more bytes than its parent holds or fewer than its header, a 64-bit size that lies, more than 20 000 boxes, nesting deeper than 16, or the `moov` box out of reach within the read limits. `problems` lists what went wrong. Any protection finding beside this one still holds; without one, whether the file is protected is not known for sure.',
      action: 'Check the file (`mediainfo`, `ffprobe`); repair or drop it.',
    },
  },
  detect(input) {
    if (!looksLikeBmff(input.head)) return [];
    const p = readProtection(ByteView.fromInput(input));
    const out: FindingInput[] = [];
    const f = protectionFinding(input, p);
    if (f) out.push(f);
    const problems = [...p.reader.problems];
    if (!f && !p.sawMoov && p.sencAt === undefined && p.reader.pending) problems.push({ message: 'the movie box could not be reached within the read limits' });
    if (problems.length > 0) out.push(malformedFinding(ID, input, 'tpm.mp4.malformed', 'mp4', problems));
    return out;
  },
});

function protectionFinding(input: DetectorInput, p: BmffProtection): FindingInput | null {
  const tracks = p.tracks.map((t) => ({
    entry: t.entry,
    ...(t.original ? { original: t.original } : {}),
    ...(t.scheme ? { scheme: t.scheme } : {}),
    ...(t.defaultKid ? { defaultKid: uuidForm(t.defaultKid) } : {}),
    ...(t.defaultIsProtected !== undefined ? { defaultIsProtected: t.defaultIsProtected } : {}),
    ...(t.ivSize !== undefined ? { ivSize: t.ivSize } : {}),
    ...(t.pattern ? { pattern: t.pattern } : {}),
  }));
  const systems = [...new Set(p.pssh.map((s) => s.system))];
  const base = { format: 'mp4', needsSecret: true, denied: [] as string[], ...(p.brand ? { brand: p.brand } : {}), tracks, ...(p.pssh.length > 0 ? { pssh: p.pssh.map((s) => ({ system: s.system, systemId: uuidForm(s.systemId) })) } : {}) };
  const first = p.tracks[0];

  const itunes = p.tracks.find((t) => t.entry === 'drms' || t.entry === 'drmi' || t.scheme === 'itun' || t.itunes);
  if (itunes) {
    return tpmFinding(ID, input, 'tpm.mp4.drm', { ...base, scheme: 'itun', system: 'FairPlay' }, { byteOffset: itunes.schemeAt ?? itunes.entryAt, excerpt: `sample entry ${itunes.entry}, scheme itun` });
  }
  const audible = p.tracks.find((t) => t.entry === 'aavd' || t.adrmAt !== undefined);
  if (audible || p.brand === 'aax') {
    const at = audible?.adrmAt ?? audible?.entryAt ?? 0;
    return tpmFinding(ID, input, 'tpm.mp4.drm', { ...base, scheme: 'aax', system: 'Audible' }, { byteOffset: at, excerpt: audible ? `sample entry ${audible.entry}${audible.adrmAt !== undefined ? ', adrm' : ''}` : 'brand aax' }, audible ? 0.99 : 0.8);
  }
  const oma = p.tracks.find((t) => t.scheme === 'odkm');
  if (oma) {
    return tpmFinding(ID, input, 'tpm.mp4.drm', { ...base, scheme: 'odkm', system: 'OMA DRM' }, { byteOffset: oma.schemeAt ?? oma.entryAt, excerpt: 'scheme odkm' });
  }
  if (!first && p.sencAt === undefined) return null;
  const schemes = [...new Set(p.tracks.map((t) => t.scheme ?? 'unknown'))];
  const scheme = schemes.length > 0 ? schemes.join(',') : 'unknown';
  const drm = systems.filter((s) => s !== 'ClearKey');
  const at = first?.schemeAt ?? first?.entryAt ?? p.sencAt ?? 0;
  const excerpt = first ? `sample entry ${first.entry}${first.scheme ? `, scheme ${first.scheme}` : ''}${systems.length ? `, pssh ${systems.join(' ')}` : ''}` : 'senc in a fragment';
  // A known CENC scheme is certain; an unknown one in a protected entry is still protection, less precisely known.
  const confidence = schemes.every((s) => CENC.has(s)) ? 0.99 : 0.85;
  if (drm.length > 0) return tpmFinding(ID, input, 'tpm.mp4.drm', { ...base, scheme, system: drm.join(', ') }, { byteOffset: at, excerpt }, confidence);
  return tpmFinding(ID, input, 'tpm.mp4.encrypted', { ...base, scheme, ...(systems.includes('ClearKey') ? { system: 'ClearKey' } : {}) }, { byteOffset: at, excerpt }, confidence);
}
