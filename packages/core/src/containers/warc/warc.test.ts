import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createGzip, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTAINER_LIMITS, STREAM_WINDOW_BYTES } from '../../engine/container.js';
import { memorySource, openContainer } from '../../test-utils/index.js';
import type { Entry, Source } from '../../source/types.js';
import { warcContainer, type WarcContainer } from './index.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const enc = new TextEncoder();
const text = (b: Uint8Array | null) => new TextDecoder().decode(b ?? new Uint8Array(0));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** One WARC record, as WARC 1.1 §4 frames it; `length` overrides the Content-Length written. */
function record(type: string, block: Uint8Array | string, opts: { uri?: string; length?: number; extra?: string } = {}): Uint8Array {
  const b = typeof block === 'string' ? enc.encode(block) : block;
  const head =
    `WARC/1.1\r\nWARC-Type: ${type}\r\nWARC-Record-ID: <urn:uuid:${Math.random().toString(16).slice(2)}>\r\nWARC-Date: 2024-01-02T03:04:05Z\r\n` +
    (opts.uri ? `WARC-Target-URI: ${opts.uri}\r\n` : '') +
    (type === 'response' ? 'Content-Type: application/http; msgtype=response\r\n' : '') +
    (opts.extra ?? '') +
    `Content-Length: ${opts.length ?? b.length}\r\n\r\n`;
  return Buffer.concat([enc.encode(head), b, enc.encode('\r\n\r\n')]);
}

function response(body: Uint8Array | string, headers: string[] = ['Content-Type: text/html'], uri = 'https://example.org/'): Uint8Array {
  const b = typeof body === 'string' ? enc.encode(body) : body;
  return record('response', Buffer.concat([enc.encode(`HTTP/1.1 200 OK\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`), b]), { uri });
}

/** Per-record gzip, as crawlers write them (WARC 1.1 Annex D). */
const gzipEach = (records: Uint8Array[]) => Buffer.concat(records.map((r) => gzipSync(r)));

