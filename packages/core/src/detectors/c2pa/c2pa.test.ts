import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeTree, runDetector, scanTree } from '../../test-utils/index.js';
import { bmffBox, concatBytes, jpegFile, jpegJumbfSegments, pngChunk, pngFile } from '../xmp/builders.js';
import { CAWG_SPEC_EXAMPLE, jumbfBox, jumdBox, manifestStore, superbox } from './builders.js';
import { c2pa } from './index.js';
import { C2PA_UUID, parseJumbf } from './jumbf.js';
import { readManifestStore } from './manifest.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`fixtures/${name}`, import.meta.url)));
const run = (name: string, bytes: Uint8Array = fixture(name)) => runDetector(c2pa, `media/${name}`, bytes);
const store = (entries: Record<string, unknown>, label = 'cawg.training-mining') => manifestStore([{ label: 'urn:uuid:00000000-0000-4000-8000-000000000001', assertions: [{ label, value: { entries } }] }]);
const jpegWith = (s: Uint8Array) => jpegFile(...jpegJumbfSegments(s));
const summary = (out: Awaited<ReturnType<typeof run>>) => out.map((f) => [f.code, f.value['entry'] ?? f.value['rule'], f.value['reserved'] ?? '-']);

describe('c2pa detector on fixture files', () => {
  it('reads the CAWG specification example from a JPEG whose store spans three APP11 segments', async () => {
    const out = await run('cawg-spec-example.jpg');
    expect(summary(out)).toEqual([
      ['optout.c2pa.allowed', 'cawg.ai_training', 'no'],
      ['optout.c2pa.reserved', 'cawg.ai_generative_training', 'yes'],
      ['optout.c2pa.constrained', 'cawg.data_mining', 'unknown'],
    ]);
    expect(out[2]).toMatchObject({ value: { protocol: 'c2pa', level: 'file', validated: false, assertion: 'cawg.training-mining', constraint: "may only be mined on days whose names end in 'y'", container: 'jpeg', location: 'app11' } });
    expect(out[1]!.evidence.excerpt).toBe('cawg.training-mining cawg.ai_generative_training: notAllowed');
  });

  it('reads a PNG caBX chunk and an MP4 uuid box; only the active manifest counts', async () => {
    for (const name of ['not-allowed.png', 'not-allowed.mp4']) {
      const out = await run(name);
      // The ingredient manifest says ai_training allowed: it describes the ingredient, not this file.
      expect(summary(out)).toEqual([
        ['optout.c2pa.reserved', 'c2pa.ai_training', 'yes'],
        ['optout.c2pa.reserved', 'c2pa.ai_generative_training', 'yes'],
        ['optout.c2pa.reserved', 'c2pa.data_mining', 'yes'],
        ['c2pa.ai-inference', 'c2pa.ai_inference', '-'],
      ]);
      expect(out[0]!.value).toMatchObject({ manifests: 2, validated: false });
    }
  });

  it('reads a HEIF uuid box', async () => {
    expect(summary(await run('allowed.heic'))).toEqual([
      ['optout.c2pa.allowed', 'cawg.ai_training', 'no'],
      ['optout.c2pa.allowed', 'cawg.data_mining', 'no'],
    ]);
  });

  it('points the evidence into the file for a PNG store', async () => {
    const bytes = fixture('not-allowed.png');
    const [f] = await run('not-allowed.png', bytes);
    const near = Buffer.from(bytes.subarray(f!.evidence.byteOffset, f!.evidence.byteOffset! + 80)).toString('latin1');
    expect(near).toContain('jumb');
  });
});

