import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';

/**
 * Where a reporter writes. Writes are buffered and respect backpressure; a file is written to a
 * temporary name beside it and renamed into place by `commit()`, so a report is never half-written.
 */
export interface Output {
  /** Path of the file, or `-` for standard output. */
  readonly target: string;
  /** Whether this output is an interactive terminal. */
  readonly isTTY: boolean;
  write(text: string): Promise<void>;
  /** Flushes and, for a file, renames it into place. */
  commit(): Promise<void>;
  /** Drops a file that was being written (the previous file at the path, if any, stays). */
  abort(): Promise<void>;
  /**
   * Opens another file that belongs to this report (a manifest's path list beside its JSON Lines):
   * written atomically like this one, committed just before it and aborted with it. Undefined for
   * standard output, which has nowhere beside it. Outputs made by other code may not have it.
   */
  sibling?(target: string): Promise<Output | undefined>;
}

const FLUSH_AT = 64 * 1024;

/** An output to a file path (atomic) or `-` (standard output). */
export async function openOutput(target: string, stdout: Writable & { isTTY?: boolean } = process.stdout): Promise<Output> {
  if (target === '-') {
    const out = bufferedOutput('-', stdout, Boolean(stdout.isTTY), async () => {}, async () => {});
    return { ...out, sibling: async () => undefined };
  }
  return openFile(target);
}

async function openFile(target: string): Promise<Output> {
  const final = path.resolve(target);
  await mkdir(path.dirname(final), { recursive: true });
  const temp = `${final}.${process.pid}.${Date.now().toString(36)}.tmp`;
  const stream = createWriteStream(temp, { flags: 'wx' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  const siblings: Output[] = [];
  const out = bufferedOutput(
    target,
    stream,
    false,
    async () => {
      for (const s of siblings) await s.commit();
      await end(stream);
      await rename(temp, final);
    },
    async () => {
      await Promise.all(siblings.map((s) => s.abort()));
      stream.destroy();
      await rm(temp, { force: true });
    },
  );
  return {
    ...out,
    async sibling(other) {
      const s = await openFile(other);
      siblings.push(s);
      return s;
    },
  };
}

function bufferedOutput(target: string, sink: Writable, isTTY: boolean, onCommit: () => Promise<void>, onAbort: () => Promise<void>): Output {
  let buffer = '';
  let failed: Error | undefined;
  sink.on('error', (err) => (failed = err));
  const flush = async () => {
    if (failed) throw failed;
    if (buffer === '') return;
    const chunk = buffer;
    buffer = '';
    if (!sink.write(chunk)) await new Promise<void>((resolve) => sink.once('drain', resolve));
  };
  return {
    target,
    isTTY,
    async write(text) {
      buffer += text;
      if (buffer.length >= FLUSH_AT) await flush();
    },
    async commit() {
      await flush();
      await onCommit();
    },
    async abort() {
      buffer = '';
      await onAbort();
    },
  };
}

function end(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}
