/**
 * A bounded reader of Compound File Binary (OLE2) containers over a {@link ByteView}: header, DIFAT,
 * FAT, directory, mini FAT and mini stream — only the sectors a question needs. Missing sectors are
 * noted in the view (the detector's `wants.ranges` asks for them next round); chains are followed
 * with a visited set and a length bound, so FAT cycles and DIFAT loops end at once with a problem.
 *
 * Written here rather than taken from npm: SheetJS `cfb` (Apache-2.0) and the other readers parse a
 * whole buffer, and a detector gets a head, a tail and ranges of a file that may be gigabytes.
 *
 * Reference: [MS-CFB] v20230606 §2.2 (header), §2.3 (sectors and chains), §2.4 (FAT), §2.5 (DIFAT),
 * §2.6 (directory entries, red-black tree of siblings), §2.6.1 (mini stream cutoff), §2.3 (mini FAT).
 */
import type { ByteView } from '../tpm-common/byte-view.js';
import type { Problem } from '../tpm-common/findings.js';

export const CFB_MAGIC = Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ENDOFCHAIN = 0xfffffffe;
const MAXREGSECT = 0xfffffffa;
/** Directory entries read at most (a real document has tens; a hostile one claims millions). */
const MAX_ENTRIES = 4096;

export interface DirEntry {
  /** Index in the directory (stream id). */
  id: number;
  name: string;
  /** 1 storage, 2 stream, 5 root. */
  type: number;
  left: number;
  right: number;
  child: number;
  start: number;
  size: number;
}

export interface CfbHeader {
  major: number;
  sectorSize: number;
  miniSectorSize: number;
  miniCutoff: number;
  firstDir: number;
  firstMiniFat: number;
  firstDifat: number;
  difatCount: number;
  fatCount: number;
}

/** True when the bytes start with the compound file signature. */
export function isCfb(head: Uint8Array): boolean {
  return head.length >= 8 && CFB_MAGIC.every((b, i) => head[i] === b);
}

export class Cfb {
  readonly problems: Problem[] = [];
  /** True when a sector needed was not held: more ranges would help. */
  pending = false;
  private readonly fatCache = new Map<number, number>();
  private difat: number[] | null = null;
  private entriesCache: DirEntry[] | null = null;

  private constructor(
    readonly view: ByteView,
    readonly header: CfbHeader,
  ) {}

  /** Reads the header; null (with a reason) when it is not a usable compound file. */
  static open(view: ByteView): { cfb: Cfb } | { problem: string } {
    const h = view.get(0, 512);
    if (!h || h.length < 512 || !isCfb(h)) return { problem: 'not a compound file, or its header is truncated' };
    const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
    const major = dv.getUint16(0x1a, true);
    const shift = dv.getUint16(0x1e, true);
    const miniShift = dv.getUint16(0x20, true);
    // Version 3 uses 512-byte sectors, version 4 4096-byte ones; anything else is damaged.
    if (!((major === 3 && shift === 9) || (major === 4 && shift === 12)) || miniShift !== 6) {
      return { problem: `unsupported compound file version ${major} with sector shift ${shift}` };
    }
    return {
      cfb: new Cfb(view, {
        major,
        sectorSize: 1 << shift,
        miniSectorSize: 64,
        fatCount: dv.getUint32(0x2c, true),
        firstDir: dv.getUint32(0x30, true),
        miniCutoff: dv.getUint32(0x38, true),
        firstMiniFat: dv.getUint32(0x3c, true),
        firstDifat: dv.getUint32(0x44, true),
        difatCount: dv.getUint32(0x48, true),
      }),
    };
  }

  /** Sectors the file can hold: a chain longer than this loops. */
  get sectorCount(): number {
    return Math.max(0, Math.ceil(this.view.size / this.header.sectorSize) - 1);
  }

  private sectorOffset(n: number): number {
    return (n + 1) * this.header.sectorSize;
  }

  /** The whole sector `n`, or null when not held (then noted) or past the end (then a problem). */
  sector(n: number): Uint8Array | null {
    if (n > MAXREGSECT || n >= this.sectorCount) {
      this.problems.push({ message: `sector ${n} is past the end of the file`, byteOffset: this.sectorOffset(Math.min(n, this.sectorCount)) });
      return null;
    }
    const bytes = this.view.get(this.sectorOffset(n), this.sectorOffset(n) + this.header.sectorSize);
    if (!bytes) this.pending = true;
    return bytes && bytes.length === this.header.sectorSize ? bytes : null;
  }

