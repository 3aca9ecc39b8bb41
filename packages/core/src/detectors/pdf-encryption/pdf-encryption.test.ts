import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { detectPartially } from '../tpm-common/testing.js';
import { pdfEncryption } from './index.js';
import { deniedPermissions, hash2B } from './security.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const read = (name: string) => new Uint8Array(readFileSync(path.join(fixtures, name)));
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

type V = { format: string; scheme: string; needsSecret: boolean; denied: string[]; r?: number; p?: number; userPassword?: string; system?: string; encryptMetadata?: boolean };
const tpmOf = (out: { code: string; category: string; value: unknown }[]) => out.filter((f) => f.category === 'tpm') as unknown as { code: string; value: V; evidence: { byteOffset?: number } }[];

const ALL = ['print', 'print-high-quality', 'modify', 'copy', 'annotate', 'fill-forms', 'extract-accessibility', 'assemble'];

/** What each fixture must give: [code, scheme, R, userPassword, denied]. */
const EXPECTED: Record<string, [string, string, number, string, string[]] | null> = {
  'qpdf-enc-base-plain.pdf': null,
  'qpdf-enc-R2-V1-emptypw.pdf': ['tpm.pdf.restricted', 'RC4-40', 2, 'empty', ALL],
  'qpdf-enc-R2-V1-owneronly.pdf': ['tpm.pdf.restricted', 'RC4-40', 2, 'empty', ALL],
  'qpdf-enc-R3-V2-owneronly.pdf': ['tpm.pdf.restricted', 'RC4-128', 3, 'empty', ['print', 'print-high-quality', 'modify', 'copy', 'assemble']],
  'qpdf-enc-R3-V2-userpw.pdf': ['tpm.pdf.encrypted', 'RC4-128', 3, 'required', ['print', 'print-high-quality', 'modify', 'copy', 'assemble']],
  'qpdf-encrypted-40-bit-R3.pdf': ['tpm.pdf.encrypted', 'RC4-40', 3, 'required', ['modify']],
  'qpdf-V4-aes-clearmeta.pdf': ['tpm.pdf.restricted', 'AES-128', 4, 'empty', []],
  'qpdf-c-r4-userpw-xrefstream.pdf': ['tpm.pdf.encrypted', 'AES-128', 4, 'required', ['print-high-quality']],
  'qpdf-enc-R6-V5-owneronly-xrefstream.pdf': ['tpm.pdf.restricted', 'AES-256', 6, 'empty', ['print', 'print-high-quality', 'modify', 'copy', 'annotate', 'fill-forms']],
  'qpdf-enc-R6-V5-userpw-linearized.pdf': ['tpm.pdf.encrypted', 'AES-256', 6, 'required', ['print-high-quality', 'assemble']],
  'qpdf-enc-R6-V5-attachments-only.pdf': ['tpm.pdf.partial', 'AES-256', 6, 'required', ['assemble', 'embedded-files']],
  'qpdf-encrypted-positive-P.pdf': ['tpm.pdf.restricted', 'AES-256', 6, 'empty', []],
  'made-R2-rc4-40-userpw.pdf': ['tpm.pdf.encrypted', 'RC4-40', 2, 'required', []],
  'made-R3-rc4-128-userpw.pdf': ['tpm.pdf.encrypted', 'RC4-128', 3, 'required', []],
  'made-R4-aes128-emptypw-nomodify-clearmeta.pdf': ['tpm.pdf.restricted', 'AES-128', 4, 'empty', ['modify', 'annotate', 'fill-forms', 'assemble']],
  'made-R4-emptypw-objstm-xrefstream.pdf': ['tpm.pdf.restricted', 'AES-128', 4, 'empty', ['annotate', 'fill-forms']],
  'made-R5-emptypw.pdf': ['tpm.pdf.restricted', 'AES-256', 5, 'empty', []],
  'made-R5-userpw.pdf': ['tpm.pdf.encrypted', 'AES-256', 5, 'required', []],
  'made-R6-emptypw-noprint-nocopy.pdf': ['tpm.pdf.restricted', 'AES-256', 6, 'empty', ['print', 'print-high-quality', 'copy']],
  'made-R6-userpw.pdf': ['tpm.pdf.encrypted', 'AES-256', 6, 'required', []],
  'made-R6-userpw-linearized-objstm.pdf': ['tpm.pdf.encrypted', 'AES-256', 6, 'required', []],
};

