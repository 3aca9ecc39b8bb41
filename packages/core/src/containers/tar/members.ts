/**
 * What both tar listings share: turning a decoded header into a member Entry (or nothing, for a
 * directory), and grouping members into WebDataset samples so that a sample's `.json` sidecar
 * becomes the `fields` of every member of the sample.
 *
 * WebDataset convention (webdataset/webdataset README, "The WebDataset Format"): the key of a member
 * is its path up to the first dot of its base name (`a/00001.seg.png` → `a/00001`), the rest is its
 * extension; members of one sample are stored next to each other.
 */
import { safeMemberPath } from '../../engine/container.js';
import type { Entry } from '../../source/types.js';
import { decodeName, isoTime } from './header.js';

/** Largest `.json` sidecar parsed as a sample's fields. */
export const SIDECAR_MAX_BYTES = 1024 * 1024;
/** Most members of one sample held back while waiting for its key to change. */
export const SAMPLE_MAX_MEMBERS = 64;

/** What a listing knows of one header once long names and PAX records are applied. */
export interface MemberHeader {
  /** Raw name bytes, or the text of a PAX `path` (always UTF-8). */
  name: Uint8Array | string;
  type: string;
  size: number;
  mtimeSeconds: number | null;
  /** Set when a PAX header asks for something this reader does not do (GNU sparse maps). */
  unsupported?: string;
}

/**
 * The Entry for a header, or null for what is not a member (a directory, a volume label). Names are
 * made safe with `safeMemberPath`; links, devices and FIFOs are listed with ERR_NOT_REGULAR_FILE.
 */
export function memberEntry(h: MemberHeader): Entry | null {
  // Directories (`5`, GNU dumpdir `D`) and volume labels (`V`) name no bytes of their own.
  if (h.type === '5' || h.type === 'D' || h.type === 'V') return null;
  const decoded = typeof h.name === 'string' ? { name: h.name } : decodeName(h.name);
  const safe = safeMemberPath(decoded.name);
  const entry: Entry = { path: safe.path, size: h.size };
  if (decoded.pathBytes !== undefined) entry.pathBytes = decoded.pathBytes;
  const mtime = isoTime(h.mtimeSeconds);
  if (mtime !== undefined) entry.mtime = mtime;
  const notRegular = NOT_REGULAR[h.type];
  if (safe.unsafe) {
    entry.error = { code: 'ERR_MEMBER_PATH_UNSAFE', message: 'tar member name leaves the archive root (absolute or ..); listed under a safe path, never read' };
  } else if (notRegular !== undefined) {
    entry.size = 0;
    entry.error = { code: 'ERR_NOT_REGULAR_FILE', message: `tar member is a ${notRegular}, not a regular file` };
  } else if (h.unsupported !== undefined) {
    entry.error = { code: 'ERR_CONTAINER_UNSUPPORTED', message: `tar member: ${h.unsupported}` };
  } else if (h.type === 'S') {
    entry.error = { code: 'ERR_CONTAINER_UNSUPPORTED', message: 'tar member is a GNU sparse file, which is not read' };
  } else if (h.type !== '0' && h.type !== '7') {
    entry.error = { code: 'ERR_CONTAINER_UNSUPPORTED', message: `tar member has the unknown type flag ${JSON.stringify(h.type)}` };
  }
  return entry;
}

const NOT_REGULAR: Record<string, string> = {
  '1': 'hard link',
  '2': 'symbolic link',
  '3': 'character device',
  '4': 'block device',
  '6': 'FIFO',
};

/** True when a PAX header carries GNU sparse-file records (the member data is a sparse map). */
export function hasSparsePax(pax: ReadonlyMap<string, string> | Readonly<Record<string, string>>): boolean {
  const keys: string[] = pax instanceof Map ? [...(pax as ReadonlyMap<string, string>).keys()] : Object.keys(pax);
  return keys.some((k) => k.startsWith('GNU.sparse.'));
}

/** The WebDataset key of a member path (path up to the first dot of the base name) and its extension. */
export function sampleKey(path: string): { key: string; ext: string } {
  const slash = path.lastIndexOf('/');
  const dot = path.indexOf('.', slash + 1);
  return dot === -1 ? { key: path, ext: '' } : { key: path.slice(0, dot), ext: path.slice(dot + 1) };
}

/** A listed member waiting in the current sample. */
export interface Pending {
  entry: Entry;
  /** Bytes of this member held in memory by the listing (0 when its bytes stay in the parent). */
  held: number;
  /** The member's bytes, when it is a sidecar candidate that can be read (at most {@link SIDECAR_MAX_BYTES}). */
  bytes?: () => Promise<Uint8Array | null>;
}

/**
 * Groups consecutive members sharing a WebDataset key; when the group has a `.json` member, its
 * parsed object is set as `fields` on every member of the group. A group past `maxMembers` members
 * or `maxHeld` held bytes is let go without fields (reported once through `problem`), so memory
 * stays bounded whatever the shard holds.
 */
export async function* samples(
  items: AsyncIterable<Pending>,
  opts: { maxMembers: number; maxHeld: number; problem: (message: string) => void },
): AsyncGenerator<Entry> {
  let key: string | null = null;
  let group: Pending[] = [];
  let held = 0;
  // The key of a group let go early: its later members pass straight through.
  let overflowKey: string | null = null;
  let reported = false;
  const iterator = items[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Pending>;
    try {
      next = await iterator.next();
    } catch (err) {
      // The listing failed further on (a corrupt header): the members before it still stand.
      for (const e of await finish(group)) yield e;
      throw err;
    }
    if (next.done === true) break;
    const item = next.value;
    const k = sampleKey(item.entry.path).key;
    if (k === overflowKey) {
      yield item.entry;
      continue;
    }
    if (k !== key) {
      for (const e of await finish(group)) yield e;
      group = [];
      held = 0;
      key = k;
      overflowKey = null;
    }
    group.push(item);
    held += item.held;
    if (group.length > opts.maxMembers || held > opts.maxHeld) {
      if (!reported) {
        reported = true;
        opts.problem(
          `WebDataset sample ${JSON.stringify(k)} has more than ${opts.maxMembers} members or ${opts.maxHeld} bytes held: its members are listed without the sample's .json fields (reported once per listing)`,
        );
      }
      for (const p of group) yield p.entry;
      group = [];
      held = 0;
      overflowKey = k;
      key = null;
    }
  }
  for (const e of await finish(group)) yield e;
}

async function finish(group: Pending[]): Promise<Entry[]> {
  if (group.length === 0) return [];
  if (group.length > 1 || sampleKey(group[0]!.entry.path).ext.toLowerCase() === 'json') {
    const sidecar = group.find((p) => p.entry.error === undefined && p.bytes !== undefined && sampleKey(p.entry.path).ext.toLowerCase() === 'json');
    if (sidecar) {
      const fields = parseSidecar(await sidecar.bytes!());
      if (fields) for (const p of group) p.entry.fields = fields;
    }
  }
  return group.map((p) => p.entry);
}

/** A JSON object from a sidecar's bytes; null for anything else (invalid JSON, an array, too large). */
export function parseSidecar(bytes: Uint8Array | null): Readonly<Record<string, unknown>> | null {
  if (bytes === null || bytes.length > SIDECAR_MAX_BYTES) return null;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.freeze(value as Record<string, unknown>) : null;
}
