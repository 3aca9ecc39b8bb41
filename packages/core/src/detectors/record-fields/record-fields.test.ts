import { readFileSync } from 'node:fs';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { makeTree, openContainer, runDetector, scanTree } from '../../test-utils/index.js';
import { builtinContainers } from '../../containers/index.js';
import { jsonl } from '../../containers/jsonl/index.js';
import { csv } from '../../containers/csv/index.js';
import type { FindingInput } from '../../schema/finding.js';
import { builtinDetectors } from '../index.js';
import { applyFieldMap, fieldMapColumns, loadFieldMap, recordFields, recordFieldsDetector, resolveFieldMap, DEFAULT_FIELD_MAP } from './index.js';

const containerFixture = (dir: string, name: string) => new Uint8Array(readFileSync(new URL(`../../containers/${dir}/fixtures/${name}`, import.meta.url)));

/** Runs the detector on one record's fields as the engine does for a row. */
function onFields(fields: Record<string, unknown>, detector = recordFields, p = 'part.jsonl#row=0'): Promise<FindingInput[]> {
  return Promise.resolve(runDetector(detector, p, '', { entry: { path: p, size: 0, fields } }));
}

/** The findings of every row of a container fixture, by row path. */
async function rows(container: typeof jsonl, dir: string, name: string): Promise<Map<string, FindingInput[]>> {
  const { members } = await openContainer(container, name, containerFixture(dir, name));
  const out = new Map<string, FindingInput[]>();
  for (const m of members) out.set(m.entry.path, m.entry.fields ? await onFields(m.entry.fields, recordFields, `${name}#${m.entry.path}`) : []);
  return out;
}

const brief = (fs: FindingInput[]) => fs.map((f) => `${f.code} ${JSON.stringify(f.value)}`);

