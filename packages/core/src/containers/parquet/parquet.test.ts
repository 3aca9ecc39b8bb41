import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { parquetMetadata, type FileMetaData } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ByteWriter } from 'hyparquet-writer/src/bytewriter.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTAINER_LIMITS, type ContainerLimits, type OpenedContainer } from '../../engine/container.js';
import { mediaRights } from '../../detectors/media-rights/index.js';
import type { Entry, Source } from '../../source/types.js';
import { makeTree, memorySource, openContainer, runDetector, scanTree } from '../../test-utils/index.js';
import { builtinContainers } from '../index.js';
import { parquet, parquetContainer } from './index.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`fixtures/${name}`, import.meta.url)));
const mediaFixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../detectors/media-rights/fixtures/${name}`, import.meta.url)));

type ColumnSource = Parameters<typeof parquetWriteBuffer>[0]['columnData'][number];
type WriteOptions = Omit<Parameters<typeof parquetWriteBuffer>[0], 'columnData'>;

/** A Parquet file written by hyparquet-writer. */
function table(columnData: ColumnSource[], options: WriteOptions = {}): Uint8Array {
  return new Uint8Array(parquetWriteBuffer({ statistics: false, ...options, columnData }));
}

/** A LAION-style table of `n` rows. */
function laion(n: number, options: WriteOptions = {}): Uint8Array {
  return table(
    [
      { name: 'url', data: Array.from({ length: n }, (_, i) => `https://img.example.org/${i}.jpg`), type: 'STRING' },
      { name: 'caption', data: Array.from({ length: n }, (_, i) => `a boat in the harbour, picture ${i}`), type: 'STRING' },
      { name: 'LICENSE', data: Array.from({ length: n }, (_, i) => (i % 2 ? 'https://creativecommons.org/licenses/by/4.0/' : '?')), type: 'STRING' },
      { name: 'NSFW', data: Array.from({ length: n }, () => 'UNLIKELY'), type: 'STRING' },
      { name: 'similarity', data: Array.from({ length: n }, (_, i) => 0.25 + (i % 100) / 1000), type: 'DOUBLE' },
      { name: 'width', data: Array.from({ length: n }, (_, i) => 100 + (i % 1000)), type: 'INT32' },
      { name: 'height', data: Array.from({ length: n }, () => 480), type: 'INT32' },
    ],
    options,
  );
}

/** Rewrites a file's footer after `mutate` changed its parsed metadata (the data stays as it was). */
function rewriteFooter(bytes: Uint8Array, mutate: (md: Omit<FileMetaData, 'metadata_length'>) => void): Uint8Array {
  const { metadata_length: length, ...md } = parquetMetadata(bytes);
  const dataEnd = bytes.length - 8 - length;
  mutate(md);
  const w = new ByteWriter();
  // hyparquet-writer writes the length itself; its type still asks for one.
  writeMetadata(w, md as unknown as FileMetaData);
  w.appendUint32(0x31524150);
  w.finish();
  return Buffer.concat([bytes.subarray(0, dataEnd), w.getBytes()]);
}

/** A Source over bytes that counts the ranged reads and the bytes they return. */
function countingSource(bytes: Uint8Array): Source & { reads: { start: number; end: number }[] } {
  const inner = memorySource(bytes, 'x.parquet');
  const reads: { start: number; end: number }[] = [];
  return {
    ...inner,
    reads,
    read: async (entry, range, opts) => {
      reads.push({ start: range.start, end: range.end });
      return inner.read(entry, range, opts);
    },
    stream() {
      throw new Error('the Parquet container must not stream the whole file');
    },
  };
}

/** Opens bytes as the engine would, without listing; for tests that drive list and read themselves. */
async function open(bytes: Uint8Array, options: Parameters<typeof parquetContainer>[0] = {}, limits: Partial<ContainerLimits> = {}): Promise<OpenedContainer> {
  const opened = await parquetContainer(options).open({
    source: memorySource(bytes, 't.parquet'),
    entry: { path: 't.parquet', size: bytes.length },
    mediaType: 'application/octet-stream',
    head: bytes.subarray(0, 64 * 1024),
    complete: bytes.length <= 64 * 1024,
    limits: { ...DEFAULT_CONTAINER_LIMITS, ...limits },
    depth: 1,
    problem: () => {},
  });
  if (!opened) throw new Error('not opened');
  return opened;
}

