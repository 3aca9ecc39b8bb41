import { createRequire } from 'node:module';
import parse from 'spdx-expression-parse';
import { memoString } from '../util/memo.js';

/**
 * SPDX expressions: parsed with spdx-expression-parse, ids checked against spdx-license-ids, and
 * written back in one canonical form so that policy and records compare equal.
 * Reference: SPDX Specification 2.3, Annex D (SPDX license expressions).
 */

const require = createRequire(import.meta.url);
const ids = require('spdx-license-ids') as string[];
const deprecated = require('spdx-license-ids/deprecated.json') as string[];
const exceptions = require('spdx-exceptions') as string[];
/** Version of the spdx-license-ids package the ids come from, for the Summary. */
export const SPDX_IDS_VERSION = (require('spdx-license-ids/package.json') as { version: string }).version;

const byLower = new Map<string, string>();
for (const id of [...ids, ...deprecated, ...exceptions]) byLower.set(id.toLowerCase(), id);

/**
 * Deprecated GNU ids say "only" or "or later" by a suffix the SPDX list now spells out.
 * Reference: SPDX License List, deprecated identifiers (GPL-2.0 → GPL-2.0-only, GPL-2.0+ → GPL-2.0-or-later).
 */
const GNU = /^(A?GPL|LGPL|GFDL)-(\d\.\d)$/;

export type SpdxNode =
  | { license: string; plus?: boolean; exception?: string }
  | { left: SpdxNode; conjunction: 'and' | 'or'; right: SpdxNode };

export interface ParsedExpression {
  ast: SpdxNode;
  /** Canonical text: ids in their listed case, modern GNU ids, upper-case operators. */
  canonical: string;
}

/**
 * Parses an SPDX expression, forgiving the case of ids and operators. Throws with a readable message.
 * Answers are memoised (a dataset repeats a few expressions millions of times): treat them as read-only.
 */
export const parseSpdx: (expression: string) => ParsedExpression = memoString(parseSpdxOnce);

function parseSpdxOnce(expression: string): ParsedExpression {
  const fixed = expression
    .trim()
    .replace(/[A-Za-z0-9.+-]+/g, (word) => {
      const upper = word.toUpperCase();
      if (upper === 'AND' || upper === 'OR' || upper === 'WITH') return upper;
      if (/^(LicenseRef|DocumentRef)-/i.test(word)) return word.replace(/^licenseref-/i, 'LicenseRef-').replace(/^documentref-/i, 'DocumentRef-');
      const plus = word.endsWith('+') ? '+' : '';
      const bare = plus ? word.slice(0, -1) : word;
      const id = byLower.get(bare.toLowerCase());
      return id ? id + plus : word;
    });
  let ast: SpdxNode;
  try {
    ast = parse(fixed);
  } catch (err) {
    throw new Error(`not a valid SPDX expression: ${JSON.stringify(expression)} (${(err as Error).message})`, { cause: err });
  }
  const modern = modernise(ast);
  return { ast: modern, canonical: write(modern) };
}

/** True when the text parses as an SPDX expression. */
export function isSpdxExpression(expression: string): boolean {
  try {
    parseSpdx(expression);
    return true;
  } catch {
    return false;
  }
}

function modernise(node: SpdxNode): SpdxNode {
  if ('left' in node) return { left: modernise(node.left), conjunction: node.conjunction, right: modernise(node.right) };
  const m = GNU.exec(node.license);
  if (m) {
    const license = `${node.license}-${node.plus ? 'or-later' : 'only'}`;
    return node.exception ? { license, exception: node.exception } : { license };
  }
  return node;
}

/** Writes an AST back as text, with parentheses only where precedence needs them (AND binds tighter than OR). */
export function write(node: SpdxNode, parent?: 'and' | 'or'): string {
  if ('left' in node) {
    const text = `${write(node.left, node.conjunction)} ${node.conjunction.toUpperCase()} ${write(node.right, node.conjunction)}`;
    return parent === 'and' && node.conjunction === 'or' ? `(${text})` : text;
  }
  return `${node.license}${node.plus ? '+' : ''}${node.exception ? ` WITH ${node.exception}` : ''}`;
}

/** The leaves of an expression: `MIT`, `GPL-2.0-or-later WITH Classpath-exception-2.0`. */
export function leaves(node: SpdxNode): string[] {
  if ('left' in node) return [...leaves(node.left), ...leaves(node.right)];
  return [write(node)];
}

export type LicenceStanding = 'allowed' | 'denied' | 'unlisted';

/**
 * Whether an expression may be used under allow and deny lists of leaves. OR needs one usable
 * branch, AND needs every part; a denied part makes an AND denied, and an OR is denied only when
 * every branch is. An exception only adds permissions, so `X WITH e` is allowed when `X` is.
 */
export function standing(node: SpdxNode, allow: ReadonlySet<string>, deny: ReadonlySet<string>): LicenceStanding {
  if ('left' in node) {
    const l = standing(node.left, allow, deny);
    const r = standing(node.right, allow, deny);
    if (node.conjunction === 'and') return l === 'denied' || r === 'denied' ? 'denied' : l === 'allowed' && r === 'allowed' ? 'allowed' : 'unlisted';
    return l === 'allowed' || r === 'allowed' ? 'allowed' : l === 'denied' && r === 'denied' ? 'denied' : 'unlisted';
  }
  const full = write(node);
  const bare = node.license + (node.plus ? '+' : '');
  if (deny.has(full) || deny.has(bare)) return 'denied';
  if (allow.has(full) || allow.has(bare)) return 'allowed';
  return 'unlisted';
}
