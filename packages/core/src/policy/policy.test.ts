import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyError } from '../errors.js';
import type { RecordLicence } from '../schema/record.js';
import { compilePolicy, evaluate } from './evaluate.js';
import { loadPolicy, resolvePolicy } from './load.js';
import { parseSpdx } from './spdx.js';

describe('SPDX expressions', () => {
  it.each([
    ['mit', 'MIT'],
    ['Apache-2.0 or mit', 'Apache-2.0 OR MIT'],
    ['GPL-2.0', 'GPL-2.0-only'],
    ['GPL-2.0+', 'GPL-2.0-or-later'],
    ['LGPL-2.1+ WITH Classpath-exception-2.0', 'LGPL-2.1-or-later WITH Classpath-exception-2.0'],
    ['(MIT OR Apache-2.0) AND BSD-3-Clause', '(MIT OR Apache-2.0) AND BSD-3-Clause'],
    ['MIT OR Apache-2.0 AND BSD-3-Clause', 'MIT OR Apache-2.0 AND BSD-3-Clause'],
    ['licenseref-Acme', 'LicenseRef-Acme'],
  ])('parses %s as %s', (input, canonical) => expect(parseSpdx(input).canonical).toBe(canonical));

  it.each(['MIT-ish', 'MIT OR', '', 'Apache 2.0', 'GPL-2.0 WITH MIT'])('rejects %j', (input) => expect(() => parseSpdx(input)).toThrow(/not a valid SPDX expression/));
});

const licence = (expression: string, extra: Partial<RecordLicence> = {}): RecordLicence => ({ expression, confidence: 1, source: 'file', basis: ['x'], conflicts: [], ...extra });
const facts = (l: RecordLicence, rest: Partial<Parameters<typeof evaluate>[1]> = {}) => ({ licence: l, optOuts: [], tpm: [], errors: [], ...rest });

