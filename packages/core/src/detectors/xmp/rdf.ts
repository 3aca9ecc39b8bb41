/**
 * Parses an XMP packet (RDF/XML) into its properties, by namespace URI — never by prefix: `plus:`,
 * `p:` or a default namespace all name the same property when they are bound to the same URI.
 *
 * The XML parser is saxes: a small, maintained, pure-JavaScript, namespace-aware SAX parser (the one
 * jsdom uses). It does not fetch or expand anything: it reads no DTD, defines no entities from one
 * (an undefined entity is an error), and resolves only the five predefined entities and character
 * references. We refuse any DOCTYPE outright (XMP never has one), cap the packet size, the element
 * depth and the element count, and stop at the first well-formedness error: a packet that is not
 * well-formed is reported as such, never half-read. (@xmldom/xmldom builds a whole DOM and has had
 * entity-handling advisories; a SAX pass that keeps only the properties is smaller and bounded.)
 *
 * The RDF forms read (Reference: XMP Specification Part 1 (ISO 16684-1:2019) §7 "XMP data model" and
 * §C "RDF serialization"; W3C RDF 1.1 XML Syntax §2):
 * - properties as attributes of `rdf:Description` (`<rdf:Description plus:DataMining="…"/>`) or as
 *   child elements (`<plus:DataMining>…</plus:DataMining>`);
 * - URI values as `rdf:resource` attributes (`<plus:DataMining rdf:resource="…"/>`);
 * - arrays `rdf:Bag`, `rdf:Seq`, `rdf:Alt` of `rdf:li` items, language alternatives with `xml:lang`;
 * - structures as a nested `rdf:Description`, as `rdf:parseType="Resource"`, or as attributes of an
 *   empty property element; qualified values through `rdf:value`;
 * - several `rdf:Description` elements (their properties are merged) and several `rdf:RDF`.
 *
 * ok:     `<rdf:Description xmlns:p="http://ns.useplus.org/ldf/xmp/1.0/" p:DataMining="DMI-ALLOWED"/>` → one property
 * not-ok: `<!DOCTYPE x [<!ENTITY a "…">]>` → `doctype`; `&undefined;` → `malformed`
 */
import { SaxesParser, type SaxesAttributeNS, type SaxesTagNS } from 'saxes';

export const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** Bounds on one packet. Defaults: 4 MiB, depth 64, 100 000 elements. */
export interface XmpLimits {
  /** Largest packet parsed, in bytes. Default 4 MiB (real packets are KBs; extended JPEG XMP rarely exceeds 1 MiB). */
  maxBytes?: number;
  /** Deepest element nesting. Default 64 (XMP structures nest a handful of levels). */
  maxDepth?: number;
  /** Most elements. Default 100 000. */
  maxElements?: number;
}

export const DEFAULT_XMP_LIMITS: Required<XmpLimits> = { maxBytes: 4 * 1024 * 1024, maxDepth: 64, maxElements: 100_000 };

/** A simple value: text or a URI (`rdf:resource`), with its language when it is an item of a language alternative. */
export interface XmpText {
  kind: 'text';
  value: string;
  lang?: string;
  /** True when written as `rdf:resource`. */
  resource?: boolean;
}
export interface XmpArray {
  kind: 'array';
  form: 'Bag' | 'Seq' | 'Alt';
  items: XmpValue[];
}
export interface XmpStruct {
  kind: 'struct';
  fields: XmpProperty[];
}
export type XmpValue = XmpText | XmpArray | XmpStruct;

/** A property: namespace URI, local name, value, and where its element or attribute ended in the packet text. */
export interface XmpProperty {
  ns: string;
  name: string;
  value: XmpValue;
  /** Character offset in the decoded packet text (see {@link XmpDocument.byteOffset}). */
  at: number;
}

/** Why a packet could not be read. */
export type XmpProblem = 'too-large' | 'too-deep' | 'too-many-elements' | 'doctype' | 'malformed' | 'encoding' | 'empty';

