/**
 * IETF AIPREF usage preferences (`train-ai=n, search=y`): the Structured Fields dictionary carried by
 * the `Content-Usage` HTTP header and by `Content-Usage` rules in robots.txt, reduced to what matters
 * for a training set — may this be used to train a model?
 *
 * Reference: draft-ietf-aipref-vocab (§"Usage Category Labels": `train-ai`, `search`, case-sensitive;
 * §"Preference Labels": Tokens `y` / `n`; §"Processing Algorithm": parse as an RFC 9651 Dictionary,
 * the last value of a key wins, anything but a `y`/`n` Token is unknown, unknown keys and parameters
 * are ignored, a parse failure makes every preference unknown; §"Combining Preferences": the most
 * restrictive statement wins). Parsed with the `structured-headers` package (RFC 9651, incl. Display
 * Strings and Dates), so the Dictionary rules are the standard's, not ours.
 *
 * Earlier drafts used other labels that still appear in the wild: `train-genai` (generative AI
 * training), `ai` / `genai` / `tdm` (draft-keller-aipref-vocab: AI training, generative AI training,
 * all text and data mining) — each covers training a generative model, so each is read as a
 * training preference. `ai-use` (use as model input) and `search` are kept but do not decide training.
 *
 * ok:     `train-ai=n` → disallowed; `train-ai=y, search=n` → allowed; `tdm=n` → disallowed (legacy)
 * not-ok: `Train-AI=n` → the Dictionary does not parse (keys are lower-case) → unreadable
 * not-ok: `train-ai=no` → not a `y`/`n` Token → unreadable, never guessed as "no"
 */
import { parseDictionary, Token } from 'structured-headers';

/** What a statement says about training. */
export type TrainingPreference = 'disallowed' | 'allowed' | 'unreadable' | 'conflict' | 'none';

export interface UsagePreferences {
  /** `none`: the statement says nothing about training; `unreadable`: it tries to, but not in a form the vocabulary defines. */
  training: TrainingPreference;
  /** Every key with its value as written (`y`, `n`, or the value's text), keys in order; at most 32. */
  labels: Record<string, string>;
  /** The training labels that decided it (`train-ai`, or legacy ones). */
  basis: string[];
  /** Why it is unreadable or odd, for the finding. */
  problems: string[];
}

/** Current and legacy labels whose preference covers training a generative model. */
export const TRAINING_LABELS: readonly string[] = ['train-ai', 'train-genai', 'ai', 'genai', 'tdm'];
const LEGACY = new Set(['train-genai', 'ai', 'genai', 'tdm']);
/** A failed parse that mentions one of these was meant to say something about training. */
const MENTIONS_TRAINING = /train-?(?:gen)?ai|\bgenai\b|\btdm\b|\bai\s*=/i;
const MAX_TEXT = 4096;

/** Reads one AIPREF preference string. Never throws. */
export function parseUsagePreferences(text: string): UsagePreferences {
  const out: UsagePreferences = { training: 'none', labels: {}, basis: [], problems: [] };
  if (text.length > MAX_TEXT) {
    out.training = MENTIONS_TRAINING.test(text.slice(0, MAX_TEXT)) ? 'unreadable' : 'none';
    out.problems.push(`longer than ${MAX_TEXT} characters`);
    return out;
  }
  let dict: ReturnType<typeof parseDictionary>;
  try {
    dict = parseDictionary(text);
  } catch (err) {
    out.problems.push(`not a Structured Fields dictionary: ${(err as Error).message.slice(0, 120)}`);
    if (MENTIONS_TRAINING.test(text)) out.training = 'unreadable';
    return out;
  }
  const stated: ('y' | 'n' | 'other')[] = [];
  let n = 0;
  for (const [key, member] of dict) {
    // Typed as unknown: the package's item union names the DOM's BufferSource, which Node's types lack.
    const value: unknown = member[0];
    const written = value instanceof Token ? value.toString() : Array.isArray(value) ? 'inner-list' : typeof value === 'object' && value !== null ? value.constructor.name : String(value);
    if (n++ < 32) out.labels[key] = written;
    if (!TRAINING_LABELS.includes(key)) continue;
    out.basis.push(key);
    if (LEGACY.has(key)) out.problems.push(`legacy label ${key}`);
    const v = value instanceof Token ? value.toString() : null;
    if (v === 'y' || v === 'n') stated.push(v);
    else {
      stated.push('other');
      out.problems.push(`${key} is not the Token y or n`);
    }
  }
  if (stated.length === 0) return out;
  // Most restrictive first: any "n" disallows (vocab, Combining Preferences).
  if (stated.includes('n')) out.training = stated.includes('y') ? 'conflict' : 'disallowed';
  else if (stated.includes('other')) out.training = 'unreadable';
  else out.training = 'allowed';
  if (out.training === 'conflict') out.problems.push('training labels disagree');
  return out;
}

/** Reserved state of a training preference; null when it says nothing about training. */
export function reservedOf(training: TrainingPreference): 'yes' | 'no' | 'unknown' | null {
  switch (training) {
    case 'disallowed':
      return 'yes';
    case 'allowed':
      return 'no';
    case 'none':
      return null;
    default:
      return 'unknown';
  }
}
