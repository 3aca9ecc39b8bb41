/**
 * Bounding the record-level metadata a row container puts on `Entry.fields`: it travels with every
 * member to the detectors and may be kept in records, so it must stay small whatever the row holds.
 * Not a container.
 */

/** Bounds of one row's `fields`. */
export interface FieldBounds {
  /** Characters of one string value; longer ones are cut and end with `…`. Default 2,048. */
  maxString: number;
  /** Keys of one object and items of one array kept. Default 64. */
  maxItems: number;
  /** Nesting levels kept; deeper values become the string `(nested too deep)`. Default 6. */
  maxDepth: number;
  /** Characters of all strings and keys of one row together; past it values become `(over the size bound)`. Default 64 Ki. */
  maxTotal: number;
}

export const DEFAULT_FIELD_BOUNDS: FieldBounds = Object.freeze({ maxString: 2048, maxItems: 64, maxDepth: 6, maxTotal: 64 * 1024 });

/**
 * A copy of `value` within `bounds`: plain JSON values only, objects kept nested (a `metadata` or
 * `meta` object stays an object), without the top-level key `omit` (the row's text, served as its
 * bytes instead). Recursion is bounded by `maxDepth`, so a row nested 100,000
 * levels deep costs a few levels of work.
 */
export function boundFields(record: Readonly<Record<string, unknown>>, bounds: FieldBounds = DEFAULT_FIELD_BOUNDS, omit?: string): Record<string, unknown> {
  let budget = bounds.maxTotal;
  const visit = (value: unknown, depth: number): unknown => {
    if (budget <= 0) return '(over the size bound)';
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
    if (typeof value === 'string') {
      const cut = value.length > bounds.maxString ? `${value.slice(0, bounds.maxString)}…` : value;
      budget -= cut.length;
      return cut;
    }
    if (typeof value !== 'object') return null;
    if (depth >= bounds.maxDepth) return '(nested too deep)';
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (let i = 0; i < value.length && i < bounds.maxItems; i++) out.push(visit(value[i], depth + 1));
      if (value.length > bounds.maxItems) out.push(`(${value.length - bounds.maxItems} more)`);
      return out;
    }
    return visitObject(value as Record<string, unknown>, depth);
  };
  const visitObject = (obj: Record<string, unknown>, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const key in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, key) || (depth === 0 && key === omit)) continue;
      if (n++ >= bounds.maxItems || budget <= 0) {
        out['(more)'] = true;
        break;
      }
      budget -= key.length;
      // defineProperty: a key named __proto__ (JSON.parse makes it an own key) stays a plain key.
      Object.defineProperty(out, key, { value: visit(obj[key], depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return visitObject(record, 0);
}
