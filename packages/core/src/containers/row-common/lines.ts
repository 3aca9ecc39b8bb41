/**
 * Lines of a byte stream, bounded: a line longer than `maxLine` is skipped over (never buffered)
 * and reported by its length alone. Not a container.
 *
 * A line is yielded as a view of the current chunk when it lies within one: use it before asking
 * for the next line, since the source may reuse the chunk's buffer after that.
 */

/** One line without its `\n` (and without a `\r` before it); `bytes` is null when it was over the bound. */
export interface Line {
  bytes: Uint8Array | null;
  /** Length in bytes, also of a line over the bound. */
  length: number;
  /** Byte offset of its first byte in the (decompressed) stream. */
  offset: number;
}

export async function* lines(chunks: AsyncIterable<Uint8Array>, maxLine: number): AsyncGenerator<Line> {
  let pending: Uint8Array[] = [];
  let pendingLength = 0;
  let over = false;
  let offset = 0;
  const finish = (last: Uint8Array): Line => {
    const length = pendingLength + last.length;
    let bytes: Uint8Array | null = null;
    if (!over && length <= maxLine) bytes = pending.length === 0 ? last : Buffer.concat([...pending, last], length);
    if (bytes !== null && bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    const line: Line = { bytes, length, offset };
    offset += length + 1;
    pending = [];
    pendingLength = 0;
    over = false;
    return line;
  };
  for await (const chunk of chunks) {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(0x0a, pos);
      if (nl === -1) {
        const rest = chunk.length - pos;
        if (!over && pendingLength + rest > maxLine) {
          over = true;
          pending = [];
        }
        // A copy (not Buffer#slice, which is a view): a source may reuse its chunk buffer once the
        // next chunk is asked for (the local source does).
        if (!over) pending.push(Uint8Array.prototype.slice.call(chunk, pos));
        pendingLength += rest;
        break;
      }
      yield finish(chunk.subarray(pos, nl));
      pos = nl + 1;
    }
  }
  if (pendingLength > 0) yield finish(new Uint8Array(0));
}
