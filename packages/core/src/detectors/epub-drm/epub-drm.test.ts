import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { buildZip, runAsLargeFile, type BuildMember } from '../zip-common/testing.js';
import { epubDrm } from './index.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const read = (name: string) => readFileSync(path.join(fixtures, name));
const ENC_HEAD = '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">';

type Expect = { code: string; system?: string; scheme?: string; denied?: string[]; severity?: string } | null;
const EXPECTED: Record<string, Expect[]> = {
  'plain.epub': [],
  'empty-rights.epub': [],
  'w3c-font-obfuscation.epub': [{ code: 'epub.font-obfuscation', severity: 'info' }],
  'obfuscated-chapter.epub': [{ code: 'epub.font-obfuscation', severity: 'warning' }],
  'encryption-unknown.epub': [{ code: 'tpm.epub.encrypted', scheme: 'AES-128 key wrap', denied: [] }],
  'lcp-denies-print-copy.epub': [{ code: 'tpm.epub.drm', system: 'Readium LCP', scheme: 'AES-256-CBC', denied: ['print', 'copy'] }],
  'lcp-limits.epub': [{ code: 'tpm.epub.drm', system: 'Readium LCP', scheme: 'AES-256-CBC', denied: [] }],
  'adept.epub': [{ code: 'tpm.epub.drm', system: 'Adobe ADEPT', scheme: 'AES-128-CBC', denied: ['print'] }],
  'fairplay.epub': [{ code: 'tpm.epub.drm', system: 'Apple FairPlay', scheme: 'AES-128-CBC', denied: [] }],
  'kobo.kepub.epub': [{ code: 'tpm.epub.undeclared-encryption', system: 'Kobo KDRM', denied: [] }],
};

function epub(members: BuildMember[]): Uint8Array {
  return buildZip([{ name: 'mimetype', data: 'application/epub+zip', method: 0 }, { name: 'META-INF/container.xml', data: '<container/>' }, ...members]);
}

