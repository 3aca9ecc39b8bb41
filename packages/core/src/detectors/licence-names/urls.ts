/**
 * Licence URLs to SPDX ids. A URL names a licence exactly when it is a licence's canonical page
 * (a Creative Commons deed or legal code, an SPDX or OSI page, apache.org's LICENSE-2.0); a page
 * that does not say which variant (gnu.org's GPL text serves "only" and "or later" alike) is read
 * with less confidence, and an unknown URL names nothing.
 *
 * Reference: Creative Commons licence URL layout (creativecommons.org/licenses/<elements>/<version>/
 * [<jurisdiction>/]); SPDX License List `seeAlso` URLs; OSI licence pages.
 */
import { createRequire } from 'node:module';

/** One rule's answer: an id (before validation), or null with a reason. */
export interface UrlRead {
  id: string | null;
  confidence: number;
  note?: string;
}

/** Confidence of a canonical licence URL read as an id. */
export const URL_CONFIDENCE = 0.8;
/** Confidence of a GNU URL (the text does not say "only" or "or later"). */
export const GNU_VERSION_CONFIDENCE = 0.6;

/** Creative Commons licence elements as written in URLs, to SPDX's order (by-nd-nc is CC 1.0's spelling of by-nc-nd). */
const CC_ELEMENTS: Readonly<Record<string, string>> = {
  by: 'BY',
  'by-sa': 'BY-SA',
  'by-nd': 'BY-ND',
  'by-nc': 'BY-NC',
  'by-nc-sa': 'BY-NC-SA',
  'by-nc-nd': 'BY-NC-ND',
  'by-nd-nc': 'BY-NC-ND',
  sa: 'SA',
};

/** OSI slugs that are not SPDX ids. Reference: opensource.org/licenses/ (old .php pages redirect to these licences). */
const OSI_SLUGS: Readonly<Record<string, string | null>> = {
  'bsd-license': 'BSD-2-Clause',
  'mit-license': 'MIT',
  'isc-license': 'ISC',
  'isc-license-txt': 'ISC',
  'apache2.0': 'Apache-2.0',
  'apache-2': 'Apache-2.0',
  'apache-2-0': 'Apache-2.0',
  'eclipse-1.0': 'EPL-1.0',
  'eclipse-2-0': 'EPL-2.0',
  'mozilla1.1': 'MPL-1.1',
  'zlib-license': 'Zlib',
  'pythonsoftfoundation': 'Python-2.0',
  'python-2-0': 'Python-2.0',
  'artistic-license-2-0': 'Artistic-2.0',
  'unlicense': 'Unlicense',
  // "The GPL" and "the LGPL" pages without a version name no single licence.
  'gpl-license': null,
  'lgpl-license': null,
};

const require = createRequire(import.meta.url);

/** Tables from the SPDX list, built on first use (start-up time counts). */
let tables: { lowerIds: Map<string, string>; listUrls: Map<string, string | null> } | undefined;
function spdxTables(): NonNullable<typeof tables> {
  if (tables) return tables;
  const spdxList = require('spdx-license-list') as Record<string, { name: string; url: string }>;
  const lowerIds = new Map<string, string>();
  for (const id of Object.keys(spdxList)) lowerIds.set(id.toLowerCase(), id);
  // URLs that the SPDX list gives for exactly one licence: an exact, unambiguous table.
  const listUrls = new Map<string, string | null>();
  for (const [id, { url }] of Object.entries(spdxList)) {
    if (!url) continue;
    const key = urlKey(url);
    if (key === null) continue;
    listUrls.set(key, listUrls.has(key) ? null : id);
  }
  return (tables = { lowerIds, listUrls });
}

/**
 * A URL reduced to host and path for comparison: no scheme, `www.`, query, fragment or trailing
 * slash, lower case. Returns null for text that is not a URL.
 */