describe('policy evaluation', () => {
  const compiled = compilePolicy(resolvePolicy({ licences: { allow: ['MIT', 'Apache-2.0', 'GPL-2.0-or-later'], deny: ['CC-BY-NC-4.0', 'AGPL-3.0-only'] } }).policy);

  it.each([
    ['MIT', 'allow', 'licence.allowed'],
    ['MIT OR CC-BY-NC-4.0', 'allow', 'licence.allowed'],
    ['MIT AND CC-BY-NC-4.0', 'exclude', 'licence.denied'],
    ['CC-BY-NC-4.0 OR AGPL-3.0-only', 'exclude', 'licence.denied'],
    ['CC-BY-NC-4.0 OR BSD-3-Clause', 'review', 'licence.unlisted'],
    ['MIT AND BSD-3-Clause', 'review', 'licence.unlisted'],
    ['GPL-2.0+', 'allow', 'licence.allowed'],
    ['GPL-2.0-or-later WITH Classpath-exception-2.0', 'allow', 'licence.allowed'],
    ['NOASSERTION', 'review', 'licence.unknown'],
  ] as const)('%s → %s', (expression, decision, code) => {
    const v = evaluate(compiled, facts(licence(expression)));
    expect(v.decision).toBe(decision);
    expect(v.reasons.map((r) => r.code)).toEqual([code]);
  });

  it('sends disagreeing licence statements to review and names them', () => {
    const v = evaluate(compiled, facts(licence('NOASSERTION', { conflicts: [{ expression: 'MIT', path: 'LICENSE-MIT', code: 'x' }, { expression: 'GPL-3.0-only', path: 'COPYING', code: 'x' }] })));
    expect(v).toMatchObject({ decision: 'review', reasons: [{ code: 'licence.conflict', message: expect.stringContaining('COPYING') }] });
  });

  it('lets the strictest rule win and keeps every reason', () => {
    const v = evaluate(
      compiled,
      facts(licence('MIT'), {
        optOuts: [{ protocol: 'tdmrep', reserved: 'yes', code: 'optout.tdmrep.reserved', scope: { kind: 'subtree', root: '' }, evidence: { path: '.well-known/tdmrep.json' } }],
        tpm: [{ format: 'pdf', scheme: 'standard', needsSecret: false, denied: ['print'], code: 'tpm.pdf.encrypted', evidence: { path: 'a.pdf' } }],
      }),
    );
    expect(v.decision).toBe('exclude');
    expect(v.reasons.map((r) => [r.code, r.decision])).toEqual([
      ['tpm.restrictions', 'review'],
      ['optout.reserved', 'exclude'],
      ['licence.allowed', 'allow'],
    ]);
  });

  it('ignores the reservations of protocols the policy does not honour, and says so', () => {
    const only = compilePolicy(resolvePolicy({ optOuts: { honour: ['robots'] } }).policy);
    const v = evaluate(only, facts(licence('MIT'), { optOuts: [{ protocol: 'tdmrep', reserved: 'yes', code: 'c', scope: { kind: 'file', root: 'a' }, evidence: { path: 'a' } }] }));
    expect(v.decision).toBe('allow');
    expect(v.reasons[0]!.code).toBe('optout.not-honoured');
  });

  it('keeps an unknown reservation apart: review by default, never allow or exclude', () => {
    const v = evaluate(compiled, facts(licence('MIT'), { optOuts: [{ protocol: 'tdmrep', reserved: 'unknown', rule: 'tdm_reservation: 1', code: 'c', scope: { kind: 'file', root: 'a' }, evidence: { path: 'tdmrep.json' } }] }));
    expect(v.decision).toBe('review');
    expect(v.reasons[0]).toMatchObject({ code: 'optout.unknown', message: expect.stringContaining('tdm_reservation: 1') });
    const none = evaluate(compiled, facts(licence('MIT'), { optOuts: [{ protocol: 'robots', reserved: 'no', code: 'c', scope: { kind: 'file', root: 'a' }, evidence: { path: 'robots.txt' } }] }));
    expect(none.reasons.map((r) => r.code)).toEqual(['licence.allowed']);
  });

  it('sends unreadable files to review by default', () => {
    const v = evaluate(compiled, facts(licence('MIT'), { errors: [{ code: 'ERR_PERMISSION_DENIED', message: 'no' }] }));
    expect(v.decision).toBe('review');
  });
});

describe('policy files', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'clearance-policy-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads YAML and fills defaults', async () => {
    const file = path.join(dir, 'p.yaml');
    await writeFile(file, 'name: strict\nlicences:\n  allow: [MIT]\n  unknown: exclude\ntpm:\n  action: exclude\n');
    const { policy, origin, sha256 } = await loadPolicy(file);
    expect(policy).toMatchObject({ name: 'strict', licences: { allow: ['MIT'], deny: [], unknown: 'exclude', unlisted: 'review' }, optOuts: { honour: 'all', action: 'exclude' }, errors: 'review' });
    expect(origin).toBe(file);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads JSON', async () => {
    const file = path.join(dir, 'p.json');
    await writeFile(file, JSON.stringify({ optOuts: { honour: ['tdmrep'] } }));
    expect((await loadPolicy(file)).policy.optOuts.honour).toEqual(['tdmrep']);
  });

  it('lists every problem with its field path', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'licenses:\n  allow: [MIT]\nlicences:\n  allow: [MIT-ish]\n  unknown: maybe\n');
    const err = await loadPolicy(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyError);
    const issues = (err as PolicyError).issues.join('\n');
    expect(issues).toMatch(/licences\.allow\.0: not a valid SPDX expression/);
    expect(issues).toMatch(/licences\.unknown/);
    expect(issues).toMatch(/spelled "licences"/);
  });

  it('says clearly when the file is missing or not YAML', async () => {
    await expect(loadPolicy(path.join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'ERR_POLICY_UNREADABLE' });
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, 'licences: [unclosed\n');
    await expect(loadPolicy(file)).rejects.toMatchObject({ code: 'ERR_POLICY_INVALID', message: expect.stringContaining('not valid YAML') });
  });
});
