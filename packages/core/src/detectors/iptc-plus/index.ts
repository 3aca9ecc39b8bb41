/**
 * IPTC PLUS Data Mining: the `plus:DataMining` property of a file's XMP — in JPEG, PNG, TIFF and
 * camera raw, WebP, GIF, HEIF/AVIF, MP4/MOV, PDF, or any file whose packet the raw scan finds — and,
 * with it, `plus:OtherConstraints` and the IPTC encoded rights expressions the `SEE…` values point
 * to. Values map to reserved yes / no / unknown by the table in vocabulary.ts. Level: file.
 *
 * Sidecars: a `name.xmp` file beside `name.jpg` (Adobe) or `name.jpg.xmp` (darktable, digiKam)
 * describes that file; such a sidecar is a marker and its findings apply to the files of its folder
 * with that stem, not to the rest of the folder.
 *
 * In a PDF, the metadata of an embedded image or page counts too — the file carries that work — and
 * the finding's `document` says whether the packet is the document's own (the catalog's /Metadata).
 *
 * Unreadable packets are told apart: one whose bytes contain the PLUS namespace URI may hold a
 * reservation (`optout.iptc-plus.unreadable`, unknown); one that cannot (the URI is absent from its
 * bytes, which XML requires wherever the namespace is used) is silent; one whose bytes were not
 * read at all (too large, out of reach of the read rounds) gets a notice.
 *
 * ok:     `<plus:DataMining>http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING</plus:DataMining>` → optout.iptc-plus.reserved (yes)
 * ok:     `<rdf:Description xmlns:p="http://ns.useplus.org/ldf/xmp/1.0/" p:DataMining="DMI-ALLOWED"/>` → optout.iptc-plus.allowed (no)
 * ok:     `DMI-PROHIBITED-SEECONSTRAINT` with `plus:OtherConstraints` "No generative use" → optout.iptc-plus.constrained (unknown, with the text)
 * not-ok: `<plus:DataMining>Prohibited for AI/ML training</plus:DataMining>` (a label, not a value) → optout.iptc-plus.unrecognised (unknown)
 * not-ok: `<foo:DataMining>DMI-PROHIBITED</foo:DataMining>` with foo bound to another URI → nothing
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { Finding, FindingInput } from '../../schema/finding.js';
import { EMBEDDED_WANTS, fieldsOf, fileOffset, mentions, readEmbedded, readXmp, textsOf, type XmpPacket, type XmpValue } from '../xmp/index.js';
import { dataMiningMeaning, IPTC_EXT_NS, PLUS_NS, type DataMiningMeaning } from './vocabulary.js';

const ID = 'iptc-plus';
const PROTOCOL = 'iptc-plus';
/** Longest constraint or rights-expression text kept in a finding. */
const TEXT_MAX = 500;

const CODE: Record<DataMiningMeaning['kind'], string> = {
  reserved: 'optout.iptc-plus.reserved',
  constrained: 'optout.iptc-plus.constrained',
  allowed: 'optout.iptc-plus.allowed',
  unspecified: 'optout.iptc-plus.unspecified',
  unrecognised: 'optout.iptc-plus.unrecognised',
};

