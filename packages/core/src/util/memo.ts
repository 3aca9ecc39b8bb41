/**
 * Memoises a pure function of one string, holding at most `max` answers (all dropped when full: the
 * values that repeat — a licence column's few distinct values over a million rows — come back at
 * once). A thrown error is remembered and thrown again. Callers must treat answers as read-only.
 */
export function memoString<T>(fn: (key: string) => T, max = 4096): (key: string) => T {
  const cache = new Map<string, { value: T } | { error: unknown }>();
  return (key) => {
    let hit = cache.get(key);
    if (hit === undefined) {
      try {
        hit = { value: fn(key) };
      } catch (error) {
        hit = { error };
      }
      if (cache.size >= max) cache.clear();
      cache.set(key, hit);
    }
    if ('error' in hit) throw hit.error;
    return hit.value;
  };
}
