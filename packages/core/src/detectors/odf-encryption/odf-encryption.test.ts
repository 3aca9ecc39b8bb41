import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { buildZip } from '../zip-common/testing.js';
import { odfEncryption } from './index.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const read = (name: string) => readFileSync(path.join(fixtures, name));
const NS = 'urn:oasis:names:tc:opendocument:xmlns:manifest:1.0';

function odt(manifest: string | Uint8Array, method = 8): Uint8Array {
  return buildZip([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', method: 0 },
    { name: 'content.xml', data: new Uint8Array(64).fill(7) },
    { name: 'META-INF/manifest.xml', data: manifest, method },
  ]);
}

const entry = (cipher: string, derivation: string) =>
  `<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="${cipher}" manifest:initialisation-vector="AAAA"/><manifest:key-derivation manifest:key-derivation-name="${derivation}" manifest:iteration-count="1024" manifest:salt="AAAA"/></manifest:encryption-data></manifest:file-entry>`;
const manifest = (...entries: string[]) => `<?xml version="1.0"?><manifest:manifest xmlns:manifest="${NS}"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>${entries.join('')}</manifest:manifest>`;

describe('odf-encryption detector', () => {
  it('covers every fixture', () => {
    expect(readdirSync(fixtures).sort()).toEqual(['libreoffice-encrypted.ods', 'libreoffice-encrypted.odt', 'libreoffice-plain.odt']);
  });

  it.each(['libreoffice-encrypted.odt', 'libreoffice-encrypted.ods'])('finds the encryption of %s saved with a password by LibreOffice 7.4', async (file) => {
    const out = await runDetector(odfEncryption, file, read(file));
    expect(out).toEqual([
      expect.objectContaining({
        code: 'tpm.odf.encrypted',
        category: 'tpm',
        value: expect.objectContaining({ format: 'odf', scheme: 'AES-256-CBC', needsSecret: true, denied: [], keyDerivation: ['PBKDF2'], openPgp: false }),
      }),
    ]);
    expect(out[0]!.value.encryptedMembers).toBe(out[0]!.value.members);
    expect(out[0]!.evidence.byteOffset).toBeGreaterThan(0);
  });

  it('reports nothing for a document saved without a password', async () => {
    expect(await runDetector(odfEncryption, 'a.odt', read('libreoffice-plain.odt'))).toEqual([]);
  });

  it('names old Blowfish and new AES-GCM / Argon2id encryption', async () => {
    const blowfish = await runDetector(odfEncryption, 'a.odt', odt(manifest(entry('Blowfish CFB', 'PBKDF2'))));
    expect(blowfish[0]!.value).toMatchObject({ scheme: 'Blowfish CFB', keyDerivation: ['PBKDF2'], encryptedMembers: 1, members: 1 });
    const gcm = await runDetector(odfEncryption, 'a.odt', odt(manifest(entry('http://www.w3.org/2009/xmlenc11#aes256-gcm', 'urn:org:documentfoundation:names:experimental:office:manifest:argon2id'))));
    expect(gcm[0]!.value).toMatchObject({ scheme: 'AES-256-GCM', keyDerivation: ['Argon2id'] });
  });

  it('reads OpenOffice-era manifests that bind the manifest prefix only in their external DTD', async () => {
    // As in LibreOffice's own templates (share/template/common/wizard/fax/*.ott).
    const old = `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE manifest:manifest PUBLIC "-//OpenOffice.org//DTD Manifest 1.0//EN" "Manifest.dtd">\n<manifest:manifest><manifest:file-entry manifest:media-type="application/vnd.oasis.opendocument.text-template" manifest:full-path="/"/>`;
    expect(await runDetector(odfEncryption, 'a.ott', odt(`${old}<manifest:file-entry manifest:media-type="text/xml" manifest:full-path="content.xml"/></manifest:manifest>`))).toEqual([]);
    const encrypted = await runDetector(odfEncryption, 'b.ott', odt(`${old}${entry('Blowfish CFB', 'PBKDF2')}</manifest:manifest>`));
    expect(encrypted.map((f) => f.code)).toEqual(['tpm.odf.encrypted']);
  });

  it('warns on a manifest zip bomb, quickly', async () => {
    const bomb = new Uint8Array(deflateRawSync(new Uint8Array(100 * 1024 * 1024), { level: 9 }));
    const bytes = odt(bomb, 99);
    const v = new DataView(bytes.buffer);
    for (let i = 0; i + 4 <= bytes.length; i++) {
      if (v.getUint32(i, true) === 0x04034b50 && v.getUint16(i + 8, true) === 99) v.setUint16(i + 8, 8, true);
      if (v.getUint32(i, true) === 0x02014b50 && v.getUint16(i + 10, true) === 99) v.setUint16(i + 10, 8, true);
    }
    const t0 = performance.now();
    const out = await runDetector(odfEncryption, 'bomb.odt', bytes);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(out).toEqual([expect.objectContaining({ code: 'odf.unreadable-manifest', severity: 'warning' })]);
  });

  it('never expands entities in the manifest, and still reads what it declares', async () => {
    const laughs = `<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${manifest(entry('&c;', 'PBKDF2'))}`;
    const out = await runDetector(odfEncryption, 'l.odt', odt(laughs));
    expect(out.map((f) => f.code)).toEqual(['tpm.odf.encrypted', 'odf.unreadable-manifest']);
    expect(out[1]!.value.problem).toMatch(/DOCTYPE/);
  });

  it('warns on a manifest that is not one, and ignores truncated packages', async () => {
    expect((await runDetector(odfEncryption, 'n.odt', odt('<html/>')))[0]!.code).toBe('odf.unreadable-manifest');
    const real = read('libreoffice-encrypted.odt');
    expect(await runDetector(odfEncryption, 'cut.odt', real.subarray(0, real.length - 50))).toEqual([]);
  });
});