describe('epub-drm detector', () => {
  it('has an expectation for every EPUB fixture', () => {
    expect(readdirSync(fixtures).filter((f) => f.endsWith('.epub')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', async (file, expected) => {
    const out = await runDetector(epubDrm, file, read(file));
    expect(out.map((f) => f.code)).toEqual(expected.map((e) => e!.code));
    for (const [i, e] of expected.entries()) {
      const f = out[i]!;
      if (e!.severity) expect(f.severity).toBe(e!.severity);
      if (e!.code.startsWith('tpm.')) {
        expect(f).toMatchObject({ category: 'tpm', value: { format: 'epub', needsSecret: true, denied: e!.denied } });
        if (e!.system) expect(f.value.system).toBe(e!.system);
        else expect(f.value.system).toBeUndefined();
        if (e!.scheme) expect(f.value.scheme).toBe(e!.scheme);
        expect(f.evidence.byteOffset).toBeGreaterThan(0);
      }
    }
  });

  it('keeps the LCP limits that restrict without denying', async () => {
    const out = await runDetector(epubDrm, 'a.epub', read('lcp-limits.epub'));
    expect(out[0]!.value.limits).toMatchObject({ print: 10, copy: 2048, end: '2026-01-01T00:00:00Z' });
  });

  it('reads the corpus encryption.xml files as the EPUB test suites mean them', async () => {
    const obfuscation = await runDetector(epubDrm, 'o.epub', epub([{ name: 'META-INF/encryption.xml', data: read('epubcheck-obfuscation.encryption.xml') }, { name: 'EPUB/obfuscated-font.otf', data: 'x' }]));
    expect(obfuscation.map((f) => f.code)).toEqual(['epub.font-obfuscation']);
  });

  it('names no Kobo system for an undeclared-encryption EPUB that is not a kepub', async () => {
    const out = await runDetector(epubDrm, 'book.epub', read('kobo.kepub.epub'));
    expect(out).toEqual([expect.objectContaining({ code: 'tpm.epub.undeclared-encryption' })]);
    expect(out[0]!.value.system).toBeUndefined();
  });

  it('reads the directory and metadata of a large EPUB through ranges', async () => {
    const filler: BuildMember[] = Array.from({ length: 3000 }, (_, i) => ({ name: `EPUB/images/figure-${String(i).padStart(4, '0')}.png`, data: new Uint8Array(200).fill(i % 251), method: 0 }));
    // The metadata after 600 KB of images: neither in the head nor in the tail.
    const bytes = epub([
      ...filler,
      { name: 'META-INF/license.lcpl', data: JSON.stringify({ rights: { print: 0 } }) },
      { name: 'META-INF/encryption.xml', data: `${ENC_HEAD}<enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/><enc:CipherData><enc:CipherReference URI="EPUB/c.xhtml"/></enc:CipherData></enc:EncryptedData></encryption>` },
      ...filler.map((f) => ({ ...f, name: f.name.replace('figure', 'plate') })),
    ]);
    const { findings, rangesRead } = await runAsLargeFile(epubDrm, 'big.epub', bytes, { tail: 64 * 1024 });
    expect(rangesRead).toBeGreaterThan(1);
    expect(findings).toEqual([expect.objectContaining({ code: 'tpm.epub.drm', value: expect.objectContaining({ system: 'Readium LCP', denied: ['print'], encryptedResources: 1 }) })]);
  });

  it('stops a zip bomb in encryption.xml at the cap and warns', async () => {
    const bomb = new Uint8Array(deflateRawSync(new Uint8Array(200 * 1024 * 1024), { level: 9 }));
    const bytes = epub([{ name: 'META-INF/encryption.xml', data: bomb, method: 99 }]);
    // Mark the member deflated: buildZip wrote the deflate stream as is, declaring its real sizes.
    const view = new DataView(bytes.buffer);
    for (let i = 0; i + 4 <= bytes.length; i++) {
      const sig = view.getUint32(i, true);
      if (sig === 0x04034b50 && view.getUint16(i + 8, true) === 99) view.setUint16(i + 8, 8, true);
      if (sig === 0x02014b50 && view.getUint16(i + 10, true) === 99) view.setUint16(i + 10, 8, true);
    }
    const t0 = performance.now();
    const out = await runDetector(epubDrm, 'bomb.epub', bytes);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(out).toEqual([expect.objectContaining({ code: 'epub.unreadable-metadata', severity: 'warning', value: { problems: [expect.stringMatching(/encryption\.xml: .*(inflates past|declares)/)] } })]);
  });

  it('never expands entities in encryption.xml or rights.xml', async () => {
    const levels = Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('');
    const laughs = `<?xml version="1.0"?><!DOCTYPE encryption [<!ENTITY l0 "lol">${levels}]>${ENC_HEAD}<enc:EncryptedData><enc:EncryptionMethod Algorithm="&l9;"/><enc:CipherData><enc:CipherReference URI="EPUB/c.xhtml"/></enc:CipherData></enc:EncryptedData></encryption>`;
    const t0 = performance.now();
    const out = await runDetector(epubDrm, 'laughs.epub', epub([{ name: 'META-INF/encryption.xml', data: laughs }, { name: 'META-INF/rights.xml', data: `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>` }]));
    expect(performance.now() - t0).toBeLessThan(1000);
    // The resource is still declared encrypted (its algorithm is the unexpanded reference), and the DOCTYPE is reported.
    expect(out.map((f) => f.code)).toEqual(['tpm.epub.encrypted', 'epub.unreadable-metadata']);
    expect((out[1]!.value.problems as string[]).join()).toMatch(/DOCTYPE/);
  });

  it('does nothing with truncated containers (the zip-encryption detector reports those) and never throws', async () => {
    const real = read('lcp-denies-print-copy.epub');
    expect(await runDetector(epubDrm, 'cut.epub', real.subarray(0, real.length - 100))).toEqual([]);
    expect(await runDetector(epubDrm, 'x.epub', 'not a zip')).toEqual([]);
    // A licence that is not JSON still names the system.
    const broken = await runDetector(epubDrm, 'l.epub', epub([{ name: 'META-INF/license.lcpl', data: '{not json' }]));
    expect(broken.map((f) => f.code)).toEqual(['tpm.epub.drm', 'epub.unreadable-metadata']);
  });
});
