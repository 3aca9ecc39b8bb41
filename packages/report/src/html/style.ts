/** The HTML report's stylesheet: system fonts, light and dark themes, print rules. Inline; nothing is fetched. */
export const STYLE = `
:root {
  --bg: #f5f6f8; --card: #ffffff; --text: #1c2128; --muted: #5b6571; --faint: #8a949e; --border: #dde1e6; --row: #f8f9fa;
  --accent: #2f5fb3; --accent-soft: #e8effa; --head: #16202e; --head-text: #f3f5f8; --head-muted: #aab4c3;
  --allow: #2f8f4e; --allow-soft: #e5f3ea; --review: #c78a12; --review-soft: #fbf1dc; --exclude: #c83a3a; --exclude-soft: #fae6e6;
  --reserved: #b2432f; --unknown: #d9a441; --neutral: #8c96a3; --track: #eef0f3;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1419; --card: #171d25; --text: #e3e7ec; --muted: #9aa5b1; --faint: #76828f; --border: #2a333e; --row: #1b222b;
    --accent: #7aa7ef; --accent-soft: #1d2b40; --head: #0b0f14; --head-text: #eef1f5; --head-muted: #8f9aa8;
    --allow: #4cb36c; --allow-soft: #15291d; --review: #e0a73a; --review-soft: #2e2412; --exclude: #ea6060; --exclude-soft: #321717;
    --reserved: #e0705a; --unknown: #e5b65a; --neutral: #7d8794; --track: #222a34;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
code, .mono { font-family: var(--mono); font-size: 12.5px; }
a { color: var(--accent); }
header.top { background: var(--head); color: var(--head-text); padding: 28px 0 30px; }
.wrap { max-width: 1240px; margin: 0 auto; padding: 0 28px; }
.brand { display: flex; align-items: center; gap: 10px; font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: var(--head-muted); font-weight: 600; }
.brand svg { width: 18px; height: 18px; }
h1 { margin: 8px 0 6px; font-size: 26px; font-weight: 650; letter-spacing: -.01em; word-break: break-all; }
.meta { color: var(--head-muted); font-size: 13px; display: flex; flex-wrap: wrap; gap: 4px 18px; }
.meta b { color: var(--head-text); font-weight: 600; }
.banner { margin-top: 16px; display: inline-flex; align-items: center; gap: 10px; padding: 7px 12px; border-radius: 6px; font-weight: 600; font-size: 13px; }
.banner.ok { background: rgba(76,179,108,.16); color: #7fdc9b; }
.banner.warn { background: rgba(224,167,58,.18); color: #f2c46b; }
.banner.bad { background: rgba(234,96,96,.18); color: #ff9a9a; }
main { padding: 24px 0 48px; }
section { margin-top: 28px; }
h2 { font-size: 17px; margin: 0 0 4px; font-weight: 650; }
.sub { color: var(--muted); margin: 0 0 14px; font-size: 13px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin-top: -44px; }
.kpi { background: var(--card); border: 1px solid var(--border); border-radius: 10px; padding: 14px 16px; box-shadow: 0 1px 2px rgba(16,24,40,.05); border-top: 3px solid var(--border); }
.kpi .k { color: var(--muted); font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
.kpi .v { font-size: 26px; font-weight: 680; margin-top: 2px; font-variant-numeric: tabular-nums; }
.kpi .d { color: var(--faint); font-size: 12px; font-variant-numeric: tabular-nums; }
.kpi.allow { border-top-color: var(--allow); } .kpi.review { border-top-color: var(--review); } .kpi.exclude { border-top-color: var(--exclude); }
.kpi.allow .v { color: var(--allow); } .kpi.review .v { color: var(--review); } .kpi.exclude .v { color: var(--exclude); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 14px; }
.card { background: var(--card); border: 1px solid var(--border); border-radius: 10px; padding: 16px 18px; box-shadow: 0 1px 2px rgba(16,24,40,.04); min-width: 0; }
.card h3 { margin: 0; font-size: 14px; font-weight: 650; }
.card .sub { margin-bottom: 8px; font-size: 12.5px; }
.chart { display: block; overflow: visible; }
.chart text { fill: var(--text); font-size: 12px; }
.chart .label { fill: var(--muted); }
.chart .value, .chart .legend-value { fill: var(--muted); font-variant-numeric: tabular-nums; }
.chart .legend { font-weight: 600; }
.chart .empty { fill: var(--faint); font-style: italic; }
.chart .centre { font-size: 22px; font-weight: 700; }
.chart .centre-caption { fill: var(--muted); font-size: 11px; }
.chart .track { fill: var(--track); }
.chart .track-ring { stroke: var(--track); }
.chart .hit { fill: transparent; }
.chart .clickable { cursor: pointer; }
.chart g.clickable:hover .hit, .chart g.clickable:focus .hit { fill: var(--accent-soft); }
.chart :focus { outline: none; }
.s-allow { fill: var(--allow); stroke: var(--allow); } .s-review { fill: var(--review); stroke: var(--review); } .s-exclude { fill: var(--exclude); stroke: var(--exclude); }
.s-reserved { fill: var(--reserved); } .s-unknown { fill: var(--unknown); } .s-neutral { fill: var(--neutral); } .s-accent { fill: var(--accent); }
circle.s-allow, circle.s-review, circle.s-exclude { fill: none; }
.legend-inline { display: flex; gap: 14px; flex-wrap: wrap; font-size: 12px; color: var(--muted); margin-top: 6px; }
.legend-inline i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; font-size: 11.5px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 650; padding: 8px 10px; border-bottom: 1px solid var(--border); white-space: nowrap; }
td { padding: 8px 10px; border-bottom: 1px solid var(--border); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.tbl { background: var(--card); border: 1px solid var(--border); border-radius: 10px; overflow: hidden; }
.tbl table td:first-child, .tbl table th:first-child { padding-left: 16px; }
.tbl table td:last-child, .tbl table th:last-child { padding-right: 16px; }
.tbl tr:last-child td { border-bottom: 0; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 11.5px; font-weight: 650; white-space: nowrap; }
.badge.allow { background: var(--allow-soft); color: var(--allow); } .badge.review { background: var(--review-soft); color: var(--review); } .badge.exclude { background: var(--exclude-soft); color: var(--exclude); }
.badge.plain { background: var(--track); color: var(--muted); }
.controls { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; padding: 12px 16px; border-bottom: 1px solid var(--border); background: var(--card); }
.controls input[type=search] { flex: 1 1 280px; min-width: 200px; padding: 7px 10px 7px 32px; border: 1px solid var(--border); border-radius: 7px; font: inherit; background: var(--bg) no-repeat 10px 50%; color: var(--text); background-image: url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='14' height='14' viewBox='0 0 24 24' fill='none' stroke='%238a949e' stroke-width='2.5'%3E%3Ccircle cx='11' cy='11' r='7'/%3E%3Cpath d='m20 20-4-4'/%3E%3C/svg%3E"); }
.controls input[type=search]:focus, .controls select:focus { outline: 2px solid var(--accent); outline-offset: -1px; }
.controls select { padding: 6px 8px; border: 1px solid var(--border); border-radius: 7px; font: inherit; background: var(--bg); color: var(--text); max-width: 200px; }
.seg { display: inline-flex; border: 1px solid var(--border); border-radius: 7px; overflow: hidden; }
.seg button { border: 0; background: var(--bg); color: var(--muted); font: inherit; font-size: 13px; padding: 6px 11px; cursor: pointer; border-right: 1px solid var(--border); }
.seg button:last-child { border-right: 0; }
.seg button[aria-pressed=true] { background: var(--accent); color: #fff; }
.seg button .n { opacity: .75; margin-left: 4px; font-variant-numeric: tabular-nums; }
button.link { border: 0; background: none; color: var(--accent); font: inherit; cursor: pointer; padding: 0; }
#files-table tbody tr.row { cursor: pointer; }
#files-table tbody tr.row:hover td { background: var(--row); }
#files-table tbody tr.row.open td { background: var(--accent-soft); border-bottom-color: transparent; }
#files-table td.path { word-break: break-all; }
#files-table td.why { color: var(--muted); max-width: 420px; }
#files-table .caret { display: inline-block; width: 12px; color: var(--faint); transition: transform .12s; }
#files-table tr.open .caret { transform: rotate(90deg); }
tr.detail td { background: var(--row); padding: 4px 16px 16px 38px; }
.detail h4 { margin: 12px 0 6px; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.detail ul { margin: 0; padding-left: 18px; }
.detail li { margin: 2px 0; }
.detail table { background: var(--card); border: 1px solid var(--border); border-radius: 6px; }
.detail table td, .detail table th { padding: 5px 8px; font-size: 12.5px; }
.detail .excerpt { font-family: var(--mono); font-size: 12px; color: var(--muted); white-space: pre-wrap; word-break: break-word; }
.detail .kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; font-size: 12.5px; }
.detail .kv span:nth-child(odd) { color: var(--muted); }
.note { color: var(--faint); font-size: 11.5px; }
.pager { display: flex; align-items: center; justify-content: space-between; gap: 12px; padding: 10px 16px; border-top: 1px solid var(--border); color: var(--muted); font-size: 13px; background: var(--card); }
.pager button { border: 1px solid var(--border); background: var(--bg); color: var(--text); border-radius: 6px; padding: 5px 12px; font: inherit; cursor: pointer; }
.pager button:disabled { opacity: .4; cursor: default; }
.empty-row td { text-align: center; color: var(--muted); padding: 28px; }
.callout { border: 1px solid var(--border); border-left: 3px solid var(--review); background: var(--card); border-radius: 8px; padding: 10px 14px; font-size: 13px; color: var(--muted); margin-bottom: 12px; }
dl.prov { display: grid; grid-template-columns: minmax(140px, max-content) 1fr; margin: 0; background: var(--card); border: 1px solid var(--border); border-radius: 10px; overflow: hidden; }
dl.prov dt, dl.prov dd { margin: 0; padding: 8px 16px; border-bottom: 1px solid var(--border); }
dl.prov dt { color: var(--muted); font-weight: 600; font-size: 13px; }
dl.prov dd { word-break: break-all; }
dl.prov dt:last-of-type, dl.prov dd:last-of-type { border-bottom: 0; }
footer { color: var(--faint); font-size: 12px; padding: 20px 0 40px; border-top: 1px solid var(--border); }
@media (max-width: 700px) { .grid { grid-template-columns: 1fr; } .wrap { padding: 0 14px; } h1 { font-size: 21px; } }
@media print {
  body { background: #fff; } header.top { background: #fff; color: #000; border-bottom: 2px solid #000; } .meta, .brand { color: #333; }
  .controls, .pager, noscript { display: none; } .kpis { margin-top: 12px; } .card, .kpi, .tbl { box-shadow: none; break-inside: avoid; }
}
`;
