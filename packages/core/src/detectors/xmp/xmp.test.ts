import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bmffBox, concatBytes, jpegExtendedXmpSegments, jpegFile, jpegJumbfSegments, jpegSegment, jpegXmpSegment, pdfFile, pngChunk, pngFile, pngXmpChunk, xmpPacket } from './builders.js';
import { ByteView, fieldsOf, locateEmbedded, mentions, parseXmp, readXmp, textsOf, type EmbeddedBlock } from './index.js';

const PLUS = 'http://ns.useplus.org/ldf/xmp/1.0/';
const DC = 'http://purl.org/dc/elements/1.1/';
const desc = (inner: string, ns = `xmlns:plus="${PLUS}"`) => xmpPacket(`<rdf:Description rdf:about="" ${ns}>${inner}</rdf:Description>`);
const dm = (v = 'DMI-PROHIBITED') => desc(`<plus:DataMining>${v}</plus:DataMining>`);
const locate = (bytes: Uint8Array) => locateEmbedded(ByteView.of(bytes));
const values = (blocks: EmbeddedBlock[]) => readXmp(blocks).flatMap((p) => (p.doc ? p.doc.get(PLUS, 'DataMining').flatMap((x) => textsOf(x.value).map((t) => t.value)) : [`!${p.problem}`]));
const fixture = (dir: string, name: string) => new Uint8Array(readFileSync(new URL(`../${dir}/fixtures/${name}`, import.meta.url)));

/** Times a call; hostile input must be cheap. */
function timed<T>(fn: () => T): { value: T; ms: number } {
  const t = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t };
}