describe('c2pa detector on built stores', () => {
  it('accepts instance suffixes and versions, and JSON content', async () => {
    const s = manifestStore([
      {
        label: 'urn:uuid:x',
        assertions: [
          { label: 'c2pa.training-mining__1', value: { entries: { 'c2pa.data_mining': { use: 'notAllowed' } } } },
          { label: 'cawg.training-mining.v2', value: { entries: { 'cawg.ai_training': { use: 'allowed' } } }, json: true },
          { label: 'c2pa.training-mining-notes', value: { entries: { 'c2pa.ai_training': { use: 'notAllowed' } } } },
        ],
      },
    ]);
    expect(summary(await run('a.jpg', jpegWith(s)))).toEqual([
      ['optout.c2pa.reserved', 'c2pa.data_mining', 'yes'],
      ['optout.c2pa.allowed', 'cawg.ai_training', 'no'],
    ]);
  });

  it('reports unknown uses, custom entries and a missing entries map', async () => {
    const out = await run('a.png', pngFile([pngChunk('caBX', store({ 'cawg.ai_training': { use: 'forbidden' }, 'com.example.no_robots': { use: 'notAllowed' }, 'cawg.data_mining': 'notAllowed' }))]));
    expect(summary(out)).toEqual([
      ['optout.c2pa.unrecognised', 'cawg.ai_training', 'unknown'],
      ['c2pa.custom-entry', 'com.example.no_robots', '-'],
      ['optout.c2pa.unrecognised', 'cawg.data_mining', 'unknown'],
    ]);
    const noEntries = manifestStore([{ label: 'm', assertions: [{ label: 'cawg.training-mining', value: { entry: {} } }] }]);
    expect(summary(await run('b.png', pngFile([pngChunk('caBX', noEntries)])))).toEqual([['optout.c2pa.unrecognised', 'cawg.training-mining: no entries map', 'unknown']]);
  });

  it('says nothing for stores without training-mining assertions, and for JUMBF that is not C2PA', async () => {
    const other = manifestStore([{ label: 'm', assertions: [{ label: 'c2pa.actions', value: { actions: [] } }] }]);
    expect(await run('a.jpg', jpegWith(other))).toEqual([]);
    const notC2pa = superbox('00112233445566778899aabbccddeeff', 'other', [jumbfBox('json', '{}')]);
    expect(await run('b.jpg', jpegWith(notC2pa))).toEqual([]);
  });

  it('parses the JUMBF tree and the store independently of the detector', () => {
    const s = store({ 'cawg.ai_training': { use: 'allowed' } });
    const parsed = parseJumbf(s);
    expect(parsed.problems).toEqual([]);
    expect(parsed.nodes[0]).toMatchObject({ kind: 'super', uuid: C2PA_UUID.store, label: 'c2pa' });
    expect(readManifestStore(s)).toMatchObject({ manifests: ['urn:uuid:00000000-0000-4000-8000-000000000001'], active: 'urn:uuid:00000000-0000-4000-8000-000000000001', problems: [] });
  });
});

