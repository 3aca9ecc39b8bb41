/**
 * TDMRep in PDF: the `tdm:reservation` and `tdm:policy` properties of a PDF's XMP metadata
 * (namespace `http://www.w3.org/ns/tdmrep/` — with a slash). Protocol `tdmrep`, level file.
 *
 * Reference: W3C TDM Reservation Protocol (TDMRep), Final Community Group Report 2024-05-10,
 * §"TDM properties" (`tdm-reservation`: 1 reserved, 0 not reserved; `tdm-policy`: a URL) and
 * §"Embedding TDM properties in PDF files" (XMP, namespace `http://www.w3.org/ns/tdmrep/`, prefix
 * `tdm`, properties `reservation` and `policy`). Properties are read by namespace URI, in element or
 * attribute form. Which metadata stream: the document's (the catalog's `/Metadata`); a stream whose
 * role cannot be told (no usable xref) is read too and says `document: 'unknown'`; metadata of a
 * page or image is reported with `document: false`.
 *
 * Deviations are reported, never dropped (issue 4): a value other than 0 or 1, a policy without a
 * reservation, or the EPUB namespace `http://www.w3.org/ns/tdmrep#` used in a PDF is
 * `optout.tdmrep-xmp.malformed` (a warning) with the reservation read as the writer meant it when
 * that is clear (`1` under the wrong namespace is still a reservation), else `unknown`.
 *
 * ok:     `<tdm:reservation>1</tdm:reservation><tdm:policy>https://p.example/policy.json</tdm:policy>` → optout.tdmrep-xmp.reserved (yes, with the policy)
 * ok:     `tdm:reservation="0"` (attribute form) → optout.tdmrep-xmp.not-reserved (no)
 * not-ok: `<tdm:reservation>yes</tdm:reservation>` → optout.tdmrep-xmp.malformed (unknown)
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput, Reserved } from '../../schema/finding.js';
import { EMBEDDED_WANTS, fileOffset, mentions, readEmbedded, readXmp, textsOf, type XmpPacket } from '../xmp/index.js';

const ID = 'tdmrep-xmp';
export const TDMREP_XMP_NS = 'http://www.w3.org/ns/tdmrep/';
/** Namespaces that are not TDMRep's PDF namespace but are plainly meant as it. */
const NEAR_MISSES = ['http://www.w3.org/ns/tdmrep#', 'https://www.w3.org/ns/tdmrep/', 'http://www.w3.org/ns/tdmrep'];
const POLICY_MAX = 500;

export const tdmrepXmp = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'TDMRep reservation and policy (tdm:reservation, tdm:policy) in a PDF\'s XMP metadata',
  match: { mediaTypes: ['application/pdf'] },
  wants: EMBEDDED_WANTS,
  codes: {
    'optout.tdmrep-xmp.reserved': {
      title: 'TDMRep in PDF metadata: reserved',
      meaning: 'The PDF\'s XMP metadata sets `tdm:reservation` to 1 (W3C TDMRep, namespace `http://www.w3.org/ns/tdmrep/`): the rights holder reserves text and data mining of this document. `policy` is the `tdm:policy` URL where a licence may be offered.',
      action: 'Leave the document out of training, or obtain a licence (see `policy`).',
    },
    'optout.tdmrep-xmp.not-reserved': {
      title: 'TDMRep in PDF metadata: not reserved',
      meaning: 'The PDF\'s XMP metadata sets `tdm:reservation` to 0: text and data mining rights are not reserved.',
      action: 'Nothing; keep the finding as evidence.',
    },
    'optout.tdmrep-xmp.malformed': {
      title: 'TDMRep in PDF metadata: malformed',
      meaning: 'The PDF\'s XMP carries TDMRep properties that do not follow the specification: a `tdm:reservation` other than 0 or 1, several disagreeing values, a `tdm:policy` without a reservation, or the properties under a near-miss namespace (the EPUB one ending in `#`, `https`, no slash). The reservation is read as written when that is unambiguous, else `unknown`.',
      action: 'Treat it as a reservation until the publisher says otherwise; ask them to fix the metadata.',
    },
    'optout.tdmrep-xmp.unreadable': {
      title: 'TDMRep PDF metadata that could not be read',
      meaning: 'A metadata stream of the PDF mentions the TDMRep namespace but could not be read (not well-formed, cut short, too large, or compressed with a filter Clearance does not decode). It may reserve text and data mining, so the reservation is `unknown`.',
      action: 'Inspect the document\'s XMP (`exiftool -XMP:all -a -G1 FILE`) and decide.',
    },
  },
  detect(input) {
    const { blocks } = readEmbedded(input);
    const out: FindingInput[] = [];
    for (const packet of readXmp(blocks)) {
      if (packet.doc) out.push(...fromPacket(input, packet));
      else if (packet.problem !== 'encrypted' && mentions(packet.block.bytes, 'www.w3.org/ns/tdmrep')) {
        out.push(finding(input, packet, 'optout.tdmrep-xmp.unreadable', 'unknown', `unreadable XMP (${String(packet.problem)})`, { problem: String(packet.problem), ...(packet.message ? { message: packet.message } : {}) }, packet.block.byteOffset));
      }
    }
    return out;
  },
});

