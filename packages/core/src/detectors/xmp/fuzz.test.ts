import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { c2pa } from '../c2pa/index.js';
import { iptcPlus } from '../iptc-plus/index.js';
import { tdmrepXmp } from '../tdmrep-xmp/index.js';
import { FindingSchema } from '../../schema/finding.js';

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One mutation: flip bytes, set lengths to extremes, cut, or splice a copy of a slice elsewhere. */
function mutate(bytes: Uint8Array, r: () => number): Uint8Array {
  const out = bytes.slice();
  const kind = Math.floor(r() * 4);
  const at = Math.floor(r() * out.length);
  if (kind === 0) for (let k = 0; k < 1 + r() * 8; k++) out[Math.floor(r() * out.length)] = Math.floor(r() * 256);
  else if (kind === 1) out.set([0xff, 0xff, 0xff, 0xff].slice(0, Math.max(0, out.length - at)), at);
  else if (kind === 2) return out.subarray(0, at);
  else {
    const from = Math.floor(r() * out.length);
    const piece = bytes.subarray(from, from + Math.floor(r() * 256));
    return new Uint8Array(Buffer.concat([out.subarray(0, at), piece, out.subarray(at)]));
  }
  return out;
}

const dirs = ['iptc-plus', 'tdmrep-xmp', 'c2pa'];
const files = dirs.flatMap((d) =>
  readdirSync(new URL(`../${d}/fixtures`, import.meta.url))
    .filter((f) => /\.(jpe?g|png|tiff?|webp|gif|heic|avif|mp4|pdf|xmp)$/.test(f))
    .map((f) => ({ name: `${d}/${f}`, bytes: new Uint8Array(readFileSync(new URL(`../${d}/fixtures/${f}`, import.meta.url))) })),
);

describe('fuzzing the embedded-metadata detectors with mutated fixtures', () => {
  it('never throws, returns valid findings, and stays fast', async () => {
    expect(files.length).toBeGreaterThan(25);
    const r = rng(20251121);
    let slowest = 0;
    let findings = 0;
    for (const f of files) {
      for (let n = 0; n < 40; n++) {
        const bytes = mutate(f.bytes, r);
        for (const d of [iptcPlus, tdmrepXmp, c2pa]) {
          const t = performance.now();
          const out = await runDetector(d, `fuzz/${f.name.replace('/', '-')}`, bytes);
          slowest = Math.max(slowest, performance.now() - t);
          for (const x of out) {
            findings++;
            const parsed = FindingSchema.safeParse(x);
            if (!parsed.success) throw new Error(`${d.id} on a mutation of ${f.name}: ${parsed.error.message}`);
            expect(Object.hasOwn(d.codes, x.code)).toBe(true);
          }
        }
      }
    }
    expect(findings).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(2000);
  });
});