export const iptcPlus = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'IPTC PLUS Data Mining (plus:DataMining) in a file\'s embedded XMP or its .xmp sidecar',
  match: {
    names: ['*.xmp'],
    mediaTypes: ['image/*', 'video/*', 'audio/*', 'application/pdf', 'application/postscript'],
  },
  marker: true,
  wants: EMBEDDED_WANTS,
  codes: {
    'optout.iptc-plus.reserved': {
      title: 'IPTC PLUS Data Mining: prohibited',
      meaning: 'The file\'s XMP sets `plus:DataMining` (IPTC Photo Metadata, PLUS vocabulary) to a prohibition: `DMI-PROHIBITED`, `DMI-PROHIBITED-AIMLTRAINING`, `DMI-PROHIBITED-GENAIMLTRAINING` or `DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING`. The rights holder reserves text and data mining of this file; `uses` says what the value covers (a generative-training prohibition is applied as a reservation because Clearance cannot know whether your model is generative).',
      action: 'Leave the file out of training, or obtain a licence from the rights holder (see the XMP\'s licensor fields).',
    },
    'optout.iptc-plus.constrained': {
      title: 'IPTC PLUS Data Mining: prohibited, see constraints',
      meaning: '`plus:DataMining` is `DMI-PROHIBITED-SEECONSTRAINT`, `-SEEEMBEDDEDRIGHTSEXPR` or `-SEELINKEDRIGHTSEXPR`: data mining is prohibited except as other terms say — free text in `plus:OtherConstraints`, or an encoded rights expression embedded or linked. The finding carries those terms when the file has them. Whether training is allowed cannot be read by a machine here, so the reservation is `unknown`.',
      action: 'Read the constraint text or rights expression in the finding and decide; until then the file goes to review.',
    },
    'optout.iptc-plus.allowed': {
      title: 'IPTC PLUS Data Mining: allowed',
      meaning: '`plus:DataMining` is `DMI-ALLOWED`: the rights holder states that data mining is allowed. No reservation.',
      action: 'Nothing; keep the finding as evidence.',
    },
    'optout.iptc-plus.unspecified': {
      title: 'IPTC PLUS Data Mining: unspecified',
      meaning: '`plus:DataMining` is `DMI-UNSPECIFIED`, labelled by IPTC "Unspecified – no prohibition defined". It defines no prohibition, so it is recorded as no reservation; it is not an allowance, and is kept apart from `DMI-ALLOWED` for that reason.',
      action: 'Nothing under the default policy; other signals (licence, other opt-outs) decide.',
    },
    'optout.iptc-plus.unrecognised': {
      title: 'IPTC PLUS Data Mining: value not in the vocabulary',
      meaning: '`plus:DataMining` holds a value that is not one of the PLUS `DMI-…` values (a display label such as "Prohibited for AI/ML training", a typo, another scheme). It probably states a preference, but which one is not machine-readable, so the reservation is `unknown`.',
      action: 'Read the value in the finding and decide; ask the supplier to write a vocabulary value.',
    },
    'optout.iptc-plus.unreadable': {
      title: 'XMP with PLUS data that could not be read',
      meaning: 'An XMP packet of the file uses the PLUS namespace but could not be read: it is not well-formed, is cut short, is too large or too deep, or carries a DOCTYPE. It may hold a `plus:DataMining` reservation, so the reservation is `unknown`.',
      action: 'Inspect the file\'s XMP (for example `exiftool -XMP-plus:all -a -G1 FILE`) and decide.',
    },
    'iptc.other-constraints': {
      title: 'IPTC PLUS Other Constraints',
      meaning: 'The file\'s XMP has `plus:OtherConstraints` (free-text licence constraints) but no `plus:DataMining`. The text may restrict uses such as training; it is reported for a person to read, not interpreted.',
      action: 'Read the constraint text in the finding.',
    },
    'iptc.xmp-not-read': {
      title: 'XMP packet not read',
      meaning: 'The file has an XMP packet that was not read whole: it is larger than the limit, lies beyond the byte ranges a scan reads, or is cut short (a truncated file, a missing extended-XMP segment), and the part read does not mention the PLUS namespace. The rest may hold a `plus:DataMining` reservation that Clearance did not see.',
      action: 'Inspect the file\'s XMP with exiftool if its rights matter.',
    },
  },
  detect(input) {
    const { blocks } = readEmbedded(input);
    const sidecar = /\.xmp$/i.test(input.name);
    const out: FindingInput[] = [];
    for (const packet of readXmp(blocks)) {
      if (packet.doc) out.push(...fromDocument(input, packet, sidecar));
      else out.push(...unreadable(input, packet, sidecar));
    }
    return out;
  },
  forPath(finding, path) {
    return appliesTo(finding, path) ? finding : null;
  },
});

/** A sidecar's findings apply to the files of its folder with its stem (`a.xmp` → `a.jpg`; `a.jpg.xmp` → `a.jpg`). */
function appliesTo(finding: Finding, path: string): boolean {
  const stem = finding.value['sidecarFor'];
  if (typeof stem !== 'string') return true;
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash);
  if (dir !== finding.scope.root) return false;
  const name = path.slice(slash + 1);
  if (name === finding.evidence.path.slice(finding.evidence.path.lastIndexOf('/') + 1)) return false;
  return name === stem || (name.startsWith(`${stem}.`) && !name.slice(stem.length + 1).includes('.'));
}

function scopeOf(input: DetectorInput, sidecar: boolean): { scope: Finding['scope']; extra: Record<string, string> } {
  if (!sidecar) return { scope: { kind: 'file', root: input.path }, extra: {} };
  return { scope: { kind: 'subtree', root: input.dir }, extra: { sidecarFor: input.name.replace(/\.xmp$/i, '') } };
}

function where(packet: XmpPacket): Record<string, string | number | boolean> {
  const { block } = packet;
  return { container: block.container, location: block.location, ...(block.detail ?? {}) };
}