describe('c2pa detector on hostile input', () => {
  it('a JUMBF box claiming 4 GB in APP11: no allocation, a notice', async () => {
    const huge = concatBytes(new Uint8Array([0xff, 0xff, 0xff, 0xff]), 'jumb', jumdBox(C2PA_UUID.store, 'c2pa'), new Uint8Array(64));
    const t = performance.now();
    const out = await run('a.jpg', jpegFile(...jpegJumbfSegments(huge)));
    expect(performance.now() - t).toBeLessThan(200);
    expect(out).toEqual([expect.objectContaining({ code: 'c2pa.manifest-unreadable', severity: 'warning', value: expect.objectContaining({ problem: 'too-large' }) })]);
  });

  it('a nested box whose length lies: unknown when a training-mining label was in the bytes', async () => {
    const good = store({ 'cawg.ai_training': { use: 'notAllowed' } });
    // Make the assertion store claim more bytes than its manifest holds.
    const at = Buffer.from(good).indexOf(Buffer.from('c2pa.assertions')) - 17 - 8 - 8;
    const lying = good.slice();
    new DataView(lying.buffer).setUint32(at, 0x00ffffff);
    expect(Buffer.from(lying.subarray(at + 4, at + 8)).toString('latin1')).toBe('jumb');
    const out = await run('a.png', pngFile([pngChunk('caBX', lying)]));
    expect(out).toEqual([expect.objectContaining({ code: 'optout.c2pa.unreadable', value: expect.objectContaining({ reserved: 'unknown', validated: false }) })]);
  });

  it('truncated segments: a store with a missing APP11 segment is unreadable, not half-read', async () => {
    const s = store({ 'cawg.ai_training': { use: 'allowed' } });
    const segs = jpegJumbfSegments(s, { piece: 200 });
    expect(segs.length).toBeGreaterThan(2);
    const out = await run('a.jpg', jpegFile(segs[0]!, ...segs.slice(2)));
    expect(out).toEqual([expect.objectContaining({ code: 'optout.c2pa.unreadable', value: expect.objectContaining({ problem: 'truncated' }) })]);
  });

  it('CBOR nesting bombs and lying CBOR lengths are refused quickly', async () => {
    const deep = new Uint8Array(200_000).fill(0x81); // [[[[…]]]]
    const lyingString = new Uint8Array([0xa1, 0x67, ...new TextEncoder().encode('entries'), 0x7a, 0xff, 0xff, 0xff, 0xff, 0x61]);
    const hugeArray = new Uint8Array([0xa1, 0x67, ...new TextEncoder().encode('entries'), 0x9b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]);
    for (const raw of [deep, lyingString, hugeArray]) {
      const s = manifestStore([{ label: 'm', assertions: [{ label: 'cawg.training-mining', raw }] }]);
      const t = performance.now();
      const out = await run('a.png', pngFile([pngChunk('caBX', s)]));
      expect(performance.now() - t).toBeLessThan(500);
      expect(out).toEqual([expect.objectContaining({ code: 'optout.c2pa.unreadable', value: expect.objectContaining({ reserved: 'unknown' }) })]);
      expect(String(out[0]!.value['problem'])).toMatch(/^cawg\.training-mining: CBOR: /);
    }
  });

  it('deeply nested superboxes and boxes shorter than their header end the parse', () => {
    let nested = jumbfBox('cbor', new Uint8Array([0xa0]));
    for (let i = 0; i < 40; i++) nested = superbox(C2PA_UUID.cbor, `l${i}`, [nested]);
    expect(parseJumbf(nested).problems).toContain('superboxes nested deeper than 16');
    expect(parseJumbf(concatBytes(new Uint8Array([0, 0, 0, 4]), 'jumb')).problems[0]).toMatch(/does not fit/);
    expect(parseJumbf(concatBytes(new Uint8Array([0, 0, 0, 1]), 'jumb', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).problems[0]).toMatch(/over 2\^53/);
    expect(parseJumbf(jumbfBox('jumb', jumbfBox('cbor', ''))).problems).toEqual(['superbox at 0 has no valid description box']);
  });

  it('a BMFF C2PA box with another purpose, or cut short, is skipped', async () => {
    const ftyp = bmffBox('ftyp', 'isom\0\0\0\0isom');
    const merkle = bmffBox('uuid', concatBytes(new Uint8Array(4), 'merkle\0', new Uint8Array(32)), 'd8fec3d61b0e483c92975828877ec481');
    expect(await run('a.mp4', concatBytes(ftyp, merkle))).toEqual([]);
    const real = fixture('not-allowed.mp4');
    expect((await run('b.mp4', real.subarray(0, real.length - 100))).filter((f) => f.category === 'opt-out')).toEqual([]);
  });
});

describe('c2pa end to end', () => {
  it('excludes a file whose active manifest forbids training; allows one that allows it', async () => {
    const tree = await makeTree({
      'README.md': '---\nlicense: cc0-1.0\n---\n',
      'media/forbidden.png': fixture('not-allowed.png'),
      'media/allowed.heic': fixture('allowed.heic'),
      'media/spec.jpg': fixture('cawg-spec-example.jpg'),
    });
    try {
      const { records } = await scanTree(tree.root);
      const forbidden = records.get('media/forbidden.png')!;
      expect(forbidden.verdict.decision).toBe('exclude');
      expect(forbidden.optOuts.filter((o) => o.protocol === 'c2pa').map((o) => o.reserved)).toEqual(['yes', 'yes', 'yes']);
      expect(records.get('media/allowed.heic')!.verdict.decision).toBe('allow');
      // generative training not allowed → a reservation in force under the default policy.
      expect(records.get('media/spec.jpg')!.verdict.decision).toBe('exclude');
      expect(CAWG_SPEC_EXAMPLE.entries['cawg.ai_generative_training'].use).toBe('notAllowed');
    } finally {
      await tree.cleanup();
    }
  });
});
