/**
 * What the streaming row containers (JSON Lines, CSV) share: an OpenedContainer whose members are
 * rows held in a {@link HeldRows} window, and the per-listing count of rows and of their bytes
 * against the container limits. Each format only turns its stream into rows.
 */
import type { ContainerInput, ContainerLimits, OpenedContainer } from '../../engine/container.js';
import { SourceError } from '../../errors.js';
import type { Entry } from '../../source/types.js';
import { HeldRows, type HeldLimits } from './held.js';

/** One listing's rows: numbers them, holds their bytes and keeps them within the limits. */
export class RowListing {
  readonly #limits: ContainerLimits;
  readonly #held: HeldRows;
  #row = 0;
  #expanded = 0;

  constructor(limits: ContainerLimits, held: HeldRows) {
    this.#limits = limits;
    this.#held = held;
  }

  /** The next row's path (`row=N`); past `maxMembers` the listing ends with ERR_CONTAINER_LIMIT. */
  next(): string {
    if (this.#row >= this.#limits.maxMembers) throw new SourceError('ERR_CONTAINER_LIMIT', `more than ${this.#limits.maxMembers} rows (limits.maxMembers)`);
    return `row=${this.#row++}`;
  }

  /** The row's entry, its bytes held for the engine to read; past `maxExpandedBytes` the listing ends with ERR_CONTAINER_LIMIT. */
  member(path: string, bytes: Uint8Array, fields?: Record<string, unknown>): Entry {
    this.#expanded += bytes.length;
    if (this.#expanded > this.#limits.maxExpandedBytes) throw new SourceError('ERR_CONTAINER_LIMIT', `rows hold more than ${this.#limits.maxExpandedBytes} bytes of text (limits.maxExpandedBytes)`);
    const sha256 = this.#held.hold(path, bytes);
    return { path, size: bytes.length, ...(sha256 !== undefined ? { sha256 } : {}), ...(fields !== undefined ? { fields } : {}) };
  }
}

/**
 * A row container over `input.entry`: `rows(listing, signal)` yields the rows of one listing pass,
 * numbered and held through `listing`; reads are served from the held window.
 */
export function rowContainer(
  input: ContainerInput,
  kind: string,
  heldLimits: Partial<HeldLimits>,
  rows: (listing: RowListing, signal: AbortSignal | undefined) => AsyncIterable<Entry>,
): OpenedContainer {
  const { source, entry, limits, signal } = input;
  const held = new HeldRows({ ...heldLimits, maxMemberBytes: limits.maxMemberBytes });
  return {
    name: kind,
    location: `${source.location.replace(/\/$/, '')}/${entry.path}`,
    kind,
    markers: false,
    rows: true,
    list: (opts) => rows(new RowListing(limits, held), opts?.signal ?? signal),
    read: async (member, range) => held.read(member, range),
    stream: (member) => held.stream(member),
    close: async () => held.clear(),
  };
}
