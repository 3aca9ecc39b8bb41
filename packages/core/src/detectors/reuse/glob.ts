/**
 * REUSE.toml path patterns, matched exactly as the REUSE Specification defines them — which is not
 * shell or picomatch globbing: `*` never crosses a slash, `**` crosses any number of them (so
 * `**\/*.png` needs at least one folder), `?` is one character other than a slash, `[seq]` and
 * `[!seq]` are character classes, and `\` escapes the next character.
 * Reference: REUSE Specification 3.2, "REUSE.toml", key `path`.
 *
 * Matching must stay cheap and bounded: it runs for every file below a REUSE.toml, and a pattern
 * like `*a*a*a*a*b` would make a backtracking regular expression take exponential time. Patterns
 * with at most two stars compile to a regular expression (at worst quadratic in the path's length);
 * the rest are matched by a table over pattern and path, linear in each.
 */

/** Longest pattern compiled; a longer one matches nothing. */
const MAX_PATTERN = 1024;

type Token =
  | { t: 'lit'; c: string }
  | { t: 'one' }
  | { t: 'class'; chars: string; negate: boolean }
  | { t: 'star' }
  | { t: 'globstar' };

/** A compiled pattern: `test(path)` with `path` relative to the REUSE.toml's folder. */
export interface ReuseGlob {
  readonly pattern: string;
  test(path: string): boolean;
}

/** Compiles one REUSE path pattern, or returns null when it is malformed or too long. */
export function reuseGlob(pattern: string): ReuseGlob | null {
  const tokens = tokenise(pattern);
  if (tokens === null) return null;
  const stars = tokens.filter((t) => t.t === 'star' || t.t === 'globstar').length;
  if (stars <= 2) {
    let re: RegExp;
    try {
      re = new RegExp(`^${tokens.map(toRegex).join('')}$`, 's');
    } catch {
      return null;
    }
    return { pattern, test: (path) => re.test(path) };
  }
  return { pattern, test: (path) => matchTable(tokens, path) };
}

function tokenise(pattern: string): Token[] | null {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN) return null;
  const p = pattern.replace(/^\.\//, '');
  const out: Token[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      if (i + 1 >= p.length) return null;
      out.push({ t: 'lit', c: p[++i]! });
    } else if (c === '*') {
      if (p[i + 1] === '*') {
        // A run of stars is one `**`.
        while (p[i + 1] === '*') i++;
        if (out.at(-1)?.t !== 'globstar') out.push({ t: 'globstar' });
      } else if (out.at(-1)?.t !== 'star' && out.at(-1)?.t !== 'globstar') out.push({ t: 'star' });
    } else if (c === '?') out.push({ t: 'one' });
    else if (c === '[') {
      const close = p.indexOf(']', i + 2);
      if (close < 0) {
        out.push({ t: 'lit', c: '[' });
        continue;
      }
      let body = p.slice(i + 1, close);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      out.push({ t: 'class', chars: body, negate });
      i = close;
    } else out.push({ t: 'lit', c });
  }
  return out;
}

function toRegex(t: Token): string {
  switch (t.t) {
    case 'lit':
      return t.c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    case 'one':
      return '[^/]';
    case 'class':
      // A class never matches the separator: like `?`, it stands for one character of a name.
      return `(?!/)[${t.negate ? '^' : ''}${t.chars.replace(/[\\\]^]/g, '\\$&')}]`;
    case 'star':
      return '[^/]*';
    case 'globstar':
      return '.*';
  }
}

/** Which path positions each token can end at, token by token: O(tokens × path) time, no backtracking. */
function matchTable(tokens: readonly Token[], path: string): boolean {
  const n = path.length;
  let cur = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  cur[0] = 1;
  for (const t of tokens) {
    next.fill(0);
    let any = false;
    if (t.t === 'star' || t.t === 'globstar') {
      for (let j = 0; j <= n; j++) {
        if (cur[j] || (j > 0 && next[j - 1] && (t.t === 'globstar' || path[j - 1] !== '/'))) {
          next[j] = 1;
          any = true;
        }
      }
    } else {
      for (let j = 0; j < n; j++) {
        if (cur[j] && single(t, path[j]!)) {
          next[j + 1] = 1;
          any = true;
        }
      }
    }
    if (!any) return false;
    [cur, next] = [next, cur];
  }
  return cur[n] === 1;
}

function single(t: Token, c: string): boolean {
  switch (t.t) {
    case 'lit':
      return c === t.c;
    case 'one':
      return c !== '/';
    case 'class': {
      if (c === '/') return false;
      const inside = classHas(t.chars, c);
      return t.negate ? !inside : inside;
    }
    default:
      return false;
  }
}

function classHas(chars: string, c: string): boolean {
  for (let i = 0; i < chars.length; i++) {
    if (i + 2 < chars.length && chars[i + 1] === '-') {
      if (c >= chars[i]! && c <= chars[i + 2]!) return true;
      i += 2;
    } else if (chars[i] === c) return true;
  }
  return false;
}
