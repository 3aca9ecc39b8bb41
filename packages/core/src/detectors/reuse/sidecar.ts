/**
 * REUSE `.license` sidecars: `cat.jpg.license` holds the licence (`SPDX-License-Identifier:`) and
 * copyright notices of `cat.jpg`, a file that cannot carry a comment header. A sidecar is a marker
 * of exactly one file: its findings are held at its folder and apply, through forPath, to the file
 * it names and to nothing else. Per REUSE, the sidecar's information counts as being inside the file,
 * so it ranks above a licence file or REUSE.toml of the same folder (precedence 30).
 * Reference: REUSE Specification 3.2, "Comment headers" (adjacent `.license` file) and "Order of precedence".
 *
 * ok:     `photo.jpg.license` with `SPDX-License-Identifier: CC-BY-4.0` → photo.jpg: licence.reuse.sidecar, CC-BY-4.0
 * not-ok: `photo.jpg.license` with `SPDX-License-Identifier: CC BY 4.0` → expression null (not SPDX), review
 * ignored: the sidecar's folder's other files
 */
import { defineDetector, findingUrl } from '../../engine/detector.js';
import { parseSpdx } from '../../policy/spdx.js';
import type { FindingInput } from '../../schema/finding.js';
import { findNotices, noticeConfidence, noticeValue } from '../copyright/index.js';
import { decodeText, excerpt } from '../text.js';

const MAX_BYTES = 64 * 1024;
const TAG = /^[ \t]*(?:[#/*;%!-]+[ \t]*)?SPDX-License-Identifier:[ \t]*(.*?)[ \t]*(?:\*\/|-->)?[ \t]*$/gm;

/** The file a sidecar describes: its name without `.license`. */
export function sidecarTarget(name: string): string | null {
  const m = /^(.+)\.license$/i.exec(name);
  return m && m[1] !== '' ? m[1]! : null;
}

export const reuseSidecar = defineDetector({
  id: 'reuse-sidecar',
  version: '1.0.0',
  description: 'REUSE .license sidecar files: the licence and copyright of the file they are named after',
  match: { names: [(name) => sidecarTarget(name) !== null] },
  marker: true,
  precedence: 30,
  wants: { whole: { maxBytes: MAX_BYTES } },
  codes: {
    'licence.reuse.sidecar': {
      title: 'Licence in a REUSE .license sidecar',
      meaning: 'A sidecar `<file>.license` beside the file declares its licence with `SPDX-License-Identifier:` (several lines all apply, joined with AND). It applies to that one file, and outranks a licence file or REUSE.toml of the same folder; a tag that is not valid SPDX gives no expression.',
      action: 'None when the expression is allowed. REUSE lets the sidecar override a header inside the file; the engine still prefers the file\'s own tag, so a file with both should be checked by hand.',
    },
    'provenance.reuse.sidecar-copyright': {
      title: 'Copyright in a REUSE .license sidecar',
      meaning: 'A sidecar `<file>.license` states the file\'s copyright notices (`SPDX-FileCopyrightText:` or `Copyright …` lines): `value.notices` has each holder and years. They apply to that one file.',
      action: 'Keep the notices with the file\'s record.',
    },
  },
  detect(input) {
    const target = sidecarTarget(input.name);
    if (target === null || input.whole === null) return [];
    const text = decodeText(input.whole);
    const scope = { kind: 'subtree' as const, root: input.dir };
    const out: FindingInput[] = [];
    const written: string[] = [];
    let line: number | undefined;
    let lineText = '';
    for (const m of text.matchAll(TAG)) {
      if (written.length >= 16) break;
      written.push(m[1]!);
      if (line === undefined) {
        line = text.slice(0, m.index).split('\n').length;
        lineText = m[0];
      }
    }
    if (written.length > 0) {
      let expression: string | null = null;
      let problem: string | undefined;
      try {
        const parts = written.map((w) => parseSpdx(w).canonical);
        expression = parts.length === 1 ? parts[0]! : parseSpdx(parts.map((p) => `(${p})`).join(' AND ')).canonical;
      } catch (err) {
        problem = (err as Error).message;
      }
      out.push({
        code: 'licence.reuse.sidecar',
        category: 'licence',
        detector: 'reuse-sidecar',
        confidence: expression === null ? 0 : 0.95,
        ...(expression === null ? { severity: 'warning' as const } : {}),
        value: { expression, written: written.join(' AND '), for: target, ...(problem ? { problem } : {}) },
        evidence: { path: input.path, ...(line !== undefined ? { line } : {}), excerpt: excerpt(lineText) },
        scope,
        url: findingUrl('licence.reuse.sidecar'),
      });
    }
    const { notices } = findNotices(text);
    if (notices.length > 0) {
      out.push({
        code: 'provenance.reuse.sidecar-copyright',
        category: 'provenance',
        detector: 'reuse-sidecar',
        confidence: Math.min(...notices.map(noticeConfidence)),
        value: { notices: notices.slice(0, 64).map(noticeValue), for: target },
        evidence: { path: input.path, line: notices[0]!.line, excerpt: excerpt(notices[0]!.statement) },
        scope,
        url: findingUrl('provenance.reuse.sidecar-copyright'),
      });
    }
    return out;
  },
  forPath(finding, path) {
    // Exactly one file: the sidecar's folder plus the name it is named after.
    const target = (finding.value as { for?: string }).for;
    if (target === undefined) return null;
    const root = finding.scope.root;
    return path === (root === '' ? target : `${root}/${target}`) ? finding : null;
  },
});
