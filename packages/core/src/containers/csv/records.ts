/**
 * CSV records from lines, one record at a time, so that a damaged record is that record's problem
 * alone. Hand-written because csv-parse (tried first) does not recover: after an invalid closing
 * quote it reads the rest of the file as one unclosed field, and after a record over
 * `max_record_size` it stops without a word, losing every later row.
 * Reference: RFC 4180 §2 — fields separated by the delimiter; a field may be enclosed in `"`; inside,
 * `""` is one `"` and line breaks are data. As most readers do, a `"` inside an unquoted field is
 * taken as data; a character after a closing quote (other than the delimiter) makes the record bad.
 */

/** What one fed line gave: a record, a bad record (with why), or nothing yet (inside a quoted field). */
export type RecordResult = { fields: string[] } | { error: string } | null;

export class CsvRecords {
  readonly #delimiter: string;
  readonly #quoted: boolean;
  readonly #maxChars: number;
  #fields: string[] = [];
  #cur = '';
  #inQuote = false;
  #afterQuote = false;
  #bad: string | null = null;
  #chars = 0;

  /** `quoted` false reads TSV, where `"` is an ordinary character. */
  constructor(options: { delimiter: string; quoted: boolean; maxChars: number }) {
    this.#delimiter = options.delimiter;
    this.#quoted = options.quoted;
    this.#maxChars = options.maxChars;
  }

  /** Whether a record is open across lines (a quoted field holds a line break). */
  get pending(): boolean {
    return this.#inQuote;
  }

  #reset(): void {
    this.#fields = [];
    this.#cur = '';
    this.#inQuote = false;
    this.#afterQuote = false;
    this.#bad = null;
    this.#chars = 0;
  }

  /** Drops an open record (after a limit): the next line starts a new one. */
  abandon(): void {
    this.#reset();
  }

  /** Feeds one line without its line break. */
  line(s: string): RecordResult {
    this.#chars += s.length + 1;
    if (this.#chars > this.#maxChars) {
      this.#reset();
      return { error: 'limit' };
    }
    const d = this.#delimiter;
    // Fast path: a whole record on one line without quotes.
    if (!this.#inQuote && this.#cur === '' && this.#fields.length === 0 && (!this.#quoted || !s.includes('"'))) {
      const fields = s.split(d);
      this.#reset();
      return { fields };
    }
    let i = 0;
    if (this.#inQuote) this.#cur += '\n';
    while (i <= s.length) {
      if (this.#inQuote) {
        const q = s.indexOf('"', i);
        if (q === -1) {
          this.#cur += s.slice(i);
          return null;
        }
        this.#cur += s.slice(i, q);
        if (s[q + 1] === '"') {
          this.#cur += '"';
          i = q + 2;
        } else {
          this.#inQuote = false;
          this.#afterQuote = true;
          i = q + 1;
        }
        continue;
      }
      if (i === s.length) break;
      const c = s[i]!;
      if (c === d) {
        this.#fields.push(this.#cur);
        this.#cur = '';
        this.#afterQuote = false;
        i++;
        continue;
      }
      if (this.#afterQuote) {
        this.#bad ??= 'a character after the closing quote of a field';
        this.#cur += c;
        i++;
        continue;
      }
      if (c === '"' && this.#quoted && this.#cur === '') {
        this.#inQuote = true;
        i++;
        continue;
      }
      // Up to the next delimiter at once.
      let next = s.indexOf(d, i);
      if (next === -1) next = s.length;
      this.#cur += s.slice(i, next);
      i = next;
    }
    this.#fields.push(this.#cur);
    const result: RecordResult = this.#bad !== null ? { error: this.#bad } : { fields: this.#fields };
    this.#reset();
    return result;
  }

  /** At the end of the input: an open quoted field is a bad record. */
  end(): RecordResult {
    if (!this.#inQuote && this.#fields.length === 0 && this.#cur === '') return null;
    const open = this.#inQuote;
    this.#reset();
    return open ? { error: 'a quoted field is not closed before the end of the file' } : null;
  }
}
