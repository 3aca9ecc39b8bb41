/** Writing Markdown safely: table cells and code spans built from dataset paths and messages. */

/** Text for a table cell: no pipes, no line breaks, no HTML, no accidental emphasis or links. */
export function cell(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/[\\`*_{}[\]<>|#!~]/g, (c) => `\\${c}`)
    .trim();
}

/**
 * An inline code span that holds any text: the fence is one backtick longer than the longest run
 * inside, padded with spaces when the text starts or ends with a backtick (CommonMark 6.1). In a
 * table, pipes are escaped too: GitHub splits cells before it parses code spans.
 */
export function code(text: string, options: { inTable?: boolean } = {}): string {
  let t = text.replace(/[\r\n]+/g, ' ');
  if (options.inTable !== false) t = t.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || t === '' ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/** A percentage with one decimal, `–` for 0 of 0. */
export function percent(n: number, of: number): string {
  if (of === 0) return '–';
  const p = (100 * n) / of;
  return `${p === 0 || p === 100 || p >= 10 ? p.toFixed(0) : p.toFixed(1)} %`;
}

/** Lines of a Markdown table. `align` gives `r` for right-aligned (numeric) columns. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], align = ''): string[] {
  const sep = head.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [`| ${head.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}
