import { describe, expect, it } from 'vitest';
import { builtinDetectors } from '../index.js';
import { scan } from '../../engine/scan.js';
import type { Entry, Source } from '../../source/types.js';
import { runDetector } from '../../test-utils/index.js';
import { objectMetadata } from './index.js';

const run = (metadata: Record<string, string> | undefined, path = 'data/a.jpg') =>
  runDetector(objectMetadata, path, 'x', { entry: { path, size: 1, ...(metadata ? { metadata } : {}) } });

describe('object-metadata detector', () => {
  it('reads an SPDX licence from user metadata or a tag, whatever the case of the key', async () => {
    expect(await run({ 'x-amz-meta-license': 'Apache-2.0' })).toMatchObject([{ code: 'licence.object-metadata', value: { expression: 'Apache-2.0', key: 'x-amz-meta-license' }, scope: { kind: 'file', root: 'data/a.jpg' } }]);
    expect(await run({ 'tag:Licence': 'mit OR cc0-1.0' })).toMatchObject([{ code: 'licence.object-metadata', value: { expression: 'MIT OR CC0-1.0' } }]);
    expect(await run({ 'X-Amz-Meta-SPDX-License-Identifier': 'CC-BY-4.0' })).toMatchObject([{ code: 'licence.object-metadata', value: { expression: 'CC-BY-4.0' } }]);
  });

  it('reports a licence value that is not SPDX as unidentified, with the value cut short', async () => {
    const long = `see our website ${'x'.repeat(500)}`;
    const [f] = await run({ 'x-amz-meta-license': long });
    expect(f).toMatchObject({ code: 'licence.object-metadata-invalid', severity: 'warning', value: { expression: null } });
    expect(f!.evidence.excerpt!.length).toBeLessThanOrEqual(200);
  });

  it('reads tdm-reservation 1, 0 and anything else as reserved, not reserved and unknown, with tdm-policy', async () => {
    expect(await run({ 'tag:tdm-reservation': '1', 'tag:tdm-policy': 'https://example.com/policy.json' })).toMatchObject([
      { code: 'optout.object-metadata.reserved', category: 'opt-out', value: { protocol: 'object-metadata', reserved: 'yes', level: 'file', policy: 'https://example.com/policy.json' } },
    ]);
    expect(await run({ 'x-amz-meta-tdm-reservation': '0' })).toMatchObject([{ code: 'optout.object-metadata.not-reserved', value: { reserved: 'no' } }]);
    expect(await run({ 'x-amz-meta-tdm-reservation': 'maybe' })).toMatchObject([{ code: 'optout.object-metadata.unknown', value: { reserved: 'unknown' } }]);
  });

  it('ignores other metadata, checksums, and entries without metadata', async () => {
    expect(await run(undefined)).toEqual([]);
    expect(await run({ 'x-amz-meta-author': 'Ada', 'x-amz-checksum-sha256': 'abc=', license: 'MIT', 'x-amz-meta-licensee': 'MIT' })).toEqual([]);
  });

  it('lands in records: a reserved object is excluded, a licensed one allowed, under the default policy', async () => {
    const entries: Entry[] = [
      { path: 'reserved.txt', size: 5, metadata: { 'tag:tdm-reservation': '1', 'x-amz-meta-license': 'MIT' } },
      { path: 'mit.txt', size: 5, metadata: { 'x-amz-meta-license': 'MIT' } },
      { path: 'plain.txt', size: 5 },
    ];
    const bytes = new TextEncoder().encode('hello');
    const source: Source = {
      name: 'memory',
      location: 'memory:',
      async *list() {
        yield* entries;
      },
      async read(_e, r) {
        return bytes.subarray(r.start, Math.min(r.end, bytes.length));
      },
      async *stream() {
        yield bytes;
      },
    };
    const records = new Map<string, { verdict: { decision: string }; licence: unknown; optOuts: unknown[]; metadata?: unknown }>();
    for await (const r of scan({ source, detectors: builtinDetectors })) records.set(r.path, r);
    expect(records.get('reserved.txt')!.verdict.decision).toBe('exclude');
    expect(records.get('reserved.txt')!.optOuts).toMatchObject([{ protocol: 'object-metadata', reserved: 'yes' }]);
    expect(records.get('mit.txt')!.verdict.decision).toBe('allow');
    expect(records.get('mit.txt')!.licence).toMatchObject({ expression: 'MIT' });
    expect(records.get('mit.txt')!.metadata).toEqual({ 'x-amz-meta-license': 'MIT' });
    expect(records.get('plain.txt')!.verdict.decision).toBe('review');
  });
});
