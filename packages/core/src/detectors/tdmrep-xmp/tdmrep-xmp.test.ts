import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeTree, runDetector, scanTree } from '../../test-utils/index.js';
import { pdfFile, xmpPacket } from '../xmp/builders.js';
import { tdmrepXmp } from './index.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`fixtures/${name}`, import.meta.url)));
const run = (name: string, bytes: Uint8Array = fixture(name)) => runDetector(tdmrepXmp, `docs/${name}`, bytes);
const tdm = (inner: string, ns = 'http://www.w3.org/ns/tdmrep/') => xmpPacket(`<rdf:Description rdf:about="" xmlns:tdm="${ns}">${inner}</rdf:Description>`);

describe('tdmrep-xmp detector on PDFs written by exiftool and qpdf', () => {
  it('reads a reservation with its policy', async () => {
    expect(await run('reserved-policy.pdf')).toEqual([
      expect.objectContaining({
        code: 'optout.tdmrep-xmp.reserved',
        category: 'opt-out',
        severity: 'info',
        value: expect.objectContaining({ protocol: 'tdmrep', reserved: 'yes', level: 'file', rule: 'tdm:reservation 1', policy: 'https://publisher.example/policies/tdm-policy.json', document: true }),
        scope: { kind: 'file', root: 'docs/reserved-policy.pdf' },
      }),
    ]);
  });

  it('reads 0 as not reserved', async () => {
    expect(await run('not-reserved.pdf')).toEqual([expect.objectContaining({ code: 'optout.tdmrep-xmp.not-reserved', value: expect.objectContaining({ reserved: 'no', rule: 'tdm:reservation 0' }) })]);
  });

  it('finds the catalog in an object stream through a cross-reference stream', async () => {
    expect(await run('reserved-objstm.pdf')).toEqual([expect.objectContaining({ code: 'optout.tdmrep-xmp.reserved', value: expect.objectContaining({ reserved: 'yes', document: true }) })]);
  });

  it('reads the current revision after an incremental update, not the replaced one', async () => {
    const bytes = fixture('updated-later.pdf');
    expect(Buffer.from(bytes).toString('latin1')).toContain('<tdm:reservation>1</tdm:reservation>');
    expect(await run('updated-later.pdf', bytes)).toEqual([expect.objectContaining({ code: 'optout.tdmrep-xmp.not-reserved', value: expect.objectContaining({ reserved: 'no' }) })]);
  });

  it('reports a value other than 0 or 1 as malformed and unknown', async () => {
    expect(await run('malformed-value.pdf')).toEqual([
      expect.objectContaining({ code: 'optout.tdmrep-xmp.malformed', severity: 'warning', value: expect.objectContaining({ reserved: 'unknown', problems: ['tdm:reservation "yes" is neither 0 nor 1'] }) }),
    ]);
  });

  it('keeps a reservation written under the EPUB namespace, as malformed', async () => {
    expect(await run('hash-namespace.pdf')).toEqual([
      expect.objectContaining({ code: 'optout.tdmrep-xmp.malformed', value: expect.objectContaining({ reserved: 'yes', namespace: 'http://www.w3.org/ns/tdmrep#' }) }),
    ]);
  });
});

