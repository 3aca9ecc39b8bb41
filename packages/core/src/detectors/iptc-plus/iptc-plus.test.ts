import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeTree, runDetector, scanTree } from '../../test-utils/index.js';
import { iptcPlus } from './index.js';
import { dataMiningMeaning } from './vocabulary.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`fixtures/${name}`, import.meta.url)));
const packetFile = (name: string) => readFileSync(new URL(`fixtures/packets/${name}`, import.meta.url), 'utf8');
const run = (name: string) => runDetector(iptcPlus, `images/${name}`, fixture(name));
const V = 'http://ns.useplus.org/ldf/vocab/';

/** A JPEG with one APP1 XMP segment holding `xml` (and nothing else), as exiftool lays it out. */
function jpegWith(xml: string): Uint8Array {
  const sig = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');
  const body = Buffer.concat([sig, Buffer.from(xml, 'utf8')]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
  return new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xd8]), app1, Buffer.from([0xff, 0xda, 0x00, 0x02, 0xff, 0xd9])]));
}
const packet = (description: string) =>
  `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${description}</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;

describe('PLUS Data Mining vocabulary', () => {
  it('maps every value of the vocabulary, with or without its URI prefix', () => {
    const table = Object.fromEntries(
      [
        'DMI-PROHIBITED',
        'DMI-PROHIBITED-AIMLTRAINING',
        'DMI-PROHIBITED-GENAIMLTRAINING',
        'DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING',
        'DMI-PROHIBITED-SEECONSTRAINT',
        'DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR',
        'DMI-PROHIBITED-SEELINKEDRIGHTSEXPR',
        'DMI-ALLOWED',
        'DMI-UNSPECIFIED',
      ].map((k) => [k, dataMiningMeaning(V + k).reserved]),
    );
    expect(table).toEqual({
      'DMI-PROHIBITED': 'yes',
      'DMI-PROHIBITED-AIMLTRAINING': 'yes',
      'DMI-PROHIBITED-GENAIMLTRAINING': 'yes',
      'DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING': 'yes',
      'DMI-PROHIBITED-SEECONSTRAINT': 'unknown',
      'DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR': 'unknown',
      'DMI-PROHIBITED-SEELINKEDRIGHTSEXPR': 'unknown',
      'DMI-ALLOWED': 'no',
      'DMI-UNSPECIFIED': 'no',
    });
    expect(dataMiningMeaning(' dmi-prohibited ')).toMatchObject({ key: 'DMI-PROHIBITED', reserved: 'yes' });
    expect(dataMiningMeaning('https://ns.useplus.org/ldf/vocab/DMI-ALLOWED')).toMatchObject({ key: 'DMI-ALLOWED', kind: 'allowed' });
    expect(dataMiningMeaning('DMI-UNSPECIFIED').kind).toBe('unspecified');
    expect(dataMiningMeaning('Prohibited for AI/ML training')).toMatchObject({ key: null, kind: 'unrecognised', reserved: 'unknown' });
    expect(dataMiningMeaning('http://example.org/vocab/DMI-PROHIBITED')).toMatchObject({ key: null, kind: 'unrecognised' });
  });
});

describe('iptc-plus detector on files written by exiftool', () => {
  it.each([
    ['prohibited.jpg', 'optout.iptc-plus.reserved', 'yes', 'DMI-PROHIBITED', 'jpeg', 'app1'],
    ['aiml-training.png', 'optout.iptc-plus.reserved', 'yes', 'DMI-PROHIBITED-AIMLTRAINING', 'png', 'iTXt'],
    ['aiml-training-compressed.png', 'optout.iptc-plus.reserved', 'yes', 'DMI-PROHIBITED-AIMLTRAINING', 'png', 'iTXt'],
    ['genai-training.tif', 'optout.iptc-plus.reserved', 'yes', 'DMI-PROHIBITED-GENAIMLTRAINING', 'tiff', 'tag-700'],
    ['except-search.webp', 'optout.iptc-plus.reserved', 'yes', 'DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING', 'webp', 'XMP-chunk'],
    ['see-constraint.gif', 'optout.iptc-plus.constrained', 'unknown', 'DMI-PROHIBITED-SEECONSTRAINT', 'gif', 'application-extension'],
    ['allowed.heic', 'optout.iptc-plus.allowed', 'no', 'DMI-ALLOWED', 'heif', 'mime-item'],
    ['unspecified.avif', 'optout.iptc-plus.unspecified', 'no', 'DMI-UNSPECIFIED', 'heif', 'mime-item'],
    ['prohibited.mp4', 'optout.iptc-plus.reserved', 'yes', 'DMI-PROHIBITED', 'mp4', 'uuid'],
    ['prohibited.pdf', 'optout.iptc-plus.reserved', 'yes', 'DMI-PROHIBITED', 'pdf', 'metadata-stream'],
    ['bare-key-shorthand.jpg', 'optout.iptc-plus.reserved', 'yes', 'DMI-PROHIBITED-AIMLTRAINING', 'jpeg', 'app1'],
    ['other-prefix-resource.jpg', 'optout.iptc-plus.reserved', 'yes', 'DMI-PROHIBITED-GENAIMLTRAINING', 'jpeg', 'app1'],
  ])('%s → %s', async (name, code, reserved, key, container, location) => {
    const out = await run(name);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      code,
      category: 'opt-out',
      value: { protocol: 'iptc-plus', reserved, level: 'file', key, rule: `plus:DataMining ${key}`, container, location },
      scope: { kind: 'file', root: `images/${name}` },
    });
    expect(out[0]!.evidence.excerpt).toContain(key);
  });

  it('points the evidence at the property inside the file (uncompressed packets)', async () => {
    const bytes = fixture('prohibited.jpg');
    const [f] = await runDetector(iptcPlus, 'a.jpg', bytes);
    const at = f!.evidence.byteOffset!;
    const around = Buffer.from(bytes.subarray(Math.max(0, at - 120), at + 40)).toString('latin1');
    expect(around).toContain('DataMining');
  });

  it('reports the constraint text a SEE value points to', async () => {
    const [gif] = await run('see-constraint.gif');
    expect(gif!.value).toMatchObject({ constraint: 'Training of generative models requires a licence from licensing@example.org' });
    const [jpg] = await run('see-embedded-rights.jpg');
    expect(jpg).toMatchObject({ code: 'optout.iptc-plus.constrained', value: { reserved: 'unknown', rightsExpressionType: 'application/ld+json' } });
    expect(String(jpg!.value['rightsExpression'])).toContain('"action":"ai-train"');
  });

  it('reports a display label as unrecognised, not as a reservation', async () => {
    expect(await run('label-not-value.jpg')).toEqual([
      expect.objectContaining({ code: 'optout.iptc-plus.unrecognised', severity: 'warning', value: expect.objectContaining({ reserved: 'unknown', written: 'Prohibited for AI/ML training' }) }),
    ]);
  });

  it('reads by namespace URI, not by prefix', async () => {
    // `plus:` bound to another URI is not PLUS; exiftool agrees (it shows the tag as XMP-tmp0).
    expect(await run('wrong-namespace.jpg')).toEqual([]);
    expect(await run('no-plus.jpg')).toEqual([]);
  });

  it('reads the attribute form, rdf:resource, Bag items and a default namespace', async () => {
    const attr = jpegWith(packet(`<rdf:Description rdf:about="" xmlns:q="http://ns.useplus.org/ldf/xmp/1.0/" q:DataMining="${V}DMI-PROHIBITED"/>`));
    expect((await runDetector(iptcPlus, 'a.jpg', attr)).map((f) => f.value['key'])).toEqual(['DMI-PROHIBITED']);
    const bag = jpegWith(packet(`<rdf:Description rdf:about=""><DataMining xmlns="http://ns.useplus.org/ldf/xmp/1.0/"><rdf:Bag><rdf:li>DMI-ALLOWED</rdf:li><rdf:li rdf:resource="${V}DMI-PROHIBITED-AIMLTRAINING"/></rdf:Bag></DataMining></rdf:Description>`));
    expect((await runDetector(iptcPlus, 'a.jpg', bag)).map((f) => [f.code, f.value['reserved']])).toEqual([
      ['optout.iptc-plus.allowed', 'no'],
      ['optout.iptc-plus.reserved', 'yes'],
    ]);
  });

  it('reports other constraints alone as a notice', async () => {
    const bytes = jpegWith(packet(`<rdf:Description rdf:about="" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"><plus:OtherConstraints><rdf:Alt><rdf:li xml:lang="fr">Pas d'IA</rdf:li><rdf:li xml:lang="x-default">No AI training</rdf:li></rdf:Alt></plus:OtherConstraints></rdf:Description>`));
    expect(await runDetector(iptcPlus, 'a.jpg', bytes)).toEqual([expect.objectContaining({ code: 'iptc.other-constraints', category: 'notice', value: expect.objectContaining({ text: 'No AI training' }) })]);
  });

  it('says unknown for a broken packet that uses the PLUS namespace, and nothing for one that cannot', async () => {
    const broken = jpegWith(packet(`<rdf:Description rdf:about="" xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"><plus:DataMining>${V}DMI-PROHIBITED</plus:DataMining>`));
    expect(await runDetector(iptcPlus, 'a.jpg', broken)).toEqual([
      expect.objectContaining({ code: 'optout.iptc-plus.unreadable', severity: 'warning', value: expect.objectContaining({ reserved: 'unknown', problem: 'malformed' }) }),
    ]);
    const brokenOther = jpegWith(packet('<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:rights>x</dc:rights>'));
    expect(await runDetector(iptcPlus, 'a.jpg', brokenOther)).toEqual([]);
  });

  it('refuses entity expansion (billion laughs) quickly, as an unreadable packet', async () => {
    const lol = ['<!DOCTYPE lolz [<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`), ']>'].join('');
    const xml = `<?xml version="1.0"?>${lol}<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/"><plus:DataMining>&lol9;</plus:DataMining></rdf:Description></rdf:RDF></x:xmpmeta>`;
    const started = performance.now();
    const out = await runDetector(iptcPlus, 'a.jpg', jpegWith(xml));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(out).toEqual([expect.objectContaining({ code: 'optout.iptc-plus.unreadable', value: expect.objectContaining({ problem: 'doctype' }) })]);
  });

  it('applies a sidecar to its own image only', async () => {
    const sidecar = fixture('sidecar-photo.xmp');
    const [f] = await runDetector(iptcPlus, 'shoot/sidecar-photo.xmp', sidecar);
    expect(f).toMatchObject({ code: 'optout.iptc-plus.reserved', scope: { kind: 'subtree', root: 'shoot' }, value: { sidecarFor: 'sidecar-photo', container: 'raw' } });
    const finding = { ...f!, severity: 'info' as const, url: f!.url } as Parameters<NonNullable<typeof iptcPlus.forPath>>[0];
    expect(iptcPlus.forPath!(finding, 'shoot/sidecar-photo.jpg')).not.toBeNull();
    expect(iptcPlus.forPath!(finding, 'shoot/sidecar-photo.CR2')).not.toBeNull();
    expect(iptcPlus.forPath!(finding, 'shoot/other.jpg')).toBeNull();
    expect(iptcPlus.forPath!(finding, 'shoot/deeper/sidecar-photo.jpg')).toBeNull();
    expect(iptcPlus.forPath!(finding, 'shoot/sidecar-photo.jpg.bak.jpg')).toBeNull();
  });

  it('keeps the hand-written packet sources next to the fixtures made from them', () => {
    expect(packetFile('wrong-namespace.xml')).toContain("xmlns:plus='http://example.org/not-plus/'");
  });
});

