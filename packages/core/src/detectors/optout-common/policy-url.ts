/**
 * Where in the dataset a `tdm-policy` URL points, so that a report can join a reservation with the
 * machine-readable TDM policy (an ODRL offer) the tdmrep-policy detector read from that file.
 *
 * Only two cases are resolved, because only they can be resolved without guessing:
 * - a relative URL (`/policies/p1.json`, `../tdm.json`), resolved against the document that names it,
 *   inside the site it belongs to;
 * - an absolute URL, when the site root is known (a tdmrep.json's site): its path is taken below that
 *   root. The host is not checked — a dataset does not record which host a folder mirrors — so the
 *   result says `hostChecked: false`.
 * Anything else (an absolute URL from an HTML page or a header, whose site root is unknown) has no
 * dataset path. Whether a file exists at the path is for the report to see: detectors cannot look.
 */

export interface PolicyLocation {
  /** The dataset path the URL names (decoded), e.g. `news/.well-known/tdm-policy.json`. */
  path: string;
  /** False when the URL was absolute and only its path was used. */
  hostChecked: boolean;
}

const BASE = 'http://site.invalid';

/**
 * Resolves `url` as written in the document at site path `docSitePath` (`/.well-known/tdmrep.json`)
 * of the site rooted at dataset folder `siteRoot` ('' for the top). Returns null when it cannot be resolved.
 */
export function policyLocation(url: string, siteRoot: string, docSitePath: string, options: { absoluteAllowed: boolean }): PolicyLocation | null {
  const trimmed = url.trim();
  if (trimmed === '' || trimmed.length > 2048) return null;
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(trimmed);
  if (absolute && !options.absoluteAllowed) return null;
  let resolved: URL;
  try {
    resolved = new URL(trimmed, `${BASE}${docSitePath}`);
  } catch {
    return null;
  }
  if (absolute && !/^https?:$/.test(resolved.protocol)) return null;
  let sitePath: string;
  try {
    sitePath = decodeURIComponent(resolved.pathname);
  } catch {
    sitePath = resolved.pathname;
  }
  if (!sitePath.startsWith('/') || sitePath.endsWith('/')) return null;
  const rel = sitePath.slice(1);
  return { path: siteRoot === '' ? rel : `${siteRoot}/${rel}`, hostChecked: !absolute };
}

/**
 * A policy URL relative to a file's folder (`policy.json`, `../tdm/p.json`), as a dataset path: what
 * can be resolved for a page or a stored header, whose site root is not known. Root-relative and
 * absolute URLs need that root: null.
 *
 * ```ts
 * relativePolicyPath('tdm/p.json', 'news/a/page.html') // 'news/a/tdm/p.json'
 * relativePolicyPath('/p.json', 'news/a/page.html')    // null
 * ```
 */
export function relativePolicyPath(url: string, filePath: string): string | null {
  const u = url.trim();
  if (u === '' || u.length > 2048 || u.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(u) || u.startsWith('#') || u.startsWith('?')) return null;
  try {
    const p = decodeURIComponent(new URL(u, `${BASE}/${filePath}`).pathname).slice(1);
    return p === '' || p.endsWith('/') ? null : p;
  } catch {
    return null;
  }
}
