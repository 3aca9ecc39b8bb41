import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinContainers } from '../index.js';
import type { ScanRecord } from '../../schema/record.js';
import { makeTree, scanTree } from '../../test-utils/index.js';

const enc = new TextEncoder();

/** A response record (WARC 1.1 §6.3) with the given HTTP headers and body, gzipped on its own (Annex D). */
function response(n: number, uri: string, headers: string[], body: string): Uint8Array {
  const block = enc.encode(`HTTP/1.1 200 OK\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`);
  const head = `WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-00000000000${n}>\r\nWARC-Date: 2024-03-0${n}T10:00:00Z\r\nWARC-Target-URI: ${uri}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: ${block.length}\r\n\r\n`;
  return gzipSync(Buffer.concat([enc.encode(head), block, enc.encode('\r\n\r\n')]));
}

function request(n: number, uri: string): Uint8Array {
  const block = enc.encode(`GET ${new URL(uri).pathname} HTTP/1.1\r\nHost: example.org\r\n\r\n`);
  const head = `WARC/1.1\r\nWARC-Type: request\r\nWARC-Record-ID: <urn:uuid:10000000-0000-4000-8000-00000000000${n}>\r\nWARC-Date: 2024-03-0${n}T10:00:00Z\r\nWARC-Target-URI: ${uri}\r\nContent-Type: application/http; msgtype=request\r\nContent-Length: ${block.length}\r\n\r\n`;
  return gzipSync(Buffer.concat([enc.encode(head), block, enc.encode('\r\n\r\n')]));
}

const crawl = Buffer.concat([
  request(1, 'https://example.org/reserved'),
  response(1, 'https://example.org/reserved', ['Content-Type: text/html', 'X-Robots-Tag: noai', 'tdm-reservation: 1', 'tdm-policy: /policy.json'], '<!doctype html><html><head><title>R</title></head><body>r</body></html>'),
  response(2, 'https://example.org/meta', ['Content-Type: text/html; charset=utf-8'], '<!doctype html><html><head><meta name="tdm-reservation" content="1"><title>M</title></head><body>m</body></html>'),
  response(3, 'https://example.org/free', ['Content-Type: text/plain'], 'free text\n'),
]);

let cleanup: () => Promise<void>;
let records: Map<string, ScanRecord>;

beforeAll(async () => {
  const tree = await makeTree({ 'README.md': '---\nlicense: cc-by-4.0\n---\n# Crawl\n', 'crawl.warc.gz': crawl });
  cleanup = tree.cleanup;
  ({ records } = await scanTree(tree.root, { containers: builtinContainers }));
});
afterAll(() => cleanup());

const optOuts = (p: string) => records.get(p)!.optOuts.map((o) => [o.protocol, o.reserved, o.code]).sort();

describe('WARC members through the engine', () => {
  it('a response with X-Robots-Tag: noai and tdm-reservation: 1 → that record reserved, excluded', () => {
    expect([...records.keys()].filter((p) => p.startsWith('crawl.warc.gz#')).sort()).toEqual(['crawl.warc.gz#record=0', 'crawl.warc.gz#record=1', 'crawl.warc.gz#record=2']);
    expect(optOuts('crawl.warc.gz#record=0')).toEqual([
      ['noai', 'yes', 'optout.noai.x-robots-tag'],
      ['tdmrep', 'yes', 'optout.tdmrep.http-header'],
    ]);
    const tdm = records.get('crawl.warc.gz#record=0')!.findings.find((f) => f.code === 'optout.tdmrep.http-header')!;
    expect(tdm.value).toMatchObject({ level: 'file', policy: 'https://example.org/policy.json' });
    expect(records.get('crawl.warc.gz#record=0')!.verdict.decision).toBe('exclude');
  });

  it('an HTML response with <meta name="tdm-reservation" content="1"> → reserved by html-meta', () => {
    expect(optOuts('crawl.warc.gz#record=1')).toEqual([['tdmrep', 'yes', 'optout.tdmrep.html-meta']]);
    expect(records.get('crawl.warc.gz#record=1')!.verdict.decision).toBe('exclude');
  });

  it('a response without opt-outs inherits the dataset licence; the request record is no member', () => {
    expect(optOuts('crawl.warc.gz#record=2')).toEqual([]);
    expect(records.get('crawl.warc.gz#record=2')!.verdict.decision).not.toBe('exclude');
    expect(records.get('crawl.warc.gz#record=2')!.mtime).toBe('2024-03-03T10:00:00.000Z');
  });
});
