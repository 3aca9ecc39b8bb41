/**
 * TDMRep in EPUB publications: `tdm:reservation` and `tdm:policy` in the Package Document's
 * metadata, which "cover TDM rights for every resource in the package". A statement of the file
 * itself (level `file`), so it supersedes the site's tdmrep.json and stored headers.
 *
 * Reading: the OPF is a member of the ZIP container. The detector asks for the tail (the end of
 * central directory record and, usually, the directory), then through `wants.ranges` for the directory
 * when it is larger, then for META-INF/container.xml and the package documents, then — if the
 * container names a rootfile not read yet — for that one. Members are inflated with node:zlib under
 * an output cap and a ratio limit, and parsed with saxes, which never expands DTD entities; all of it
 * through the shared ZIP readers of zip-common. See opf.ts for how the properties are read.
 *
 * Reference: TDMRep final community group report (2024), §"TDM Metadata in EPUB files" and
 * §"Processing priority"; OCF 3.3 (container.xml); APPNOTE 6.3.x (ZIP).
 *
 * ok:     EPUB 3 `<meta property="tdm:reservation">1</meta>` → optout.tdmrep.epub, reserved yes
 * ok:     EPUB 2 `<meta name="tdm:reservation" content="0"/>` → optout.tdmrep.epub, reserved no
 * not-ok: an EPUB without TDMRep metadata → nothing
 * not-ok: an EPUB whose package document cannot be read → optout.tdmrep.epub-unreadable (warning)
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput, Reserved } from '../../schema/finding.js';
import { clip } from '../optout-common/findings.js';
import { readReservation } from '../optout-common/tdm-values.js';
import { ByteView, readDirectory, readMember, zipRanges, ZIP_TAIL_BYTES, type ZipDirectory, type ZipEntry } from '../zip-common/index.js';
import { CONTAINER, readOpf, rootfiles, type OpfTdm } from './opf.js';

const ID = 'tdmrep-epub';
/** Package documents read when the container does not say which (at most). */
const MAX_OPF_GUESSES = 4;
const LIMITS = { memberBytes: 1024 * 1024, output: 1024 * 1024 };

/** The members to read: the container, and the package documents it names — or, until it is read, the likely ones. */
function wanted(view: ByteView, d: ZipDirectory): ZipEntry[] {
  const byName = new Map(d.entries.map((e) => [e.name, e]));
  const container = byName.get(CONTAINER);
  const named = container ? namedRootfiles(view, d, container) : null;
  const opfs = named !== null ? named.flatMap((n) => byName.get(n) ?? []) : d.entries.filter((e) => /\.opf$/i.test(e.name)).slice(0, MAX_OPF_GUESSES);
  return [...(container ? [container] : []), ...opfs.slice(0, MAX_OPF_GUESSES)];
}

/** The rootfiles container.xml names, once its bytes are held; null before. */
function namedRootfiles(view: ByteView, d: ZipDirectory, container: ZipEntry): string[] | null {
  const got = readMember(view, d, container, LIMITS);
  return got.ok ? rootfiles(got.data) : null;
}

export const tdmrepEpub = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'W3C TDMRep tdm:reservation / tdm:policy in an EPUB package document (EPUB 2 and 3)',
  match: { mediaTypes: ['application/epub+zip'], names: ['*.epub'] },
  wants: {
    tail: ZIP_TAIL_BYTES,
    ranges: (view) => {
      const bytes = ByteView.of(view);
      return zipRanges(view, { members: (d) => wanted(bytes, d), limits: LIMITS });
    },
  },
  codes: {
    'optout.tdmrep.epub': {
      title: 'TDMRep metadata in the EPUB',
      meaning: 'The EPUB\'s package document says `tdm:reservation` 1 (reserved: yes) or 0 (no) for every resource of the publication; another value, or disagreeing properties, is unknown. `policy` is its `tdm:policy`. It supersedes the site\'s tdmrep.json and stored headers.',
      action: 'Reserved yes: exclude the publication, or obtain a licence (see the TDM policy).',
    },
    'optout.tdmrep.epub-unreadable': {
      title: 'EPUB package document not read',
      meaning: 'The file is an EPUB, but its package document (the OPF named by META-INF/container.xml) could not be found or read within the limits (missing, encrypted, inflating past the cap, not well-formed), so whether it carries TDMRep metadata is not known.',
      action: 'Check the publication by hand if TDM reservations matter for it.',
    },
  },
  detect(input) {
    const view = ByteView.of(input);
    const dir = readDirectory(view);
    // Not a readable ZIP: the container detectors say why; there is nothing to read here.
    if (dir.kind !== 'zip' || dir.directory.encryption) return [];
    const d = dir.directory;
    const opfs = wanted(view, d).filter((e) => e.name !== CONTAINER);
    if (opfs.length === 0) return unreadable(input, 'no package document (.opf) in the container');
    const problems: string[] = [];
    for (const entry of opfs) {
      const got = readMember(view, d, entry, LIMITS);
      if (!got.ok) {
        problems.push(got.message);
        continue;
      }
      const opf = readOpf(got.data);
      if (!opf.isPackage) {
        problems.push(`${clip(entry.name, 80)} is not an OPF package document${opf.problems[0] ? ` (${opf.problems[0]})` : ''}`);
        continue;
      }
      return findings(input, entry, opf);
    }
    return unreadable(input, problems.join('; '));
  },
});

function unreadable(input: DetectorInput, problem: string): FindingInput[] {
  return [
    {
      code: 'optout.tdmrep.epub-unreadable',
      category: 'notice',
      detector: ID,
      severity: 'warning',
      confidence: 1,
      value: { problem: clip(problem, 300) },
      evidence: { path: input.path },
      scope: { kind: 'file', root: input.path },
      url: findingUrl('optout.tdmrep.epub-unreadable'),
    },
  ];
}

function findings(input: DetectorInput, entry: ZipEntry, opf: OpfTdm): FindingInput[] {
  const reservations = opf.properties.filter((p) => p.name === 'reservation');
  if (reservations.length === 0) return [];
  const problems = [...new Set(opf.properties.flatMap((p) => (p.problem ? [p.problem] : [])))];
  const values = reservations.map((p) => readReservation(p.value, { text: true }));
  for (const v of values) if (v.problem) problems.push(v.problem);
  let reserved: Reserved = values[0]!.reserved;
  if (values.some((v) => v.reserved !== reserved)) {
    reserved = 'unknown';
    problems.push('several tdm:reservation properties that disagree');
  }
  if (opf.problems.length > 0) problems.push(`package document: ${opf.problems[0]}`);
  const policy = opf.properties.find((p) => p.name === 'policy')?.value.trim();
  const first = reservations[0]!;
  return [
    {
      code: 'optout.tdmrep.epub',
      category: 'opt-out',
      detector: ID,
      severity: problems.length > 0 ? 'warning' : 'info',
      confidence: problems.length > 0 ? 0.7 : 0.95,
      value: {
        protocol: 'tdmrep',
        reserved,
        level: 'file',
        rule: first.written,
        packageDocument: clip(entry.name, 200),
        ...(opf.version ? { epubVersion: opf.version } : {}),
        ...(policy ? { policy: clip(policy, 500) } : {}),
        ...(problems.length > 0 ? { problems } : {}),
      },
      evidence: { path: input.path, byteOffset: entry.localOffset, excerpt: clip(`${entry.name}: ${first.written}`, 200) },
      scope: { kind: 'file', root: input.path },
      url: findingUrl('optout.tdmrep.epub'),
    },
  ];
}