describe('parseXmp', () => {
  it('reads element, attribute, resource, array, structure and qualified forms by namespace URI', () => {
    const xml = xmpPacket(
      [
        `<rdf:Description rdf:about="" xmlns:a="${PLUS}" a:DataMining="DMI-ALLOWED"/>`,
        `<rdf:Description rdf:about="" xmlns:b="${PLUS}" xmlns:dc="${DC}">`,
        '<b:Licensor><rdf:Seq><rdf:li rdf:parseType="Resource"><b:LicensorName>Harbour Trust</b:LicensorName></rdf:li></rdf:Seq></b:Licensor>',
        '<b:OtherConstraints><rdf:Alt><rdf:li xml:lang="x-default">No AI</rdf:li><rdf:li xml:lang="de">Keine KI</rdf:li></rdf:Alt></b:OtherConstraints>',
        '<b:CopyrightOwner><rdf:Description><b:CopyrightOwnerName>A</b:CopyrightOwnerName></rdf:Description></b:CopyrightOwner>',
        '<b:ImageSupplier b:ImageSupplierName="Shorthand struct"/>',
        '<dc:rights rdf:parseType="Resource"><rdf:value>Qualified</rdf:value><dc:note>q</dc:note></dc:rights>',
        '<dc:source rdf:resource="https://example.org/x"/>',
        '</rdf:Description>',
      ].join(''),
    );
    const r = parseXmp(new TextEncoder().encode(xml));
    expect(r.ok).toBe(true);
    const doc = r.ok ? r.doc : null;
    expect(doc!.get(PLUS, 'DataMining').flatMap((p) => textsOf(p.value))).toEqual([{ kind: 'text', value: 'DMI-ALLOWED' }]);
    expect(doc!.get(PLUS, 'OtherConstraints').flatMap((p) => textsOf(p.value))).toEqual([
      { kind: 'text', value: 'No AI', lang: 'x-default' },
      { kind: 'text', value: 'Keine KI', lang: 'de' },
    ]);
    expect(doc!.get(PLUS, 'Licensor').flatMap((p) => fieldsOf(p.value, PLUS, 'LicensorName')).flatMap(textsOf)[0]!.value).toBe('Harbour Trust');
    expect(doc!.get(PLUS, 'CopyrightOwner').flatMap((p) => fieldsOf(p.value, PLUS, 'CopyrightOwnerName')).flatMap(textsOf)[0]!.value).toBe('A');
    expect(doc!.get(PLUS, 'ImageSupplier').flatMap((p) => fieldsOf(p.value, PLUS, 'ImageSupplierName')).flatMap(textsOf)[0]!.value).toBe('Shorthand struct');
    expect(doc!.get(DC, 'rights').flatMap((p) => textsOf(p.value))[0]!.value).toBe('Qualified');
    expect(doc!.get(DC, 'source').flatMap((p) => textsOf(p.value))).toEqual([{ kind: 'text', value: 'https://example.org/x', resource: true }]);
    expect(doc!.uses(PLUS)).toBe(true);
    expect(doc!.get('http://example.org/other/', 'DataMining')).toEqual([]);
  });

  it('reads UTF-16 packets, with or without a byte-order mark (real file: exiftool t/images/XMP.jpg)', () => {
    const real = new Uint8Array(readFileSync('/work/shared/corpus/tpm/image/exiftool-XMP.jpg'));
    const packets = readXmp(locate(real).blocks);
    expect(packets).toHaveLength(1);
    expect(packets[0]!.doc!.encoding).toBe('utf-16be');
    expect(packets[0]!.doc!.get(DC, 'description').flatMap((p) => textsOf(p.value))[0]!.value).toBe('UTF-16 (big-endian) encoded XMP');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(dm(), 'utf16le')]);
    const r = parseXmp(le);
    expect(r.ok && r.doc.encoding).toBe('utf-16le');
  });

  it('refuses what is not well-formed, and says why', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(parseXmp(enc('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description/></rdf:RDF></x:xmpmeta>'))).toMatchObject({ ok: false, problem: 'malformed' }); // unbound rdf prefix
    expect(parseXmp(enc(desc('<plus:DataMining>&nbsp;</plus:DataMining>')))).toMatchObject({ ok: false, problem: 'malformed' });
    expect(parseXmp(enc('<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>'))).toMatchObject({ ok: false, problem: 'doctype' });
    expect(parseXmp(enc('  \n  '))).toMatchObject({ ok: false, problem: 'empty' });
    expect(parseXmp(new Uint8Array([0, 0, 0, 0x3c, 0, 0, 0, 0x78]))).toMatchObject({ ok: false, problem: 'encoding' });
  });

  it('bounds hostile packets: billion laughs, deep nesting, many elements, a 50 MB packet', () => {
    const lol = ['<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${`&${i === 0 ? 'a' : 'b'.repeat(i)};`.repeat(10)}">`), ']>'].join('');
    const bomb = timed(() => parseXmp(new TextEncoder().encode(`${lol}<x>&bbbbbbbbb;</x>`)));
    expect(bomb.value).toMatchObject({ ok: false, problem: 'doctype' });
    expect(bomb.ms).toBeLessThan(500);

    const deep = `<x:xmpmeta xmlns:x="adobe:ns:meta/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:RDF><rdf:Description xmlns:p="${PLUS}">${'<p:a rdf:parseType="Resource">'.repeat(5000)}${'</p:a>'.repeat(5000)}</rdf:Description></rdf:RDF></x:xmpmeta>`;
    const d = timed(() => parseXmp(new TextEncoder().encode(deep)));
    expect(d.value).toMatchObject({ ok: false, problem: 'too-deep' });
    expect(d.ms).toBeLessThan(1000);

    const many = desc(`<plus:X><rdf:Bag>${'<rdf:li>x</rdf:li>'.repeat(200)}</rdf:Bag></plus:X>`);
    expect(parseXmp(new TextEncoder().encode(many), { maxElements: 100 })).toMatchObject({ ok: false, problem: 'too-many-elements' });

    const huge = new Uint8Array(50 * 1024 * 1024).fill(0x20);
    huge.set(new TextEncoder().encode(dm()), 0);
    const h = timed(() => parseXmp(huge));
    expect(h.value).toMatchObject({ ok: false, problem: 'too-large' });
    expect(h.ms).toBeLessThan(100);
  });

  it('finds a 50 MB raw packet but does not parse it', () => {
    const body = new Uint8Array(50 * 1024 * 1024).fill(0x20);
    const open = new TextEncoder().encode(`<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:plus="${PLUS}"><plus:DataMining>DMI-PROHIBITED</plus:DataMining><plus:Pad>`);
    const close = new TextEncoder().encode('</plus:Pad></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>');
    body.set(open, 0);
    body.set(close, body.length - close.length);
    const { value, ms } = timed(() => values(locate(body).blocks));
    expect(value).toEqual(['!too-large']);
    expect(ms).toBeLessThan(2000);
    expect(mentions(body.subarray(0, 4096), 'ns.useplus.org/ldf/xmp/1.0/')).toBe(true);
  });
});