describe('parquet container: rows as members', () => {
  it('lists a LAION-style table as rows with their columns as fields and no content', async () => {
    const { opened, members, problems, listError } = await openContainer(parquet, 'laion/part-0.parquet', fixture('laion-zstd.parquet'));
    expect(listError).toBeNull();
    expect(problems).toEqual([]);
    expect(opened?.kind).toBe('parquet');
    expect(opened?.rows).toBe(true);
    expect(opened?.markers).toBe(false);
    // 40 rows in three row groups (16, 16, 8), ZSTD pages written by the zstd tool.
    expect(members.map((m) => m.entry.path)).toEqual(Array.from({ length: 40 }, (_, i) => `row=${i}`));
    expect(members[1]!.entry).toEqual({
      path: 'row=1',
      size: 0,
      fields: {
        url: 'https://images.example.org/photos/1.jpg',
        caption: 'A photo of harbour boat number 1',
        LICENSE: 'https://creativecommons.org/licenses/by/4.0/',
        NSFW: 'UNLIKELY',
        similarity: 0.301,
        width: 641,
        height: 480,
      },
    });
    expect(members[2]!.entry.fields).toMatchObject({ LICENSE: null });
    expect(members[39]!.entry.fields).toMatchObject({ url: 'https://images.example.org/photos/39.jpg', width: 679, LICENSE: '?' });
    expect(members.every((m) => m.bytes?.length === 0 && m.error === null)).toBe(true);
  });

  it('gives an HF image row the embedded JPEG as its bytes, so the image detectors read its XMP licence', async () => {
    const { members, listError } = await openContainer(parquet, 'train-00000-of-00001.parquet', fixture('hf-images.parquet'));
    expect(listError).toBeNull();
    const full = mediaFixture('full.jpg');
    expect(members.map((m) => m.entry)).toEqual([
      { path: 'row=0', size: full.length, fields: { 'image.path': 'kelmouth.jpg', label: 3 } },
      { path: 'row=1', size: mediaFixture('public-domain.jpg').length, fields: { 'image.path': 'pd.jpg', label: 7 } },
      { path: 'row=2', size: 0, fields: { label: null } },
    ]);
    expect(Buffer.from(members[0]!.bytes!).equals(Buffer.from(full))).toBe(true);
    const findings = await runDetector(mediaRights, 'train-00000-of-00001.parquet#row=0', members[0]!.bytes!, { mediaType: 'image/jpeg', isText: false });
    expect(findings.find((f) => f.category === 'licence')?.value).toMatchObject({ expression: 'CC-BY-NC-SA-4.0' });
  });

  it('reads and streams the same bytes, on both listings', async () => {
    const bytes = fixture('hf-images.parquet');
    const viaRead = await openContainer(parquet, 'a.parquet', bytes);
    const viaStream = await openContainer(parquet, 'a.parquet', bytes, { via: 'stream' });
    expect(viaStream.members.map((m) => Buffer.from(m.bytes ?? []).toString('hex'))).toEqual(viaRead.members.map((m) => Buffer.from(m.bytes ?? []).toString('hex')));
    const opened = await open(bytes);
    const first: Entry[] = [];
    for await (const e of opened.list()) first.push(e);
    const second: Entry[] = [];
    for await (const e of opened.list()) second.push(e);
    expect(second).toEqual(first);
    // A range inside the member, and one past its end.
    const head = await opened.read(first[0]!, { start: 0, end: 2 });
    expect([...head]).toEqual([0xff, 0xd8]);
    expect((await opened.read(first[0]!, { start: first[0]!.size, end: first[0]!.size + 1 })).length).toBe(0);
  });

  it('takes the text of a `text` column as content, and keeps a caption a field', async () => {
    const bytes = table([
      { name: 'text', data: ['Licensed under CC-BY-4.0. Über alles ✓', null], type: 'STRING' },
      { name: 'caption', data: ['not content', 'x'], type: 'STRING' },
      { name: 'meta', data: [{ source: 'web', tags: ['a', 'b'], score: 1.5 }, null], type: 'JSON' },
    ]);
    const { members } = await openContainer(parquet, 't.parquet', bytes);
    expect(Buffer.from(members[0]!.bytes!).toString('utf8')).toBe('Licensed under CC-BY-4.0. Über alles ✓');
    expect(members[0]!.entry.size).toBe(Buffer.byteLength('Licensed under CC-BY-4.0. Über alles ✓'));
    // JSON stays text in fields (bounded), and the content column is not repeated in fields.
    expect(members[0]!.entry.fields).toEqual({ caption: 'not content', meta: '{"source":"web","tags":["a","b"],"score":1.5}' });
    expect(members[1]!.entry).toEqual({ path: 'row=1', size: 0, fields: { caption: 'x', meta: null } });
  });

  it('keeps the TEXT of a LAION-400M table (a caption of an image elsewhere) a field, not content', async () => {
    const bytes = table([
      { name: 'URL', data: ['https://img.example.org/1.jpg'], type: 'STRING' },
      { name: 'TEXT', data: ['a red boat'], type: 'STRING' },
      { name: 'similarity', data: [0.31], type: 'DOUBLE' },
      { name: 'LICENSE', data: ['?'], type: 'STRING' },
    ]);
    const { members } = await openContainer(parquet, 'l.parquet', bytes);
    expect(members[0]!.entry).toEqual({ path: 'row=0', size: 0, fields: { URL: 'https://img.example.org/1.jpg', TEXT: 'a red boat', similarity: 0.31, LICENSE: '?' } });
  });

  it('lets the content column be chosen, or none', async () => {
    const bytes = table([
      { name: 'text', data: ['short'], type: 'STRING' },
      { name: 'document', data: ['the real document'], type: 'STRING' },
    ]);
    const chosen = await openContainer(parquetContainer({ contentColumns: ['document'] }), 't.parquet', bytes);
    expect(Buffer.from(chosen.members[0]!.bytes!).toString()).toBe('the real document');
    expect(chosen.members[0]!.entry.fields).toEqual({ text: 'short' });
    const none = await openContainer(parquetContainer({ contentColumns: [], embeddedFiles: false }), 't.parquet', bytes);
    expect(none.members[0]!.entry).toEqual({ path: 'row=0', size: 0, fields: { text: 'short', document: 'the real document' } });
  });

  it('finds an embedded-file struct under another name, and a plain binary `png` column', async () => {
    const png = mediaFixture('full.png');
    const struct = table([{ name: 'picture', data: [{ bytes: png, path: 'p.png' }] }], {
      schema: [
        { name: 'schema', num_children: 1 },
        { name: 'picture', num_children: 2, repetition_type: 'OPTIONAL' },
        { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
        { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      ],
    });
    const a = await openContainer(parquet, 's.parquet', struct);
    expect(Buffer.from(a.members[0]!.bytes!).equals(Buffer.from(png))).toBe(true);
    expect(a.members[0]!.entry.fields).toEqual({ 'picture.path': 'p.png' });
    const plain = table([
      { name: 'png', data: [png], type: 'BYTE_ARRAY' },
      { name: 'thumbnail', data: [new Uint8Array([1, 2, 3])], type: 'BYTE_ARRAY' },
      { name: 'key', data: ['000001'], type: 'STRING' },
    ]);
    const b = await openContainer(parquet, 'p.parquet', plain);
    expect(b.members[0]!.entry).toEqual({ path: 'row=0', size: png.length, fields: { key: '000001' } });
  });

  it('bounds fields: long strings cut, lists shortened, structs flattened, binary left out', async () => {
    const long = 'x'.repeat(5000);
    const bytes = table(
      [
        { name: 'url', data: [long] },
        { name: 'tags', data: [Array.from({ length: 100 }, (_, i) => `t${i}`)] },
        { name: 'meta', data: [{ licence: 'MIT', big: 2n ** 60n }] },
        { name: 'when', data: [new Date('2024-05-01T00:00:00Z')] },
      ],
      {
        schema: [
          { name: 'schema', num_children: 4 },
          { name: 'url', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
          { name: 'tags', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
          { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
          { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          { name: 'meta', repetition_type: 'OPTIONAL', num_children: 2 },
          { name: 'licence', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          { name: 'big', type: 'INT64', repetition_type: 'OPTIONAL' },
          { name: 'when', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'OPTIONAL' },
        ],
      },
    );
    const { members } = await openContainer(parquet, 'f.parquet', bytes);
    const fields = members[0]!.entry.fields!;
    expect((fields.url as string).length).toBe(1000);
    expect(fields.tags).toEqual(Array.from({ length: 16 }, (_, i) => `t${i}`));
    expect(fields['meta.licence']).toBe('MIT');
    expect(fields['meta.big']).toBe((2n ** 60n).toString());
    expect(fields.when).toBe('2024-05-01T00:00:00.000Z');
    expect(JSON.stringify(fields).length).toBeLessThan(1500);
  });
});

describe('parquet container: row groups, slices and codecs', () => {
  it('numbers rows over many row groups and slices', async () => {
    const bytes = laion(5000, { rowGroupSize: 1000 });
    const { members, listError } = await openContainer(parquetContainer({ maxSliceRows: 300 }), 'l.parquet', bytes);
    expect(listError).toBeNull();
    expect(members.length).toBe(5000);
    for (const i of [0, 299, 300, 999, 1000, 2345, 4999]) {
      expect(members[i]!.entry.path).toBe(`row=${i}`);
      expect(members[i]!.entry.fields).toMatchObject({ url: `https://img.example.org/${i}.jpg`, width: 100 + (i % 1000) });
    }
  });

  for (const [codec, compressors] of [
    ['UNCOMPRESSED', {}],
    ['SNAPPY', {}],
    ['GZIP', { GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)) }],
    ['BROTLI', { BROTLI: (b: Uint8Array) => new Uint8Array(brotliCompressSync(b)) }],
  ] as const) {
    it(`reads ${codec} pages`, async () => {
      const bytes = laion(300, { codec, compressors, rowGroupSize: 128 });
      expect(parquetMetadata(bytes).row_groups[0]!.columns[0]!.meta_data!.codec).toBe(codec);
      const { members, listError } = await openContainer(parquet, 'c.parquet', bytes);
      expect(listError).toBeNull();
      expect(members.length).toBe(300);
      expect(members[299]!.entry.fields).toMatchObject({ url: 'https://img.example.org/299.jpg', height: 480, LICENSE: 'https://creativecommons.org/licenses/by/4.0/' });
    });
  }

  it('fetches the footer and only the column chunks it needs, never the whole file', async () => {
    const n = 400;
    const bytes = table([
      { name: 'url', data: Array.from({ length: n }, (_, i) => `https://img.example.org/${i}.jpg`), type: 'STRING' },
      // A binary column that is not content: 4 KiB of noise per row, never fetched.
      { name: 'embedding', data: Array.from({ length: n }, () => randomBytes(4096)), type: 'BYTE_ARRAY' },
      { name: 'LICENSE', data: Array.from({ length: n }, () => 'CC-BY-4.0'), type: 'STRING' },
    ], { rowGroupSize: 100 });
    const md = parquetMetadata(bytes);
    const embedding = md.row_groups.map((rg) => {
      const m = rg.columns[1]!.meta_data!;
      const start = Number(m.dictionary_page_offset || m.data_page_offset);
      return { start, end: start + Number(m.total_compressed_size) };
    });
    const source = countingSource(bytes);
    const { members, listError } = await openContainer(parquet, 'x.parquet', bytes, { source });
    expect(listError).toBeNull();
    expect(members.length).toBe(n);
    expect(members[123]!.entry.fields).toEqual({ url: 'https://img.example.org/123.jpg', LICENSE: 'CC-BY-4.0' });
    const read = source.reads.reduce((s, r) => s + Math.min(r.end, bytes.length) - r.start, 0);
    // The footer (one read of the last 64 KiB), then per row group its url and LICENSE chunks
    // (two reads: the embedding chunk lies between them).
    expect(source.reads.length, JSON.stringify(source.reads)).toBe(1 + 2 * md.row_groups.length);
    expect(read).toBeLessThan(bytes.length * 0.1);
    for (const r of source.reads.slice(1)) for (const e of embedding) expect(r.end <= e.start || r.start >= e.end).toBe(true);
  });

  it('serves a row soon after it is listed, and says so when it no longer holds one', async () => {
    const opened = await open(laion(2000, { rowGroupSize: 500 }), { contentColumns: ['url'], maxSliceRows: 100 });
    const entries: Entry[] = [];
    for await (const e of opened.list()) {
      entries.push(e);
      // Reading each row as it is listed always works.
      if (entries.length % 97 === 0) expect(Buffer.from(await opened.read(e, { start: 0, end: e.size })).toString()).toBe(`https://img.example.org/${entries.length - 1}.jpg`);
    }
    expect(entries.length).toBe(2000);
    await expect(opened.read(entries[0]!, { start: 0, end: 10 })).rejects.toMatchObject({ code: 'ERR_MEMBER_NOT_HELD' });
    expect(Buffer.from(await opened.read(entries[1999]!, { start: 0, end: 100 })).toString()).toBe('https://img.example.org/1999.jpg');
    // The last 64 rows listed are always held.
    expect((await opened.read(entries[1936]!, { start: 0, end: 100 })).length).toBeGreaterThan(0);
  });
});

describe('parquet container: limits and hostile files', () => {
  const limitsOf = (l: Partial<ContainerLimits>) => ({ limits: l });

  it('stops at maxMembers and at maxExpandedBytes, keeping the rows listed so far', async () => {
    const a = await openContainer(parquet, 'l.parquet', fixture('laion-zstd.parquet'), limitsOf({ maxMembers: 10 }));
    expect(a.members.length).toBe(10);
    expect(a.listError?.code).toBe('ERR_CONTAINER_LIMIT');
    const b = await openContainer(parquet, 'h.parquet', fixture('hf-images.parquet'), limitsOf({ maxExpandedBytes: 5000 }));
    expect(b.members.length).toBe(1);
    expect(b.listError?.code).toBe('ERR_CONTAINER_LIMIT');
  });

  it('does not open a .parquet that is not Parquet (a Git LFS pointer)', async () => {
    const pointer = new TextEncoder().encode('version https://git-lfs.github.com/spec/v1\noid sha256:4d7a2146\nsize 1234\n');
    const { opened } = await openContainer(parquet, 'train.parquet', pointer);
    expect(opened).toBeNull();
  });

  it('reports a truncated file as corrupt', async () => {
    const bytes = laion(200);
    for (const cut of [8, 11, 100, bytes.length - 1, Math.floor(bytes.length / 2)]) {
      const { members, listError } = await openContainer(parquet, 't.parquet', bytes.subarray(0, cut));
      expect(members).toEqual([]);
      expect(listError?.code).toBe('ERR_CONTAINER_CORRUPT');
    }
  });

  it('reports a lying footer as corrupt before reading data: metadata length, row counts, offsets', async () => {
    const bytes = laion(200, { rowGroupSize: 100 });
    const huge = new Uint8Array(bytes);
    new DataView(huge.buffer).setUint32(huge.length - 8, 0xfffffff0, true);
    const garbage = new Uint8Array(bytes);
    new DataView(garbage.buffer).setUint32(garbage.length - 8, garbage.length - 20, true);
    const moreRows = rewriteFooter(bytes, (md) => {
      md.num_rows = 10n ** 12n;
      md.row_groups[0]!.num_rows = 10n ** 12n - 100n;
    });
    const sumWrong = rewriteFooter(bytes, (md) => {
      md.num_rows = 201n;
    });
    const pastEnd = rewriteFooter(bytes, (md) => {
      md.row_groups[1]!.columns[2]!.meta_data!.dictionary_page_offset = undefined;
      md.row_groups[1]!.columns[2]!.meta_data!.data_page_offset = BigInt(bytes.length + 1000);
    });
    for (const [name, file] of Object.entries({ huge, garbage, moreRows, sumWrong, pastEnd })) {
      const source = countingSource(file);
      const started = performance.now();
      const { members, listError } = await openContainer(parquet, 't.parquet', file, { source });
      expect(listError?.code, `${name}: ${listError?.message}`).toBe('ERR_CONTAINER_CORRUPT');
      expect(members, name).toEqual([]);
      expect(performance.now() - started, name).toBeLessThan(1000);
    }
  });

  it('reports a row count the columns do not back (consistently lying footer) as corrupt', async () => {
    const bytes = laion(200, { rowGroupSize: 100 });
    const lying = rewriteFooter(bytes, (md) => {
      md.num_rows = 100n + 2n ** 40n;
      md.row_groups[1]!.num_rows = 2n ** 40n;
      for (const c of md.row_groups[1]!.columns) c.meta_data!.num_values = 2n ** 40n;
    });
    const started = performance.now();
    const { members, listError } = await openContainer(parquet, 't.parquet', lying);
    expect(listError?.code, listError?.message).toBe('ERR_CONTAINER_CORRUPT');
    expect(members.length).toBe(100);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses an encrypted footer, columns in other files and LZO pages as unsupported', async () => {
    const bytes = laion(10);
    const pare = new Uint8Array(bytes);
    pare.set([0x50, 0x41, 0x52, 0x45], pare.length - 4);
    const external = rewriteFooter(bytes, (md) => {
      md.row_groups[0]!.columns[0]!.file_path = 'other.parquet';
    });
    const lzo = rewriteFooter(bytes, (md) => {
      md.row_groups[0]!.columns[0]!.meta_data!.codec = 'LZO';
    });
    for (const file of [pare, external, lzo]) {
      const { listError } = await openContainer(parquet, 't.parquet', file);
      expect(listError?.code).toBe('ERR_CONTAINER_UNSUPPORTED');
    }
  });

  it('refuses a page that would inflate past the ratio limit (a decompression bomb)', async () => {
    const bomb = table([{ name: 'text', data: ['a'.repeat(4 * 1024 * 1024)], type: 'STRING' }], {
      codec: 'GZIP',
      compressors: { GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b, { level: 9 })) },
    });
    expect(bomb.length).toBeLessThan(20_000);
    const { members, listError } = await openContainer(parquet, 'b.parquet', bomb);
    expect(members).toEqual([]);
    expect(listError?.code).toBe('ERR_CONTAINER_LIMIT');
    // With a high enough ratio, the same page is fine.
    const ok = await openContainer(parquet, 'b.parquet', bomb, limitsOf({ maxRatio: 10_000 }));
    expect(ok.members[0]!.entry.size).toBe(4 * 1024 * 1024);
  });

  for (const codec of ['UNCOMPRESSED', 'SNAPPY', 'GZIP'] as const) {
    it(`never throws anything but a SourceError and never hangs on damaged ${codec} data pages`, async () => {
      const bytes = laion(300, { rowGroupSize: 100, codec, compressors: { GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)) } });
      const footerStart = bytes.length - 8 - new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 8, true);
      let seed = 12345;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const codes = new Set<string>();
      const started = performance.now();
      for (let round = 0; round < 200; round++) {
        const damaged = new Uint8Array(bytes);
        for (let k = 0; k < 1 + rand(8); k++) damaged[4 + rand(footerStart - 4)] = rand(256);
        const { members, listError } = await openContainer(parquet, 'd.parquet', damaged);
        if (listError) codes.add(listError.code);
        expect(listError?.code ?? 'ERR_CONTAINER_CORRUPT', listError?.message).toMatch(/^ERR_CONTAINER_(CORRUPT|LIMIT|UNSUPPORTED)$/);
        expect(members.length).toBeLessThanOrEqual(300);
        for (const m of members) expect(m.error).toBeNull();
      }
      expect([...codes].every((c) => ['ERR_CONTAINER_CORRUPT', 'ERR_CONTAINER_LIMIT', 'ERR_CONTAINER_UNSUPPORTED'].includes(c))).toBe(true);
      expect(codes.has('ERR_CONTAINER_CORRUPT')).toBe(true);
      expect(performance.now() - started).toBeLessThan(20_000);
    });
  }
});

describe('parquet container: end to end through the engine', () => {
  it('gives each row a record: the embedded image its XMP licence, a LAION row its LICENSE column', async () => {
    const { root, cleanup } = await makeTree({ 'images/train-00000.parquet': fixture('hf-images.parquet'), 'laion/part-0.parquet': fixture('laion-zstd.parquet') });
    try {
      const { records, summary } = await scanTree(root, { containers: builtinContainers });
      const image = records.get('images/train-00000.parquet#row=0');
      expect(image?.container).toMatchObject({ kind: 'parquet' });
      expect(image?.licence).toMatchObject({ expression: 'CC-BY-NC-SA-4.0' });
      expect(records.get('images/train-00000.parquet#row=1')?.licence).toMatchObject({ expression: 'CC0-1.0' });
      expect(records.get('laion/part-0.parquet#row=1')?.licence).toMatchObject({ expression: 'CC-BY-4.0' });
      expect([...records.keys()].filter((k) => k.startsWith('laion/part-0.parquet#row=')).length).toBe(40);
      expect(records.get('laion/part-0.parquet')?.contents).toMatchObject({ rows: true, complete: true });
      expect(JSON.stringify(summary)).toContain('parquet');
    } finally {
      await cleanup();
    }
  });
});
