// The web page's script. It runs in the browser: `page.ts` inlines `pageMain.toString()`, so this
// function must not reference anything outside itself (no imports, no module-level names).

interface PageSeries {
  key: string;
  metric: string;
  type?: string;
  host: string;
  tags: string[];
  points: [number, number | number[]][];
  timestamps?: number;
  values?: number;
  unit?: string;
  typeConflict?: boolean;
  writes: number;
  overwrites?: number;
  version: number;
}

interface PageSnapshot {
  series: PageSeries[];
  distributions: PageSeries[];
  events: { title?: unknown; text?: unknown; date_happened?: unknown }[];
  counts: {
    requests: number;
    accepted: number;
    rejected: Record<string, number>;
    ignoredPoints: { past: number; future: number };
    evicted: { series: number; points: number };
    typeConflicts?: number;
    rejectedSeries?: number;
  };
  usage?: { bytes: number };
  limits?: { maxBytes: number };
  version: number;
  resetAt: number;
  since?: number;
}

/**
 * On every change notification, fetches what changed (`/api/received?since=<last version>`, or
 * everything after an eviction or clear) and redraws only those cards.
 */
export function pageMain(): void {
  const W = 320;
  const H = 120;
  const P = { l: 44, r: 8, t: 8, b: 18 };
  const grid = document.getElementById('grid')!;
  const summary = document.getElementById('summary')!;
  const eventsEl = document.getElementById('events')!;
  const cards = new Map<string, { el: HTMLElement; version: number }>();
  const esc = (s: string): string =>
    s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
  const fmt = (v: number): string =>
    Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(+v.toFixed(3));
  const time = (t: number): string => new Date(t * 1000).toLocaleTimeString([], { hour12: false });

  function chart(s: PageSeries, dist: boolean): string {
    const xs = s.points.map((p) => p[0]);
    const ys = s.points.flatMap((p) => (Array.isArray(p[1]) ? p[1].slice(0, 500) : [p[1]]));
    if (xs.length === 0) return '<svg class="chart"></svg>';
    const x0 = Math.min(...xs);
    const x1 = Math.max(...xs);
    const y0 = Math.min(0, ...ys);
    const y1 = Math.max(...ys) === y0 ? y0 + 1 : Math.max(...ys);
    const x = (t: number): number =>
      x1 === x0 ? (P.l + W - P.r) / 2 : P.l + ((t - x0) / (x1 - x0)) * (W - P.l - P.r);
    const y = (v: number): number => H - P.b - ((v - y0) / (y1 - y0)) * (H - P.t - P.b);
    let marks = '';
    if (dist) {
      for (const [t, vs] of s.points)
        for (const v of (vs as number[]).slice(0, 500))
          marks += `<circle cx="${x(t)}" cy="${y(v)}" r="2.5" class="dot"/>`;
    } else {
      const path = s.points.map(
        (p, i) => `${i === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1] as number).toFixed(1)}`,
      );
      marks = `<path d="${path.join('')}" class="line"/>`;
      for (const [t, v] of s.points)
        marks += `<circle cx="${x(t)}" cy="${y(v as number)}" r="3" class="pt"><title>${time(t)}: ${v}</title></circle>`;
    }
    const axis =
      `<line x1="${P.l}" y1="${H - P.b}" x2="${W - P.r}" y2="${H - P.b}" class="axis"/>` +
      `<text x="${P.l - 4}" y="${P.t + 8}" class="lbl" text-anchor="end">${fmt(y1)}</text>` +
      `<text x="${P.l - 4}" y="${H - P.b}" class="lbl" text-anchor="end">${fmt(y0)}</text>` +
      `<text x="${P.l}" y="${H - 4}" class="lbl">${time(x0)}</text>` +
      (x1 > x0 ? `<text x="${W - P.r}" y="${H - 4}" class="lbl" text-anchor="end">${time(x1)}</text>` : '');
    return `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">${axis}${marks}</svg>`;
  }

  function card(s: PageSeries, dist: boolean): string {
    const last = s.points[s.points.length - 1];
    const values = s.values ?? s.points.reduce((n, p) => n + (dist ? (p[1] as number[]).length : 1), 0);
    const big = last === undefined ? '–' : dist ? `${values} values` : fmt(last[1] as number);
    const meta = [
      dist ? 'distribution' : (s.type ?? ''),
      s.unit ? `unit:${s.unit}` : '',
      s.host ? `host:${s.host}` : '',
      ...s.tags,
    ].filter((x) => x !== '');
    const note = dist
      ? ''
      : ` · ${s.writes} write${s.writes === 1 ? '' : 's'}, ${s.overwrites ?? 0} overwritten`;
    const stamps = s.timestamps ?? s.points.length;
    const conflict = s.typeConflict
      ? '<span class="tag conflict" title="this metric name arrived with more than one type">type conflict</span>'
      : '';
    return (
      `<header><h2>${esc(s.metric)}</h2><span class="big">${esc(big)}</span></header>` +
      `<div class="meta">${conflict}${meta.map((m) => `<span class="tag">${esc(m)}</span>`).join('')}</div>` +
      chart(s, dist) +
      `<div class="foot">${stamps} timestamp${stamps === 1 ? '' : 's'}${note}</div>`
    );
  }

  function render(snap: PageSnapshot): void {
    const full = snap.since === undefined;
    const seen = new Set<string>();
    const all: [PageSeries, boolean][] = [
      ...snap.series.map((s): [PageSeries, boolean] => [s, false]),
      ...snap.distributions.map((s): [PageSeries, boolean] => [s, true]),
    ];
    for (const [s, dist] of all) {
      seen.add(s.key);
      let c = cards.get(s.key);
      if (c === undefined) {
        const el = document.createElement('section');
        el.className = 'card';
        el.dataset.series = s.key;
        grid.appendChild(el);
        c = { el, version: -1 };
        cards.set(s.key, c);
      }
      if (c.version === s.version) continue;
      c.version = s.version;
      c.el.dataset.points = String(s.timestamps ?? s.points.length);
      c.el.dataset.conflict = String(s.typeConflict === true);
      c.el.dataset.writes = String(s.writes);
      c.el.innerHTML = card(s, dist);
    }
    for (const [key, c] of cards)
      if (full && !seen.has(key)) {
        c.el.remove();
        cards.delete(key);
      }
    const k = snap.counts;
    const rejected = Object.values(k.rejected).reduce((a, b) => a + b, 0);
    const size = (n: number): string =>
      n < 1048576 ? `${Math.ceil(n / 1024)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;
    summary.textContent =
      `${cards.size} series · ${k.requests} requests · ${k.accepted} accepted · ${rejected} rejected · ` +
      `${k.rejectedSeries ?? 0} v2 series rejected · ` +
      `${k.ignoredPoints.past + k.ignoredPoints.future} points ignored (window) · ` +
      `${k.typeConflicts ?? 0} type conflicts · ${k.evicted.points} evicted` +
      (snap.usage && snap.limits ? ` · ${size(snap.usage.bytes)} of ${size(snap.limits.maxBytes)} held` : '');
    document.body.dataset.version = String(snap.version);
    document.getElementById('empty')!.hidden = cards.size > 0;
    eventsEl.innerHTML = snap.events
      .slice(-20)
      .reverse()
      .map((e) => `<li><b>${esc(String(e.title))}</b> ${esc(String(e.text ?? ''))}</li>`)
      .join('');
  }

  let busy = false;
  let again = false;
  let seenVersion = -1;
  const get = async (query: string): Promise<PageSnapshot> =>
    (await (await fetch(`/api/received${query}`, { cache: 'no-store' })).json()) as PageSnapshot;
  async function refresh(): Promise<void> {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      // The last 500 timestamps of each series (500 values each) are enough for a chart.
      const cut = 'points=500&values=500';
      let snap = await get(seenVersion < 0 ? `?${cut}` : `?since=${seenVersion}&${cut}`);
      if (snap.since !== undefined && snap.resetAt > seenVersion) snap = await get(`?${cut}`);
      render(snap);
      seenVersion = snap.version;
    } catch {
      // The intake stopped; EventSource reconnects and triggers the next refresh.
    } finally {
      busy = false;
      if (again) {
        again = false;
        setTimeout(() => void refresh(), 250);
      }
    }
  }
  document.getElementById('hint')!.textContent = `DD_DD_URL=${location.origin} DD_API_KEY=<any>`;
  const source = new EventSource('/api/stream');
  source.onmessage = () => void refresh();
  setInterval(() => void refresh(), 5000);
  void refresh();
}
