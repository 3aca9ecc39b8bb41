/**
 * An uncompressed tar read at random: headers are read with ranged reads of the parent (in windows,
 * so the headers of many small consecutive members come in one read), member data is skipped by
 * seeking, and a member's bytes are a ranged read of the parent at its offset. Nothing is buffered
 * per member, so concurrent reads are independent and a WebDataset shard on S3 costs a few requests
 * per megabyte of small members, or one per large member, plus the members actually read.
 */
import { SourceError } from '../../errors.js';
import type { ContainerInput } from '../../engine/container.js';
import type { ByteRange, CallOptions, Entry } from '../../source/types.js';
import { corrupt, isZeroBlock, longName, padded, parseHeader, parsePax, paxSize } from './header.js';
import { hasSparsePax, memberEntry, sampleKey, samples, SAMPLE_MAX_MEMBERS, SIDECAR_MAX_BYTES, type Pending } from './members.js';

/** Largest window read at once while walking headers (small members). */
export const WINDOW_MAX = 1024 * 1024;
/** Window read when members are large, so a header costs little more than itself. */
export const WINDOW_MIN = 64 * 1024;
/** Largest GNU long name or PAX header accepted (GNU tar and tar-stream bound these too). */
const META_MAX = 1024 * 1024;

const NO_DATA = new Set(['1', '2', '3', '4', '5', '6']);

const LOCATION = Symbol('clearance.tar.offset');

interface Located extends Entry {
  [LOCATION]?: { offset: number; owner: object };
}

/** Reads the parent in windows; the last window is kept so that nearby headers and sidecars cost nothing. */
class Windows {
  #start = 0;
  #bytes: Uint8Array;
  /** Reads issued, for tests and measurements. */
  reads = 0;
  constructor(
    private readonly input: ContainerInput,
    private readonly opts: CallOptions,
  ) {
    this.#bytes = input.head;
  }

