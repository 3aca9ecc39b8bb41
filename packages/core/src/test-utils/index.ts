import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Detector, DetectorInput } from '../engine/detector.js';
import { scan, type ScanOptions } from '../engine/scan.js';
import { builtinDetectors } from '../detectors/index.js';
import type { ScanRecord } from '../schema/record.js';
import type { Summary } from '../schema/summary.js';
import { localSource } from '../source/local.js';
import type { FindingInput } from '../schema/finding.js';
import { readRanges } from '../engine/ranges.js';
import type { Entry, Source } from '../source/types.js';
import { DEFAULT_CONTAINER_LIMITS, type Container, type ContainerLimits, type OpenedContainer } from '../engine/container.js';
import { sniff } from '../engine/media-type.js';

/** A Source over one in-memory file, for detector tests. */
export function memorySource(bytes: Uint8Array, path = 'file'): Source {
  return {
    name: 'memory',
    location: 'memory:',
    async *list() {
      yield { path, size: bytes.length };
    },
    read: async (_entry, range) => bytes.slice(range.start, Math.min(range.end, bytes.length)),
    async *stream() {
      yield bytes;
    },
  };
}

/** Writes a tree `{ 'a/b.txt': 'text' | Uint8Array }` under a new temp folder; returns its path and a cleanup. */
export async function makeTree(files: Record<string, string | Uint8Array>): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'clearance-test-'));
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Scans a folder with the built-in detectors; returns records by path and the summary. */
export async function scanTree(root: string, options: Partial<ScanOptions> = {}): Promise<{ records: Map<string, ScanRecord>; list: ScanRecord[]; summary: Summary }> {
  const run = scan({ source: localSource({ root }), detectors: builtinDetectors, ...options });
  const list: ScanRecord[] = [];
  for await (const r of run) list.push(r);
  return { records: new Map(list.map((r) => [r.path, r])), list, summary: await run.summary };
}

/** Runs one detector on bytes as the engine would for a small file. */
export async function runDetector(detector: Detector, filePath: string, content: string | Uint8Array, extra: Partial<DetectorInput> = {}): Promise<FindingInput[]> {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const name = filePath.slice(filePath.lastIndexOf('/') + 1);
  const dir = filePath.includes('/') ? filePath.slice(0, filePath.lastIndexOf('/')) : '';
  const entry = { path: filePath, size: bytes.length };
  const ranges = detector.wants.ranges
    ? (await readRanges(memorySource(bytes), entry, detector.wants.ranges, { size: bytes.length, head: bytes, tail: null, whole: bytes })).ranges
    : [];
  return detector.detect({
    entry,
    path: filePath,
    name,
    dir,
    size: bytes.length,
    mediaType: 'text/plain',
    isText: true,
    head: bytes,
    tail: null,
    whole: bytes,
    truncated: false,
    ranges,
    ...extra,
  });
}

/** One member as {@link openContainer} saw it: its entry and its bytes (or the error reading them). */
export interface OpenedMember {
  entry: Entry;
  bytes: Uint8Array | null;
  error: { code: string; message: string } | null;
}

/**
 * Opens `bytes` (named `filePath`) with one container format as the engine would, lists every
 * member and reads each whole through `read` (or `stream`, with `{ via: 'stream' }`). Problems the
 * container reported and an error thrown by `list` are returned, not thrown.
 */
export async function openContainer(
  container: Container,
  filePath: string,
  bytes: Uint8Array,
  options: { limits?: Partial<ContainerLimits>; via?: 'read' | 'stream'; source?: Source; depth?: number } = {},
): Promise<{ opened: OpenedContainer | null; members: OpenedMember[]; problems: { code: string; message: string }[]; listError: { code: string; message: string } | null }> {
  const source = options.source ?? memorySource(bytes, filePath);
  const entry = { path: filePath, size: bytes.length };
  const sniffed = await sniff(bytes.subarray(0, 4100), filePath.slice(filePath.lastIndexOf('/') + 1), bytes.length);
  const problems: { code: string; message: string }[] = [];
  const opened = await container.open({
    source,
    entry,
    mediaType: sniffed.mediaType,
    head: bytes.subarray(0, 64 * 1024),
    complete: bytes.length <= 64 * 1024,
    limits: { ...DEFAULT_CONTAINER_LIMITS, ...options.limits },
    depth: options.depth ?? 1,
    problem: (code, message) => problems.push({ code, message }),
  });
  const members: OpenedMember[] = [];
  let listError: { code: string; message: string } | null = null;
  if (opened === null) return { opened, members, problems, listError };
  try {
    for await (const e of opened.list()) {
      if (e.error) {
        members.push({ entry: e, bytes: null, error: e.error });
        continue;
      }
      try {
        let got: Uint8Array;
        if (options.via === 'stream') {
          const chunks: Uint8Array[] = [];
          for await (const c of opened.stream(e)) chunks.push(c);
          got = Buffer.concat(chunks);
        } else got = await opened.read(e, { start: 0, end: e.size + 1 });
        members.push({ entry: e, bytes: got, error: null });
      } catch (err) {
        const x = err as { code?: string; message?: string };
        members.push({ entry: e, bytes: null, error: { code: x.code ?? 'UNKNOWN', message: x.message ?? String(err) } });
      }
    }
  } catch (err) {
    const x = err as { code?: string; message?: string };
    listError = { code: x.code ?? 'UNKNOWN', message: x.message ?? String(err) };
  }
  await opened.close?.();
  return { opened, members, problems, listError };
}
