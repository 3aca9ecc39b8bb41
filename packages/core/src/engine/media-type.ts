import { fileTypeFromBuffer, supportedExtensions } from 'file-type';
import mime from 'mime-types';

/**
 * Media type of a file: from its content when file-type knows the format, else from its extension,
 * else `text/plain` for text and `application/octet-stream` for the rest.
 */
export interface Sniffed {
  mediaType: string;
  isText: boolean;
  /** Set when the content is a known format that the extension does not name. */
  mismatch?: { extension: string; extensionType: string | null; contentType: string | null };
}

/**
 * Container formats whose members file-type may name by the container alone; an extension of the
 * family is not a mismatch (a .docx whose first bytes only show a zip).
 */
const FAMILIES: Record<string, readonly string[]> = {
  'application/zip': ['docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'epub', 'jar', 'apk', 'whl', 'nupkg', 'xpi', 'kmz', 'cbz', 'ipynb', 'vsix', 'aar', 'war', 'ear', 'ora', 'sketch', 'idml', '3mf', 'usdz'],
  'application/x-cfb': ['doc', 'xls', 'ppt', 'msg', 'msi', 'vsd', 'pub', 'docx', 'xlsx', 'pptx'],
  'application/xml': ['xml', 'svg', 'xhtml', 'opf', 'ncx', 'rss', 'atom', 'gpx', 'kml', 'xsd', 'xsl', 'xslt', 'plist', 'rdf', 'dae', 'musicxml'],
  'application/gzip': ['tgz', 'gz', 'svgz'],
  'application/x-tar': ['tar'],
  'text/plain': [],
};

/** Types that are text in disguise: a text sniff never contradicts them. */
const TEXTUAL = /^(text\/|application\/(json|ld\+json|xml|javascript|x-javascript|yaml|x-yaml|toml|x-sh|x-python|sql|x-tex|rtf|x-httpd-php|ecmascript|graphql|x-ndjson|jsonl|geo\+json|manifest\+json))|\+xml$|\+json$/;

const supported = new Set<string>(supportedExtensions);

export async function sniff(head: Uint8Array, name: string, size: number): Promise<Sniffed> {
  if (size === 0) return { mediaType: 'application/x-empty', isText: false };
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const extType = ext === '' ? null : mime.lookup(ext) || null;
  let detected: { ext: string; mime: string } | undefined;
  try {
    detected = await fileTypeFromBuffer(head);
  } catch {
    // A malformed header can throw inside a format parser; content is then simply unrecognised.
    detected = undefined;
  }
  const isText = detected === undefined && looksLikeText(head);
  if (detected) {
    const sameFamily = (FAMILIES[detected.mime] ?? []).includes(ext);
    const agrees = ext === '' || detected.ext === ext || extType === detected.mime || sameFamily || aliases(detected.ext).includes(ext);
    const mediaType = sameFamily && extType ? extType : detected.mime;
    return agrees ? { mediaType, isText } : { mediaType, isText, mismatch: { extension: ext, extensionType: extType, contentType: detected.mime } };
  }
  if (isText) {
    const mediaType = extType && TEXTUAL.test(extType) ? extType : 'text/plain';
    // A binary format's extension on plain text (a .png that is text) is a mismatch.
    if (ext !== '' && supported.has(ext) && extType && !TEXTUAL.test(extType)) {
      return { mediaType, isText, mismatch: { extension: ext, extensionType: extType, contentType: 'text/plain' } };
    }
    return { mediaType, isText };
  }
  return { mediaType: extType ?? 'application/octet-stream', isText };
}

function aliases(ext: string): readonly string[] {
  switch (ext) {
    case 'jpg':
      return ['jpeg', 'jpe', 'jfif'];
    case 'tif':
      return ['tiff'];
    case 'mp4':
      return ['m4v', 'm4a', 'm4b', 'm4p', 'mp4v', 'f4v'];
    case 'm4a':
      return ['m4b', 'mp4', 'm4p', 'aac'];
    case 'mov':
      return ['qt'];
    case 'html':
      return ['htm', 'xhtml'];
    case 'xml':
      return ['svg', 'xhtml', 'rss', 'atom', 'opf', 'ncx'];
    case 'gz':
      return ['tgz'];
    case 'ogg':
      return ['oga', 'ogv', 'ogx', 'opus'];
    case 'mkv':
      return ['webm', 'mka', 'mk3d'];
    case 'asf':
      return ['wma', 'wmv'];
    case 'zip':
      return FAMILIES['application/zip']!;
    case 'cfb':
      return FAMILIES['application/x-cfb']!;
    default:
      return [];
  }
}

/**
 * Text when the sample has no NUL byte and few control characters. A sample cut in the middle of a
 * multi-byte character is still text.
 */
export function looksLikeText(sample: Uint8Array): boolean {
  const n = Math.min(sample.length, 8192);
  if (n === 0) return false;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = sample[i]!;
    if (c === 0) return false;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b) control++;
  }
  return control * 100 < n;
}