describe('locateEmbedded: bounded work on stuffed files', () => {
  it('thousands of packets, metadata dictionaries, extended-XMP parts or chunk types cost little', () => {
    const packets = concatBytes(...Array.from({ length: 8000 }, () => '<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>'));
    const a = timed(() => locate(packets).blocks);
    expect(a.value).toHaveLength(64);
    expect(a.ms).toBeLessThan(1000);

    const opens = concatBytes(...Array.from({ length: 20000 }, () => '<?xpacket begin'), '<?xpacket end="w"?>');
    expect(timed(() => locate(opens).blocks).ms).toBeLessThan(1000);

    const dicts = concatBytes('%PDF-1.7\n', ...Array.from({ length: 20000 }, (_, i) => `${i} 0 obj << /Type /Metadata >>\n`), '%%EOF\n');
    expect(timed(() => locate(dicts).blocks).ms).toBeLessThan(1000);

    // 4000 extended-XMP segments, each claiming a different GUID and an offset near 16 MB: nothing is allocated for the gaps.
    const lying = Array.from({ length: 4000 }, (_, i) => jpegSegment(0xe1, concatBytes('http://ns.adobe.com/xmp/extension/\0', String(i).padStart(32, '0'), new Uint8Array([0, 0xff, 0xff, 0xf0, 0, 0xff, 0xff, 0xe0]), 'x'.repeat(10))));
    const e = timed(() => locate(jpegFile(...lying)).blocks);
    expect(e.value).toHaveLength(64);
    expect(e.value.every((b) => !b.complete && b.bytes!.length === 10)).toBe(true);
    expect(e.ms).toBeLessThan(1000);

    const gifs = concatBytes('GIF89a', new Uint8Array(7), ...Array.from({ length: 5000 }, () => concatBytes(new Uint8Array([0x21, 0xff, 0x0b]), 'XMP DataXMP')), '<?xpacket end="w"?>');
    expect(timed(() => locate(gifs).blocks).ms).toBeLessThan(1000);
  });
});