describe('tdmrep-xmp detector on built PDFs', () => {
  it('inflates a FlateDecode metadata stream', async () => {
    const bytes = pdfFile({ metadata: tdm('<tdm:reservation>1</tdm:reservation>'), flate: true });
    expect(Buffer.from(bytes).toString('latin1')).not.toContain('tdm:reservation');
    expect(await run('flate.pdf', bytes)).toEqual([expect.objectContaining({ code: 'optout.tdmrep-xmp.reserved', value: expect.objectContaining({ document: true, location: 'metadata-stream' }) })]);
  });

  it('reads the attribute form and any prefix bound to the namespace', async () => {
    const bytes = pdfFile({ metadata: xmpPacket('<rdf:Description rdf:about="" xmlns:t="http://www.w3.org/ns/tdmrep/" t:reservation="1" t:policy="https://p.example/p.json"/>') });
    expect(await run('attr.pdf', bytes)).toEqual([expect.objectContaining({ code: 'optout.tdmrep-xmp.reserved', value: expect.objectContaining({ policy: 'https://p.example/p.json' }) })]);
  });

  it('says which metadata is the document\'s and which belongs to a page', async () => {
    const bytes = pdfFile({ metadata: tdm('<tdm:reservation>0</tdm:reservation>'), objectMetadata: [tdm('<tdm:reservation>1</tdm:reservation>')] });
    const out = await run('two.pdf', bytes);
    expect(out.map((f) => [f.code, f.value['document']])).toEqual([
      ['optout.tdmrep-xmp.not-reserved', true],
      ['optout.tdmrep-xmp.reserved', false],
    ]);
  });

  it('reports a policy without a reservation, and disagreeing values, as malformed', async () => {
    const policyOnly = await run('p.pdf', pdfFile({ metadata: tdm('<tdm:policy>https://p.example/p.json</tdm:policy>') }));
    expect(policyOnly).toEqual([expect.objectContaining({ code: 'optout.tdmrep-xmp.malformed', value: expect.objectContaining({ reserved: 'unknown', problems: ['tdm:policy without tdm:reservation'] }) })]);
    const both = await run('b.pdf', pdfFile({ metadata: xmpPacket('<rdf:Description rdf:about="" xmlns:tdm="http://www.w3.org/ns/tdmrep/" tdm:reservation="1"/><rdf:Description rdf:about="" xmlns:tdm="http://www.w3.org/ns/tdmrep/" tdm:reservation="0"/>') }));
    expect(both).toEqual([expect.objectContaining({ code: 'optout.tdmrep-xmp.malformed', value: expect.objectContaining({ reserved: 'unknown' }) })]);
  });

  it('says unknown for the spec\'s own snippet, which is not well-formed XML', async () => {
    const snippet = readFileSync('/work/shared/corpus/optout/tdmrep_spec_pdf-xmp-snippet.xml', 'utf8');
    const out = await run('spec.pdf', pdfFile({ metadata: snippet }));
    expect(out).toEqual([expect.objectContaining({ code: 'optout.tdmrep-xmp.unreadable', value: expect.objectContaining({ reserved: 'unknown', problem: 'malformed' }) })]);
  });

  it('says nothing for PDFs without TDMRep properties', async () => {
    expect(await run('none.pdf', pdfFile({ metadata: xmpPacket('<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:format>application/pdf</dc:format></rdf:Description>') }))).toEqual([]);
    expect(await run('bare.pdf', pdfFile())).toEqual([]);
  });

  it('reads metadata far from both ends through the xref, in further rounds', async () => {
    // 600 KB of content between the catalog and the metadata: neither the head nor the tail holds it.
    const bytes = pdfFile({ metadata: tdm('<tdm:reservation>1</tdm:reservation>'), filler: 600_000 });
    const head = bytes.subarray(0, 128 * 1024);
    const tail = bytes.subarray(bytes.length - 64 * 1024);
    const { readRanges } = await import('../../engine/ranges.js');
    const { memorySource } = await import('../../test-utils/index.js');
    const got = await readRanges(memorySource(bytes), { path: 'x.pdf', size: bytes.length }, tdmrepXmp.wants.ranges!, { size: bytes.length, head, tail, whole: null });
    expect(got.requests).toBeGreaterThan(0);
    const out = await tdmrepXmp.detect({ entry: { path: 'x.pdf', size: bytes.length }, path: 'x.pdf', name: 'x.pdf', dir: '', size: bytes.length, mediaType: 'application/pdf', isText: false, head, tail, whole: null, truncated: false, ranges: got.ranges });
    expect(out).toEqual([expect.objectContaining({ code: 'optout.tdmrep-xmp.reserved' })]);
  });
});

describe('tdmrep-xmp end to end', () => {
  it('excludes a reserved PDF and allows a not-reserved one (default policy)', async () => {
    const tree = await makeTree({
      'LICENSE': 'placeholder',
      'docs/README.md': '---\nlicense: cc-by-4.0\n---\n',
      'docs/reserved.pdf': fixture('reserved-policy.pdf'),
      'docs/open.pdf': fixture('not-reserved.pdf'),
      'docs/odd.pdf': fixture('malformed-value.pdf'),
    });
    try {
      const { records } = await scanTree(tree.root);
      const reserved = records.get('docs/reserved.pdf')!;
      expect(reserved.verdict.decision).toBe('exclude');
      expect(reserved.optOuts).toEqual([expect.objectContaining({ protocol: 'tdmrep', reserved: 'yes', level: 'file', code: 'optout.tdmrep-xmp.reserved' })]);
      expect(records.get('docs/open.pdf')!.verdict.decision).toBe('allow');
      expect(records.get('docs/odd.pdf')!.verdict.decision).toBe('review');
    } finally {
      await tree.cleanup();
    }
  });
});
