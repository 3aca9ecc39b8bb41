/**
 * Reading a `/.well-known/tdmrep.json` file into rules, tolerating the ways real files deviate from
 * the TDMRep report while saying exactly how they deviate.
 *
 * Reference: TDMRep final community group report (2024), §"TDM File on the Origin Server": the file
 * is a JSON array of objects, each with a mandatory `location` pattern and `tdm-reservation` value
 * and an optional `tdm-policy` URL; the first rule whose pattern matches a URL's path applies.
 *
 * Deviations seen in real files, and how each is read:
 * - an object instead of an array → read as one rule (problem noted);
 * - `tdm_reservation`, `tdmReservation`, `TDM-Reservation`… instead of `tdm-reservation` → the value
 *   is kept but the rule's reservation is `unknown`: a crawler following the report would not see it,
 *   a reader of intent would, and Clearance does not pick one;
 * - `"1"` (a string) → reserved `yes`, with the problem noted; `true`, `"yes"`, `2` → `unknown`;
 * - `policy`, `tdm_policy`… instead of `tdm-policy` → the URL is kept, with the problem noted;
 * - a rule without a usable `location` → it cannot be placed; files no other rule matches are
 *   `unknown` when such a rule reserves.
 * Hostile input is bounded: the engine hands over at most 1 MiB, V8's JSON parser is not recursive,
 * values are never walked deeper than a rule's own fields, and at most {@link MAX_RULES} rules are kept.
 */
import type { Reserved } from '../../schema/finding.js';
import { clip } from '../optout-common/findings.js';
import { readReservation } from '../optout-common/tdm-values.js';

/** Rules kept from one file; a file with more is read in part, and files no kept rule matches are `unknown`. */
export const MAX_RULES = 1000;

/** One rule as read. */
export interface TdmRule {
  /** The `location` pattern as written, or null when missing or not a string. */
  location: string | null;
  reserved: Reserved;
  /** The `tdm-policy` URL (or a deviant key's), when present. */
  policy?: string;
  /** 1-based line of the rule's `location` key, when it could be found. */
  line?: number;
  /** Deviations from the report in this rule. */
  problems?: string[];
}

/** What a tdmrep.json says. */
export interface TdmRules {
  rules: TdmRule[];
  /** True when the file had more than {@link MAX_RULES} rules. */
  truncated: boolean;
  /** Deviations of the file as a whole (object instead of array, …). */
  problems: string[];
  /** Set when no rule could be read at all: why. */
  unreadable?: string;
}

const RESERVATION_KEY = /^tdm[-_ ]?reservation$/i;
const POLICY_KEY = /^(?:tdm[-_ ]?)?policy$/i;

/** Reads the text of a tdmrep.json. Never throws. */
export function readRules(text: string): TdmRules {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { rules: [], truncated: false, problems: [], unreadable: `not JSON: ${clip((err as Error).message, 120)}` };
  }
  const problems: string[] = [];
  let items: unknown[];
  if (Array.isArray(data)) items = data;
  else if (isObject(data) && Object.keys(data).some((k) => k === 'location' || RESERVATION_KEY.test(k))) {
    items = [data];
    problems.push('an object instead of an array of rules');
  } else return { rules: [], truncated: false, problems, unreadable: `neither an array of rules nor a rule (${describe(data)})` };
  if (items.length === 0) return { rules: [], truncated: false, problems, unreadable: 'an empty array: no rules' };

  const kept = items.slice(0, MAX_RULES);
  const lines = locationLines(text);
  // Lines are trusted only when every `"location"` key of the text belongs to one kept rule.
  const linesAgree = lines.length === kept.filter((i) => isObject(i) && Object.hasOwn(i, 'location')).length;
  const rules: TdmRule[] = [];
  let locationIndex = 0;
  for (const item of kept) {
    if (!isObject(item)) {
      rules.push({ location: null, reserved: 'unknown', problems: [`a rule that is ${describe(item)}, not an object`] });
      continue;
    }
    const rule = readRule(item);
    if (Object.hasOwn(item, 'location')) {
      const line = lines[locationIndex++];
      if (line !== undefined && linesAgree) rule.line = line;
    }
    rules.push(rule);
  }
  return { rules, truncated: items.length > MAX_RULES, problems };
}

function readRule(item: Record<string, unknown>): TdmRule {
  const problems: string[] = [];
  const loc = item['location'];
  const location = typeof loc === 'string' ? loc : null;
  if (location === null) problems.push(loc === undefined ? 'no location' : `location is ${describe(loc)}, not a string`);
  else if (location.trim() === '') problems.push('an empty location');

  let reserved: Reserved;
  if (Object.hasOwn(item, 'tdm-reservation')) {
    const r = readReservation(item['tdm-reservation'], { text: false });
    reserved = r.reserved;
    if (r.problem) problems.push(r.problem);
  } else {
    const variant = Object.keys(item).find((k) => RESERVATION_KEY.test(k));
    if (variant !== undefined) {
      const r = readReservation(item[variant], { text: false });
      // The value is read only to say what it was: a deviant key leaves the reservation unknown.
      reserved = 'unknown';
      problems.push(`"${clip(variant, 40)}" instead of "tdm-reservation" (value ${r.reserved === 'unknown' ? 'unreadable' : r.reserved === 'yes' ? '1' : '0'})`);
    } else {
      reserved = 'unknown';
      problems.push('no tdm-reservation');
    }
  }

  let policy: string | undefined;
  const policyKey = Object.hasOwn(item, 'tdm-policy') ? 'tdm-policy' : Object.keys(item).find((k) => POLICY_KEY.test(k));
  if (policyKey !== undefined) {
    const p = item[policyKey];
    if (typeof p === 'string' && p.trim() !== '') policy = clip(p.trim(), 500);
    else problems.push(`${policyKey} is not a URL`);
    if (policyKey !== 'tdm-policy') problems.push(`"${clip(policyKey, 40)}" instead of "tdm-policy"`);
  }
  return { location, reserved, ...(policy !== undefined ? { policy } : {}), ...(problems.length > 0 ? { problems } : {}) };
}

/** 1-based lines of every `"location"` key, in order: rule i's location is the i-th one when counts agree. */
function locationLines(text: string): number[] {
  const out: number[] = [];
  let line = 1;
  let from = 0;
  const re = /"location"\s*:/g;
  for (let m = re.exec(text); m !== null && out.length <= MAX_RULES; m = re.exec(text)) {
    for (let i = text.indexOf('\n', from); i !== -1 && i < m.index; i = text.indexOf('\n', i + 1)) line++;
    from = m.index;
    out.push(line);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
