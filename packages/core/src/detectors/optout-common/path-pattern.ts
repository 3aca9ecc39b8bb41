/**
 * Robots-style path patterns, shared by every opt-out protocol that borrows them: robots.txt
 * Allow/Disallow (RFC 9309), TDMRep `location`, AIPREF `Content-Usage` paths, RSL `content url`,
 * Spawning ai.txt. A pattern matches a path when the path starts with it; `*` stands for any run of
 * characters and a final `$` anchors the end.
 *
 * Reference: RFC 9309 §2.2.2 (longest match, percent-encoding before comparison, `*` and `$`), and the
 * TDMRep final report §"TDM File on the Origin Server" which reuses that matching.
 *
 * Dataset paths are file names, not URLs: both sides are brought to one canonical form before they are
 * compared — `%XX` of an unreserved character decoded, other `%XX` upper-cased, and every octet that
 * RFC 3986 does not allow in a path (spaces, non-ASCII as UTF-8, `"`, `<`, …) percent-encoded, and so
 * are `$` and `*`, which patterns can only name as `%24` and `%2A`. So the file `a b.html` matches the
 * pattern `/a%20b.html`, `/%7Euser` matches `/~user`, and `/foo-%24` matches the file `foo-$`.
 *
 * ok:     `/articles/*` matches `/articles/2024/x.html`; `/*.pdf$` matches `/a/b.pdf`, not `/a/b.pdf.html`
 * not-ok: `/articles/` does not match `/Articles/x` (matching is case-sensitive)
 */

/** A compiled pattern. `length` ranks matches: the longer pattern is the more specific (RFC 9309 §2.2.2). */
export interface PathPattern {
  /** The pattern as written (trimmed). */
  readonly source: string;
  /** Octets of the canonical pattern, `*` and `$` included: the longest-match rank. */
  readonly length: number;
  /** Whether the canonical path (see {@link canonicalPath}) matches. */
  matches(canonical: string): boolean;
}

/** Longest pattern compiled; a longer one (hostile or broken) never matches rather than costing time. */
const MAX_PATTERN = 4096;
/** Most `*` in one pattern. */
const MAX_STARS = 64;

const HEX = '0123456789ABCDEF';
const utf8 = new TextEncoder();

/** RFC 3986 unreserved characters: decoded when percent-encoded, kept as they are otherwise. */
function isUnreserved(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
}

/**
 * Characters kept literally: unreserved, most sub-delims, `:`, `@`, `/`, `?`. Not `$` and `*`: in a
 * pattern they are special, so a pattern names them literally as `%24` / `%2A` (RFC 9309 §2.2.3),
 * and the canonical form of a path encodes them the same way.
 */
function isPathChar(c: number): boolean {
  return isUnreserved(c) || "!&'()+,;=:@/?".includes(String.fromCharCode(c));
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function encodeByte(b: number): string {
  return `%${HEX[b >> 4]}${HEX[b & 15]}`;
}

/**
 * The canonical form of a path or of a pattern's literal part: see the module comment. Idempotent.
 * A pattern's special `*` and final `$` are split off before its literals are brought to this form.
 */
export function canonicalPath(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const h = i + 2 < text.length ? hexValue(text.charCodeAt(i + 1)) : -1;
      const l = h >= 0 ? hexValue(text.charCodeAt(i + 2)) : -1;
      if (l >= 0) {
        const b = (h << 4) | l;
        out += isUnreserved(b) ? String.fromCharCode(b) : encodeByte(b);
        i += 2;
      } else out += '%25';
      continue;
    }
    if (c < 0x80 && isPathChar(c)) {
      out += text[i];
      continue;
    }
    // Everything else — controls, space, `"<>\^`{|}`, non-ASCII — is percent-encoded as UTF-8.
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    for (const b of utf8.encode(ch)) out += encodeByte(b);
    i += ch.length - 1;
  }
  return out;
}

/**
 * Compiles a robots-style pattern. Returns null for an empty pattern (which matches nothing: an empty
 * `Disallow:` allows everything, RFC 9309 §2.2.2). A pattern that starts with neither `/` nor `*` is
 * read as if it started with `/`, as crawlers do.
 */
export function compilePattern(pattern: string): PathPattern | null {
  const source = pattern.trim();
  if (source === '' || source.length > MAX_PATTERN) return null;
  let body = source;
  const anchored = body.endsWith('$');
  if (anchored) body = body.slice(0, -1);
  if (!body.startsWith('/') && !body.startsWith('*')) body = `/${body}`;
  const parts = body.split('*');
  if (parts.length - 1 > MAX_STARS) return null;
  const literals = parts.map(canonicalPath);
  const length = literals.reduce((n, s) => n + s.length, 0) + (parts.length - 1) + (anchored ? 1 : 0);
  return { source, length, matches: (path) => matchLiterals(path, literals, anchored) };
}

/**
 * Whether `path` matches literals separated by `*`: the first at the start, each next one after the
 * previous (the earliest place is always right, since `*` can absorb anything), and with `$` the last
 * one at the very end. Linear in the path for each literal: no backtracking to exploit.
 */
function matchLiterals(path: string, literals: readonly string[], anchored: boolean): boolean {
  const first = literals[0]!;
  if (!path.startsWith(first)) return false;
  if (literals.length === 1) return !anchored || path.length === first.length;
  let at = first.length;
  for (let i = 1; i < literals.length - 1; i++) {
    const lit = literals[i]!;
    if (lit === '') continue;
    const found = path.indexOf(lit, at);
    if (found < 0) return false;
    at = found + lit.length;
  }
  const last = literals[literals.length - 1]!;
  if (!anchored) return last === '' || path.indexOf(last, at) >= 0;
  return path.length - last.length >= at && path.endsWith(last);
}

/**
 * The URL path of a dataset file under a site root: `/` plus the file's path below the root. Null
 * when the file is not under the root. The root is a folder path without a trailing slash ('' is the
 * top of the dataset).
 *
 * ```ts
 * sitePath('news', 'news/articles/a.html') // '/articles/a.html'
 * sitePath('', 'robots.txt')               // '/robots.txt'
 * ```
 */
export function sitePath(root: string, path: string): string | null {
  if (root === '') return `/${path}`;
  if (!path.startsWith(`${root}/`)) return null;
  return path.slice(root.length);
}

/** The rule of `candidates` whose pattern matches `canonical` with the longest length; ties go to the first. */
export function longestMatch<T extends { pattern: PathPattern }>(candidates: readonly T[], canonical: string): T | null {
  let best: T | null = null;
  for (const c of candidates) {
    if (c.pattern.matches(canonical) && (best === null || c.pattern.length > best.pattern.length)) best = c;
  }
  return best;
}