  /** FAT sector locations: the header's 109 and the DIFAT chain, bounded and loop-checked. */
  private fatSectors(): number[] | null {
    if (this.difat) return this.difat;
    const h = this.view.get(0, 512)!;
    const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
    const out: number[] = [];
    for (let i = 0; i < 109; i++) out.push(dv.getUint32(0x4c + i * 4, true));
    let next = this.header.firstDifat;
    const seen = new Set<number>();
    const per = this.header.sectorSize / 4 - 1;
    while (next <= MAXREGSECT && out.length < this.header.fatCount + 109) {
      if (seen.has(next) || seen.size > this.sectorCount) {
        this.problems.push({ message: `DIFAT chain loops at sector ${next}`, byteOffset: this.sectorOffset(next) });
        break;
      }
      seen.add(next);
      const s = this.sector(next);
      if (!s) {
        if (this.pending) return null;
        break;
      }
      const sdv = new DataView(s.buffer, s.byteOffset, s.byteLength);
      for (let i = 0; i < per; i++) out.push(sdv.getUint32(i * 4, true));
      next = sdv.getUint32(per * 4, true);
    }
    this.difat = out;
    return out;
  }

  /** FAT[n]: the sector after `n` in its chain; null when unknown (missing or damaged). */
  fat(n: number): number | null {
    const cached = this.fatCache.get(n);
    if (cached !== undefined) return cached;
    const per = this.header.sectorSize / 4;
    const sectors = this.fatSectors();
    if (!sectors) return null;
    const fs = sectors[Math.floor(n / per)];
    if (fs === undefined || fs > MAXREGSECT) {
      this.problems.push({ message: `no FAT sector covers sector ${n}` });
      return null;
    }
    const s = this.sector(fs);
    if (!s) return null;
    const v = new DataView(s.buffer, s.byteOffset, s.byteLength).getUint32((n % per) * 4, true);
    this.fatCache.set(n, v);
    return v;
  }

  /**
   * The chain from `start`, at most `max` sectors (and never longer than the file): a cycle or a
   * pointer past the end stops it with a problem. `complete` is false when the chain was cut short.
   */
  chain(start: number, max: number, table: (n: number) => number | null = (n) => this.fat(n), limit = this.sectorCount): { sectors: number[]; complete: boolean } {
    const sectors: number[] = [];
    const seen = new Set<number>();
    let n = start;
    while (n !== ENDOFCHAIN && sectors.length < max) {
      if (n > MAXREGSECT || n >= limit) {
        this.problems.push({ message: `chain points at sector ${n}, past the end` });
        return { sectors, complete: false };
      }
      if (seen.has(n)) {
        this.problems.push({ message: `sector chain loops at sector ${n}` });
        return { sectors, complete: false };
      }
      seen.add(n);
      sectors.push(n);
      const next = table(n);
      if (next === null) return { sectors, complete: false };
      n = next;
    }
    return { sectors, complete: n === ENDOFCHAIN };
  }

  /** Every directory entry that could be read (bounded by {@link MAX_ENTRIES}). */
  entries(): DirEntry[] {
    if (this.entriesCache) return this.entriesCache;
    const perSector = this.header.sectorSize / 128;
    const { sectors } = this.chain(this.header.firstDir, Math.ceil(MAX_ENTRIES / perSector));
    // Directory sectors are usually contiguous: asking for the next few at once saves rounds.
    if (sectors.length > 0) this.view.want(this.sectorOffset(sectors[0]!), this.sectorOffset(sectors[0]!) + 4 * this.header.sectorSize);
    const out: DirEntry[] = [];
    for (const sn of sectors) {
      const s = this.sector(sn);
      if (!s) break;
      const dv = new DataView(s.buffer, s.byteOffset, s.byteLength);
      for (let i = 0; i < perSector; i++) {
        const o = i * 128;
        const nameLen = Math.min(64, dv.getUint16(o + 0x40, true));
        let name = '';
        for (let k = 0; k + 1 < nameLen - 1; k += 2) name += String.fromCharCode(dv.getUint16(o + k, true));
        const size = this.header.major === 3 ? dv.getUint32(o + 0x78, true) : dv.getUint32(o + 0x78, true) + dv.getUint32(o + 0x7c, true) * 2 ** 32;
        out.push({
          id: out.length,
          name,
          type: s[o + 0x42]!,
          left: dv.getUint32(o + 0x44, true),
          right: dv.getUint32(o + 0x48, true),
          child: dv.getUint32(o + 0x4c, true),
          start: dv.getUint32(o + 0x74, true),
          size,
        });
      }
    }
    this.entriesCache = out;
    return out;
  }

