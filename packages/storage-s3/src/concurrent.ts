/**
 * Maps an async iterable through `fn` with at most `limit` calls in flight, yielding results as they
 * complete (not in input order). Pulls the next input only when a slot is free, so memory stays
 * bounded by `limit` whatever the length of the input.
 */
export async function* mapBounded<T, R>(input: AsyncIterable<T>, limit: number, fn: (item: T) => Promise<R>, signal?: AbortSignal): AsyncGenerator<R> {
  const iterator = input[Symbol.asyncIterator]();
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
    await Promise.allSettled(inFlight.values());
  }
}
