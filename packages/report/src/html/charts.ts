import { formatCount } from '../format.js';
import { esc } from './escape.js';

/**
 * Inline SVG charts, drawn on the server side: the page needs no script and no network to show
 * them, and prints as drawn. Colours come from CSS classes (`.s-allow` …) so that the page's light
 * and dark themes apply.
 */

/** One coloured part of a bar. */
export interface Segment {
  value: number;
  /** CSS class: s-allow, s-review, s-exclude, s-reserved, s-unknown, s-neutral, s-accent. */
  cls: string;
  label: string;
}

/** One bar: a label and its segments. `filter` makes it clickable (it sets the table's filters). */
export interface Bar {
  label: string;
  segments: Segment[];
  /** Shown at the end of the bar; default: the sum of the segments. */
  note?: string;
  filter?: Record<string, string>;
}

const WIDTH = 560;
const ROW = 28;
const LABEL = 170;

/**
 * A horizontal bar chart; bars are scaled to the largest and their figures are aligned in a column
 * to the right (`noteWidth` pixels of the 560 wide). An empty chart says `empty`.
 */
export function barChart(bars: readonly Bar[], options: { title: string; empty: string; noteWidth?: number }): string {
  const NOTE = options.noteWidth ?? 100;
  if (bars.length === 0) {
    return `<svg class="chart" role="img" viewBox="0 0 ${WIDTH} 60" width="100%" aria-label="${esc(options.title)}: ${esc(options.empty)}"><title>${esc(options.title)}</title><text class="empty" x="${WIDTH / 2}" y="34" text-anchor="middle">${esc(options.empty)}</text></svg>`;
  }
  const max = Math.max(1, ...bars.map((b) => b.segments.reduce((n, s) => n + s.value, 0)));
  const span = WIDTH - LABEL - NOTE;
  const height = bars.length * ROW + 8;
  const rows = bars.map((b, i) => {
    const y = 4 + i * ROW;
    let x = LABEL;
    const total = b.segments.reduce((n, s) => n + s.value, 0);
    const rects = b.segments
      .filter((s) => s.value > 0)
      .map((s) => {
        // At least one pixel, so that a segment of 1 among millions still shows.
        const w = Math.max(1, (s.value / max) * span);
        const r = `<rect class="${esc(s.cls)}" x="${x.toFixed(1)}" y="${y + 5}" width="${w.toFixed(1)}" height="${ROW - 10}" rx="2"><title>${esc(`${b.label} · ${s.label}: ${formatCount(s.value)}`)}</title></rect>`;
        x += w;
        return r;
      })
      .join('');
    const attrs = b.filter ? ` class="bar clickable" tabindex="0" role="button" ${Object.entries(b.filter).map(([k, v]) => `data-${esc(k)}="${esc(v)}"`).join(' ')}` : ' class="bar"';
    const label = b.label.length > 26 ? `${b.label.slice(0, 25)}…` : b.label;
    return `<g${attrs}><title>${esc(b.label)}</title><rect class="hit" x="0" y="${y}" width="${WIDTH}" height="${ROW}"/><text class="label" x="${LABEL - 8}" y="${y + ROW / 2 + 4}" text-anchor="end">${esc(label)}</text><rect class="track" x="${LABEL}" y="${y + 5}" width="${span}" height="${ROW - 10}" rx="2"/>${rects}<text class="value" x="${LABEL + span + 10}" y="${y + ROW / 2 + 4}">${esc(b.note ?? formatCount(total))}</text></g>`;
  });
  return `<svg class="chart" role="img" viewBox="0 0 ${WIDTH} ${height}" width="100%" aria-label="${esc(options.title)}"><title>${esc(options.title)}</title>${rows.join('')}</svg>`;
}

/** A donut of parts of a whole, with the total in the middle and a legend beside it. */
export function donut(parts: readonly Segment[], options: { title: string; centre: string; caption: string; filterKey?: string; filterValues?: readonly string[] }): string {
  const total = parts.reduce((n, p) => n + p.value, 0);
  const r = 54;
  const c = 2 * Math.PI * r;
  let offset = 0;
  const arcs = parts
    .map((p, i) => {
      if (p.value <= 0 || total === 0) return '';
      const len = (p.value / total) * c;
      const value = options.filterValues?.[i];
      const attrs = options.filterKey && value !== undefined ? ` class="arc clickable ${esc(p.cls)}" tabindex="0" role="button" data-${esc(options.filterKey)}="${esc(value)}"` : ` class="arc ${esc(p.cls)}"`;
      // A full circle is drawn as one arc; otherwise leave a hair of space between parts.
      const gap = len >= c - 0.01 ? 0 : Math.min(1.5, len / 3);
      const arc = `<circle${attrs} cx="80" cy="80" r="${r}" fill="none" stroke-width="22" stroke-dasharray="${(len - gap).toFixed(2)} ${(c - len + gap).toFixed(2)}" stroke-dashoffset="${(-offset).toFixed(2)}" transform="rotate(-90 80 80)"><title>${esc(`${p.label}: ${formatCount(p.value)}`)}</title></circle>`;
      offset += len;
      return arc;
    })
    .join('');
  const legend = parts
    .map((p, i) => {
      const pct = total === 0 ? '' : ` (${((100 * p.value) / total).toFixed(p.value === total || p.value === 0 ? 0 : 1)} %)`;
      return `<g transform="translate(190 ${80 - (parts.length * 40) / 2 + 6 + i * 40})"><rect class="${esc(p.cls)}" width="12" height="12" rx="2"/><text class="legend" x="20" y="11">${esc(p.label)}</text><text class="legend-value" x="20" y="27">${esc(formatCount(p.value) + pct)}</text></g>`;
    })
    .join('');
  const ring = total === 0 ? `<circle class="track-ring" cx="80" cy="80" r="${r}" fill="none" stroke-width="22"/>` : `<circle class="track-ring" cx="80" cy="80" r="${r}" fill="none" stroke-width="22"/>${arcs}`;
  return `<svg class="chart donut" role="img" viewBox="0 0 ${WIDTH} 160" width="100%" aria-label="${esc(options.title)}"><title>${esc(options.title)}</title>${ring}<text class="centre" x="80" y="82" text-anchor="middle">${esc(options.centre)}</text><text class="centre-caption" x="80" y="100" text-anchor="middle">${esc(options.caption)}</text>${legend}</svg>`;
}
