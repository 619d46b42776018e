import { pageMain } from './page-script.js';

const STYLE = `
:root { color-scheme: light dark; --bg:#f6f7f9; --card:#fff; --fg:#1d2330; --mute:#6b7385; --accent:#632ca6; --line:#d9dce3; }
@media (prefers-color-scheme: dark) { :root { --bg:#14161b; --card:#1e2128; --fg:#e6e8ee; --mute:#9aa1b2; --accent:#a77ce8; --line:#343945; } }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, sans-serif; background:var(--bg); color:var(--fg); }
body > header { padding:14px 20px; border-bottom:1px solid var(--line); background:var(--card); }
h1 { font-size:17px; margin:0 0 4px; } h1 span { color:var(--accent); }
#hint { font-size:12px; font-weight:400; color:var(--mute); margin-left:10px; }
#summary { color:var(--mute); font-size:13px; }
#grid { display:grid; grid-template-columns:repeat(auto-fill, minmax(340px, 1fr)); gap:14px; padding:18px 20px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px 10px 8px; }
.card header { display:flex; justify-content:space-between; align-items:baseline; gap:8px; }
.card h2 { font-size:14px; margin:0; font-family:ui-monospace, monospace; overflow-wrap:anywhere; }
.big { font-size:18px; font-weight:600; color:var(--accent); white-space:nowrap; }
.meta { margin:4px 0 2px; display:flex; flex-wrap:wrap; gap:4px; }
.tag { font:11px ui-monospace, monospace; background:var(--bg); border:1px solid var(--line); border-radius:4px; padding:0 5px; color:var(--mute); }
.tag.conflict { color:#b3261e; border-color:#b3261e; }
.chart { display:block; width:100%; height:auto; }
.line { fill:none; stroke:var(--accent); stroke-width:2; }
.pt { fill:var(--accent); } .dot { fill:var(--accent); fill-opacity:.55; }
.axis { stroke:var(--line); } .lbl { font:10px ui-monospace, monospace; fill:var(--mute); }
.foot { color:var(--mute); font-size:12px; }
#empty, #events { padding:0 20px; color:var(--mute); }
`;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>handlerstats intake</title><style>${STYLE}</style></head>
<body>
<header><h1><span>handlerstats</span> local intake <code id="hint"></code></h1><div id="summary">connecting…</div></header>
<p id="empty">Nothing received yet. Point a client at this URL (<code>DD_DD_URL</code> or <code>intakeUrl</code>) and flush.</p>
<main id="grid"></main>
<ul id="events"></ul>
<script>(${pageMain.toString()})();</script>
</body></html>`;

/** The live page served at `GET /`: self-contained (inline CSS, SVG and script, no external assets). */
export function pageHtml(): string {
  return PAGE;
}
