/**
 * DRM and encryption in EPUB publications, read from the ZIP container's metadata: encrypted
 * resources declared in META-INF/encryption.xml, and DRM systems by their own files — Readium LCP
 * (META-INF/license.lcpl, whose `rights` may deny printing or copying), Adobe ADEPT and Barnes &
 * Noble (META-INF/rights.xml in the http://ns.adobe.com/adept namespace, with its permissions),
 * Apple FairPlay (META-INF/sinf.xml). Kobo's KDRM declares nothing in the book: when nothing is
 * declared but a content document is not readable markup, the file is reported as holding
 * undeclared encryption (Kobo KDRM when it is a kepub).
 *
 * Font obfuscation (the IDPF algorithm, or Adobe's, applied to fonts) is not a TPM — its key is the
 * book's own identifier — and gives only an info notice.
 *
 * Reference: see analyse.ts.
 *
 * ok:     encryption.xml + license.lcpl → tpm.epub.drm, system Readium LCP, denied from its rights
 * ok:     encryption.xml with xmlenc#aes128-cbc on chapters, no DRM files → tpm.epub.encrypted
 * not-ok: encryption.xml with http://www.idpf.org/2008/embedding on a .ttf → epub.font-obfuscation (info)
 * not-ok: a plain EPUB → nothing
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { ByteView, zipRanges, ZIP_TAIL_BYTES } from '../zip-common/index.js';
import { algorithmName, analyseEpub, ENCRYPTION_XML, isFont, LCP_LICENSE, limitsFor, RIGHTS_XML, SINF_XML, wantedMembers, type EpubProtection } from './analyse.js';

const ID = 'epub-drm';
const KEPUB = /\.kepub(?:\.epub)?$/i;

export const epubDrm = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'DRM and encryption in EPUB containers (Readium LCP, Adobe ADEPT, Apple FairPlay, Kobo, encryption.xml); font obfuscation kept apart',
  match: { mediaTypes: ['application/epub+zip'], names: ['*.epub', '*.kepub'] },
  wants: {
    tail: ZIP_TAIL_BYTES,
    ranges: (view) => {
      const bytes = ByteView.of(view);
      return zipRanges(view, {
        members: (d) => {
          const names = new Set(d.entries.map((e) => e.name));
          const hasMarker = names.has(RIGHTS_XML) || names.has(LCP_LICENSE) || names.has(SINF_XML);
          return wantedMembers(bytes, d).filter((e) => !hasMarker || !/\.(?:xhtml|html?)$/i.test(e.name));
        },
        limits: limitsFor,
      });
    },
  },
  codes: {
    'tpm.epub.drm': {
      title: 'DRM-protected EPUB',
      meaning: 'The EPUB carries a DRM system\'s files — Readium LCP (META-INF/license.lcpl), Adobe ADEPT or Barnes & Noble (META-INF/rights.xml in the ADEPT namespace, with an encrypted key), Apple FairPlay (META-INF/sinf.xml) — and usually declares its encrypted resources in META-INF/encryption.xml. The content cannot be read without the licence holder\'s key. `denied` lists what the rights file forbids (LCP `rights.print`/`copy` of 0; ADEPT permissions without print or excerpt); `limits` lists what it only restricts.',
      action: 'Exclude the publication; obtain a DRM-free copy from the rights holder with permission to use it. Never remove the DRM.',
    },
    'tpm.epub.encrypted': {
      title: 'EPUB with encrypted resources',
      meaning: 'META-INF/encryption.xml declares resources (chapters, images, …) encrypted with XML Encryption algorithms other than font obfuscation, and no known DRM system\'s files are present. The resources cannot be read without a key.',
      action: 'Exclude the publication, or obtain an unencrypted copy from the rights holder.',
    },
    'tpm.epub.undeclared-encryption': {
      title: 'EPUB whose content is encrypted without saying so',
      meaning: 'Nothing in the container declares encryption, but a content document (XHTML) is not readable markup: its bytes are ciphertext. This is how Kobo\'s KDRM stores purchased books (keys kept on the reader, in its database), so a `.kepub` is reported with system Kobo KDRM; for other files the system is unknown.',
      action: 'Exclude the publication; obtain a DRM-free copy. If the file is merely damaged, re-obtain it.',
    },
    'epub.font-obfuscation': {
      title: 'EPUB font obfuscation (not a TPM)',
      meaning: 'META-INF/encryption.xml obfuscates embedded fonts with the IDPF algorithm (http://www.idpf.org/2008/embedding) or Adobe\'s (http://ns.adobe.com/pdf/enc#RC). The key is derived from the publication\'s own identifier: any reading system opens it without a secret, so it is not a technical protection measure of the text. A warning when the algorithm is applied to something other than a font, which the EPUB specification forbids.',
      action: 'None for the text. The fonts themselves keep their own licences; do not extract them for reuse.',
    },
    'epub.unreadable-metadata': {
      title: 'EPUB protection metadata that cannot be read',
      meaning: 'META-INF/encryption.xml, rights.xml or license.lcpl is present but could not be read within the limits (it inflates past the cap, as a decompression bomb does; its data is damaged; it is not well-formed XML or JSON; it has a DOCTYPE, whose entities are never expanded). What it declares is unknown or partly known.',
      action: 'Review the publication by hand; treat it as protected until shown otherwise.',
    },
  },
  detect(input) {
    const view = ByteView.of(input);
    const epub = analyseEpub(view);
    if (!epub) return [];
    return findings(input, epub);
  },
});

function findings(input: DetectorInput, epub: EpubProtection): FindingInput[] {
  const out: FindingInput[] = [];
  const scope = { kind: 'file' as const, root: input.path };
  const encrypted = epub.resources.filter((r) => !r.obfuscation);
  const obfuscated = epub.resources.filter((r) => r.obfuscation);
  const algorithms = [...new Set(encrypted.map((r) => algorithmName(r.algorithm)))];
  const at = (name: string | undefined) => epub.directory.entries.find((e) => e.name === name)?.localOffset ?? 0;
  const offset = epub.evidence?.localOffset ?? 0;
  if (epub.systems.length > 0) {
    const systems = [...new Set(epub.systems.map((s) => s.system))];
    const denied = [...new Set(epub.systems.flatMap((s) => s.denied))];
    const limits = Object.assign({}, ...epub.systems.map((s) => s.limits ?? {})) as Record<string, unknown>;
    out.push({
      code: 'tpm.epub.drm',
      category: 'tpm',
      detector: ID,
      confidence: encrypted.length > 0 ? 0.99 : 0.9,
      value: {
        format: 'epub',
        scheme: algorithms.length > 0 ? algorithms.join(' + ') : 'DRM licence (no encrypted resource declared)',
        system: systems.join(' + '),
        needsSecret: true,
        denied,
        encryptedResources: encrypted.length,
        markers: [...new Set(epub.systems.map((s) => s.marker))],
        ...(Object.keys(limits).length > 0 ? { limits } : {}),
      },
      evidence: { path: input.path, byteOffset: at(epub.systems[0]!.marker), excerpt: `${epub.systems.map((s) => s.marker).join(', ')}: ${systems.join(' + ')}${encrypted.length > 0 ? `; ${resources(encrypted.length)} encrypted (${algorithms.join(', ')})` : ''}`.slice(0, 200) },
      scope,
      url: findingUrl('tpm.epub.drm'),
    });
  } else if (encrypted.length > 0) {
    out.push({
      code: 'tpm.epub.encrypted',
      category: 'tpm',
      detector: ID,
      confidence: 0.95,
      value: { format: 'epub', scheme: algorithms.join(' + '), needsSecret: true, denied: [], encryptedResources: encrypted.length },
      evidence: { path: input.path, byteOffset: at(ENCRYPTION_XML), excerpt: `${ENCRYPTION_XML}: ${resources(encrypted.length)} encrypted (${algorithms.join(', ')})`.slice(0, 200) },
      scope,
      url: findingUrl('tpm.epub.encrypted'),
    });
  } else if (epub.unreadableContent) {
    const kobo = KEPUB.test(input.name);
    out.push({
      code: 'tpm.epub.undeclared-encryption',
      category: 'tpm',
      detector: ID,
      confidence: 0.8,
      value: { format: 'epub', scheme: 'undeclared content encryption', ...(kobo ? { system: 'Kobo KDRM' } : {}), needsSecret: true, denied: [] },
      evidence: { path: input.path, byteOffset: epub.unreadableContent.localOffset, excerpt: `a content document (${epub.unreadableContent.uncompressedSize} bytes) is not readable markup; nothing declares encryption` },
      scope,
      url: findingUrl('tpm.epub.undeclared-encryption'),
    });
  }
  if (obfuscated.length > 0) {
    const nonFonts = obfuscated.filter((r) => !isFont(r.uri)).length;
    out.push({
      code: 'epub.font-obfuscation',
      category: 'notice',
      detector: ID,
      severity: nonFonts > 0 ? 'warning' : 'info',
      confidence: 0.99,
      value: { obfuscatedResources: obfuscated.length, nonFonts, algorithms: [...new Set(obfuscated.map((r) => r.algorithm))] },
      evidence: { path: input.path, byteOffset: at(ENCRYPTION_XML), excerpt: `${ENCRYPTION_XML}: ${resources(obfuscated.length)} obfuscated${nonFonts > 0 ? `, ${nonFonts} of them not fonts` : ', all fonts'}` },
      scope,
      url: findingUrl('epub.font-obfuscation'),
    });
  }
  if (epub.problems.length > 0) {
    out.push({
      code: 'epub.unreadable-metadata',
      category: 'notice',
      detector: ID,
      severity: 'warning',
      confidence: 0.9,
      value: { problems: epub.problems.slice(0, 5) },
      evidence: { path: input.path, byteOffset: offset, excerpt: epub.problems[0]!.slice(0, 200) },
      scope,
      url: findingUrl('epub.unreadable-metadata'),
    });
  }
  return out;
}

function resources(n: number): string {
  return n === 1 ? '1 resource' : `${n} resources`;
}
