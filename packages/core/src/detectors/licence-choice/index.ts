/**
 * Choice statements: a README or COPYRIGHT file that says its folder's licences are alternatives —
 * "Licensed under either of Apache License, Version 2.0 or MIT license at your option", "dual
 * licensed under MIT or the Unlicense". The statement governs the folder as "A OR B", and ranks
 * above the licence files it names (precedence 30 against licence-file's 20), which stay visible
 * as shadowed findings.
 *
 * Why a detector of its own: the Rust convention ships LICENSE-MIT and LICENSE-APACHE side by side.
 * Each licence file says one licence; together, without a statement, they are a conflict
 * (NOASSERTION, review): both may apply, or either. Only a statement that they are a choice makes
 * them OR, and the engine ranks findings by detector.
 * Reference: SPDX Specification 2.3, Annex D.4 (disjunctive "OR" operator).
 *
 * ok:     `README.md` "Licensed under either of … Apache-2.0 … or MIT … at your option." → licence.choice, Apache-2.0 OR MIT
 * ok:     `COPYRIGHT` "… dual licensed under the MIT license or the Unlicense" → licence.choice, MIT OR Unlicense
 * ignored: a README that lists the licences of its dependencies; "at your option" with one licence
 */
import { defineDetector, findingUrl } from '../../engine/detector.js';
import { decodeLicenceBytes, findChoiceStatements } from '../../licence-match/index.js';
import { isReadmeName } from '../licence-text/index.js';

const HEAD = 32 * 1024;
const TAIL = 32 * 1024;

/** COPYRIGHT, COPYRIGHT.md …: where Rust and Go projects put their dual-licence statement. */
const isCopyrightName = (name: string): boolean => /^copyright(?:\.(?:md|markdown|txt|text|rst))?$/i.test(name);

export const licenceChoice = defineDetector({
  id: 'licence-choice',
  version: '1.0.0',
  description: 'Choice statements ("at your option", "dual licensed") that make a folder\'s licences alternatives',
  match: { names: [isReadmeName, isCopyrightName] },
  marker: true,
  precedence: 30,
  wants: { head: HEAD, tail: TAIL },
  codes: {
    'licence.choice': {
      title: 'Choice between licences',
      meaning:
        'A README or COPYRIGHT file says the folder\'s licences are alternatives ("Licensed under either of … at your option", "dual licensed under … or …"), naming each: the folder is licensed under the expression `A OR B`. It outranks the licence files of the folder, which stay listed (shadowed) as evidence.',
      action: 'None: the policy allows the folder when it allows any of the alternatives. Check that the licence files the statement names are there.',
    },
  },
  detect(input) {
    if (!input.isText) return [];
    const parts = input.whole ? [input.whole] : input.tail ? [input.head, input.tail] : [input.head];
    const seen = new Set<string>();
    return parts.flatMap((bytes, part) => {
      const { text } = decodeLicenceBytes(bytes);
      return findChoiceStatements(text)
        .filter((c) => !seen.has(c.expression) && seen.add(c.expression))
        .map((c) => ({
          code: 'licence.choice',
          category: 'licence' as const,
          detector: 'licence-choice',
          confidence: 0.9,
          value: { expression: c.expression, statement: c.text },
          evidence: { path: input.path, ...(part === 0 ? { line: c.lines.start } : {}), excerpt: c.text.length > 200 ? `${c.text.slice(0, 197)}...` : c.text },
          scope: { kind: 'subtree' as const, root: input.dir },
          url: findingUrl('licence.choice'),
        }));
    });
  },
});