describe('warc container on real crawls', () => {
  for (const [name, layout] of [
    ['crawl.warc', 'plain'],
    ['crawl.warc.gz', 'gzip'],
  ] as const) {
    it(`lists response and resource records of ${name} (${layout}) with their HTTP headers`, async () => {
      const { members, listError, problems, opened } = await openContainer(warcContainer, name, fixture(name));
      expect(listError).toBeNull();
      expect(problems).toEqual([]);
      expect(members.map((m) => m.entry.path)).toEqual(['record=0', 'record=1', 'record=2', 'record=3', 'record=4']);
      const [reserved, meta, chunked, resource, empty] = members.map((m) => m);
      expect(reserved!.entry.http?.url).toBe('https://example.org/reserved');
      expect(reserved!.entry.http?.status).toBe(200);
      // Repeated header lines are kept, in order.
      expect(reserved!.entry.http?.headers.filter(([n]) => n === 'X-Robots-Tag').map(([, v]) => v)).toEqual(['noai', 'noarchive']);
      expect(reserved!.entry.http?.headers).toContainEqual(['tdm-reservation', '1']);
      expect(reserved!.entry.fields).toEqual({ url: 'https://example.org/reserved' });
      expect(reserved!.entry.mtime).toBe('2024-05-03T12:00:00.000Z');
      expect(text(reserved!.bytes)).toMatch(/^<!doctype html>.*Nothing reserved here/s);
      expect(reserved!.entry.size).toBe(reserved!.bytes!.length);
      expect(text(meta!.bytes)).toContain('<meta name="tdm-reservation" content="1">');
      // De-chunked: the same page as record 0, chunk lines gone.
      expect(text(chunked!.bytes)).toBe(text(reserved!.bytes));
      expect(chunked!.entry.size).toBe(reserved!.entry.size);
      expect(chunked!.entry.http?.headers).toContainEqual(['Content-Usage', 'train-ai=n']);
      expect(resource!.entry.http).toBeUndefined();
      expect(resource!.entry.fields).toEqual({ url: 'file:///data/blob.bin' });
      expect(resource!.bytes!.length).toBe(1024);
      expect(resource!.bytes![255]).toBe(255);
      expect(empty!.entry.size).toBe(0);
      expect(empty!.entry.http?.status).toBe(204);
      expect((opened as WarcContainer).counts()).toEqual({ warcinfo: 1, request: 1, response: 4, metadata: 1, revisit: 1, resource: 1 });
    });
  }

  it('gzip members hash what they hold; read and stream agree; plain and gzip give the same bytes', async () => {
    const plain = await openContainer(warcContainer, 'crawl.warc', fixture('crawl.warc'));
    const viaStream = await openContainer(warcContainer, 'crawl.warc', fixture('crawl.warc'), { via: 'stream' });
    const gz = await openContainer(warcContainer, 'crawl.warc.gz', fixture('crawl.warc.gz'));
    const gzStream = await openContainer(warcContainer, 'crawl.warc.gz', fixture('crawl.warc.gz'), { via: 'stream' });
    for (let i = 0; i < plain.members.length; i++) {
      const b = plain.members[i]!.bytes!;
      expect(new Uint8Array(viaStream.members[i]!.bytes!)).toEqual(b);
      expect(new Uint8Array(gz.members[i]!.bytes!)).toEqual(b);
      expect(new Uint8Array(gzStream.members[i]!.bytes!)).toEqual(b);
      expect(gz.members[i]!.entry.sha256).toBe(sha256(b));
    }
    // Uncompressed, unchunked payloads are served by ranges of the parent: the engine hashes them.
    expect(plain.members[0]!.entry.sha256).toBeUndefined();
  });

  it('reads a WARC written by GNU Wget 1.21.3 (per-record gzip, chunked response)', async () => {
    for (const name of ['wget-crawl.warc.gz', 'wget-crawl.warc']) {
      const { members, listError, opened } = await openContainer(warcContainer, name, fixture(name));
      expect(listError).toBeNull();
      const byUrl = new Map(members.filter((m) => m.entry.http).map((m) => [m.entry.http!.url, m]));
      const reserved = byUrl.get('http://127.0.0.1:18765/reserved')!;
      expect(reserved.entry.http!.headers).toContainEqual(['X-Robots-Tag', 'noai']);
      expect(text(reserved.bytes)).toContain('Reserved by header');
      const chunked = byUrl.get('http://127.0.0.1:18765/chunked')!;
      expect(chunked.entry.http!.headers).toContainEqual(['Transfer-Encoding', 'chunked']);
      expect(text(chunked.bytes)).toBe(`<html><head><title>Chunked</title></head><body>${'chunk '.repeat(40)}</body></html>\n`);
      expect(text(byUrl.get('http://127.0.0.1:18765/meta')!.bytes)).toContain('tdm-reservation');
      // 4 responses and wget's resource record (its command line).
      expect(members).toHaveLength(5);
      expect((opened as WarcContainer).counts()).toMatchObject({ warcinfo: 1, request: 4, response: 4, metadata: 1, resource: 1 });
    }
  });

  it('lists the same members twice', async () => {
    const bytes = fixture('crawl.warc.gz');
    const { opened } = await openContainer(warcContainer, 'crawl.warc.gz', bytes);
    const first: Entry[] = [];
    for await (const e of opened!.list()) first.push(e);
    const second: Entry[] = [];
    for await (const e of opened!.list()) second.push(e);
    expect(second).toEqual(first);
  });

  it('serves concurrent ranged reads of an uncompressed WARC from the parent', async () => {
    const bytes = fixture('crawl.warc');
    let reads = 0;
    const base = memorySource(bytes, 'crawl.warc');
    const source: Source = { ...base, read: async (e, r) => (reads++, base.read(e, r)) };
    const { opened } = await openContainer(warcContainer, 'crawl.warc', bytes, { source });
    const entries: Entry[] = [];
    for await (const e of opened!.list()) entries.push(e);
    reads = 0;
    const parts = await Promise.all(entries.map((e) => opened!.read(e, { start: 5, end: 30 })));
    expect(text(parts[0]!)).toBe('type html><html><head><ti');
    expect(text(parts[1]!)).toBe('type html><html><head><me');
    expect(text(parts[2]!)).toBe('type html><html><head><ti');
    expect(parts[4]).toEqual(new Uint8Array(0));
    // Unchunked payloads: one ranged read each; the chunked one is held; the empty one needs none.
    expect(reads).toBe(3);
  });
});

describe('warc container recognition', () => {
  it('opens a WARC by content whatever its name, and declines other files', async () => {
    const warc = response('<p>x</p>');
    expect((await openContainer(warcContainer, 'crawl-00001', warc)).members).toHaveLength(1);
    expect((await openContainer(warcContainer, 'crawl-00001.gz', gzipSync(warc))).members).toHaveLength(1);
    expect((await openContainer(warcContainer, 'notes.txt', enc.encode('WARC is a format'))).opened).toBeNull();
    expect((await openContainer(warcContainer, 'x.gz', gzipSync(enc.encode('hello world, not a warc')))).opened).toBeNull();
  });
});