export type XmpParseResult = { ok: true; doc: XmpDocument } | { ok: false; problem: XmpProblem; message: string };

/** The properties of one packet, looked up by namespace URI and local name. */
export class XmpDocument {
  constructor(
    /** Top-level properties of the described resource, in document order. */
    readonly properties: readonly XmpProperty[],
    /** The packet's text encoding, and how many bytes preceded the text (a byte-order mark, padding). */
    readonly encoding: 'utf-8' | 'utf-16be' | 'utf-16le',
    readonly text: string,
    readonly skipped: number,
  ) {}

  /** Top-level properties with this namespace URI and local name. */
  get(ns: string, name: string): XmpProperty[] {
    return this.properties.filter((p) => p.ns === ns && p.name === name);
  }

  /** Whether any property at any depth uses this namespace URI. */
  uses(ns: string): boolean {
    const walk = (props: readonly XmpProperty[]): boolean => props.some((p) => p.ns === ns || inValue(p.value));
    const inValue = (v: XmpValue): boolean => (v.kind === 'struct' ? walk(v.fields) : v.kind === 'array' ? v.items.some(inValue) : false);
    return walk(this.properties);
  }

  /** Byte offset within the packet bytes of a character offset of its text. */
  byteOffset(at: number): number {
    const prefix = this.text.slice(0, Math.max(0, at));
    return this.skipped + (this.encoding === 'utf-8' ? Buffer.byteLength(prefix, 'utf8') : prefix.length * 2);
  }
}

/** The text values in a value: itself, an array's items, a qualified value's `rdf:value`. */
export function textsOf(value: XmpValue): XmpText[] {
  switch (value.kind) {
    case 'text':
      return [value];
    case 'array':
      return value.items.flatMap(textsOf);
    case 'struct': {
      const v = value.fields.find((f) => f.ns === RDF_NS && f.name === 'value');
      return v ? textsOf(v.value) : [];
    }
  }
}

/** The fields of a structure (or of each structure in an array) named by namespace URI and local name. */
export function fieldsOf(value: XmpValue, ns: string, name: string): XmpValue[] {
  switch (value.kind) {
    case 'struct':
      return value.fields.filter((f) => f.ns === ns && f.name === name).map((f) => f.value);
    case 'array':
      return value.items.flatMap((v) => fieldsOf(v, ns, name));
    default:
      return [];
  }
}

class Stop extends Error {
  constructor(
    readonly problem: XmpProblem,
    message: string,
  ) {
    super(message);
  }
}

type Frame =
  | { kind: 'outside' }
  | { kind: 'rdf' }
  | { kind: 'node'; fields: XmpProperty[]; close?: (fields: XmpProperty[]) => void }
  | { kind: 'prop'; ns: string; name: string; at: number; lang?: string; text: string; resource?: string; attrs: XmpProperty[]; value?: XmpValue; deliver: (p: XmpProperty) => void }
  | { kind: 'array'; form: XmpArray['form']; items: XmpValue[]; deliver: (v: XmpArray) => void }
  | { kind: 'literal'; depth: number; text: string; deliver: (text: string) => void };

/**
 * Parses one packet. Never throws: a packet that is too large, too deep, not well-formed, or that
 * carries a DOCTYPE comes back as `{ ok: false, problem }`.
 */
