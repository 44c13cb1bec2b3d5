/**
 * The report's one stylesheet, inlined into the document so the file works offline and can be
 * mailed or attached to a ticket as is. System fonts only: a web font would need the network.
 */

export const REPORT_CSS = `
:root {
  --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f8fafc; --card: #ffffff;
  --pass: #15803d; --pass-bg: #dcfce7; --fail: #b91c1c; --fail-bg: #fee2e2;
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
header.report-header { background: var(--card); border-bottom: 1px solid var(--line); padding: 20px 32px 16px; }
.title-row { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; }
.phase-duration { color: var(--muted); font-size: 14px; font-weight: 400; }
.tool { color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .06em; }
h1 { margin: 2px 0 0; font-size: 26px; overflow-wrap: anywhere; }
h2 { font-size: 20px; margin: 0 0 12px; display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
h3 { font-size: 14px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
h4 { font-size: 13px; margin: 12px 0 4px; color: var(--muted); font-weight: 600; }
dl.meta { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 12px 0 0; }
dl.meta div { display: flex; gap: 6px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
main { padding: 20px 32px 32px; display: flex; flex-direction: column; gap: 28px; }
section.run { display: flex; flex-direction: column; gap: 16px; }
section.phase { border-top: 3px solid var(--line); padding-top: 20px; }
.badge {
  display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 700; font-size: 13px; letter-spacing: .05em;
}
.badge-pass { color: var(--pass); background: var(--pass-bg); }
.badge-fail { color: var(--fail); background: var(--fail-bg); }
h1 + .badge, .title-row .badge { font-size: 16px; padding: 4px 14px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.tile-label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.tile-value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
.tile-detail { color: var(--muted); font-size: 12px; }
.tile-bad { border-color: #fca5a5; background: #fff5f5; }
.tile-bad .tile-value { color: var(--fail); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 16px; align-items: start; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; min-width: 0; }
.card-wide { grid-column: 1 / -1; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
tbody th { font-weight: 500; color: #374151; white-space: nowrap; }
td { overflow-wrap: anywhere; }
tr.bad th, tr.bad td { color: var(--fail); font-weight: 600; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.error-message { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; }
.empty-note { color: var(--muted); margin: 4px 0; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 16px; }
figure.plot { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 4px; }
svg.chart { display: block; width: 100%; height: auto; font-family: inherit; }
svg .chart-title { font-size: 15px; font-weight: 600; fill: var(--fg); }
svg .tick { font-size: 11px; fill: var(--muted); font-variant-numeric: tabular-nums; }
svg .axis-label { font-size: 12px; fill: #4b5563; }
svg .axis-line { stroke: #9ca3af; stroke-width: 1; }
svg .grid { stroke: #eef0f3; stroke-width: 1; }
svg .series { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
svg .bar { fill: #60a5fa; }
svg .bar:hover { fill: #2563eb; }
svg .marker { stroke: #374151; stroke-width: 1; stroke-dasharray: 4 3; }
svg .marker-label { font-size: 11px; fill: #374151; font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg .hover { fill: transparent; }
svg .hover:hover { fill: rgba(37, 99, 235, .07); }
svg .legend-label { font-size: 12px; fill: var(--fg); }
svg .plot-empty { fill: #f9fafb; stroke: var(--line); }
svg .no-data { font-size: 16px; fill: var(--muted); }
footer { color: var(--muted); font-size: 12px; padding: 0 32px 24px; }
@media print {
  body { background: #fff; }
  .card, figure.plot, .tile { break-inside: avoid; }
  section.phase { break-before: page; }
}
`;