function fromPacket(input: DetectorInput, packet: XmpPacket): FindingInput[] {
  const doc = packet.doc!;
  const out: FindingInput[] = [];
  for (const ns of [TDMREP_XMP_NS, ...NEAR_MISSES]) {
    const reservations = doc.get(ns, 'reservation').flatMap((p) => textsOf(p.value).map((t) => ({ at: p.at, text: t.value.trim() })));
    const policies = doc.get(ns, 'policy').flatMap((p) => textsOf(p.value).map((t) => t.value.trim())).filter((t) => t !== '');
    if (reservations.length === 0 && policies.length === 0) continue;
    const wrongNs = ns !== TDMREP_XMP_NS;
    const policy = policies[0]?.slice(0, POLICY_MAX);
    const extra = { ...(policy !== undefined ? { policy } : {}), ...(wrongNs ? { namespace: ns } : {}) };
    const values = [...new Set(reservations.map((r) => r.text))];
    const at = fileOffset(packet, reservations[0]?.at ?? doc.get(ns, 'policy')[0]?.at ?? 0);
    const problems: string[] = [];
    if (wrongNs) problems.push(`namespace ${ns} instead of ${TDMREP_XMP_NS}`);
    let reserved: Reserved;
    if (values.length === 0) {
      problems.push('tdm:policy without tdm:reservation');
      reserved = 'unknown';
    } else if (values.length > 1) {
      problems.push(`disagreeing values ${values.map((v) => JSON.stringify(v)).join(', ')}`);
      reserved = 'unknown';
    } else if (values[0] === '1') reserved = 'yes';
    else if (values[0] === '0') reserved = 'no';
    else {
      problems.push(`tdm:reservation ${JSON.stringify(values[0]!.slice(0, 40))} is neither 0 nor 1`);
      reserved = 'unknown';
    }
    const rule = values.length === 1 ? `tdm:reservation ${values[0]!.slice(0, 40)}` : 'tdm:policy';
    if (problems.length > 0) out.push(finding(input, packet, 'optout.tdmrep-xmp.malformed', reserved, rule, { ...extra, problems }, at));
    else out.push(finding(input, packet, reserved === 'yes' ? 'optout.tdmrep-xmp.reserved' : 'optout.tdmrep-xmp.not-reserved', reserved, rule, extra, at));
  }
  return out;
}

function finding(input: DetectorInput, packet: XmpPacket, code: string, reserved: Reserved, rule: string, extra: Record<string, unknown>, byteOffset: number): FindingInput {
  const { block } = packet;
  const warning = code.endsWith('.malformed') || code.endsWith('.unreadable');
  return {
    code,
    category: 'opt-out',
    detector: ID,
    severity: warning ? 'warning' : 'info',
    confidence: warning ? 0.6 : block.detail?.['document'] === true ? 0.95 : 0.85,
    value: { protocol: 'tdmrep', reserved, level: 'file', rule, ...extra, container: block.container, location: block.location, ...(block.detail ?? {}) },
    evidence: { path: input.path, byteOffset, excerpt: rule },
    scope: { kind: 'file', root: input.path },
    url: findingUrl(code),
  };
}
