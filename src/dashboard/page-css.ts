/** The dashboard's stylesheet: system fonts only, light and dark schemes. */
export const PAGE_CSS = `:root {
  color-scheme: light dark;
  --bg: #f4f5f7; --card: #ffffff; --text: #1c2330; --muted: #5d6778; --line: #dfe3ea;
  --closed: #1f9254; --open: #d23c3c; --half_open: #c98a00; --forced_open: #8e1f4d; --forced_closed: #2c64c9; --disabled: #6b7280;
  --calls: #3b82f6; --failures: #e5484d;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #11151c; --card: #1a2029; --text: #e6e9ef; --muted: #9aa4b5; --line: #2a3240; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font-size: 14px; }
header { display: flex; align-items: center; gap: 16px; padding: 14px 24px; border-bottom: 1px solid var(--line); background: var(--card); flex-wrap: wrap; }
h1 { margin: 0; font-size: 18px; display: flex; align-items: center; gap: 8px; }
.logo { width: 14px; height: 14px; border-radius: 50%; background: var(--closed); box-shadow: 10px 0 0 var(--open); margin-right: 12px; }
#summary { margin: 0; color: var(--muted); flex: 1; }
.summary-item { margin-right: 14px; white-space: nowrap; }
.summary-item b { font-variant-numeric: tabular-nums; }
.header-right { display: flex; align-items: center; gap: 12px; }
.connection { font-size: 12px; color: var(--muted); }
.connection::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: var(--half_open); }
.connection[data-status="live"]::before { background: var(--closed); }
.connection[data-status="offline"]::before { background: var(--open); }
main { padding: 20px 24px; }
.empty { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 16px; }
.card { background: var(--card); border: 1px solid var(--line); border-top: 4px solid var(--state-color, var(--disabled)); border-radius: 8px; padding: 14px 16px; display: flex; flex-direction: column; gap: 10px; transition: box-shadow .3s; }
.card.flash { box-shadow: 0 0 0 3px var(--state-color); }
.card-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 8px; }
.name { font-weight: 600; font-size: 15px; overflow-wrap: anywhere; }
.state { font-size: 11px; font-weight: 700; letter-spacing: .04em; text-transform: uppercase; color: #fff; background: var(--state-color, var(--disabled)); padding: 3px 8px; border-radius: 999px; white-space: nowrap; }
.card[data-state="closed"] { --state-color: var(--closed); }
.card[data-state="open"] { --state-color: var(--open); }
.card[data-state="half_open"] { --state-color: var(--half_open); }
.card[data-state="forced_open"] { --state-color: var(--forced_open); }
.card[data-state="forced_closed"] { --state-color: var(--forced_closed); }
.card[data-state="disabled"] { --state-color: var(--disabled); }
.figures { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px 12px; margin: 0; }
.figures div { min-width: 0; }
.figures dt { color: var(--muted); font-size: 11px; }
.figures dd { margin: 0; font-size: 15px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.spark { width: 100%; height: 44px; display: block; border-bottom: 1px solid var(--line); }
.spark .calls { fill: none; stroke: var(--calls); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
.spark .failures { fill: var(--failures); fill-opacity: .35; stroke: var(--failures); stroke-width: 1; vector-effect: non-scaling-stroke; }
.legend { display: flex; gap: 12px; font-size: 11px; color: var(--muted); }
.legend .calls::before, .legend .failures::before { content: ""; display: inline-block; width: 10px; height: 3px; margin-right: 4px; vertical-align: middle; }
.legend .calls::before { background: var(--calls); }
.legend .failures::before { background: var(--failures); }
.actions { display: flex; gap: 8px; flex-wrap: wrap; }
button { font: inherit; font-size: 12px; padding: 5px 10px; border-radius: 6px; border: 1px solid var(--line); background: var(--bg); color: var(--text); cursor: pointer; }
button:hover { border-color: var(--muted); }
button:disabled { opacity: .5; cursor: wait; }
button.ghost { background: transparent; }
.message { font-size: 12px; min-height: 1em; margin: 0; color: var(--muted); }
.message.error { color: var(--open); }
footer { padding: 0 24px 20px; color: var(--muted); font-size: 12px; }
`;