  /** Bytes `[at, at+length)` of the parent; fewer only at its end. `hint` is the window size to read on a miss. */
  async get(at: number, length: number, hint: number): Promise<Uint8Array> {
    const end = Math.min(at + length, this.input.entry.size);
    if (at >= this.#start && end <= this.#start + this.#bytes.length) return this.#bytes.subarray(at - this.#start, end - this.#start);
    const want = Math.min(Math.max(length, hint), this.input.entry.size - at);
    this.reads++;
    const bytes = await this.input.source.read(this.input.entry, { start: at, end: at + want }, this.opts);
    this.#start = at;
    this.#bytes = bytes;
    return bytes.subarray(0, Math.min(bytes.length, end - at));
  }
}

/** Lists an uncompressed tar whose parent is read at random. */
export function rangedTar(input: ContainerInput, report: (message: string) => void) {
  const owner = {};
  const parentSize = input.entry.size;

  async function* headers(opts: CallOptions): AsyncGenerator<Pending> {
    const win = new Windows(input, opts);
    let off = 0;
    let globalPax = new Map<string, string>();
    let pax: Map<string, string> | null = null;
    let gnuName: Uint8Array | null = null;
    // Average stride between headers, to pick the window size on the next miss.
    let stride = 0;
    while (off < parentSize) {
      opts.signal?.throwIfAborted();
      const hint = stride > WINDOW_MAX / 4 ? WINDOW_MIN : WINDOW_MAX;
      const block = await win.get(off, 512, hint);
      if (block.length < 512) throw corrupt(`the archive ends inside a header at byte ${off}`);
      if (isZeroBlock(block)) return; // end-of-archive marker; what follows is padding
      const h = parseHeader(block);
      if (h === null) throw corrupt(`no valid header at byte ${off} (bad checksum or fields)`);
      const dataAt = off + 512;
      if (h.type === 'L' || h.type === 'K' || h.type === 'x' || h.type === 'g') {
        if (h.size > META_MAX) throw corrupt(`a ${h.type} header of ${h.size} bytes at byte ${off} (limit ${META_MAX})`);
        if (dataAt + h.size > parentSize) throw corrupt(`a ${h.type} header at byte ${off} runs past the end of the archive`);
        const data = await win.get(dataAt, h.size, hint);
        if (data.length < h.size) throw corrupt(`a ${h.type} header at byte ${off} runs past the end of the archive`);
        if (h.type === 'L') gnuName = longName(data).slice();
        else if (h.type === 'x') pax = parsePax(data);
        else if (h.type === 'g') globalPax = new Map([...globalPax, ...parsePax(data)]);
        // 'K' (long link target) only matters for links, whose target is never followed.
        off = dataAt + padded(h.size);
        continue;
      }
      const merged = pax === null ? globalPax : new Map([...globalPax, ...pax]);
      let size = h.size;
      const paxSizeValue = merged.get('size');
      if (paxSizeValue !== undefined) {
        const s = paxSize(paxSizeValue);
        if (s === null) throw corrupt(`a PAX size record ${JSON.stringify(paxSizeValue.slice(0, 40))} at byte ${off} is not a number`);
        size = s;
      }
      const pathValue = merged.get('path');
      const mtimeValue = merged.get('mtime');
      const entry: Located | null = memberEntry({
        name: pathValue ?? gnuName ?? h.name,
        type: h.type,
        size,
        mtimeSeconds: mtimeValue !== undefined && /^-?[0-9]+(\.[0-9]+)?$/.test(mtimeValue) ? Number(mtimeValue) : h.mtime,
        ...(hasSparsePax(merged) ? { unsupported: 'a GNU sparse file (PAX sparse map), which is not read' } : {}),
      });
      pax = null;
      gnuName = null;
      // Links, devices, FIFOs and directories have no data whatever their size field says (as Python's
      // tarfile reads them); GNU dumpdirs, sparse and unknown types do.
      const dataSize = NO_DATA.has(h.type) ? 0 : size;
      if (dataAt + dataSize > parentSize) throw corrupt(`member ${JSON.stringify(entry?.path ?? '')} at byte ${off} declares ${dataSize} bytes, past the end of the archive`);
      off = dataAt + padded(dataSize);
      stride = stride === 0 ? off - dataAt + 512 : (stride * 7 + (off - dataAt + 512)) / 8;
      if (entry === null) continue;
      if (entry.error === undefined) entry[LOCATION] = { offset: dataAt, owner };
      const item: Pending = { entry, held: 0 };
      if (entry.error === undefined && size <= SIDECAR_MAX_BYTES && sampleKey(entry.path).ext.toLowerCase() === 'json') {
        // Read now, while it most likely lies in the window just read: later the walk has moved on.
        const b = (await win.get(dataAt, size, hint)).slice();
        item.bytes = () => Promise.resolve(b.length === size ? b : null);
      }
      yield item;
    }
    // The last data is whole but its block padding is cut: GNU tar calls that an unexpected EOF too.
    if (off > parentSize) throw corrupt(`the archive ends inside the padding of a member, at byte ${parentSize}`);
  }

  function locate(entry: Entry): number {
    const loc = (entry as Located)[LOCATION];
    if (loc === undefined || loc.owner !== owner) {
      throw new SourceError('ERR_READ_FAILED', `tar: ${entry.path} is not a readable member listed by this container`);
    }
    return loc.offset;
  }

  async function read(entry: Entry, range: ByteRange, opts?: CallOptions): Promise<Uint8Array> {
    const offset = locate(entry);
    const start = Math.max(0, Math.min(range.start, entry.size));
    const end = Math.max(start, Math.min(range.end, entry.size));
    if (end === start) return new Uint8Array(0);
    const bytes = await input.source.read(input.entry, { start: offset + start, end: offset + end }, opts);
    if (bytes.length !== end - start) throw new SourceError('ERR_CHANGED_DURING_READ', `tar: the archive is shorter than when ${entry.path} was listed`);
    return bytes;
  }

  async function* stream(entry: Entry, opts?: CallOptions): AsyncGenerator<Uint8Array> {
    const offset = locate(entry);
    for (let at = 0; at < entry.size; at += WINDOW_MAX) {
      const end = Math.min(entry.size, at + WINDOW_MAX);
      const bytes = await input.source.read(input.entry, { start: offset + at, end: offset + end }, opts);
      if (bytes.length !== end - at) throw new SourceError('ERR_CHANGED_DURING_READ', `tar: the archive is shorter than when ${entry.path} was listed`);
      yield bytes;
    }
  }

  function list(opts: CallOptions = {}): AsyncIterable<Entry> {
    return samples(headers(opts), { maxMembers: SAMPLE_MAX_MEMBERS, maxHeld: Number.POSITIVE_INFINITY, problem: report });
  }

  return { list, read, stream };
}
