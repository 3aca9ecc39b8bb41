/**
 * Maps an async iterable through `fn` with at most `limit` calls in flight, yielding results as they
 * complete. Pulls the next input only when a slot is free, so memory stays bounded by `limit`
 * whatever the length of the input.
 */
export async function* mapConcurrent<T, R>(
  input: AsyncIterable<T> | Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
  signal?: AbortSignal,
): AsyncGenerator<R> {
  const iterator = Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : toAsync(input);
  const inFlight = new Map<number, Promise<{ id: number; result: R }>>();
  let nextId = 0;
  let done = false;
  try {
    while (true) {
      while (!done && inFlight.size < limit) {
        signal?.throwIfAborted();
        const step = await iterator.next();
        if (step.done === true) {
          done = true;
          break;
        }
        const id = nextId++;
        inFlight.set(id, fn(step.value).then((result) => ({ id, result })));
      }
      if (inFlight.size === 0) return;
      const { id, result } = await Promise.race(inFlight.values());
      inFlight.delete(id);
      yield result;
    }
  } finally {
    if (!done) await iterator.return?.();
    // Let work already started settle so that no promise rejects unobserved after we leave.
    await Promise.allSettled(inFlight.values());
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}
