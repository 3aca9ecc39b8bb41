// SPDX-License-Identifier: MIT OR Apache-2.0
// Copyright (c) 2024 The Harbour Tools authors

/**
 * Station names in the tide tables were typed by hand over forty years. This maps the spellings we have
 * seen to one canonical name, so that readings from the same gauge can be joined.
 */
const ALIASES = new Map([
  ['kelmouth quay', 'Kelmouth Quay'],
  ['kelmouth harbour', 'Kelmouth Quay'],
  ['quay (kelmouth)', 'Kelmouth Quay'],
  ['trellow', 'Trellow Weir'],
  ['trellow weir', 'Trellow Weir'],
  ['narrows', 'The Narrows'],
  ['the narrows', 'The Narrows'],
]);

/**
 * @param {string} raw a station name as written in a table
 * @returns {string | null} the canonical name, or null when the spelling is unknown
 */
export function normalizeStation(raw) {
  const key = raw.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ').replace(/[.,]$/, '');
  return ALIASES.get(key) ?? null;
}

/**
 * @param {Iterable<{ station: string }>} rows
 * @returns {{ known: object[], unknown: string[] }}
 */
export function normalizeRows(rows) {
  const known = [];
  const unknown = new Set();
  for (const row of rows) {
    const station = normalizeStation(row.station);
    if (station === null) unknown.add(row.station);
    else known.push({ ...row, station });
  }
  return { known, unknown: [...unknown].sort() };
}
