import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attr, childrenOf, descendants, parseXml } from './xml.js';

const ENC = 'http://www.w3.org/2001/04/xmlenc#';
const corpus = path.join(import.meta.dirname, '..', 'epub-drm', 'fixtures');

describe('parseXml', () => {
  it('builds a namespace-aware tree of a real encryption.xml', () => {
    const doc = parseXml(readFileSync(path.join(corpus, 'epubcheck-encryption-unknown.encryption.xml')));
    expect(doc.problems).toEqual([]);
    expect(doc.root).toMatchObject({ uri: 'urn:oasis:names:tc:opendocument:xmlns:container', local: 'encryption' });
    const data = descendants(doc.root!, ENC, 'EncryptedData');
    expect(data).toHaveLength(1);
    expect(attr(childrenOf(data[0]!, ENC, 'EncryptionMethod')[0]!, 'Algorithm')).toBe('http://www.w3.org/2001/04/xmlenc#kw-aes128');
    expect(attr(descendants(data[0]!, ENC, 'CipherReference')[0]!, 'URI')).toBe('EPUB/content_001.xhtml');
  });

  it('never expands entities declared in a DTD (billion laughs)', () => {
    const levels = Array.from({ length: 10 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('');
    const bomb = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">${levels}]><r a="&l10;">&l10;</r>`;
    const t0 = performance.now();
    const doc = parseXml(bomb);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(doc.doctype).toBe(true);
    expect(doc.root!.text.length).toBeLessThan(100);
    expect(doc.problems.join()).toMatch(/DOCTYPE/);
  });

  it('binds prefixes an external DTD would bind, and takes a DOCTYPE without internal subset as harmless', () => {
    const doc = parseXml('<!DOCTYPE m:m PUBLIC "-//X//DTD M 1.0//EN" "M.dtd"><m:m><m:e m:k="v"/></m:m>', { namespaces: { m: 'urn:m' } });
    expect(doc.problems).toEqual([]);
    expect(doc.doctype).toBe(true);
    expect(attr(doc.root!.children[0]!, 'k', 'urn:m')).toBe('v');
    expect(parseXml('<m:m/>').problems.join()).toMatch(/unbound/);
  });

  it('does not fetch external entities', () => {
    const doc = parseXml('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>');
    expect(doc.root!.text).not.toMatch(/root:/);
  });

  it('stops at the element, depth and size caps', () => {
    expect(parseXml(`<r>${'<a/>'.repeat(1000)}</r>`, { elements: 100 }).problems.join()).toMatch(/more than 100 elements/);
    expect(parseXml(`${'<a>'.repeat(500)}${'</a>'.repeat(500)}`).problems.join()).toMatch(/deeper than 64/);
    const big = new TextEncoder().encode(`<r>${'x'.repeat(5000)}</r>`);
    expect(parseXml(big, { bytes: 1000 }).problems[0]).toMatch(/first 1000 of/);
  });

  it('reads UTF-16 with a byte order mark, and keeps going past errors', () => {
    const text = '<r xmlns:m="urn:m"><m:e m:k="v"/></r>';
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) bytes[2 + i * 2] = text.charCodeAt(i);
    const doc = parseXml(bytes);
    expect(attr(doc.root!.children[0]!, 'k', 'urn:m')).toBe('v');
    expect(parseXml('<r><a></r>').problems.length).toBeGreaterThan(0);
    expect(parseXml('not xml at all').root).toBeNull();
  });
});
