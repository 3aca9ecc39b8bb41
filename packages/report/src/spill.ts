import { randomBytes } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A temporary file of lines, for reporters whose format puts something learnt at the end (totals,
 * rules, the files sorted by severity) before or around what the records say. Records go to disk
 * as they arrive and are read back once at the end, so memory stays flat however many there are.
 *
 * The file is unlinked as soon as it is open (where the system allows it): nothing is left behind
 * even when the process is killed. Where unlinking an open file fails (Windows), it is removed by
 * {@link Spill.close}.
 */
export interface Spill {
  /** Lines written so far. */
  readonly lines: number;
  /** Bytes written so far (UTF-8, newlines included). */
  readonly bytes: number;
  /** Appends one line; `line` must not contain a newline (JSON.stringify output never does). */
  writeLine(line: string): Promise<void>;
  /** The lines in the order written, at most `limit` of them. Call after the last write. */
  readLines(limit?: number): AsyncGenerator<string>;
  /** Closes and removes the file. Safe to call twice. */
  close(): Promise<void>;
}

const WRITE_AT = 256 * 1024;
const READ_CHUNK = 1024 * 1024;

/** Opens a spill file in `dir` (default: the system's temporary folder). */
export async function createSpill(dir: string = tmpdir()): Promise<Spill> {
  const file = path.join(dir, `clearance-spill-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  const handle: FileHandle = await open(file, 'wx+', 0o600);
  let removed = await unlink(file).then(
    () => true,
    () => false,
  );
  let pending: string[] = [];
  let pendingLength = 0;
  let position = 0;
  let lines = 0;
  let bytes = 0;
  let closed = false;

  const flush = async () => {
    if (pending.length === 0) return;
    const buf = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    pendingLength = 0;
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await handle.write(buf, done, buf.length - done, position + done);
      done += bytesWritten;
    }
    position += buf.length;
  };

  return {
    get lines() {
      return lines;
    },
    get bytes() {
      return bytes;
    },
    async writeLine(line) {
      const text = `${line}\n`;
      pending.push(text);
      pendingLength += text.length;
      lines++;
      bytes += Buffer.byteLength(text, 'utf8');
      if (pendingLength >= WRITE_AT) await flush();
    },
    async *readLines(limit = Number.POSITIVE_INFINITY) {
      await flush();
      let emitted = 0;
      let offset = 0;
      let rest: Buffer = Buffer.alloc(0);
      const chunk = Buffer.alloc(READ_CHUNK);
      while (offset < position && emitted < limit) {
        const { bytesRead } = await handle.read(chunk, 0, Math.min(READ_CHUNK, position - offset), offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        // Split on bytes, not characters: a chunk may end inside a multi-byte UTF-8 sequence.
        const data = rest.length > 0 ? Buffer.concat([rest, chunk.subarray(0, bytesRead)]) : Buffer.from(chunk.subarray(0, bytesRead));
        let start = 0;
        for (let nl = data.indexOf(10, start); nl !== -1 && emitted < limit; nl = data.indexOf(10, start)) {
          yield data.toString('utf8', start, nl);
          emitted++;
          start = nl + 1;
        }
        rest = data.subarray(start);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
      if (!removed) {
        await unlink(file).catch(() => undefined);
        removed = true;
      }
    },
  };
}
