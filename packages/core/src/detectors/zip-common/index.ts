/**
 * Shared readers for ZIP containers (plain ZIP, EPUB, ODF, OOXML, JAR, …). Not a detector: the
 * building blocks the ZIP-family detectors use, and others may import.
 *
 * - {@link ByteView}: the bytes a detector holds (head, tail, whole, ranges) addressed by file offset.
 * - {@link readDirectory}: the end of central directory record (ZIP64 too) and the central directory,
 *   or the ranges still needed, or why the archive cannot be read. Bounded by {@link ZIP_LIMITS}.
 * - {@link zipRanges}: a ready `wants.ranges` that fetches a directory larger than the tail, then the
 *   members a detector names.
 * - {@link readMember}: one member's bytes, inflated with node:zlib under an output cap and a ratio limit.
 * - {@link parseXml}: a bounded, namespace-aware XML tree that never expands DTD entities.
 *
 * A detector for a ZIP-based format looks like this:
 *
 * ```ts
 * const wanted = (d: ZipDirectory) => d.entries.filter((e) => e.name === 'META-INF/manifest.xml');
 * export const myDetector = defineDetector({
 *   wants: { tail: ZIP_TAIL_BYTES, ranges: (view) => zipRanges(view, { members: wanted }) },
 *   detect(input) {
 *     const view = ByteView.of(input);
 *     const read = readDirectory(view);
 *     if (read.kind !== 'zip') return [];
 *     const manifest = wanted(read.directory)[0];
 *     const got = manifest && readMember(view, read.directory, manifest);
 *     if (got?.ok) { const doc = parseXml(got.data); … }
 *   },
 * });
 * ```
 */
export { ByteView, hexExcerpt, le, startsWith, type ReadBytes } from './bytes.js';
export { attr, childrenOf, descendants, parseXml, type XmlAttribute, type XmlDocument, type XmlElement, type XmlLimits } from './xml.js';
export {
  extraField,
  isFolder,
  memberRange,
  readDirectory,
  readMember,
  zipRanges,
  ZIP_LIMITS,
  ZIP_TAIL_BYTES,
  type MemberLimits,
  type ZipDirectory,
  type ZipDirectoryEncryption,
  type ZipDirectoryRead,
  type ZipEntry,
  type ZipMemberRead,
  type ZipRangesOptions,
} from './zip.js';