describe('locateEmbedded: JPEG', () => {
  it('reassembles extended XMP by GUID, in any segment order', () => {
    const main = desc('<xmpNote:HasExtendedXMP xmlns:xmpNote="http://ns.adobe.com/xmp/note/">0123456789ABCDEF0123456789ABCDEF</xmpNote:HasExtendedXMP>');
    const ext = dm('DMI-PROHIBITED-AIMLTRAINING') + ' '.repeat(150_000);
    const parts = jpegExtendedXmpSegments(ext, '0123456789ABCDEF0123456789ABCDEF');
    const found = locate(jpegFile(jpegXmpSegment(main), ...parts.reverse())).blocks;
    expect(found.map((b) => [b.location, b.complete])).toEqual([
      ['app1', true],
      ['app1-extended', true],
    ]);
    expect(values(found)).toEqual(['DMI-PROHIBITED-AIMLTRAINING']);
  });

  it('stops at a lying segment length and a truncated file, keeping what came before', () => {
    const lying = jpegFile(jpegXmpSegment(dm()), jpegSegment(0xe2, 'ICC', 0xfff0));
    expect(values(locate(lying.subarray(0, lying.length - 4)).blocks)).toEqual(['DMI-PROHIBITED']);
    const cut = jpegFile(jpegXmpSegment(dm()));
    expect(values(locate(cut.subarray(0, 60)).blocks)).toEqual([]);
    expect(locate(new Uint8Array([0xff, 0xd8, 0xff])).blocks).toEqual([]);
    expect(locate(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x01])).blocks).toEqual([]); // length < 2
  });

  it('reassembles JUMBF from APP11 segments; refuses one claiming 4 GB without allocating it', () => {
    const box = concatBytes(new Uint8Array([0, 0, 0x01, 0x08]), 'jumb', new Uint8Array(256).fill(7));
    const segs = jpegJumbfSegments(box, { piece: 100 });
    expect(segs).toHaveLength(3);
    const [j] = locate(jpegFile(...segs)).blocks;
    expect(j).toMatchObject({ kind: 'jumbf', location: 'app11', complete: true });
    expect(Buffer.from(j!.bytes!).equals(Buffer.from(box))).toBe(true);

    const missing = locate(jpegFile(segs[0]!, segs[2]!)).blocks[0]!;
    expect(missing).toMatchObject({ complete: false, problem: 'truncated' });

    const huge = concatBytes(new Uint8Array([0xff, 0xff, 0xff, 0xff]), 'jumb', new Uint8Array(100));
    const { value, ms } = timed(() => locate(jpegFile(...jpegJumbfSegments(huge))).blocks);
    expect(value).toEqual([expect.objectContaining({ kind: 'jumbf', bytes: null, problem: 'too-large' })]);
    expect(ms).toBeLessThan(100);
    const xl = concatBytes(new Uint8Array([0, 0, 0, 1]), 'jumb', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), new Uint8Array(10));
    expect(locate(jpegFile(...jpegJumbfSegments(xl))).blocks).toEqual([expect.objectContaining({ problem: 'too-large' })]);
  });

  it('asks for the rest of a metadata region the head did not hold', () => {
    // Four 60 KB ICC segments, then the XMP, then 200 KB of image data: neither the head nor the tail holds the XMP.
    const segments = concatBytes(...Array.from({ length: 4 }, () => jpegSegment(0xe2, new Uint8Array(60_000))), jpegXmpSegment(dm()));
    const file = concatBytes(new Uint8Array([0xff, 0xd8]), segments, new Uint8Array([0xff, 0xda, 0x00, 0x02]), new Uint8Array(200_000), new Uint8Array([0xff, 0xd9]));
    const head = file.subarray(0, 128 * 1024);
    const view = new ByteView({ size: file.length, head, round: 0 });
    expect(values(locateEmbedded(view).blocks)).toEqual([]);
    // The fourth ICC header lies past the head: a look-ahead window there, not the image data.
    expect(view.needs).toEqual([{ start: 180_014, end: 180_014 + 16 * 1024 }]);
    // Round by round, as the engine serves them: the walk jumps over the fourth ICC segment to the XMP.
    const ranges: { start: number; end: number; bytes: Uint8Array }[] = [];
    for (let round = 0; round < 3; round++) {
      const v = new ByteView({ size: file.length, head, ranges, round });
      locateEmbedded(v);
      for (const n of v.needs) ranges.push({ ...n, bytes: file.subarray(n.start, n.end) });
    }
    expect(values(locateEmbedded(new ByteView({ size: file.length, head, ranges })).blocks)).toEqual(['DMI-PROHIBITED']);
    expect(ranges.reduce((n, r) => n + r.end - r.start, 0)).toBeLessThanOrEqual(2 * 16 * 1024);
  });
});

