/**
 * TDMRep property values, as each carrier writes them: `tdm-reservation` is the integer 1 (reserved)
 * or 0 (not reserved); `tdm-policy` is a URL.
 *
 * Reference: TDMRep final community group report (2024), §"tdm-reservation" ("Other values are
 * considered protocol errors. In such a case the TDM Agents MUST consider that tdm-reservation is
 * unset") and §"tdm-policy".
 *
 * A protocol error is not silently "unset" here: a value that tries to say something (`"1"` as a JSON
 * string, `true`, `"yes"`) is reported, as reserved `unknown` unless its meaning is beyond doubt.
 *
 * ok:     1 → yes; 0 → no; in HTML, EPUB and headers (text carriers) "1" → yes, " 0 " → no
 * not-ok: "1" in tdmrep.json (a string, not a number) → yes, with a problem noted
 * not-ok: true, "yes", 2 → unknown, with a problem noted
 */
import type { Reserved } from '../../schema/finding.js';

export interface ReservationValue {
  reserved: Reserved;
  /** What deviates from the specification, if anything. */
  problem?: string;
}

/**
 * Reads a `tdm-reservation` value. `text` is true for carriers whose values are always text (HTML
 * meta content, EPUB meta, HTTP headers), where "1" is the exact form; in JSON the exact form is a number.
 */
export function readReservation(value: unknown, options: { text: boolean }): ReservationValue {
  if (value === 1 || value === 0) return options.text ? { reserved: value === 1 ? 'yes' : 'no', problem: 'a number where text was expected' } : { reserved: value === 1 ? 'yes' : 'no' };
  if (typeof value === 'string') {
    const t = value.trim();
    if (t === '1' || t === '0') {
      const reserved = t === '1' ? 'yes' : 'no';
      if (options.text) return t === value ? { reserved } : { reserved, problem: 'value padded with spaces' };
      // The string "1" in JSON: the intent is beyond doubt, the form is not the specification's.
      return { reserved, problem: `the string "${t}" instead of the number ${t}` };
    }
    return { reserved: 'unknown', problem: `value ${JSON.stringify(short(t))} is neither 1 nor 0` };
  }
  if (value === undefined || value === null) return { reserved: 'unknown', problem: 'tdm-reservation is missing' };
  // Never stringify an object or array: a hostile value can nest deeper than the stack.
  const shown = typeof value === 'object' ? (Array.isArray(value) ? 'an array' : 'an object') : typeof value === 'boolean' || typeof value === 'number' ? String(value) : `a ${typeof value}`;
  return { reserved: 'unknown', problem: `value ${shown} is neither 1 nor 0` };
}

function short(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
