/**
 * Robots directives that opt content out of AI use — `noai`, `noimageai`, `noml` — as written in an
 * HTML robots meta tag (`<meta name="robots" content="noai, noimageai">`) or an `X-Robots-Tag`
 * response header (`X-Robots-Tag: noai`, `X-Robots-Tag: otherbot: noai`). `noindex`, `nofollow` and
 * the other search directives are not opt-outs of AI use and are ignored.
 *
 * Reference: the robots meta tag and X-Robots-Tag syntax as Google documents it (comma-separated,
 * case-insensitive directives; an optional `<user-agent>:` prefix scopes a header value to one
 * crawler; `max-snippet:`, `max-image-preview:`, `max-video-preview:` and `unavailable_after:` carry
 * their own colon). `noai` and `noimageai` are the directives DeviantArt introduced and Spawning and
 * img2dataset honour; `noml` is read as their machine-learning equivalent.
 *
 * ok:     `noindex, NoAI` → [noai]; `googlebot: noai` → [noai] for googlebot
 * not-ok: `noindex, nofollow` → nothing (not an AI opt-out)
 */

/** The directives this module reports, lower-case. */
export const AI_DIRECTIVES: readonly string[] = ['noai', 'noimageai', 'noml'];
/** Directives whose value follows a colon: not a user-agent prefix. */
const VALUED = new Set(['max-snippet', 'max-image-preview', 'max-video-preview', 'unavailable_after']);

export interface AiDirectives {
  /** The AI directives found, lower-case, in order, without repeats. */
  directives: string[];
  /** The crawler the value is addressed to (lower-case), or null for every crawler. */
  agent: string | null;
}

/** The AI directives of a comma-separated directive list. */
export function aiDirectivesOf(list: string): string[] {
  const out: string[] = [];
  for (const part of list.split(',')) {
    const d = part.trim().toLowerCase();
    if (AI_DIRECTIVES.includes(d) && !out.includes(d)) out.push(d);
  }
  return out;
}

/** Reads one X-Robots-Tag value: an optional `<agent>:` prefix, then directives. */
export function parseXRobotsTag(value: string): AiDirectives {
  const m = /^\s*([A-Za-z0-9_.*-]+)\s*:(.*)$/s.exec(value);
  if (m && !VALUED.has(m[1]!.toLowerCase())) return { agent: m[1]!.toLowerCase(), directives: aiDirectivesOf(m[2]!) };
  return { agent: null, directives: aiDirectivesOf(value) };
}