describe('locateEmbedded: PNG, TIFF, WebP, GIF, BMFF', () => {
  it('PNG: inflates compressed iTXt under a cap; finds chunks after IDAT in the tail by CRC', () => {
    expect(values(locate(pngFile([pngXmpChunk(dm(), { compressed: true })])).blocks)).toEqual(['DMI-PROHIBITED']);
    // A zlib bomb: 64 MB of spaces compressed to ~64 KB, refused at the cap.
    const bomb = pngChunk('iTXt', concatBytes('XML:com.adobe.xmp\0', new Uint8Array([1, 0]), '\0\0', deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20))));
    const b = timed(() => locate(pngFile([bomb])).blocks);
    expect(b.value).toEqual([expect.objectContaining({ bytes: null, problem: 'too-large' })]);
    expect(b.ms).toBeLessThan(3000);

    const big = pngFile([], [pngChunk('tEXt', `Comment\0${'x'.repeat(300_000)}`), pngXmpChunk(dm('DMI-ALLOWED'))]);
    const idat = Array.from({ length: 40 }, () => pngChunk('IDAT', new Uint8Array(8192)));
    const file = concatBytes(big.subarray(0, 33), ...idat, big.subarray(33));
    const view = new ByteView({ size: file.length, head: file.subarray(0, 128 * 1024), tail: file.subarray(file.length - 64 * 1024) });
    expect(values(locateEmbedded(view).blocks)).toEqual(['DMI-ALLOWED']);
    // A chunk type in the tail whose CRC is wrong is not taken.
    const bad = pngFile([], [pngChunk('iTXt', concatBytes('XML:com.adobe.xmp\0', new Uint8Array([0, 0]), '\0\0', dm()), 0x12345678)]);
    expect(locate(bad).blocks.filter((x) => x.complete)).toHaveLength(1); // the walk from the head reads it; the tail search does not add a second
  });

  it('PNG: a lying chunk length stops the walk', () => {
    const file = pngFile([pngChunk('tEXt', 'a\0b'), pngXmpChunk(dm())]);
    file.set([0x7f, 0xff, 0xff, 0xff], 33); // the tEXt chunk's length
    const { value, ms } = timed(() => locate(file).blocks);
    expect(value).toEqual([]);
    expect(ms).toBeLessThan(100);
  });

  it('TIFF: asks for an IFD and an XMP value far into the file; refuses lying counts', () => {
    const xml = new TextEncoder().encode(dm());
    const size = 400_000;
    const file = new Uint8Array(size);
    const dv = new DataView(file.buffer);
    file.set([0x49, 0x49, 42, 0]);
    const ifd = 300_000;
    const valueAt = 200_000;
    dv.setUint32(4, ifd, true);
    dv.setUint16(ifd, 1, true);
    dv.setUint16(ifd + 2, 700, true);
    dv.setUint16(ifd + 4, 7, true);
    dv.setUint32(ifd + 6, xml.length, true);
    dv.setUint32(ifd + 10, valueAt, true);
    file.set(xml, valueAt);
    const read = (ranges: { start: number; end: number }[]) => new ByteView({ size, head: file.subarray(0, 1024), tail: file.subarray(size - 1024), ranges: ranges.map((r) => ({ ...r, bytes: file.subarray(r.start, r.end) })) });
    const v1 = read([]);
    locateEmbedded(v1);
    const v2 = read([...v1.needs]);
    locateEmbedded(v2);
    const v3 = read([...v1.needs, ...v2.needs]);
    expect(values(locateEmbedded(v3).blocks)).toEqual(['DMI-PROHIBITED']);
    expect(v1.needs.length + v2.needs.length).toBe(2);

    const lying = file.slice();
    new DataView(lying.buffer).setUint16(ifd, 65000, true);
    expect(locate(lying).blocks).toEqual([]);
    const far = file.slice();
    new DataView(far.buffer).setUint32(ifd + 10, 0xfffffff0, true);
    expect(locate(far).blocks).toEqual([expect.objectContaining({ bytes: null, problem: 'truncated' })]);
  });

  it('WebP: a lying RIFF size and chunk size end the walk safely', () => {
    const real = fixture('iptc-plus', 'except-search.webp');
    const lying = real.slice();
    new DataView(lying.buffer).setUint32(16, 0xfffffff0, true); // first chunk size
    expect(locate(lying).blocks).toEqual([]);
    expect(values(locate(real).blocks)).toEqual(['http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING']);
  });

  it('GIF: a packet cut by the end of the file is incomplete, not parsed', () => {
    const real = fixture('iptc-plus', 'see-constraint.gif');
    const cut = real.subarray(0, 600);
    expect(locate(cut).blocks).toEqual([expect.objectContaining({ location: 'application-extension', complete: false, problem: 'truncated' })]);
    expect(values(locate(cut).blocks)).toEqual(['!truncated']);
  });

  it('BMFF: top-level uuid XMP; boxes with size 0, 1 and lying sizes; iloc extents past the end', () => {
    const xmpUuid = 'be7acfcb97a942e89c71999491e3afac';
    const mp4 = concatBytes(bmffBox('ftyp', 'isom\0\0\0\0isom'), bmffBox('uuid', dm(), xmpUuid), bmffBox('mdat', new Uint8Array(16)));
    expect(values(locate(mp4).blocks)).toEqual(['DMI-PROHIBITED']);
    const toEnd = concatBytes(bmffBox('ftyp', 'isom\0\0\0\0isom'), new Uint8Array([0, 0, 0, 0]), 'mdat', new Uint8Array(64));
    expect(locate(toEnd).blocks).toEqual([]);
    const lying = concatBytes(bmffBox('ftyp', 'isom\0\0\0\0isom'), new Uint8Array([0x7f, 0xff, 0xff, 0xff]), 'moov', new Uint8Array(64));
    expect(timed(() => locate(lying).blocks).value).toEqual([]);
    const large = concatBytes(bmffBox('ftyp', 'isom\0\0\0\0isom'), new Uint8Array([0, 0, 0, 1]), 'mdat', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    expect(locate(large).blocks).toEqual([]);

    const heic = fixture('iptc-plus', 'allowed.heic');
    const extentAt = Buffer.from(heic).indexOf(Buffer.from('iloc')) - 4;
    expect(extentAt).toBeGreaterThan(0);
    const broken = heic.slice(0, 2000); // the item data lies past the end of what remains
    expect(values(locate(broken).blocks).every((v) => v.startsWith('!'))).toBe(true);
  });
});