function fromDocument(input: DetectorInput, packet: XmpPacket, sidecar: boolean): FindingInput[] {
  const doc = packet.doc!;
  const out: FindingInput[] = [];
  const { scope, extra } = scopeOf(input, sidecar);
  const constraints = doc.get(PLUS_NS, 'OtherConstraints').flatMap((p) => textsOf(p.value));
  const constraintText = pickText(constraints);
  const values = doc.get(PLUS_NS, 'DataMining').flatMap((p) => textsOf(p.value).map((t) => ({ prop: p, text: t.value })));
  for (const { prop, text } of values) {
    const meaning = dataMiningMeaning(text);
    const written = text.trim().slice(0, 200);
    const code = CODE[meaning.kind];
    const terms = meaning.see ? termsFor(doc.properties, meaning.see, constraintText) : {};
    out.push({
      code,
      category: 'opt-out',
      detector: ID,
      severity: meaning.kind === 'unrecognised' ? 'warning' : 'info',
      confidence: meaning.kind === 'unrecognised' ? 0.5 : 0.95,
      value: {
        protocol: PROTOCOL,
        reserved: meaning.reserved,
        level: 'file',
        rule: `plus:DataMining ${meaning.key ?? written}`,
        written,
        ...(meaning.key ? { key: meaning.key } : {}),
        ...(meaning.uses ? { uses: [...meaning.uses] } : {}),
        ...terms,
        ...where(packet),
        ...extra,
      },
      evidence: { path: input.path, byteOffset: fileOffset(packet, prop.at), excerpt: `plus:DataMining=${written}`.slice(0, 200) },
      scope,
      url: findingUrl(code),
    });
  }
  if (values.length === 0 && constraintText !== undefined) {
    out.push({
      code: 'iptc.other-constraints',
      category: 'notice',
      detector: ID,
      confidence: 0.9,
      value: { text: constraintText, ...where(packet), ...extra },
      evidence: { path: input.path, byteOffset: packet.block.byteOffset, excerpt: `plus:OtherConstraints=${constraintText}`.slice(0, 200) },
      scope,
      url: findingUrl('iptc.other-constraints'),
    });
  }
  return out;
}

/** The x-default (or first) text of a language alternative, cut short. */
function pickText(texts: readonly { value: string; lang?: string }[]): string | undefined {
  const t = texts.find((x) => x.lang === 'x-default') ?? texts[0];
  const v = t?.value.trim();
  return v ? v.slice(0, TEXT_MAX) : undefined;
}

/** The terms a `SEE…` value points to, when the file has them. */
function termsFor(props: readonly { ns: string; name: string; value: XmpValue }[], see: NonNullable<DataMiningMeaning['see']>, constraint: string | undefined): Record<string, string> {
  if (see === 'other-constraints') return constraint !== undefined ? { constraint } : {};
  const name = see === 'embedded-rights-expression' ? 'EmbdEncRightsExpr' : 'LinkedEncRightsExpr';
  const field = see === 'embedded-rights-expression' ? 'EncRightsExpr' : 'LinkedRightsExpr';
  for (const p of props) {
    if (p.ns !== IPTC_EXT_NS || p.name !== name) continue;
    const text = fieldsOf(p.value, IPTC_EXT_NS, field).flatMap(textsOf)[0]?.value.trim();
    const type = fieldsOf(p.value, IPTC_EXT_NS, 'RightsExprEncType').flatMap(textsOf)[0]?.value.trim();
    if (text) return { rightsExpression: text.slice(0, TEXT_MAX), ...(type ? { rightsExpressionType: type.slice(0, 200) } : {}) };
  }
  return {};
}

function unreadable(input: DetectorInput, packet: XmpPacket, sidecar: boolean): FindingInput[] {
  const { block } = packet;
  const { scope, extra } = scopeOf(input, sidecar);
  const problem = String(packet.problem ?? block.problem ?? 'unreadable');
  // An encrypted PDF's metadata is the business of the TPM detectors; nothing to add here.
  if (problem === 'encrypted') return [];
  if (mentions(block.bytes, 'ns.useplus.org/ldf/xmp/1.0/')) {
    return [
      {
        code: 'optout.iptc-plus.unreadable',
        category: 'opt-out',
        detector: ID,
        severity: 'warning',
        confidence: 0.5,
        value: { protocol: PROTOCOL, reserved: 'unknown', level: 'file', rule: `unreadable XMP (${problem})`, problem, ...(packet.message ? { message: packet.message } : {}), ...where(packet), ...extra },
        evidence: { path: input.path, byteOffset: block.byteOffset },
        scope,
        url: findingUrl('optout.iptc-plus.unreadable'),
      },
    ];
  }
  // Complete bytes without the namespace URI cannot hold the property; missing or cut bytes might.
  if (block.bytes === null || !block.complete) {
    return [
      {
        code: 'iptc.xmp-not-read',
        category: 'notice',
        detector: ID,
        severity: 'warning',
        confidence: 1,
        value: { problem, ...where(packet), ...extra },
        evidence: { path: input.path, byteOffset: block.byteOffset },
        scope,
        url: findingUrl('iptc.xmp-not-read'),
      },
    ];
  }
  return [];
}