describe('iptc-plus end to end', () => {
  it('excludes prohibited images, allows allowed ones, reviews constrained ones (default policy)', async () => {
    const licence = '---\nlicense: cc-by-4.0\n---\n# Photos\n';
    const tree = await makeTree({
      'photos/README.md': licence,
      'photos/prohibited.jpg': fixture('prohibited.jpg'),
      'photos/aiml.png': fixture('aiml-training.png'),
      'photos/allowed.heic': fixture('allowed.heic'),
      'photos/unspecified.avif': fixture('unspecified.avif'),
      'photos/see-constraint.gif': fixture('see-constraint.gif'),
      'photos/plain.jpg': fixture('no-plus.jpg'),
      'photos/shoot/sidecar-photo.jpg': fixture('no-plus.jpg'),
      'photos/shoot/sidecar-photo.xmp': fixture('sidecar-photo.xmp'),
      'photos/shoot/neighbour.jpg': fixture('no-plus.jpg'),
    });
    try {
      const { records } = await scanTree(tree.root);
      const verdict = (p: string) => records.get(`photos/${p}`)!.verdict.decision;
      expect(verdict('prohibited.jpg')).toBe('exclude');
      expect(verdict('aiml.png')).toBe('exclude');
      expect(verdict('allowed.heic')).toBe('allow');
      expect(verdict('unspecified.avif')).toBe('allow');
      expect(verdict('see-constraint.gif')).toBe('review');
      expect(verdict('plain.jpg')).toBe('allow');
      expect(verdict('shoot/sidecar-photo.jpg')).toBe('exclude');
      expect(verdict('shoot/neighbour.jpg')).toBe('allow');
      const prohibited = records.get('photos/prohibited.jpg')!;
      expect(prohibited.optOuts).toEqual([expect.objectContaining({ protocol: 'iptc-plus', reserved: 'yes', level: 'file', code: 'optout.iptc-plus.reserved', rule: 'plus:DataMining DMI-PROHIBITED' })]);
      expect(prohibited.verdict.reasons).toContainEqual(expect.objectContaining({ code: 'optout.reserved', decision: 'exclude' }));
      expect(records.get('photos/allowed.heic')!.optOuts).toEqual([expect.objectContaining({ reserved: 'no', code: 'optout.iptc-plus.allowed' })]);
      expect(records.get('photos/see-constraint.gif')!.verdict.reasons).toContainEqual(expect.objectContaining({ code: 'optout.unknown', decision: 'review' }));
      expect(records.get('photos/shoot/sidecar-photo.jpg')!.optOuts).toEqual([expect.objectContaining({ protocol: 'iptc-plus', reserved: 'yes', scope: { kind: 'subtree', root: 'photos/shoot' } })]);
    } finally {
      await tree.cleanup();
    }
  });
});