describe('warc container on hostile input', () => {
  const good = [response('<p>one</p>', ['X-Robots-Tag: noai']), response('<p>two</p>')];

  for (const layout of ['plain', 'gzip'] as const) {
    const pack = (records: Uint8Array[]) => (layout === 'gzip' ? gzipEach(records) : Buffer.concat(records));
    const name = layout === 'gzip' ? 'x.warc.gz' : 'x.warc';

    it(`${layout}: a truncated last record → ERR_CONTAINER_CORRUPT after the good records`, async () => {
      const all = pack([...good, response('<p>three is long enough to cut</p>')]);
      const cut = layout === 'gzip' ? all.subarray(0, all.length - 20) : all.subarray(0, all.length - 30);
      const { members, listError } = await openContainer(warcContainer, name, cut);
      expect(members.map((m) => text(m.bytes))).toEqual(['<p>one</p>', '<p>two</p>']);
      expect(listError?.code).toBe('ERR_CONTAINER_CORRUPT');
    });

    it(`${layout}: a lying Content-Length (too short, too long, past the end) → corrupt, bounded`, async () => {
      const block = 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>lie</p>';
      for (const length of [block.length - 5, block.length + 7, 10_000_000_000]) {
        const { members, listError } = await openContainer(warcContainer, name, pack([...good, record('response', block, { length }), ...good]));
        expect(members.map((m) => text(m.bytes))).toEqual(['<p>one</p>', '<p>two</p>']);
        expect(listError?.code).toBe('ERR_CONTAINER_CORRUPT');
      }
    });

    it(`${layout}: garbage where a record should start, and a header without end → corrupt`, async () => {
      for (const bad of [enc.encode('GARBAGE\r\n\r\n'), enc.encode(`WARC/1.1\r\nWARC-Type: response\r\n${'X-Long: aaaa\r\n'.repeat(10_000)}`)]) {
        const { members, listError } = await openContainer(warcContainer, name, Buffer.concat([pack(good), layout === 'gzip' ? gzipSync(bad) : bad]));
        expect(members).toHaveLength(2);
        expect(listError?.code).toBe('ERR_CONTAINER_CORRUPT');
      }
    });

    it(`${layout}: malformed chunking or an unreadable HTTP head → that member's error, listing goes on`, async () => {
      const badChunks = record('response', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n', { uri: 'https://e/x' });
      const overrun = record('response', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfff\r\nabc\r\n0\r\n\r\n', { uri: 'https://e/y' });
      const notHttp = record('response', 'this is not an HTTP response', { uri: 'https://e/z' });
      const { members, listError } = await openContainer(warcContainer, name, pack([badChunks, overrun, notHttp, ...good]));
      expect(listError).toBeNull();
      expect(members.map((m) => m.error?.code ?? text(m.bytes))).toEqual(['ERR_CONTAINER_CORRUPT', 'ERR_CONTAINER_CORRUPT', 'ERR_CONTAINER_CORRUPT', '<p>one</p>', '<p>two</p>']);
      expect(members.map((m) => m.entry.path)).toEqual(['record=0', 'record=1', 'record=2', 'record=3', 'record=4']);
    });

    it(`${layout}: a segmented record is listed as unsupported`, async () => {
      const seg = record('response', 'HTTP/1.1 200 OK\r\n\r\npart', { extra: 'WARC-Segment-Number: 1\r\n' });
      const { members } = await openContainer(warcContainer, name, pack([seg, ...good]));
      expect(members.map((m) => m.error?.code ?? 'ok')).toEqual(['ERR_CONTAINER_UNSUPPORTED', 'ok', 'ok']);
    });

    it(`${layout}: maxMembers stops the listing with ERR_CONTAINER_LIMIT`, async () => {
      const { members, listError } = await openContainer(warcContainer, name, pack([...good, ...good]), { limits: { maxMembers: 3 } });
      expect(members).toHaveLength(3);
      expect(listError?.code).toBe('ERR_CONTAINER_LIMIT');
    });
  }

  it('a gzip bomb record stops at maxRatio, in bounded time and memory', async () => {
    // 256 MiB of zeros in one record: about 250 KiB of gzip.
    const size = 256 * 1024 ** 2;
    const head = enc.encode(`WARC/1.1\r\nWARC-Type: resource\r\nWARC-Date: 2024-01-01T00:00:00Z\r\nContent-Length: ${size}\r\n\r\n`);
    const zeros = new Uint8Array(64 * 1024 * 1024);
    // gzip of head + 16 × 64 MiB zeros + trailer, built as one gzip member from a stream of pieces.
    const gz = createGzip({ level: 1 });
    const out: Buffer[] = [];
    gz.on('data', (c: Buffer) => out.push(c));
    const done = new Promise((r) => gz.on('end', r));
    gz.write(head);
    for (let i = 0; i < size / zeros.length; i++) gz.write(zeros);
    gz.end(enc.encode('\r\n\r\n'));
    await done;
    const bomb = Buffer.concat([gzipEach(good), ...out]);
    const t = performance.now();
    const { members, listError } = await openContainer(warcContainer, 'bomb.warc.gz', bomb);
    expect(performance.now() - t).toBeLessThan(5000);
    expect(members).toHaveLength(2);
    expect(listError?.code).toBe('ERR_CONTAINER_LIMIT');
    expect(listError?.message).toMatch(/maxRatio/);
    // The expanded-bytes limit on its own.
    const small = await openContainer(warcContainer, 'bomb.warc.gz', bomb, { limits: { maxExpandedBytes: 4 * 1024 * 1024, maxRatio: 1e9 } });
    expect(small.listError?.code).toBe('ERR_CONTAINER_LIMIT');
    expect(small.listError?.message).toMatch(/maxExpandedBytes/);
  }, 60_000);

  it('bytes after the last gzip member that are not gzip → corrupt', async () => {
    const { members, listError } = await openContainer(warcContainer, 'x.warc.gz', Buffer.concat([gzipEach([...good, ...good]), enc.encode('trailing junk')]));
    // zlib fails on the junk together with the piece of the last member it came with: that record is lost with it.
    expect(members.map((m) => text(m.bytes))).toEqual(['<p>one</p>', '<p>two</p>', '<p>one</p>']);
    expect(listError?.code).toBe('ERR_CONTAINER_CORRUPT');
  });

  it('a corrupt gzip member → corrupt after the good records', async () => {
    const bad = gzipSync(response('<p>three</p>'));
    bad[bad.length - 12] = bad[bad.length - 12]! ^ 0xff;
    bad[bad.length - 20] = bad[bad.length - 20]! ^ 0xff;
    const { members, listError } = await openContainer(warcContainer, 'x.warc.gz', Buffer.concat([gzipEach(good), bad]));
    expect(members.slice(0, 2).map((m) => text(m.bytes))).toEqual(['<p>one</p>', '<p>two</p>']);
    expect(listError?.code).toBe('ERR_CONTAINER_CORRUPT');
  });

  it('a payload over maxMemberBytes is hashed, its head and tail held, reads between them refused', async () => {
    // Random bytes: they do not compress, so the ratio limit stays out of the way.
    const big = new Uint8Array(randomBytes(3 * STREAM_WINDOW_BYTES + 123));
    const bytes = gzipEach([response(big, ['Content-Type: application/octet-stream'])]);
    const { opened } = await openContainer(warcContainer, 'big.warc.gz', bytes, { limits: { maxMemberBytes: STREAM_WINDOW_BYTES } });
    const entries: Entry[] = [];
    for await (const e of opened!.list()) entries.push(e);
    const e = entries[0]!;
    expect(e.size).toBe(big.length);
    expect(e.sha256).toBe(sha256(big));
    expect(await opened!.read(e, { start: 0, end: 100 })).toEqual(big.subarray(0, 100));
    expect(await opened!.read(e, { start: big.length - 50, end: big.length + 1 })).toEqual(big.subarray(big.length - 50));
    await expect(opened!.read(e, { start: STREAM_WINDOW_BYTES + 10, end: STREAM_WINDOW_BYTES + 20 })).rejects.toMatchObject({ code: 'ERR_MEMBER_NOT_HELD' });
    await expect(async () => {
      for await (const _ of opened!.stream(e)) void _;
    }).rejects.toMatchObject({ code: 'ERR_MEMBER_NOT_HELD' });
  });

  it('10,000 records generated in the test: listed in order, measured', async () => {
    const records: Uint8Array[] = [];
    for (let i = 0; i < 10_000; i++) {
      records.push(record('request', `GET /${i} HTTP/1.1\r\nHost: example.org\r\n\r\n`, { uri: `https://example.org/${i}` }));
      records.push(response(`<html><body>page ${i} ${'lorem ipsum '.repeat(40)}</body></html>`, ['Content-Type: text/html', `X-Robots-Tag: ${i % 2 ? 'noai' : 'all'}`], `https://example.org/${i}`));
    }
    const gz = gzipEach(records);
    const plain = Buffer.concat(records);
    for (const [name, bytes] of [
      ['big.warc.gz', gz],
      ['big.warc', plain],
    ] as const) {
      // Time the listing alone (openContainer also reads every member).
      const entry = { path: name, size: bytes.length };
      const c = await warcContainer.open({
        source: memorySource(bytes, name),
        entry,
        mediaType: 'application/octet-stream',
        head: bytes.subarray(0, 4096),
        complete: false,
        limits: DEFAULT_CONTAINER_LIMITS,
        depth: 1,
        problem: () => {},
      });
      const t = performance.now();
      let n = 0;
      let last = '';
      for await (const e of c!.list()) {
        n++;
        last = e.path;
      }
      const ms = performance.now() - t;
      expect(n).toBe(10_000);
      expect(last).toBe('record=9999');
      console.log(`warc ${name}: ${n} payload records (${(bytes.length / 1e6).toFixed(1)} MB) listed in ${ms.toFixed(0)} ms: ${Math.round((n / ms) * 1000)} records/s`);
    }
  }, 60_000);
});
