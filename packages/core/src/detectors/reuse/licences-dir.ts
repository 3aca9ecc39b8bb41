/**
 * REUSE `LICENSES/` folders: `LICENSES/<id>.txt` holds the text of each licence a project uses, named
 * by its SPDX id (or `LicenseRef-…`). Its presence says which licences the project uses; it is not, by
 * itself, any file's licence, so each text is reported as a notice of its own file, with the id its
 * name gives. A name that is not an SPDX id or LicenseRef is reported too: REUSE requires one.
 * Reference: REUSE Specification 3.2, "License Files".
 *
 * ok:     `LICENSES/CC-BY-4.0.txt` → reuse.licence-text, id CC-BY-4.0
 * not-ok: `LICENSES/apache.txt` → reuse.licence-text.unknown-id (warning)
 * ignored: `docs/MIT.txt` (not in a LICENSES folder)
 */
import { defineDetector, findingUrl } from '../../engine/detector.js';
import { parseSpdx } from '../../policy/spdx.js';

const NAME = /^(.+)\.(?:txt|md|rst|html?)$/i;

export const reuseLicences = defineDetector({
  id: 'reuse-licences',
  version: '1.0.0',
  description: 'REUSE LICENSES/<id>.txt licence texts: which licences a project uses',
  match: { names: [(name) => NAME.test(name)] },
  wants: {},
  codes: {
    'reuse.licence-text': {
      title: 'Licence text in a REUSE LICENSES folder',
      meaning: 'The file is `LICENSES/<id>.<ext>`: the text of a licence the project uses, named by its SPDX id (`value.id`). It says the licence is used somewhere in the project, not that it governs any particular file.',
      action: 'None: files get their licences from their own tags, `.license` sidecars or REUSE.toml.',
    },
    'reuse.licence-text.unknown-id': {
      title: 'Licence text in LICENSES/ not named by an SPDX id',
      meaning: 'A file in a REUSE `LICENSES/` folder is not named `<SPDX id>.<ext>` or `LicenseRef-<name>.<ext>`, as REUSE requires, so which licence it holds is not known from its name.',
      action: 'Rename it to the licence\'s SPDX id, or identify the text.',
    },
  },
  detect(input) {
    if (!/(?:^|\/)LICENSES$/.test(input.dir)) return [];
    const m = NAME.exec(input.name);
    if (!m) return [];
    const stem = m[1]!;
    let id: string | null = null;
    try {
      const { ast, canonical } = parseSpdx(stem);
      // One licence or exception id: not an expression.
      if (!('left' in ast) && !/\s/.test(stem)) id = canonical;
    } catch {
      id = null;
    }
    const code = id === null ? 'reuse.licence-text.unknown-id' : 'reuse.licence-text';
    return [
      {
        code,
        category: 'notice',
        detector: 'reuse-licences',
        ...(id === null ? { severity: 'warning' as const } : {}),
        confidence: 1,
        value: { id, name: input.name },
        evidence: { path: input.path },
        scope: { kind: 'file', root: input.path },
        url: findingUrl(code),
      },
    ];
  },
});
