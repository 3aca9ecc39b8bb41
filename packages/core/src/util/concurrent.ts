/**
 * Maps an async iterable through `fn` with at most `limit` calls in flight, yielding results as they
 * complete. Pulls the next input only when a slot is free, so memory stays bounded by `limit`
 * whatever the length of the input. Completions go through a queue, so each item costs O(1) whatever
 * the limit (a `Promise.race` over everything in flight would cost O(limit) per item).
 */
export async function* mapConcurrent<T, R>(
  input: AsyncIterable<T> | Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
  signal?: AbortSignal,
): AsyncGenerator<R> {
  const iterator = Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : toAsync(input);
  const settled: ({ ok: true; value: R } | { ok: false; error: unknown })[] = [];
  const pending = new Set<Promise<void>>();
  let wake: (() => void) | undefined;
  let done = false;
  /** A failure of the input itself: thrown once the items already taken have been yielded. */
  let inputFailure: { error: unknown } | undefined;
  const start = (item: T) => {
    const p: Promise<void> = fn(item).then(
      (value) => void settled.push({ ok: true, value }),
      (error: unknown) => void settled.push({ ok: false, error }),
    );
    const tracked = p.finally(() => {
      pending.delete(tracked);
      wake?.();
    });
    pending.add(tracked);
  };
  try {
    while (true) {
      while (!done && pending.size + settled.length < limit) {
        signal?.throwIfAborted();
        let step: IteratorResult<T>;
        try {
          step = await iterator.next();
        } catch (error) {
          if (signal?.aborted) throw error;
          inputFailure = { error };
          done = true;
          break;
        }
        if (step.done === true) {
          done = true;
          break;
        }
        start(step.value);
      }
      if (settled.length === 0) {
        if (pending.size === 0) {
          if (inputFailure) throw inputFailure.error;
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const next = settled.shift()!;
      if (!next.ok) throw next.error;
      yield next.value;
    }
  } finally {
    if (!done) await iterator.return?.();
    // Let work already started settle so that no promise rejects unobserved after we leave.
    await Promise.allSettled(pending);
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}