export function parseXmp(bytes: Uint8Array, limits: XmpLimits = {}): XmpParseResult {
  const { maxBytes, maxDepth, maxElements } = { ...DEFAULT_XMP_LIMITS, ...limits };
  if (bytes.length > maxBytes) return { ok: false, problem: 'too-large', message: `packet of ${bytes.length} bytes exceeds ${maxBytes}` };
  const decoded = decode(bytes);
  if (!decoded) return { ok: false, problem: 'encoding', message: 'not UTF-8 or UTF-16 text' };
  const { encoding, skipped } = decoded;
  // Trailing NULs and padding are not XML; an XML declaration after the xpacket PI is misplaced but harmless.
  const text = trimEnd(decoded.text).replace(/^(<\?xpacket[^>]*\?>\s*)<\?xml[^>]*\?>/, '$1');
  if (text.trim() === '') return { ok: false, problem: 'empty', message: 'empty packet' };

  const properties: XmpProperty[] = [];
  const stack: Frame[] = [{ kind: 'outside' }];
  let elements = 0;
  const parser = new SaxesParser({ xmlns: true, position: true });
  parser.on('doctype', () => {
    throw new Stop('doctype', 'a DOCTYPE is not allowed in XMP');
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (++elements > maxElements) throw new Stop('too-many-elements', `more than ${maxElements} elements`);
    if (stack.length > maxDepth) throw new Stop('too-deep', `nesting deeper than ${maxDepth}`);
    open(tag, stack, properties, parser.position);
  });
  parser.on('closetag', () => close(stack));
  parser.on('text', (t) => addText(stack, t));
  parser.on('cdata', (t) => addText(stack, t));
  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof Stop) return { ok: false, problem: err.problem, message: err.message };
    return { ok: false, problem: 'malformed', message: (err as Error).message.split('\n')[0]!.slice(0, 200) };
  }
  return { ok: true, doc: new XmpDocument(properties, encoding, text, skipped) };
}

/**
 * Drops trailing NULs and whitespace. A loop, not `/[\0\s]+$/`: that regex backtracks quadratically on
 * the kilobytes of padding writers leave inside a packet (before `<?xpacket end?>`, not at its end).
 */
function trimEnd(s: string): string {
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c === 0 || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) end--;
    else break;
  }
  return s.slice(0, end);
}

