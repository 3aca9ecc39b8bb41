/**
 * TDMRep properties in an EPUB Package Document (the OPF): the rootfile named by
 * META-INF/container.xml, its `<metadata>` `<meta>` elements.
 *
 * Reference: TDMRep final community group report (2024), §"TDM Metadata in EPUB files" — EPUB 3:
 * `<meta property="tdm:reservation">1</meta>` with `prefix="tdm: http://www.w3.org/ns/tdmrep#"` on
 * `<package>`; EPUB 2: `<meta name="tdm:reservation" content="1"/>`. EPUB 3.3 §D.1 (the `prefix`
 * attribute: whitespace-separated `prefix: IRI` pairs) and OCF 3.3 §4.2.6.3.1 (container.xml
 * `rootfile/@full-path`, media type application/oebps-package+xml).
 *
 * Properties are matched by the namespace their prefix is bound to, not by the prefix: `t:reservation`
 * with `prefix="t: http://www.w3.org/ns/tdmrep#"` is read, `tdm:reservation` bound to another IRI is
 * not. EPUB 2 has no `prefix` attribute; a prefix is then taken from an `xmlns:` declaration in the
 * document, and the conventional `tdm:` prefix, when bound nowhere (as in the report's own examples),
 * is read as TDMRep's with the problem noted. The XMP namespace `http://www.w3.org/ns/tdmrep/` (with a
 * slash) bound in an OPF is read too, as a deviation.
 */
import { attr, childrenOf, descendants, parseXml, type XmlElement } from '../zip-common/index.js';
import { clip } from '../optout-common/findings.js';

export const CONTAINER = 'META-INF/container.xml';
const CONTAINER_NS = 'urn:oasis:names:tc:opendocument:xmlns:container';
const OPF_NS = 'http://www.idpf.org/2007/opf';
const TDMREP_NS = 'http://www.w3.org/ns/tdmrep#';
/** Namespaces read as TDMRep's with a problem noted: the XMP one, and an early draft's. */
const DEVIANT_NS = new Set(['http://www.w3.org/ns/tdmrep/', 'http://www.w3.org/ns/tdmrep']);

/** The rootfile paths of a container.xml, package documents first. */
export function rootfiles(bytes: Uint8Array): string[] {
  const doc = parseXml(bytes, { bytes: 64 * 1024, elements: 2000 });
  if (!doc.root) return [];
  const files = descendants(doc.root, CONTAINER_NS, 'rootfile');
  const opf = files.filter((f) => (attr(f, 'media-type') ?? '').trim() === 'application/oebps-package+xml');
  return [...opf, ...files.filter((f) => !opf.includes(f))].map((f) => (attr(f, 'full-path') ?? '').trim()).filter((p) => p !== '');
}

/** One TDMRep property as written. */
export interface TdmProperty {
  name: 'reservation' | 'policy';
  value: string;
  /** The element as written, shortened, for evidence. */
  written: string;
  /** How the property's namespace was established, when not exactly as the report says. */
  problem?: string;
}

export interface OpfTdm {
  version: string | null;
  properties: TdmProperty[];
  /** Problems of the document itself (not well-formed, cut short). */
  problems: string[];
  /** False when the document is not an OPF package. */
  isPackage: boolean;
}

/** Reads the TDMRep properties of an OPF document. Never throws. */
export function readOpf(bytes: Uint8Array): OpfTdm {
  const doc = parseXml(bytes, { bytes: 1024 * 1024, elements: 20_000 });
  const root = doc.root;
  if (!root || root.uri !== OPF_NS || root.local !== 'package') return { version: null, properties: [], problems: doc.problems, isPackage: false };
  const bindings = prefixBindings(attr(root, 'prefix') ?? '', bytes);
  const properties: TdmProperty[] = [];
  for (const metadata of childrenOf(root, OPF_NS, 'metadata')) {
    for (const meta of childrenOf(metadata, OPF_NS, 'meta').slice(0, 2000)) {
      const p = property(meta, bindings);
      if (p) properties.push(p);
      if (properties.length >= 20) break;
    }
  }
  return { version: attr(root, 'version') ?? null, properties, problems: doc.problems, isPackage: true };
}

interface Bindings {
  /** From the EPUB 3 `prefix` attribute. */
  epub: Map<string, string>;
  /** From `xmlns:` declarations anywhere in the document (EPUB 2). */
  xmlns: Map<string, string>;
}

/** EPUB 3 `prefix` pairs, and `xmlns:p="…"` declarations found in the raw text (the tree drops them). */
function prefixBindings(prefixAttr: string, bytes: Uint8Array): Bindings {
  const epub = new Map<string, string>();
  for (const m of prefixAttr.matchAll(/([A-Za-z_][\w.-]*):\s+(\S+)/g)) epub.set(m[1]!, m[2]!);
  const xmlns = new Map<string, string>();
  const text = new TextDecoder('utf-8').decode(bytes.subarray(0, 64 * 1024));
  for (const m of text.matchAll(/xmlns:([A-Za-z_][\w.-]*)\s*=\s*(["'])([^"']*)\2/g)) if (!xmlns.has(m[1]!)) xmlns.set(m[1]!, m[3]!);
  return { epub, xmlns };
}

function property(meta: XmlElement, b: Bindings): TdmProperty | null {
  const prop = attr(meta, 'property');
  const name = attr(meta, 'name');
  // EPUB 3 form: the property is a CURIE, the value is the element's text.
  const curie = prop ?? name;
  if (curie === undefined) return null;
  const colon = curie.indexOf(':');
  if (colon <= 0) return null;
  const prefix = curie.slice(0, colon).trim();
  const local = curie.slice(colon + 1).trim();
  if (local !== 'reservation' && local !== 'policy') return null;
  const iri = prop !== undefined ? b.epub.get(prefix) ?? b.xmlns.get(prefix) : b.xmlns.get(prefix) ?? b.epub.get(prefix);
  let problem: string | undefined;
  if (iri === undefined) {
    if (prefix !== 'tdm') return null;
    problem = 'the tdm: prefix is bound to no namespace; read as TDMRep\'s';
  } else if (DEVIANT_NS.has(iri)) problem = `the tdm properties are bound to ${iri}, not ${TDMREP_NS}`;
  else if (iri !== TDMREP_NS) return null;
  const value = prop !== undefined ? meta.text : attr(meta, 'content') ?? '';
  const written = prop !== undefined ? `<meta property="${clip(curie, 40)}">${clip(value.trim(), 60)}</meta>` : `<meta name="${clip(curie, 40)}" content="${clip(value, 60)}"/>`;
  return { name: local, value, written, ...(problem ? { problem } : {}) };
}