  /** The children of a storage (walks the sibling tree, loop-checked). */
  children(parent: DirEntry): DirEntry[] {
    const all = this.entries();
    const out: DirEntry[] = [];
    const seen = new Set<number>();
    const stack = [parent.child];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id > MAXREGSECT) continue;
      if (seen.has(id)) {
        this.problems.push({ message: `directory tree loops at entry ${id}` });
        continue;
      }
      seen.add(id);
      const e = all[id];
      if (!e) continue;
      if (e.type !== 0) out.push(e);
      stack.push(e.left, e.right);
    }
    return out;
  }

  /** The root storage entry, or null. */
  root(): DirEntry | null {
    const r = this.entries()[0];
    return r && r.type === 5 ? r : null;
  }

  /**
   * The first `max` bytes of a stream (less when the stream is shorter); null when they are not
   * all held yet (noted) or the chain is damaged (a problem).
   */
  read(entry: DirEntry, max: number): Uint8Array | null {
    const want = Math.min(entry.size, max);
    if (want === 0) return new Uint8Array(0);
    if (entry.size < this.header.miniCutoff && entry.type === 2) return this.readMini(entry.start, want);
    const ss = this.header.sectorSize;
    const { sectors } = this.chain(entry.start, Math.ceil(want / ss));
    if (sectors.length * ss < want) return null;
    return this.gather(sectors.map((n) => ({ at: this.sectorOffset(n), len: ss })), want);
  }

  /** File offset of a directory entry (for evidence), when its directory sector is known. */
  entryOffset(entry: DirEntry): number | undefined {
    const per = this.header.sectorSize / 128;
    const { sectors } = this.chain(this.header.firstDir, Math.floor(entry.id / per) + 1);
    const s = sectors[Math.floor(entry.id / per)];
    return s === undefined ? undefined : this.sectorOffset(s) + (entry.id % per) * 128;
  }

  /** File offset of a stream's first byte (for evidence), when its first sector is known. */
  streamOffset(entry: DirEntry): number | undefined {
    if (entry.size === 0 || entry.start > MAXREGSECT) return undefined;
    if (entry.size >= this.header.miniCutoff || entry.type !== 2) return this.sectorOffset(entry.start);
    const root = this.root();
    if (!root) return undefined;
    const ss = this.header.sectorSize;
    const pos = entry.start * this.header.miniSectorSize;
    const host = this.chain(root.start, Math.floor(pos / ss) + 1).sectors[Math.floor(pos / ss)];
    return host === undefined ? undefined : this.sectorOffset(host) + (pos % ss);
  }

  private readMini(start: number, want: number): Uint8Array | null {
    const root = this.root();
    if (!root) return null;
    const ms = this.header.miniSectorSize;
    const miniFat = (n: number): number | null => {
      const per = this.header.sectorSize / 4;
      const { sectors } = this.chain(this.header.firstMiniFat, Math.floor(n / per) + 1);
      const s = sectors[Math.floor(n / per)];
      if (s === undefined) return null;
      const bytes = this.sector(s);
      return bytes ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32((n % per) * 4, true) : null;
    };
    const miniCount = Math.ceil(root.size / ms);
    const { sectors } = this.chain(start, Math.ceil(want / ms), miniFat, miniCount);
    if (sectors.length * ms < want) return null;
    // Mini sector i sits at byte i*64 of the mini stream, itself a chain of regular sectors from the root.
    const ss = this.header.sectorSize;
    const maxRoot = Math.max(...sectors) * ms;
    const rootChain = this.chain(root.start, Math.floor(maxRoot / ss) + 1).sectors;
    const parts: { at: number; len: number }[] = [];
    for (const m of sectors) {
      const host = rootChain[Math.floor((m * ms) / ss)];
      if (host === undefined) return null;
      parts.push({ at: this.sectorOffset(host) + ((m * ms) % ss), len: ms });
    }
    return this.gather(parts, want);
  }

  private gather(parts: { at: number; len: number }[], want: number): Uint8Array | null {
    const out = new Uint8Array(want);
    let pos = 0;
    let missing = false;
    // Ask for every missing part at once (one round), not the first one only.
    for (const p of parts) {
      if (pos >= want) break;
      const len = Math.min(p.len, want - pos);
      const bytes = this.view.get(p.at, p.at + len);
      if (bytes) out.set(bytes, pos);
      else missing = true;
      pos += len;
    }
    if (missing) this.pending = true;
    return !missing && pos >= want ? out : null;
  }
}
