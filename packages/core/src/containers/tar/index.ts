/**
 * Tar archives and WebDataset shards: plain tar (POSIX ustar, GNU long names, PAX headers with
 * path/size/mtime overrides) and tar compressed with gzip, zstd or bzip2.
 *
 * - An uncompressed tar is never streamed: headers are read with ranged reads of the parent in
 *   windows (64 KiB to 1 MiB), member data is skipped by seeking, and a member's bytes are a ranged
 *   read of the parent at its offset (see ./ranged.ts). On S3 a shard of small members costs one
 *   request per MiB of members while listing.
 * - A compressed tar is streamed through its decompressor into tar-stream, metered against
 *   `maxExpandedBytes` and `maxRatio` (ERR_CONTAINER_LIMIT), each member held up to
 *   `maxMemberBytes` (see ./streamed.ts).
 * - WebDataset samples: members sharing a key (`00001.jpg`, `00001.json`, `00001.txt`) are one
 *   sample; the sample's `.json` (≤ 1 MiB, a JSON object) becomes `fields` on every member of it.
 *
 * ok: `shard-000.tar` holding `00001.jpg` + `00001.json` → members `00001.jpg` and `00001.json`,
 * both with the sidecar's fields.
 * not-ok: a member `../../etc/passwd` → listed as `etc/passwd` with ERR_MEMBER_PATH_UNSAFE, never
 * read; a symlink → ERR_NOT_REGULAR_FILE; a header whose size runs past the end → the members
 * before it, then ERR_CONTAINER_CORRUPT from list; a 10 kB .tar.gz inflating to gigabytes →
 * ERR_CONTAINER_LIMIT once 200:1 (maxRatio) is passed.
 */
import { defineContainer, type ContainerErrorCode, type ContainerInput, type OpenedContainer } from '../../engine/container.js';
import { isZeroBlock, parseHeader } from './header.js';
import { sniffCompression } from './decompress.js';
import { rangedTar } from './ranged.js';
import { streamedTar } from './streamed.js';

/** The tar container format (`tar`). */
export const tarContainer = defineContainer({
  id: 'tar',
  version: '1.0.0',
  description: 'Tar archives and WebDataset shards (ustar, GNU, PAX; uncompressed read at random, gzip/zstd/bzip2 streamed), with WebDataset .json sidecars as sample fields',
  match: {
    names: ['*.tar', '*.tar.gz', '*.tgz', '*.tar.zst', '*.tar.zstd', '*.tzst', '*.tar.bz2', '*.tbz2', '*.tbz'],
    mediaTypes: ['application/x-tar'],
  },
  async open(input: ContainerInput): Promise<OpenedContainer | null> {
    let head = input.head;
    if (head.length < 512 && input.entry.size > head.length) {
      head = await input.source.read(input.entry, { start: 0, end: 512 }, { signal: input.signal });
    }
    const report = oncePerMessage((code, message) => input.problem(code, message));
    const compression = sniffCompression(head);
    const base = { name: 'tar', location: `${input.source.location}#${input.entry.path}`, kind: 'tar', markers: true } as const;
    if (compression !== null) return { ...base, ...streamedTar(input, compression, (m) => report('ERR_CONTAINER_LIMIT', m)) };
    // An empty file is an empty archive; otherwise the first block must be a header or the end marker.
    if (input.entry.size > 0) {
      if (head.length < 512) return null;
      const first = head.subarray(0, 512);
      if (!isZeroBlock(first) && parseHeader(first) === null) return null;
    }
    return { ...base, ...rangedTar({ ...input, head }, (m) => report('ERR_CONTAINER_LIMIT', m)) };
  },
});

/** The engine lists a container twice (markers first): a problem is reported once, not per listing. */
function oncePerMessage(problem: ContainerInput['problem']): ContainerInput['problem'] {
  const seen = new Set<string>();
  return (code: ContainerErrorCode, message: string) => {
    const key = `${code}\0${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problem(code, message);
  };
}