describe('locateEmbedded: PDF', () => {
  it('finds the document metadata, FlateDecode or not, and tells page metadata apart', () => {
    const found = locate(pdfFile({ metadata: dm(), flate: true, objectMetadata: [dm('DMI-ALLOWED')] })).blocks;
    expect(found.map((b) => [b.location, b.compressed, b.detail?.['document']])).toEqual([
      ['metadata-stream', true, true],
      ['metadata-stream', false, false],
    ]);
    expect(values(found)).toEqual(['DMI-PROHIBITED', 'DMI-ALLOWED']);
  });

  it('survives a lying /Length, a /Prev loop and a FlateDecode bomb', () => {
    const good = pdfFile({ metadata: dm() });
    const text = Buffer.from(good).toString('latin1');
    const lying = Buffer.from(text.replace(/\/Length (\d+) >>\nstream\n<\?xpacket/, '/Length 99999999 >>\nstream\n<?xpacket'), 'latin1');
    expect(values(locate(new Uint8Array(lying)).blocks)).toEqual(['!too-large']);
    const loop = Buffer.from(text.replace('/Root 1 0 R >>', `/Root 1 0 R /Prev ${text.lastIndexOf('xref')} >>`), 'latin1');
    expect(timed(() => values(locate(new Uint8Array(loop)).blocks)).value).toEqual(['DMI-PROHIBITED']);
    const bombData = deflateSync(Buffer.alloc(40 * 1024 * 1024, 0x20));
    const bomb = concatBytes('%PDF-1.7\n5 0 obj\n<< /Type /Metadata /Subtype /XML /Filter /FlateDecode /Length ', String(bombData.length), ' >>\nstream\n', bombData, '\nendstream\nendobj\n%%EOF\n');
    const b = timed(() => locate(bomb).blocks);
    expect(b.value).toEqual([expect.objectContaining({ bytes: null, problem: 'too-large' })]);
    expect(b.ms).toBeLessThan(3000);
  });

  it('reports encrypted metadata as unreadable instead of parsing ciphertext (qpdf test suite file)', () => {
    const enc = new Uint8Array(readFileSync('/work/shared/corpus/tpm/pdf/qpdf-enc-R3-V2-userpw.pdf'));
    expect(locate(enc).blocks).toEqual([expect.objectContaining({ location: 'metadata-stream', bytes: null, problem: 'encrypted' })]);
    const clear = new Uint8Array(readFileSync('/work/shared/corpus/tpm/pdf/qpdf-V4-aes-clearmeta.pdf'));
    expect(readXmp(locate(clear).blocks).map((p) => p.doc !== null)).toEqual([true]);
  });
});

describe('locateEmbedded: raw scan', () => {
  it('finds packets in unknown formats by their wrappers, and one whose end is missing as incomplete', () => {
    const other = concatBytes('8BPS\0\0junk', dm('DMI-PROHIBITED-GENAIMLTRAINING'), 'more junk');
    expect(locate(other)).toMatchObject({ format: 'raw' });
    expect(values(locate(other).blocks)).toEqual(['DMI-PROHIBITED-GENAIMLTRAINING']);
    const noEnd = concatBytes('junk<x:xmpmeta xmlns:x="adobe:ns:meta/">', 'x'.repeat(100));
    expect(locate(noEnd).blocks).toEqual([expect.objectContaining({ complete: false, problem: 'truncated' })]);
  });
});