describe('record-fields detector', () => {
  it('matches entries with fields only, reads no bytes', () => {
    expect(recordFields.match.entry?.({ path: 'a', size: 0, fields: {} })).toBe(true);
    expect(recordFields.match.entry?.({ path: 'a', size: 0 })).toBe(false);
    expect(recordFields.wants).toEqual({});
  });

  it('Common-Pile-like rows: exact licences, URL and authors; "Public Domain" and "see website" stay unknown', async () => {
    const r = await rows(jsonl, 'jsonl', 'common-pile-like.jsonl.zst');
    const licence = (row: string) => r.get(row)!.filter((f) => f.category === 'licence').map((f) => [f.code, (f.value as { expression: string | null }).expression]);
    expect(licence('row=0')).toEqual([['licence.record-field-unknown', null]]);
    expect(licence('row=1')).toEqual([['licence.record-field', 'CC-BY-SA-3.0']]);
    expect(licence('row=2')).toEqual([['licence.record-field', 'CC0-1.0']]);
    expect(licence('row=3')).toEqual([['licence.record-field-unknown', null]]);
    expect(r.get('row=1')!.filter((f) => f.code === 'provenance.record-author').map((f) => (f.value as { holder: string }).holder)).toEqual(['Rosa Field', 'Tom Marsh']);
    expect(r.get('row=0')!.find((f) => f.code === 'provenance.record-url')?.value).toEqual({ url: 'https://books.example/1899/bright-cold-day', field: 'metadata.url' });
    expect(r.get('row=0')!.find((f) => f.code === 'provenance.record-collection')?.value).toEqual({ collection: 'public-domain-books', field: 'source' });
    for (const fs of r.values()) for (const f of fs) expect(f.scope).toEqual({ kind: 'file', root: f.evidence.path });
  });

  it('Dolma-like rows: source as collection, metadata.url, a licence name read exactly', async () => {
    const r = await rows(jsonl, 'jsonl', 'dolma-like.json.gz');
    expect(brief(r.get('row=0')!)).toEqual([
      'provenance.record-collection {"collection":"common-crawl","field":"source"}',
      'provenance.record-url {"url":"https://kelmouth-allotments.example/plots","field":"metadata.url"}',
    ]);
    expect(r.get('row=1')!.find((f) => f.category === 'licence')?.value).toMatchObject({ expression: 'CC-BY-4.0', written: 'CC BY 4.0', field: 'metadata.license', method: 'name' });
  });

  it('Pile-like rows: meta.pile_set_name as provenance only, never a licence', async () => {
    const r = await rows(jsonl, 'jsonl', 'pile-like.jsonl');
    expect(brief(r.get('row=0')!)).toEqual(['provenance.record-collection {"collection":"Github","field":"meta.pile_set_name"}']);
    expect([...r.values()].flat().some((f) => f.category === 'licence')).toBe(false);
  });

  it('LAION-style CSV rows: LICENSE URL read exactly, "?" says nothing, "all rights reserved" is unknown, caption ignored', async () => {
    const r = await rows(csv, 'csv', 'laion-like.csv');
    expect(brief(r.get('row=0')!)).toEqual(['provenance.record-url {"url":"https://images.example/cat-on-sofa.jpg","field":"URL"}']);
    expect(r.get('row=1')!.find((f) => f.category === 'licence')?.value).toMatchObject({ expression: 'CC-BY-NC-SA-3.0', field: 'LICENSE', method: 'url' });
    expect(r.get('row=2')!.find((f) => f.category === 'licence')?.value).toMatchObject({ expression: 'CC-BY-2.0' });
    expect(r.get('row=3')!.find((f) => f.category === 'licence')).toMatchObject({ code: 'licence.record-field-unknown', value: { expression: null, written: 'all rights reserved' } });
    expect([...r.values()].flat().some((f) => f.evidence.excerpt?.startsWith('TEXT'))).toBe(false);
  });

  it('WebDataset sidecar keys: license, copyright notice with holder and years, author, TDM reservation with its policy', async () => {
    const fs = await onFields({ key: '000001', url: 'https://photos.example/p/1', license: 'CC-BY-4.0', copyright: '© 2019 Jane Doe', author: 'Jane Doe', 'tdm-reservation': 1, 'tdm-policy': 'https://photos.example/tdm-policy.json', caption: 'A bridge' });
    expect(fs.map((f) => f.code).sort()).toEqual(['licence.record-field', 'optout.record-fields.reserved', 'provenance.record-author', 'provenance.record-copyright', 'provenance.record-url']);
    expect(fs.find((f) => f.code === 'provenance.record-copyright')?.value).toMatchObject({ holder: 'Jane Doe', years: { first: 2019 } });
    expect(fs.find((f) => f.category === 'opt-out')?.value).toEqual({ protocol: 'record-fields', reserved: 'yes', level: 'file', field: 'tdm-reservation', policy: 'https://photos.example/tdm-policy.json' });
  });

  it('reads reservations 0/false as not reserved and anything else as unknown', async () => {
    const code = async (v: unknown) => (await onFields({ tdm_reservation: v })).map((f) => f.code);
    expect(await code(0)).toEqual(['optout.record-fields.not-reserved']);
    expect(await code('1')).toEqual(['optout.record-fields.reserved']);
    expect(await code(false)).toEqual(['optout.record-fields.not-reserved']);
    expect(await code('maybe')).toEqual(['optout.record-fields.unknown']);
    expect(await code('')).toEqual([]);
  });

  it('never guesses a licence: placeholders give nothing, wrong-looking values give unknown', async () => {
    for (const v of ['', 'unknown', 'N/A', '?', 'none', 'NaN', 'NOASSERTION']) expect(await onFields({ license: v })).toEqual([]);
    for (const v of ['GPL', 'BSD', 'CC BY', 'Creative Commons', 'free to use', 4, ['MIT', 'Apache-2.0'], { name: 'MIT' }, 'https://example.com/my-license']) {
      const fs = await onFields({ license: v });
      expect(fs).toHaveLength(1);
      expect(fs[0]).toMatchObject({ code: 'licence.record-field-unknown', confidence: 0, value: { expression: null } });
    }
    expect((await onFields({ LICENSE: 'apache-2.0' }))[0]?.value).toMatchObject({ expression: 'Apache-2.0', method: 'spdx' });
    expect((await onFields({ license: ['MIT'] }))[0]?.value).toMatchObject({ expression: 'MIT' });
  });

  it('FineWeb rows: url and dump', async () => {
    const fs = await onFields({ id: '<urn:uuid:1>', dump: 'CC-MAIN-2024-10', url: 'https://blog.example/post', date: '2024-02-21', language: 'en', token_count: 812 });
    expect(brief(fs)).toEqual(['provenance.record-collection {"collection":"CC-MAIN-2024-10","field":"dump"}', 'provenance.record-url {"url":"https://blog.example/post","field":"url"}']);
  });

  it('takes a custom field map: new paths, a switched-off default, case-insensitive keys', async () => {
    const map = resolveFieldMap({ fields: { 'Meta.Rights': 'license', url: 'ignore' } });
    const d = recordFieldsDetector(map);
    const fs = await onFields({ meta: { RIGHTS: 'MIT' }, url: 'https://x.example' }, d);
    expect(brief(fs)).toEqual(['licence.record-field {"expression":"MIT","written":"MIT","field":"meta.RIGHTS","method":"spdx"}']);
    const bare = recordFieldsDetector(resolveFieldMap({ defaults: false, fields: { rights: 'licence' } }));
    expect(await onFields({ license: 'MIT' }, bare)).toEqual([]);
    expect(fieldMapColumns(DEFAULT_FIELD_MAP)).toContain('license');
    expect(fieldMapColumns(map)).not.toContain('url');
  });

  it('sets up the detectors and containers for a field map (what --field-map does)', async () => {
    const map = resolveFieldMap({ fields: { city: 'collection' } });
    const { detectors, containers } = applyFieldMap(map, { detectors: builtinDetectors, containers: builtinContainers });
    expect(detectors).toHaveLength(builtinDetectors.length);
    expect(detectors.filter((d) => d.id === 'record-fields')).toHaveLength(1);
    expect(detectors.find((d) => d.id === 'record-fields')).not.toBe(recordFields);
    const table = containers.find((c) => c.id === 'csv')!;
    const plain = containerFixture('csv', 'plain-data.csv');
    const { members } = await openContainer(table, 'cities.csv', plain);
    expect(members).toHaveLength(2);
    const d = detectors.find((x) => x.id === 'record-fields')!;
    expect(brief(await onFields(members[0]!.entry.fields as Record<string, unknown>, d))).toEqual(['provenance.record-collection {"collection":"Kelmouth","field":"city"}']);
  });

  it('does not walk past the map on a deep record', async () => {
    let deep: Record<string, unknown> = { license: 'MIT' };
    for (let i = 0; i < 100_000; i++) deep = { metadata: deep };
    expect(await onFields(deep)).toEqual([]);
  });

  it('loads a field map from YAML or JSON, with the field path in every error', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'field-map-'));
    try {
      await writeFile(path.join(dir, 'ok.yaml'), 'fields:\n  metadata.rights: licence\n  caption: ignore\n');
      expect((await loadFieldMap(path.join(dir, 'ok.yaml'))).fields['metadata.rights']).toBe('licence');
      await writeFile(path.join(dir, 'ok.json'), JSON.stringify({ defaults: false, fields: { src: 'url' } }));
      expect((await loadFieldMap(path.join(dir, 'ok.json'))).fields).toEqual({ src: 'url' });
      await writeFile(path.join(dir, 'bad.yaml'), 'fields:\n  metadata.rights: licnce\n  "a..b": url\nextra: 1\n');
      const err = (await loadFieldMap(path.join(dir, 'bad.yaml')).then(() => null, (e: unknown) => e)) as Error & { code: string };
      expect(err.code).toBe('ERR_INVALID_OPTION');
      expect(err.message).toMatch(/fields\.metadata\.rights/);
      expect(err.message).toMatch(/a\.\.b/);
      expect(err.message).toMatch(/extra/);
      await writeFile(path.join(dir, 'broken.yaml'), 'fields: [\n');
      await expect(loadFieldMap(path.join(dir, 'broken.yaml'))).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', message: expect.stringMatching(/not valid YAML/) });
      await expect(loadFieldMap(path.join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
      // Alias expansion ("billion laughs") is refused instead of building a huge document.
      const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let i = 1; i < 10; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
      await writeFile(path.join(dir, 'laughs.yaml'), `${laughs.join('\n')}\nfields: {}\n`);
      await expect(loadFieldMap(path.join(dir, 'laughs.yaml'))).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', message: expect.stringMatching(/not valid YAML.*[Aa]lias/s) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('end to end: rows of a JSON Lines shard and a CSV get their own records, licences and reservations', async () => {
    const shard = [
      JSON.stringify({ text: 'SPDX-License-Identifier: MIT\nprint(1)', meta: { pile_set_name: 'Github' } }),
      JSON.stringify({ text: 'A page.', metadata: { license: 'CC-BY-4.0', url: 'https://a.example/1' } }),
      JSON.stringify({ text: 'A reserved page.', metadata: { license: 'CC-BY-4.0' }, tdm_reservation: 1 }),
      JSON.stringify({ text: 'An NC page.', metadata: { license: 'https://creativecommons.org/licenses/by-nc/4.0/' } }),
      '{"text": broken',
    ].join('\n');
    const { root, cleanup } = await makeTree({ 'data/shard-0.jsonl': shard, 'laion/part-0.csv': containerFixture('csv', 'laion-like.csv'), 'cities.csv': 'city,population\nKelmouth,12000\n' });
    try {
      const { records, summary } = await scanTree(root, { containers: builtinContainers });
      const r = (p: string) => {
        const rec = records.get(p);
        if (!rec) throw new Error(`no record ${p}; have ${[...records.keys()].join(', ')}`);
        return rec;
      };
      expect(r('data/shard-0.jsonl#row=0').licence.expression).toBe('MIT');
      expect(r('data/shard-0.jsonl#row=1').licence.expression).toBe('CC-BY-4.0');
      expect(r('data/shard-0.jsonl#row=1').verdict.decision).toBe('allow');
      expect(r('data/shard-0.jsonl#row=2').verdict.decision).toBe('exclude');
      expect(r('data/shard-0.jsonl#row=2').optOuts.map((o) => o.protocol)).toEqual(['record-fields']);
      expect(r('data/shard-0.jsonl#row=3').licence.expression).toBe('CC-BY-NC-4.0');
      expect(r('data/shard-0.jsonl#row=3').verdict.decision).toBe('review');
      expect(r('data/shard-0.jsonl#row=4').errors.map((e) => e.code)).toEqual(['ERR_CONTAINER_CORRUPT']);
      expect(r('data/shard-0.jsonl#row=0').container).toMatchObject({ kind: 'jsonl', path: 'data/shard-0.jsonl' });
      expect(r('laion/part-0.csv#row=1').licence.expression).toBe('CC-BY-NC-SA-3.0');
      expect(r('laion/part-0.csv#row=3').verdict.decision).toBe('review');
      // A plain data table is one record, not one per row.
      expect(records.has('cities.csv')).toBe(true);
      expect([...records.keys()].some((k) => k.startsWith('cities.csv#'))).toBe(false);
      expect(summary.findings['provenance.record-url']).toBeGreaterThanOrEqual(5);
    } finally {
      await cleanup();
    }
  });
});