describe('pdf-encryption: real files', () => {
  it('has an expectation for every fixture', () => {
    expect(readdirSync(fixtures).filter((f) => f.endsWith('.pdf')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', async (file, want) => {
    const out = await runDetector(pdfEncryption, file, read(file));
    expect(out.filter((f) => f.code === 'tpm.pdf.malformed')).toEqual([]);
    const tpm = tpmOf(out);
    if (want === null) {
      expect(tpm).toEqual([]);
      return;
    }
    const [code, scheme, r, userPassword, denied] = want;
    expect(tpm).toHaveLength(1);
    expect(tpm[0]!.code).toBe(code);
    expect(tpm[0]!.value).toMatchObject({ format: 'pdf', scheme, r, userPassword, denied, needsSecret: code === 'tpm.pdf.encrypted' });
    expect(tpm[0]!.evidence.byteOffset).toBeGreaterThan(0);
  });

  it('reads /P written as an unsigned number as the signed 32-bit value', async () => {
    expect(latin1(read('qpdf-encrypted-positive-P.pdf'))).toContain('/P 4294967292');
    const [f] = tpmOf(await runDetector(pdfEncryption, 'p.pdf', read('qpdf-encrypted-positive-P.pdf')));
    expect(f!.value.p).toBe(-4);
  });

  it('reports /EncryptMetadata false', async () => {
    const [f] = tpmOf(await runDetector(pdfEncryption, 'm.pdf', read('made-R4-aes128-emptypw-nomodify-clearmeta.pdf')));
    expect(f!.value.encryptMetadata).toBe(false);
  });

  it('gives the same answer from the tail and ranges as from the whole file, reading less', async () => {
    for (const file of Object.keys(EXPECTED)) {
      const bytes = read(file);
      const whole = await runDetector(pdfEncryption, file, bytes);
      // A 1 KiB head and a 2 KiB tail force the cross-reference chain to be followed through ranges.
      const part = await detectPartially(pdfEncryption, file, bytes, { head: 1024, tail: 2048 });
      expect(part.findings.map((f) => [f.code, f.value]), file).toEqual(whole.map((f) => [f.code, f.value]));
      if (bytes.length > 4096) expect(part.bytesRead, file).toBeLessThan(bytes.length);
    }
  });
});

/** qpdf's own view of a file: whether a password is required (exit 0), not (3), or not encrypted (2), R, P and capabilities. */
function qpdfView(file: string): { userPassword: string | null; r?: number; p?: number; denied: string[] } {
  const rc = spawnSync('qpdf', ['--requires-password', file]).status;
  if (rc === 2) return { userPassword: null, denied: [] };
  const text = spawnSync('qpdf', ['--show-encryption', file], { encoding: 'utf8' }).stdout;
  const cap = (label: string) => new RegExp(`^${label}: not allowed`, 'm').test(text);
  const denied = [
    ['print', 'print low resolution'],
    ['print-high-quality', 'print high resolution'],
    ['modify', 'modify other'],
    ['copy', 'extract for any purpose'],
    ['annotate', 'modify annotations'],
    ['fill-forms', 'modify forms'],
    ['extract-accessibility', 'extract for accessibility'],
    ['assemble', 'modify document assembly'],
  ]
    .filter(([, label]) => cap(label!))
    .map(([name]) => name!);
  return { userPassword: rc === 0 ? 'required' : 'empty', r: Number(/^R = (\d+)/m.exec(text)?.[1]), p: Number(/^P = (-?\d+)/m.exec(text)?.[1]), denied };
}

const hasQpdf = spawnSync('qpdf', ['--version']).status === 0;

describe.skipIf(!hasQpdf)('pdf-encryption agrees with qpdf', () => {
  it.each(Object.keys(EXPECTED))('%s', async (file) => {
    const q = qpdfView(path.join(fixtures, file));
    const tpm = tpmOf(await runDetector(pdfEncryption, file, read(file)));
    if (q.userPassword === null) {
      expect(tpm).toEqual([]);
      return;
    }
    expect(tpm).toHaveLength(1);
    const v = tpm[0]!.value;
    expect({ userPassword: v.userPassword, r: v.r, p: v.p, denied: v.denied.filter((d) => d !== 'embedded-files') }).toEqual(q);
  });
});

// ---------------------------------------------------------------------------------------------
// Synthetic files: vendor handlers, object streams, incremental updates, and hostile structures.

/** Writes a PDF with a classic cross-reference table; objects are `num → body` (without `obj`/`endobj`). */
function buildPdf(objects: Record<number, string>, trailer: string, opts: { startxref?: number; prev?: number } = {}): Uint8Array {
  let body = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets = new Map<number, number>();
  for (const [num, text] of Object.entries(objects)) {
    offsets.set(Number(num), body.length);
    body += `${num} 0 obj\n${text}\nendobj\n`;
  }
  const xref = body.length;
  const max = Math.max(0, ...offsets.keys());
  body += `xref\n0 ${max + 1}\n0000000000 65535 f \n`;
  for (let n = 1; n <= max; n++) body += offsets.has(n) ? `${String(offsets.get(n)).padStart(10, '0')} 00000 n \n` : '0000000000 00000 f \n';
  body += `trailer\n<< /Size ${max + 1} /Root 1 0 R ${trailer} >>\nstartxref\n${opts.startxref ?? xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** Appends an incremental update: new objects, a table listing only them, and a trailer with /Prev. */
function appendUpdate(pdf: Uint8Array, objects: Record<number, string>, trailer: string, prev?: number): Uint8Array {
  const base = latin1(pdf);
  const lastXref = prev ?? Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(base)![1]);
  let body = base;
  const parts: string[] = [];
  for (const [num, text] of Object.entries(objects)) {
    parts.push(`${num} 1\n${String(body.length).padStart(10, '0')} 00000 n \n`);
    body += `${num} 0 obj\n${text}\nendobj\n`;
  }
  const xref = body.length;
  body += `xref\n${parts.join('')}trailer\n<< /Size 100 /Root 1 0 R /Prev ${lastXref} ${trailer} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

const CATALOG = '<< /Type /Catalog /Pages 2 0 R >>';
const PAGES = '<< /Type /Pages /Kids [] /Count 0 >>';
const ID = '/ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]';

describe('pdf-encryption: handlers and structures', () => {
  it.each([
    ['FOPN_foweb', '/Filter /FOPN_foweb /V 1 /Length 40 /P -3904 /INFO (x)', 'RC4-40'],
    ['Adobe.APS', '/Filter /Adobe.APS /V 4 /CF << /StdCF << /CFM /AESV2 /Length 16 >> >> /StmF /StdCF /StrF /StdCF', 'AES-128'],
    ['Adobe.PubSec', '/Filter /Adobe.PubSec /SubFilter /adbe.pkcs7.s5 /V 5 /CF << /DefaultCryptFilter << /CFM /AESV3 /Recipients [<00>] >> >> /StmF /DefaultCryptFilter /StrF /DefaultCryptFilter', 'AES-256'],
  ])('reports the vendor handler %s as DRM', async (system, dict, scheme) => {
    const pdf = buildPdf({ 1: CATALOG, 2: PAGES, 3: `<< ${dict} >>` }, `/Encrypt 3 0 R ${ID}`);
    const [f] = tpmOf(await runDetector(pdfEncryption, 'd.pdf', pdf));
    expect(f).toMatchObject({ code: 'tpm.pdf.drm', value: { system, scheme, needsSecret: true } });
  });

  it('an encryption dictionary without /Filter is encrypted, handler and password unknown', async () => {
    const pdf = buildPdf({ 1: CATALOG, 2: PAGES, 3: '<< /V 2 /R 3 /Length 128 /O <00> /U <00> /P -4 >>' }, `/Encrypt 3 0 R ${ID}`);
    const [f] = tpmOf(await runDetector(pdfEncryption, 'f.pdf', pdf));
    expect(f).toMatchObject({ code: 'tpm.pdf.encrypted', value: { filter: 'missing', userPassword: 'unknown', needsSecret: true } });
  });

  it('reads an encryption dictionary written directly in the trailer', async () => {
    const pdf = buildPdf({ 1: CATALOG, 2: PAGES }, `/Encrypt << /Filter /EBX_HANDLER /V 2 /Length 128 >> ${ID}`);
    const [f] = tpmOf(await runDetector(pdfEncryption, 'd.pdf', pdf));
    expect(f).toMatchObject({ code: 'tpm.pdf.drm', value: { system: 'EBX_HANDLER', scheme: 'RC4-128' } });
  });

  it('takes the newest trailer of an incremental update, following /Prev to find the dictionary', async () => {
    const original = read('made-R6-userpw.pdf');
    const updated = appendUpdate(original, { 90: `<< /Padding (${'x'.repeat(200_000)}) >>` }, `/Encrypt ${/\/Encrypt (\d+ \d+ R)/.exec(latin1(original))![1]} ${/\/ID \[[^\]]*\]/.exec(latin1(original))![0]}`);
    expect(updated.length).toBeGreaterThan(200_000);
    const whole = tpmOf(await runDetector(pdfEncryption, 'u.pdf', updated));
    expect(whole).toMatchObject([{ code: 'tpm.pdf.encrypted', value: { scheme: 'AES-256', userPassword: 'required', resolvedVia: 'xref' } }]);
    // As the engine reads a large file: 16 KiB tail, then the /Prev section and the object.
    const part = await detectPartially(pdfEncryption, 'u.pdf', updated);
    expect(tpmOf(part.findings)).toEqual(whole);
    expect(part.bytesRead).toBeLessThan(70_000);
    expect(part.requests).toBeLessThanOrEqual(5);
  });

  it('an update whose newest trailer has no /Encrypt is not encrypted (the last trailer wins)', async () => {
    const encrypted = buildPdf({ 1: CATALOG, 2: PAGES, 3: '<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>' }, `/Encrypt 3 0 R ${ID}`);
    const updated = appendUpdate(encrypted, { 4: '<< >>' }, ID);
    expect(tpmOf(await runDetector(pdfEncryption, 'u.pdf', updated))).toEqual([]);
  });

  it('finds the dictionary in an object stream, inflating with a cap', async () => {
    const inner = '3 0 ';
    const dict = '<< /Filter /Standard /V 5 /R 6 /O <00> /U <00> /P -4 /CF << /StdCF << /CFM /AESV3 >> >> /StmF /StdCF /StrF /StdCF >>';
    const data = deflateSync(Buffer.from(inner + dict, 'latin1'));
    let body = '%PDF-1.7\n';
    const o1 = body.length;
    body += `1 0 obj\n${CATALOG}\nendobj\n`;
    const o5 = body.length;
    body += `5 0 obj\n<< /Type /ObjStm /N 1 /First ${inner.length} /Filter /FlateDecode /Length ${data.length} >>\nstream\n${latin1(data)}\nendstream\nendobj\n`;
    // Cross-reference stream: type 1 for objects 1 and 5, type 2 (in stream 5, index 0) for object 3.
    const rows = [
      [0, 0, 0],
      [1, o1, 0],
      [0, 0, 0],
      [2, 5, 0],
      [0, 0, 0],
      [1, o5, 0],
    ];
    const raw = Buffer.alloc(rows.length * 4);
    rows.forEach(([t, a, b], i) => {
      raw[i * 4] = t!;
      raw.writeUInt16BE(a!, i * 4 + 1);
      raw[i * 4 + 3] = b!;
    });
    const xdata = deflateSync(raw);
    const xref = body.length;
    body += `6 0 obj\n<< /Type /XRef /Size 7 /W [1 2 1] /Root 1 0 R /Encrypt 3 0 R ${ID} /Filter /FlateDecode /Length ${xdata.length} >>\nstream\n${latin1(xdata)}\nendstream\nendobj\nstartxref\n${xref}\n%%EOF\n`;
    const out = await runDetector(pdfEncryption, 'o.pdf', Buffer.from(body, 'latin1'));
    expect(out.filter((f) => f.code === 'tpm.pdf.malformed')).toEqual([]);
    expect(tpmOf(out)).toMatchObject([{ code: 'tpm.pdf.encrypted', value: { scheme: 'AES-256', r: 6, resolvedVia: 'object-stream' } }]);
  });

  it('ignores a file that is not a PDF', async () => {
    expect(await runDetector(pdfEncryption, 'x.pdf', 'hello /Encrypt 1 0 R')).toEqual([]);
  });
});

describe('pdf-encryption: hostile input', () => {
  const encrypted = () => buildPdf({ 1: CATALOG, 2: PAGES, 3: '<< /Filter /Standard /V 2 /R 3 /Length 128 /O <00> /U <00> /P -3904 >>' }, `/Encrypt 3 0 R ${ID}`);
  const quick = async (bytes: Uint8Array) => {
    const t0 = performance.now();
    const out = await runDetector(pdfEncryption, 'h.pdf', bytes);
    const part = await detectPartially(pdfEncryption, 'h.pdf', bytes);
    expect(performance.now() - t0).toBeLessThan(2000);
    return { out, part: part.findings };
  };
  const codes = (out: { code: string }[]) => out.map((f) => f.code).sort();
  const problems = (out: { code: string; value: unknown }[]) => (out.find((f) => f.code === 'tpm.pdf.malformed')?.value as { problems: string[] } | undefined)?.problems ?? [];

  it('truncated files: a warning, and encryption still found when the trailer survives', async () => {
    const whole = read('qpdf-enc-R6-V5-userpw-linearized.pdf');
    for (const cut of [10, 100, 1000, 5000, whole.length / 2, whole.length - 10]) {
      const { out } = await quick(whole.subarray(0, Math.floor(cut)));
      expect(codes(out), String(cut)).toContain('tpm.pdf.malformed');
    }
    // The linearized file's first-page trailer (in the first KiB) still says /Encrypt.
    const { out } = await quick(whole.subarray(0, whole.length - 10));
    expect(tpmOf(out)[0]).toMatchObject({ code: 'tpm.pdf.encrypted' });
  });

  it('startxref past the end of the file: a warning, then a scan finds the trailer', async () => {
    const pdf = buildPdf({ 1: CATALOG, 2: PAGES, 3: '<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>' }, `/Encrypt 3 0 R ${ID}`, { startxref: 99_999_999 });
    const { out, part } = await quick(pdf);
    expect(problems(out).join()).toMatch(/past the end/);
    expect(tpmOf(out)[0]).toMatchObject({ code: 'tpm.pdf.encrypted', value: { resolvedVia: 'scan' } });
    expect(codes(part)).toEqual(codes(out));
  });

  it('an xref entry that lies about the object offset: a warning, then a scan finds the object', async () => {
    const pdf = latin1(encrypted());
    const lying = pdf.replace(/(xref\n0 4\n(?:.{20}){3})\d{10}/s, '$10000000009');
    expect(lying).not.toBe(pdf);
    const { out } = await quick(Buffer.from(lying, 'latin1'));
    expect(problems(out).join()).toMatch(/no object at offset 9|points at object/);
    expect(tpmOf(out)[0]).toMatchObject({ value: { resolvedVia: 'scan', r: 3 } });
  });

  it('an xref entry whose offset is past the end of the file: a warning, then a scan finds the object', async () => {
    const pdf = latin1(encrypted());
    const past = pdf.replace(/(xref\n0 4\n(?:.{20}){3})\d{10}/s, '$19999999999');
    expect(past).not.toBe(pdf);
    const { out, part } = await quick(Buffer.from(past, 'latin1'));
    expect(problems(out).join()).toMatch(/offset 9999999999 is past the end/);
    expect(tpmOf(out)[0]).toMatchObject({ value: { resolvedVia: 'scan', r: 3 } });
    expect(codes(part)).toEqual(codes(out));
  });

  it.each([
    ['points at its own section', (own: number) => own, 0],
    ['and the next section point at each other', (_own: number, next: number) => next, 1],
  ])('a cyclic /Prev chain stops at the first repeat: a /Prev that %s', async (_name, target, updates) => {
    // Object 3 is listed nowhere, so the whole chain is walked.
    let pdf = latin1(buildPdf({ 1: CATALOG, 2: PAGES }, `/Encrypt 3 0 R ${ID} /Prev 0000000000`));
    const own = Number(/startxref\n(\d+)/.exec(pdf)![1]);
    if (updates > 0) pdf = latin1(appendUpdate(Buffer.from(pdf, 'latin1'), { 9: '<< >>' }, `/Encrypt 3 0 R ${ID}`));
    const next = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(pdf)![1]);
    const looped = pdf.replace('/Prev 0000000000', `/Prev ${String(target(own, next)).padStart(10, '0')}`);
    const { out, part } = await quick(Buffer.from(looped, 'latin1'));
    expect(problems(out).join()).toMatch(/cyclic \/Prev/);
    expect(tpmOf(out)).toMatchObject([{ code: 'tpm.pdf.unresolved', value: { needsSecret: true } }]);
    expect(codes(part)).toEqual(codes(out));
  });

  it('a chain of more than 64 sections is cut off', async () => {
    let pdf = buildPdf({ 1: CATALOG, 2: PAGES }, `/Encrypt 3 0 R ${ID}`);
    for (let i = 0; i < 80; i++) pdf = appendUpdate(pdf, { [10 + i]: '<< >>' }, `/Encrypt 3 0 R ${ID}`);
    const { out } = await quick(pdf);
    expect(problems(out).join()).toMatch(/more than 64/);
    expect(tpmOf(out)[0]!.code).toBe('tpm.pdf.unresolved');
  });

  it('a subsection that claims more entries than the file holds', async () => {
    const pdf = latin1(encrypted()).replace('xref\n0 4\n', 'xref\n0 99999999\n');
    const { out } = await quick(Buffer.from(pdf, 'latin1'));
    expect(problems(out).join()).toMatch(/more than the file holds/);
    expect(tpmOf(out)[0]).toMatchObject({ value: { resolvedVia: 'scan' } });
  });

  it('a decompression bomb in a cross-reference stream is stopped at its cap', async () => {
    const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    let body = `%PDF-1.7\n1 0 obj\n${CATALOG}\nendobj\n3 0 obj\n<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>\nendobj\n`;
    const xref = body.length;
    body += `6 0 obj\n<< /Type /XRef /Size 7 /W [1 2 1] /Root 1 0 R /Encrypt 3 0 R ${ID} /Filter /FlateDecode /Length ${bomb.length} >>\nstream\n${latin1(bomb)}\nendstream\nendobj\nstartxref\n${xref}\n%%EOF\n`;
    const { out } = await quick(Buffer.from(body, 'latin1'));
    expect(problems(out).join()).toMatch(/decompression bomb/);
    expect(tpmOf(out)[0]).toMatchObject({ code: 'tpm.pdf.encrypted', value: { resolvedVia: 'scan' } });
  });

  it('deeply nested arrays in the trailer do not overflow the stack', async () => {
    const pdf = buildPdf({ 1: CATALOG }, `/X ${'['.repeat(50_000)} /Encrypt 3 0 R`);
    const { out } = await quick(pdf);
    expect(codes(out)).toContain('tpm.pdf.malformed');
  });

  it('garbage after the header, and random damage to real files, never throws or hangs', async () => {
    await quick(Buffer.from(`%PDF-1.4\n${'\x00\xff('.repeat(3000)}startxref\n12\n%%EOF`, 'latin1'));
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (const file of ['qpdf-c-r4-userpw-xrefstream.pdf', 'made-R6-userpw-linearized-objstm.pdf', 'qpdf-enc-R3-V2-userpw.pdf']) {
      const original = read(file);
      for (let i = 0; i < 40; i++) {
        const bytes = original.slice();
        for (let k = 0; k < 20; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
        await quick(bytes);
      }
    }
  });
});

describe('pdf-encryption: algorithms', () => {
  it('decodes permission bits per revision', () => {
    expect(deniedPermissions(-4, 3)).toEqual([]);
    expect(deniedPermissions(-3904, 3)).toEqual(['print', 'print-high-quality', 'modify', 'copy', 'annotate', 'fill-forms', 'extract-accessibility', 'assemble']);
    // Bit 3 (print) without bit 12: low-quality printing only.
    expect(deniedPermissions(-4 & ~(1 << 11), 4)).toEqual(['print-high-quality']);
    // Revision 2 has only bits 3–6.
    expect(deniedPermissions(-4 & ~(1 << 4), 2)).toEqual(['copy', 'extract-accessibility']);
  });

  it('computes Algorithm 2.B as qpdf does (R6 verifier of a real file)', () => {
    const text = latin1(read('made-R6-emptypw-noprint-nocopy.pdf'));
    const u = Buffer.from(/\/U <([0-9a-f]+)>/i.exec(text)![1]!, 'hex');
    expect(Buffer.from(hash2B(new Uint8Array(0), u.subarray(32, 40), new Uint8Array(0)))).toEqual(u.subarray(0, 32));
  });

});
