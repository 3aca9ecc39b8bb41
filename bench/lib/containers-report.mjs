/**
 * Tables and conclusions of bench/containers.mjs. Rates use MB = 10^6 bytes; RSS is in MiB.
 */

/**
 * @typedef {import('./run-case.mjs').CaseResult} CaseResult
 * @typedef {{ id: string, label: string, file: string, args: Record<string, unknown>, timeoutS: number, unit: 'members' | 'rows',
 *   items: number, bytes: number, expectRecords?: number, vs?: string, nodeArgs?: string[], result: CaseResult | null, error?: string }} Row
 *   `items`: members or rows the case's data holds; `bytes`: bytes of the container files.
 * @typedef {{ id: string, title: string, note: string, unit: 'members' | 'rows', rows: Row[] }} Section
 */

const MiB = 1024 * 1024;
/** Peak RSS growth under which memory is called flat. */
export const FLAT = 1.25;

/** @param {number} n */
const int = (n) => Math.round(n).toLocaleString('en-US');
/** @param {number | null | undefined} n @param {number} [digits] */
const num = (n, digits = 2) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits));

/** Items (members or rows) per second of a row that ran. @param {Row} r */
export const perSec = (r) => (r.result ? r.items / r.result.seconds : null);

/**
 * Items/s of a row ÷ items/s of the row it names in `vs`, or null.
 * @param {Section} s @param {Row} r
 */
export function ratioOf(s, r) {
  const base = r.vs ? s.rows.find((x) => x.id === r.vs) : undefined;
  const a = perSec(r);
  const b = base ? perSec(base) : null;
  return a !== null && b !== null && !r.error && !base?.error ? a / b : null;
}

/**
 * @param {string[][]} cells first row is the header
 * @param {boolean[]} right which columns are right-aligned
 */
