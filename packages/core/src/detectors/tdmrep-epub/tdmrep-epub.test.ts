import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sniff } from '../../engine/media-type.js';
import { runDetector } from '../../test-utils/index.js';
import { buildZip, runAsLargeFile, type BuildMember } from '../zip-common/testing.js';
import { tdmrepEpub } from './index.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name));

const CONTAINER = '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OPS/book.opf" media-type="application/oebps-package+xml"/></rootfiles></container>';
const opf = (pkgAttrs: string, metas: string, version = '3.0') =>
  `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="${version}" unique-identifier="u" ${pkgAttrs}><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="u">x</dc:identifier><dc:title>T</dc:title>${metas}</metadata><manifest/><spine/></package>`;
const epub = (opfText: string, before: BuildMember[] = [], after: BuildMember[] = []) =>
  buildZip([{ name: 'mimetype', data: 'application/epub+zip', method: 0 }, ...before, { name: 'META-INF/container.xml', data: CONTAINER }, { name: 'OPS/book.opf', data: opfText }, ...after]);
const reservedOf = async (bytes: Uint8Array) => {
  const out = await runDetector(tdmrepEpub, 'b.epub', bytes);
  return out.map((f) => [f.code, (f.value as { reserved?: string }).reserved ?? null, (f.value as { problems?: string[] }).problems ?? []]);
};

describe('tdmrep-epub detector', () => {
  it('reads EPUB 3 and EPUB 2 package documents made with zip(1), and says nothing without TDMRep metadata', async () => {
    const e3 = fixture('epub3-reserved.epub');
    expect((await sniff(e3, 'epub3-reserved.epub', e3.length)).mediaType).toBe('application/epub+zip');
    expect(await runDetector(tdmrepEpub, 'books/e3.epub', e3)).toEqual([
      expect.objectContaining({
        code: 'optout.tdmrep.epub',
        category: 'opt-out',
        value: { protocol: 'tdmrep', reserved: 'yes', level: 'file', rule: '<meta property="tdm:reservation">1</meta>', packageDocument: 'OEBPS/content.opf', epubVersion: '3.0', policy: 'https://books.kelmouth.example/policies/tdm.json' },
        evidence: expect.objectContaining({ path: 'books/e3.epub', byteOffset: expect.any(Number), excerpt: 'OEBPS/content.opf: <meta property="tdm:reservation">1</meta>' }),
        scope: { kind: 'file', root: 'books/e3.epub' },
      }),
    ]);
    const e2 = await runDetector(tdmrepEpub, 'e2.epub', fixture('epub2-not-reserved.epub'));
    // EPUB 2 has no prefix attribute, and the report's example binds tdm: nowhere: read, with the problem noted.
    expect(e2).toEqual([expect.objectContaining({ value: expect.objectContaining({ reserved: 'no', epubVersion: '2.0', rule: '<meta name="tdm:reservation" content="0"/>', problems: [expect.stringContaining('bound to no namespace')] }) })]);
    expect(await runDetector(tdmrepEpub, 'n.epub', fixture('no-tdm.epub'))).toEqual([]);
  });

  it('reads the package document of a large EPUB through ranges, reading little of it', async () => {
    // The container and the package document lie between two large images: in neither the head nor the tail.
    const images = (n: number): BuildMember => ({ name: `OPS/images/${n}.jpg`, data: randomBytes(2 * 1024 * 1024), method: 0 });
    const bytes = epub(opf('prefix="tdm: http://www.w3.org/ns/tdmrep#"', '<meta property="tdm:reservation">1</meta>'), [images(1)], [images(2)]);
    const { findings, rangesRead, bytesRead } = await runAsLargeFile(tdmrepEpub, 'big.epub', bytes);
    expect(findings).toEqual([expect.objectContaining({ code: 'optout.tdmrep.epub', value: expect.objectContaining({ reserved: 'yes' }) })]);
    expect(rangesRead).toBeGreaterThan(0);
    expect(bytesRead).toBeLessThan(300 * 1024);
  });

  it('matches properties by namespace, not by prefix', async () => {
    expect(await reservedOf(epub(opf('prefix="t: http://www.w3.org/ns/tdmrep#"', '<meta property="t:reservation">1</meta>')))).toEqual([['optout.tdmrep.epub', 'yes', []]]);
    expect(await reservedOf(epub(opf('prefix="tdm: http://example.org/other#"', '<meta property="tdm:reservation">1</meta>')))).toEqual([]);
    expect(await reservedOf(epub(opf('prefix="tdm: http://www.w3.org/ns/tdmrep/"', '<meta property="tdm:reservation">1</meta>')))).toEqual([['optout.tdmrep.epub', 'yes', [expect.stringContaining('not http://www.w3.org/ns/tdmrep#')]]]);
    expect(await reservedOf(epub(opf('xmlns:tdm="http://www.w3.org/ns/tdmrep#"', '<meta name="tdm:reservation" content="1"/>', '2.0')))).toEqual([['optout.tdmrep.epub', 'yes', []]]);
  });

  it('reports odd values as unknown, and disagreeing properties as unknown', async () => {
    const p = 'prefix="tdm: http://www.w3.org/ns/tdmrep#"';
    expect(await reservedOf(epub(opf(p, '<meta property="tdm:reservation">true</meta>')))).toEqual([['optout.tdmrep.epub', 'unknown', [expect.stringContaining('neither 1 nor 0')]]]);
    expect(await reservedOf(epub(opf(p, '<meta property="tdm:reservation">1</meta><meta property="tdm:reservation">0</meta>')))).toEqual([['optout.tdmrep.epub', 'unknown', ['several tdm:reservation properties that disagree']]]);
  });

  it('says when the package document cannot be read, and survives hostile archives', async () => {
    const noOpf = buildZip([{ name: 'mimetype', data: 'application/epub+zip', method: 0 }, { name: 'META-INF/container.xml', data: CONTAINER }]);
    expect(await runDetector(tdmrepEpub, 'x.epub', noOpf)).toEqual([expect.objectContaining({ code: 'optout.tdmrep.epub-unreadable', severity: 'warning' })]);
    const bomb = epub(`<package xmlns="http://www.idpf.org/2007/opf">${' '.repeat(20 * 1024 * 1024)}</package>`);
    expect(bomb.length).toBeLessThan(200 * 1024);
    expect(await runDetector(tdmrepEpub, 'bomb.epub', bomb)).toEqual([expect.objectContaining({ code: 'optout.tdmrep.epub-unreadable', value: { problem: expect.stringMatching(/more than 1048576/) } })]);
    const laughs = epub(`<?xml version="1.0"?><!DOCTYPE package [<!ENTITY a "1111111111"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${opf('prefix="tdm: http://www.w3.org/ns/tdmrep#"', '<meta property="tdm:reservation">&b;</meta>').replace('<?xml version="1.0"?>', '')}`);
    const started = performance.now();
    const out = await runDetector(tdmrepEpub, 'l.epub', laughs);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(out.map((f) => (f.value as { reserved?: string }).reserved)).not.toContain('yes');
    expect(await runDetector(tdmrepEpub, 'z.epub', new Uint8Array(1000))).toEqual([]);
    const deep = epub(opf('', `${'<x>'.repeat(10_000)}${'</x>'.repeat(10_000)}`));
    // Either the ratio limit refuses it or the parser stops at its depth limit: never a reservation, never a hang.
    expect((await runDetector(tdmrepEpub, 'd.epub', deep)).map((f) => f.code)).not.toContain('optout.tdmrep.epub');
  });
});