export function urlKey(url: string): string | null {
  const m = /^\s*<?(?:(?:https?|ftp):\/\/|\/\/)?((?:[a-z0-9-]+\.)+[a-z]{2,})(\/[^\s?#>]*)?(?:[?#][^\s>]*)?>?\s*$/i.exec(url);
  if (!m) return null;
  const host = m[1]!.toLowerCase().replace(/^www\./, '');
  const path = (m[2] ?? '').replace(/\/+$/, '').toLowerCase();
  return host + path;
}

/** Whether the text looks like a URL (a scheme, or a host with a path). */
export function isUrl(text: string): boolean {
  return /^\s*<?(?:https?|ftp):\/\//i.test(text) || /^\s*(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:org|com|net|io|dev|uk|de|fr|eu|gov)\/\S*$/i.test(text);
}

/** Reads a licence URL. Null when the URL is not one this table knows; an id of null when it is known to name no single licence. */
export function readLicenceUrl(url: string): UrlRead | null {
  const { lowerIds, listUrls } = spdxTables();
  const key = urlKey(url);
  if (key === null) return null;
  const slash = key.indexOf('/');
  const host = slash < 0 ? key : key.slice(0, slash);
  // Page suffixes that show the same licence: deeds, legal code, translations, file types.
  const path = (slash < 0 ? '' : key.slice(slash))
    .replace(/\/(?:deed|legalcode)(?:\.[a-z]{2,3}(?:[-_][a-z]{2,4})?)?(?:\.(?:html?|txt))?$/, '')
    .replace(/\/(?:index|rdf)(?:\.html?)?$/, '')
    .replace(/\/+$/, '');
  switch (host) {
    case 'creativecommons.org':
      return creativeCommons(path);
    case 'spdx.org': {
      const m = /^\/licenses\/([a-z0-9.+-]+?)(?:\.(?:html|json|txt))?$/.exec(path);
      const id = m ? lowerIds.get(m[1]!) : undefined;
      return id ? { id, confidence: URL_CONFIDENCE } : null;
    }
    case 'opensource.org': {
      const m = /^\/licenses?\/([a-z0-9.+-]+?)(?:\.(?:php|html?|txt))?$/.exec(path);
      if (!m) return null;
      const slug = m[1]!;
      if (Object.hasOwn(OSI_SLUGS, slug)) {
        const id = OSI_SLUGS[slug]!;
        return id === null ? { id: null, confidence: 0, note: 'the page names a licence family without a version' } : { id, confidence: URL_CONFIDENCE };
      }
      const id = lowerIds.get(slug) ?? lowerIds.get(slug.replace(/-(\d)-(\d)$/, '-$1.$2'));
      if (!id) return null;
      return gnuScoped(id) ?? { id, confidence: URL_CONFIDENCE };
    }
    case 'apache.org': {
      const m = /^\/licenses\/license-(\d)\.(\d)(?:\.(?:txt|html?))?$/.exec(path);
      return m ? { id: `Apache-${m[1]}.${m[2]}`, confidence: URL_CONFIDENCE } : null;
    }
    case 'gnu.org':
      return gnu(path);
    case 'mozilla.org': {
      const m = /^\/(?:en-us\/)?mpl\/(\d\.\d)(?:\/index\.txt)?$/.exec(path);
      return m ? { id: `MPL-${m[1]}`, confidence: URL_CONFIDENCE } : null;
    }
    case 'eclipse.org': {
      if (/^\/legal\/epl-2\.0(?:\/.*)?$/.test(path)) return { id: 'EPL-2.0', confidence: URL_CONFIDENCE };
      if (/^\/legal\/epl-v10\.html$/.test(path)) return { id: 'EPL-1.0', confidence: URL_CONFIDENCE };
      return null;
    }
    case 'opendatacommons.org': {
      const m = /^\/licenses\/(odbl|by|pddl)(?:\/(1\.0|1-0)(?:\/.*)?)?(?:\/summary)?$/.exec(path);
      if (!m) return null;
      return { id: { odbl: 'ODbL-1.0', by: 'ODC-By-1.0', pddl: 'PDDL-1.0' }[m[1] as 'odbl' | 'by' | 'pddl'], confidence: URL_CONFIDENCE };
    }
    case 'cdla.dev':
    case 'cdla.io': {
      const m = /^\/(permissive|sharing)-(\d)-(\d)$/.exec(path);
      return m ? { id: `CDLA-${m[1] === 'permissive' ? 'Permissive' : 'Sharing'}-${m[2]}.${m[3]}`, confidence: URL_CONFIDENCE } : null;
    }
    case 'nationalarchives.gov.uk': {
      const m = /^\/doc\/open-government-licence\/version\/([123])$/.exec(path);
      return m ? { id: `OGL-UK-${m[1]}.0`, confidence: URL_CONFIDENCE } : null;
    }
    case 'choosealicense.com': {
      const m = /^\/licenses\/([a-z0-9.-]+)$/.exec(path);
      const id = m ? lowerIds.get(m[1]!) : undefined;
      return id ? gnuScoped(id) ?? { id, confidence: URL_CONFIDENCE } : null;
    }
    case 'licenses.nuget.org': {
      const m = /^\/([a-z0-9.+-]+)$/.exec(path);
      const id = m ? lowerIds.get(m[1]!) : undefined;
      return id ? { id, confidence: URL_CONFIDENCE } : null;
    }
    case 'unlicense.org':
      return path === '' ? { id: 'Unlicense', confidence: URL_CONFIDENCE } : null;
    case 'wtfpl.net':
      return path === '' || path === '/about' || path === '/txt/copying' ? { id: 'WTFPL', confidence: URL_CONFIDENCE } : null;
    case 'boost.org':
      return path === '/license_1_0.txt' || path === '/users/license.html' ? { id: 'BSL-1.0', confidence: URL_CONFIDENCE } : null;
    case 'etalab.gouv.fr':
      return /licence-ouverte-open-licence/.test(path) ? { id: 'etalab-2.0', confidence: 0.6, note: 'Etalab page; version 2.0 assumed only when the URL names it' } : null;
    default: {
      const id = listUrls.get(key) ?? listUrls.get(host + path);
      return id ? { id, confidence: URL_CONFIDENCE } : null;
    }
  }
}

function creativeCommons(path: string): UrlRead | null {
  const { lowerIds } = spdxTables();
  let m = /^\/publicdomain\/(zero|mark)\/1\.0$/.exec(path);
  if (m) return { id: m[1] === 'zero' ? 'CC0-1.0' : 'CC-PDM-1.0', confidence: URL_CONFIDENCE };
  if (path === '/licenses/publicdomain') return { id: 'CC-PDDC', confidence: URL_CONFIDENCE };
  m = /^\/licenses\/([a-z-]+)\/(\d\.\d)(?:\/([a-z]{2,3}))?$/.exec(path);
  if (!m) {
    if (/^\/licenses\/[a-z-]+$/.test(path)) return { id: null, confidence: 0, note: 'a Creative Commons licence URL without a version' };
    return null;
  }
  const elements = CC_ELEMENTS[m[1]!];
  if (!elements) return { id: null, confidence: 0, note: `Creative Commons licence "${m[1]}" has no SPDX id` };
  const id = `CC-${elements}-${m[2]}${m[3] ? `-${m[3].toUpperCase()}` : ''}`;
  if (!lowerIds.has(id.toLowerCase())) return { id: null, confidence: 0, note: `${id} is not on the SPDX License List` };
  return { id: lowerIds.get(id.toLowerCase())!, confidence: URL_CONFIDENCE };
}

/** gnu.org serves one text for "only" and "or later": read as the SPDX list reads the bare version (`-only`), with less confidence. */
function gnu(path: string): UrlRead | null {
  const m = /^\/(?:licenses\/(?:old-licenses\/)?)(gpl|lgpl|agpl|fdl)-(\d\.\d)(?:-standalone)?(?:\.[a-z]{2}(?:-[a-z]{2})?)?(?:\.(?:html?|txt|texi|md|dbk|tex|odt|rtf))?$/.exec(path);
  if (m) {
    const family = m[1] === 'fdl' ? 'GFDL' : m[1]!.toUpperCase();
    return { id: `${family}-${m[2]}-only`, confidence: GNU_VERSION_CONFIDENCE, note: 'a GNU licence URL does not say "only" or "or later"; read as -only, as the SPDX License List reads the bare version' };
  }
  if (/^\/(?:licenses|copyleft)\/(?:gpl|lgpl|agpl|fdl)(?:\.(?:html?|txt))?$/.test(path)) return { id: null, confidence: 0, note: 'a GNU licence URL without a version' };
  return null;
}

/** OSI and choosealicense pages for GNU licences name a version, not "only" or "or later". */
function gnuScoped(id: string): UrlRead | null {
  const m = /^(A?GPL|LGPL)-(\d\.\d)$/i.exec(id);
  if (!m) return null;
  return { id: `${m[1]!.toUpperCase()}-${m[2]}-only`, confidence: GNU_VERSION_CONFIDENCE, note: 'the page names a GNU licence version without "only" or "or later"; read as -only' };
}