function decode(b: Uint8Array): { text: string; encoding: XmpDocument['encoding']; skipped: number } | null {
  let i = 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  const rest = b.subarray(i);
  if (rest[0] === 0xef && rest[1] === 0xbb && rest[2] === 0xbf) return { text: new TextDecoder('utf-8').decode(rest.subarray(3)), encoding: 'utf-8', skipped: i + 3 };
  if ((rest[0] === 0 && rest[1] === 0) || (rest[2] === 0 && rest[3] === 0 && rest[1] !== 0)) return null; // UTF-32
  if (rest[0] === 0xfe && rest[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(rest.subarray(2)), encoding: 'utf-16be', skipped: i + 2 };
  if (rest[0] === 0xff && rest[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(rest.subarray(2)), encoding: 'utf-16le', skipped: i + 2 };
  if (rest[0] === 0 && rest[1] === 0x3c) return { text: new TextDecoder('utf-16be').decode(rest), encoding: 'utf-16be', skipped: i };
  if (rest[0] === 0x3c && rest[1] === 0) return { text: new TextDecoder('utf-16le').decode(rest), encoding: 'utf-16le', skipped: i };
  return { text: new TextDecoder('utf-8').decode(rest), encoding: 'utf-8', skipped: i };
}

const is = (x: { uri: string; local: string }, local: string) => x.uri === RDF_NS && x.local === local;

/** Attributes that are syntax, not properties. */
function isSyntax(a: SaxesAttributeNS): boolean {
  if (a.uri === XMLNS_NS || a.prefix === 'xmlns' || a.name === 'xmlns' || a.uri === XML_NS) return true;
  return a.uri === RDF_NS && ['about', 'ID', 'nodeID', 'resource', 'parseType', 'datatype', 'type', 'bagID', 'aboutEach', 'aboutEachPrefix'].includes(a.local);
}

function attrProperties(tag: SaxesTagNS, at: number): XmpProperty[] {
  const out: XmpProperty[] = [];
  for (const a of Object.values(tag.attributes)) {
    if (isSyntax(a) || a.uri === '') continue;
    out.push({ ns: a.uri, name: a.local, value: { kind: 'text', value: a.value }, at });
  }
  return out;
}

function open(tag: SaxesTagNS, stack: Frame[], top: XmpProperty[], at: number): void {
  const parent = stack[stack.length - 1]!;
  const attr = (uri: string, local: string) => Object.values(tag.attributes).find((a) => a.uri === uri && a.local === local)?.value;
  switch (parent.kind) {
    case 'outside':
      stack.push(is(tag, 'RDF') ? { kind: 'rdf' } : { kind: 'outside' });
      return;
    case 'rdf':
      // A node element: the described resource. Its attributes are properties too.
      stack.push({ kind: 'node', fields: top });
      top.push(...attrProperties(tag, at));
      return;
    case 'node':
    case 'array': {
      // An array item (`rdf:li`) is read like a property element; only its value is kept.
      const deliver = parent.kind === 'node' ? (p: XmpProperty) => parent.fields.push(p) : (p: XmpProperty) => parent.items.push(p.value);
      const parseType = attr(RDF_NS, 'parseType');
      if (parseType === 'Resource') {
        // The property element is itself the node of a structure.
        const fields = attrProperties(tag, at);
        stack.push({ kind: 'node', fields, close: (f) => deliver({ ns: tag.uri, name: tag.local, value: { kind: 'struct', fields: f }, at }) });
        return;
      }
      if (parseType === 'Literal') {
        stack.push({ kind: 'literal', depth: 0, text: '', deliver: (text) => deliver({ ns: tag.uri, name: tag.local, value: { kind: 'text', value: text }, at }) });
        return;
      }
      const lang = attr(XML_NS, 'lang');
      const resource = attr(RDF_NS, 'resource');
      stack.push({ kind: 'prop', ns: tag.uri, name: tag.local, at, text: '', attrs: attrProperties(tag, at), deliver, ...(lang !== undefined ? { lang } : {}), ...(resource !== undefined ? { resource } : {}) });
      return;
    }
    case 'prop': {
      // A node inside a property element: an array or a structure (the first one counts).
      const set = (v: XmpValue) => {
        if (parent.value === undefined) parent.value = v;
      };
      if (is(tag, 'Bag') || is(tag, 'Seq') || is(tag, 'Alt')) stack.push({ kind: 'array', form: tag.local as XmpArray['form'], items: [], deliver: set });
      else stack.push({ kind: 'node', fields: attrProperties(tag, at), close: (f) => set({ kind: 'struct', fields: f }) });
      return;
    }
    case 'literal':
      parent.depth++;
      stack.push({ kind: 'literal', depth: -1, text: '', deliver: () => undefined });
      return;
  }
}

function close(stack: Frame[]): void {
  const f = stack.pop();
  if (!f) return;
  switch (f.kind) {
    case 'node':
      f.close?.(f.fields);
      return;
    case 'array':
      f.deliver({ kind: 'array', form: f.form, items: f.items });
      return;
    case 'literal':
      f.deliver(f.text);
      return;
    case 'prop': {
      let value: XmpValue;
      if (f.value !== undefined) value = f.value;
      else if (f.resource !== undefined) value = { kind: 'text', value: f.resource, resource: true };
      else if (f.attrs.length > 0) value = { kind: 'struct', fields: f.attrs };
      else value = { kind: 'text', value: f.text, ...(f.lang !== undefined ? { lang: f.lang } : {}) };
      f.deliver({ ns: f.ns, name: f.name, value, at: f.at });
      return;
    }
    default:
      return;
  }
}

function addText(stack: Frame[], t: string): void {
  const f = stack[stack.length - 1]!;
  if (f.kind === 'prop' && f.value === undefined) f.text += t;
  else if (f.kind === 'literal') {
    // Literal content keeps the text of nested elements too: find the literal that owns it.
    for (let i = stack.length - 1; i >= 0; i--) {
      const g = stack[i]!;
      if (g.kind === 'literal' && g.depth >= 0) {
        g.text += t;
        break;
      }
    }
  }
}
