/**
 * A bounded, safe XML reader for the small metadata files of ZIP containers (EPUB encryption.xml and
 * rights.xml, ODF manifest.xml). It builds a namespace-aware element tree with
 * [saxes](https://github.com/lddubeau/saxes), which never expands entities declared in a DTD (a
 * billion-laughs document costs its own size, nothing more) and never fetches anything. Input size,
 * element count, depth and text are capped; going past a cap stops the parse with a problem noted.
 *
 * ok:     `<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container">…</encryption>` → a tree
 * not-ok: `<!DOCTYPE x [<!ENTITY a "…">]><x>&a;</x>` → the tree, with `&a;` left as text and a problem
 */
import { SaxesParser } from 'saxes';

/** One element: namespace URI and local name, attributes, children and its own text (capped). */
export interface XmlElement {
  uri: string;
  local: string;
  attributes: readonly XmlAttribute[];
  children: XmlElement[];
  text: string;
}

export interface XmlAttribute {
  uri: string;
  local: string;
  value: string;
}

export interface XmlDocument {
  /** The root element, or null when none was read. */
  root: XmlElement | null;
  /** Whether the document had a DOCTYPE (whose entities were not expanded). */
  doctype: boolean;
  /** What was wrong or cut short, in words. Empty for a clean document. */
  problems: string[];
}

/** Caps of {@link parseXml}. */
export interface XmlLimits {
  /** Most bytes parsed; default 1 MiB. */
  bytes?: number;
  /** Most elements; default 20,000. */
  elements?: number;
  /** Deepest nesting; default 64. */
  depth?: number;
  /** Most characters of text kept per element; default 64 Ki. */
  text?: number;
  /**
   * Prefixes bound before parsing, as an external DTD's fixed `xmlns:` attributes would bind them
   * (old OpenOffice manifests declare `manifest:` only in Manifest.dtd). Default none.
   */
  namespaces?: Record<string, string>;
}

class Stop extends Error {}

/** Parses bytes (UTF-8, or UTF-16 with a byte order mark) or a string into an element tree, within limits. */
export function parseXml(input: Uint8Array | string, limits: XmlLimits = {}): XmlDocument {
  const maxBytes = limits.bytes ?? 1024 * 1024;
  const maxElements = limits.elements ?? 20_000;
  const maxDepth = limits.depth ?? 64;
  const maxText = limits.text ?? 64 * 1024;
  const problems: string[] = [];
  let text: string;
  if (typeof input === 'string') text = input.length > maxBytes ? input.slice(0, maxBytes) : input;
  else {
    if (input.length > maxBytes) problems.push(`only the first ${maxBytes} of ${input.length} bytes were parsed`);
    text = decode(input.subarray(0, maxBytes));
  }
  const doc: XmlDocument = { root: null, doctype: false, problems };
  const stack: XmlElement[] = [];
  let elements = 0;
  const parser = new SaxesParser({ xmlns: true, position: false, ...(limits.namespaces ? { additionalNamespaces: limits.namespaces } : {}) });
  parser.on('error', (err) => {
    if (problems.length < 10) problems.push(err.message);
  });
  parser.on('doctype', (text) => {
    doc.doctype = true;
    // A DOCTYPE naming an external DTD only is common and harmless; an internal subset declares
    // entities, which are never expanded here, so what the document says may be lost.
    if (text.includes('[')) problems.push('the document declares a DOCTYPE internal subset; its entities are not expanded');
  });
  parser.on('opentag', (tag) => {
    if (++elements > maxElements) {
      problems.push(`more than ${maxElements} elements; parsing stopped`);
      throw new Stop();
    }
    if (stack.length >= maxDepth) {
      problems.push(`nesting deeper than ${maxDepth}; parsing stopped`);
      throw new Stop();
    }
    const attributes: XmlAttribute[] = [];
    for (const a of Object.values(tag.attributes)) {
      if (typeof a === 'string') continue;
      if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
      attributes.push({ uri: a.uri, local: a.local, value: a.value });
    }
    const el: XmlElement = { uri: tag.uri, local: tag.local, attributes, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(el);
    else doc.root ??= el;
    stack.push(el);
  });
  parser.on('text', (t) => {
    const el = stack.at(-1);
    if (el && el.text.length < maxText) el.text += t.slice(0, maxText - el.text.length);
  });
  parser.on('cdata', (t) => {
    const el = stack.at(-1);
    if (el && el.text.length < maxText) el.text += t.slice(0, maxText - el.text.length);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  try {
    parser.write(text).close();
  } catch (err) {
    if (!(err instanceof Stop)) problems.push(err instanceof Error ? err.message : String(err));
  }
  return doc;
}

function decode(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const text = new TextDecoder('utf-8').decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Value of an attribute by namespace URI ('' for none) and local name. */
export function attr(el: XmlElement, local: string, uri = ''): string | undefined {
  return el.attributes.find((a) => a.local === local && a.uri === uri)?.value;
}

/** Direct children with this namespace and local name. */
export function childrenOf(el: XmlElement, uri: string, local: string): XmlElement[] {
  return el.children.filter((c) => c.uri === uri && c.local === local);
}

/** Every descendant (depth first, the element itself first) with this namespace and local name. */
export function descendants(el: XmlElement, uri: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.uri === uri && e.local === local) out.push(e);
    for (const c of e.children) walk(c);
  };
  walk(el);
  return out;
}
