import type { Detector, FindingDoc } from './detector.js';

/** Codes the engine itself emits, whatever detectors run. */
export const ENGINE_CODES: Readonly<Record<string, FindingDoc>> = {
  'media.extension-mismatch': {
    title: 'Extension and content disagree',
    meaning: 'The file\'s first bytes are a known format (sniffed with file-type) that its extension does not name — a PNG saved as `.jpg`, text saved as `.png`. Tools that trust extensions will misread it, and a disguised file may hide what it is.',
    action: 'Check the file; rename it or drop it. The record\'s `mediaType` is the sniffed type.',
  },
};

/** Every documented finding code: the engine's and each detector's, sorted by code. */
export function findingCatalogue(detectors: readonly Detector[]): { code: string; detector: string; doc: FindingDoc }[] {
  const out = Object.entries(ENGINE_CODES).map(([code, doc]) => ({ code, detector: 'engine', doc }));
  for (const d of detectors) for (const [code, doc] of Object.entries(d.codes)) out.push({ code, detector: d.id, doc });
  return out.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}
