import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, it, expect } from 'vitest';
import { openContainer } from '../../test-utils/index.js';
import { csv, csvContainer, headerColumns, sniffDelimiter } from './index.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const enc = (s: string) => new TextEncoder().encode(s);

describe('csv container', () => {
  it('opens a LAION-style table: one row per record, the columns as fields, quoted commas and "" kept', async () => {
    const { opened, members, listError } = await openContainer(csv, 'laion/part-00000.csv', fixture('laion-like.csv'));
    expect(opened?.kind).toBe('csv');
    expect(opened?.rows).toBe(true);
    expect(listError).toBeNull();
    expect(members.map((m) => m.entry.path)).toEqual(['row=0', 'row=1', 'row=2', 'row=3']);
    expect(members[0]!.entry.fields).toEqual({ URL: 'https://images.example/cat-on-sofa.jpg', TEXT: 'A grey cat on a sofa, asleep', WIDTH: '640', HEIGHT: '480', similarity: '0.331', LICENSE: '?', NSFW: 'UNLIKELY' });
    expect((members[2]!.entry.fields as { TEXT: string }).TEXT).toBe('An old stone bridge, "Pont Vieux"');
    // No `text`/`content` column (LAION's caption is TEXT, kept as a field): rows have no bytes.
    expect(members[0]!.entry.size).toBe(0);
  });

  it('reads a TSV without quoting, its text column as the row bytes', async () => {
    const { members, listError } = await openContainer(csv, 'rows.tsv', fixture('rows.tsv'));
    expect(listError).toBeNull();
    expect(members.map((m) => text(m.bytes))).toEqual(['A "quoted" word in a TSV line', 'Second line']);
    expect(members[0]!.entry.fields).toEqual({ id: '1', license: 'CC-BY-4.0', url: 'https://t.example/1' });
  });

  it('does not open a plain data table by default, but does when told to', async () => {
    const plain = fixture('plain-data.csv');
    expect((await openContainer(csv, 'cities.csv', plain)).opened).toBeNull();
    const always = await openContainer(csvContainer({ open: 'always' }), 'cities.csv', plain);
    expect(always.members.map((m) => m.entry.fields)).toEqual([
      { city: 'Kelmouth', population: '12000' },
      { city: 'Ardle', population: '3400' },
    ]);
    expect((await openContainer(csvContainer({ open: 'never' }), 'laion.csv', fixture('laion-like.csv'))).opened).toBeNull();
    expect((await openContainer(csvContainer({ knownColumns: ['city'] }), 'cities.csv', plain)).members).toHaveLength(2);
  });

  it('lists a ragged record and a broken quote as corrupt rows and goes on', async () => {
    const { members, listError } = await openContainer(csv, 'ragged.csv', fixture('ragged.csv'));
    expect(listError).toBeNull();
    expect(members.map((m) => [m.entry.path, m.error?.code ?? null])).toEqual([
      ['row=0', null],
      ['row=1', 'ERR_CONTAINER_CORRUPT'],
      ['row=2', 'ERR_CONTAINER_CORRUPT'],
    ]);
    expect(text(members[0]!.bytes)).toBe('one');
    const mid = enc('url,license\nhttps://a.example/1,MIT\nhttps://a.example/2,"MIT"x\nhttps://a.example/3,MIT\n');
    const r = await openContainer(csv, 'mid.csv', mid);
    expect(r.members.map((m) => m.error?.code ?? (m.entry.fields as { url: string }).url)).toEqual(['https://a.example/1', 'ERR_CONTAINER_CORRUPT', 'https://a.example/3']);
  });

  it('reads gzip tables, semicolon tables, a BOM and CRLF', async () => {
    const gz = gzipSync(fixture('laion-like.csv'));
    expect((await openContainer(csv, 'part.csv.gz', gz)).members).toHaveLength(4);
    const semi = enc('\uFEFFurl;license;text\r\nhttps://s.example/1;CC0-1.0;hello; world\r\n');
    const r = await openContainer(csv, 'semi.csv', semi);
    // A ragged row (the text holds the delimiter) is corrupt, not silently shifted.
    expect(r.members[0]!.error?.code).toBe('ERR_CONTAINER_CORRUPT');
    const ok = await openContainer(csv, 'semi.csv', enc('\uFEFFurl;license;text\r\nhttps://s.example/1;CC0-1.0;hello\r\n'));
    expect(ok.members[0]!.entry.fields).toEqual({ url: 'https://s.example/1', license: 'CC0-1.0' });
    expect(text(ok.members[0]!.bytes)).toBe('hello');
  });

  it('lists a record over maxRecordChars with ERR_CONTAINER_LIMIT', async () => {
    const data = enc(`url,text\nhttps://a.example/1,short\nhttps://a.example/2,${'x'.repeat(5000)}\nhttps://a.example/3,short again\n`);
    const r = await openContainer(csvContainer({ maxRecordChars: 1000 }), 'big.csv', data);
    expect(r.members.map((m) => m.error?.code ?? text(m.bytes))).toEqual(['short', 'ERR_CONTAINER_LIMIT', 'short again']);
  });

  it('reads quoted fields with line breaks; an unclosed quote at the end is one corrupt row', async () => {
    const data = enc('url,text\nhttps://a.example/1,"two\nlines, with ""quotes"""\nhttps://a.example/2,plain 5" screen\nhttps://a.example/3,"never closed\nmore\n');
    const r = await openContainer(csv, 'q.csv', data);
    expect(r.members.map((m) => m.error?.code ?? text(m.bytes))).toEqual(['two\nlines, with "quotes"', 'plain 5" screen', 'ERR_CONTAINER_CORRUPT']);
    expect(r.members[2]!.error!.message).toMatch(/line 5/);
  });

  it('makes header names unique and non-empty', async () => {
    const r = await openContainer(csv, 'dup.csv', enc('url,url,\nhttps://a,https://b,c\n'));
    expect(r.members[0]!.entry.fields).toEqual({ url: 'https://a', url_2: 'https://b', column_3: 'c' });
  });

  it('stops at maxMembers; reads agree with streams', async () => {
    const data = enc(`url,text\n${Array.from({ length: 30 }, (_, i) => `https://a.example/${i},row ${i}`).join('\n')}\n`);
    const r = await openContainer(csv, 'x.csv', data, { limits: { maxMembers: 10 } });
    expect(r.members).toHaveLength(10);
    expect(r.listError?.code).toBe('ERR_CONTAINER_LIMIT');
    const a = await openContainer(csv, 'x.csv', data, { via: 'read' });
    const b = await openContainer(csv, 'x.csv', data, { via: 'stream' });
    expect(b.members.map((m) => text(m.bytes))).toEqual(a.members.map((m) => text(m.bytes)));
    expect(a.members).toHaveLength(30);
  });

  it('splits header lines and sniffs delimiters', () => {
    expect(headerColumns('"a,b",c,"d ""e"""', ',', true)).toEqual(['a,b', 'c', 'd "e"']);
    expect(sniffDelimiter('a;b;c')).toBe(';');
    expect(sniffDelimiter('a,b;c,d')).toBe(',');
    expect(sniffDelimiter('a\tb\tc')).toBe('\t');
  });
});