function table(cells, right) {
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  const line = (/** @type {string[]} */ row) => row.map((cell, c) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/**
 * A throughput section: one line per case.
 * @param {Section} s
 */
export function renderThroughput(s) {
  const head = ['variant', `${s.unit}/s`, 'MB/s', 'seconds', 'ratio', 'vs', 'CPU s', `${s.unit}/CPU-s`, 'peak RSS MiB', 'records', 'other cores'];
  const body = s.rows.map((r) => {
    const res = r.result;
    if (!res) return [r.label, 'failed', '', '', '', '', '', '', '', '', ''];
    const records = r.expectRecords === undefined ? '' : r.error ? 'WRONG' : `${int(res.records)} ok`;
    return [r.label, int(/** @type {number} */ (perSec(r))), num(r.bytes / 1e6 / res.seconds, 1), num(res.seconds, 1), num(ratioOf(s, r)), r.vs ?? '', num(res.cpuSeconds, 1), int(r.items / res.cpuSeconds), int(res.peakRss / MiB), records, num(res.otherCores, 1)];
  });
  const errors = s.rows.filter((r) => r.error).map((r) => `  ! ${r.label}: ${r.error}`);
  return [`## ${s.title}`, s.note, '', table([head, ...body], [false, true, true, true, true, false, true, true, true, true, true]), ...errors].join('\n');
}

/**
 * The pairs compared for bounded memory: [section id, small row id, large row id, label].
 * @type {[string, string, string, string][]}
 */
const PAIRS = [
  ['wds', 'scanOne', 'scan', 'WebDataset scan (hash off): 1 shard → all shards'],
  ['parquet', 'scanSmall', 'scan', 'Parquet scan: small file → large file'],
  ['parquet', 'rawSmall', 'raw', 'Parquet raw hyparquet (for comparison): small → large'],
];

/**
 * Peak RSS of each pair and their ratio.
 * @param {Section[]} sections
 */
export function flatness(sections) {
  return PAIRS.flatMap(([sid, a, b, label]) => {
    const s = sections.find((x) => x.id === sid);
    const small = s?.rows.find((r) => r.id === a);
    const large = s?.rows.find((r) => r.id === b);
    if (!small?.result || !large?.result) return [];
    return [{ label, small: small.items, large: large.items, unit: s?.unit ?? '', smallRss: small.result.peakRss, largeRss: large.result.peakRss, ratio: large.result.peakRss / small.result.peakRss }];
  });
}

/** @param {Section[]} sections */
export function renderFlatness(sections) {
  const rows = flatness(sections);
  const head = ['case', 'items', 'peak RSS MiB', 'items', 'peak RSS MiB', 'RSS ratio'];
  const body = rows.map((f) => [f.label, `${int(f.small)} ${f.unit}`, int(f.smallRss / MiB), `${int(f.large)} ${f.unit}`, int(f.largeRss / MiB), num(f.ratio)]);
  return [
    '## Peak RSS flatness (bounded memory)',
    `peak RSS of the larger run ÷ the smaller; ≤ ${FLAT} is called flat here (the issue asks for bounded memory and sets no figure).`,
    '',
    rows.length > 0 ? table([head, ...body], [false, true, true, true, true, true]) : '(not measured)',
  ].join('\n');
}

/**
 * A short conclusion per case, from the figures.
 * @param {Section[]} sections
 * @returns {string[]}
 */
export function conclusions(sections) {
  const out = [];
  const get = (/** @type {string} */ sid, /** @type {string} */ rid) => sections.find((s) => s.id === sid)?.rows.find((r) => r.id === rid);
  const rate = (/** @type {Row | undefined} */ r) => (r?.result && !r.error ? `${int(/** @type {number} */ (perSec(r)))} ${r.unit}/s` : 'failed');
  const rss = (/** @type {Row | undefined} */ r) => (r?.result ? `${int(r.result.peakRss / MiB)} MiB` : '—');
  const ratio = (/** @type {string} */ sid, /** @type {string} */ rid) => {
    const s = sections.find((x) => x.id === sid);
    const r = get(sid, rid);
    return s && r ? num(ratioOf(s, r)) : '—';
  };
  const flat = flatness(sections);
  const flatText = (/** @type {string} */ prefix) => {
    const f = flat.find((x) => x.label.startsWith(prefix));
    return f ? `peak RSS ${int(f.smallRss / MiB)} → ${int(f.largeRss / MiB)} MiB from ${int(f.small)} to ${int(f.large)} ${f.unit} (×${num(f.ratio)}: ${f.ratio <= FLAT ? 'flat' : 'GROWS'})` : 'RSS flatness not measured';
  };

  if (sections.some((s) => s.id === 'wds')) {
    const scan = get('wds', 'scan');
    const hashed = get('wds', 'scanHash');
    const raw = get('wds', 'raw');
    out.push(
      `WebDataset (.tar): the scan makes ${rate(scan)} (${ratio('wds', 'scan')}× the raw header walk's ${rate(raw)}), ${rate(hashed)} with hashing (${ratio('wds', 'scanHash')}× raw + sha256); ` +
        `peak RSS ${rss(scan)} (${rss(hashed)} hashing); ${flatText('WebDataset')}. ` +
        `Records: ${[scan, hashed].every((r) => r?.result && !r.error) ? 'one per member plus one per shard, as expected' : 'see the errors above'}.`,
    );
  }
  if (sections.some((s) => s.id === 'gz')) {
    const scan = get('gz', 'scan');
    const first = get('gz', 'scanTarFirst');
    const opened = scan?.result?.containers?.opened;
    const notOpened = opened === 0 ? `builtinContainers does NOT open the .tar.gz shards (0 containers opened, ${int(scan?.result?.records ?? 0)} records): warc is listed before tar and matches every application/gzip entry by media type, warc's open returns null for a gzipped tar, and the engine does not try the next format. ` : '';
    const asRegistered = opened ? `builtinContainers opens the .tar.gz shards: ${rate(scan)} (${ratio('gz', 'scan')}× gunzip + tar-stream's ${rate(get('gz', 'raw'))}), peak RSS ${rss(scan)}. ` : '';
    out.push(`WebDataset (.tar.gz): ${notOpened}${asRegistered}With tar tried first: ${rate(first)} (${ratio('gz', 'scanTarFirst')}× raw), peak RSS ${rss(first)}.`);
  }
  if (sections.some((s) => s.id === 'parquet')) {
    const scan = get('parquet', 'scan');
    out.push(
      `Parquet: the scan makes ${rate(scan)} (${ratio('parquet', 'scan')}× hyparquet's ${rate(get('parquet', 'raw'))} as row objects), peak RSS ${rss(scan)} (raw ${rss(get('parquet', 'raw'))}); ${flatText('Parquet scan')}.`,
    );
  }
  return out;
}

/** @param {{ title: string, text: string }[]} profiles */
export function renderProfiles(profiles) {
  return ['## CPU profiles (main thread, node --cpu-prof)', ...profiles.flatMap((p) => ['', `### ${p.title}`, p.text])].join('\n');
}
