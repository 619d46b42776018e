import type { ReceivedOptions, ReceivedSnapshot } from './types.js';

export interface TableOptions {
  /** Characters per line. Default 120. */
  width?: number;
  /** Rows shown; the most recently written series are kept. Default 40. */
  maxRows?: number;
}

const clock = (t: number): string => new Date(t * 1000).toISOString().slice(11, 19);
const num = (v: number): string => (Number.isInteger(v) ? String(v) : String(+v.toFixed(4)));
const size = (n: number): string =>
  n < 1048576 ? `${Math.ceil(n / 1024)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;
/** `count`, `gauge(ms)`, `count!` (the name arrived with another type too). */
const typeCell = (type: string, unit: string | undefined, conflict: boolean): string =>
  `${type}${unit === undefined ? '' : `(${unit})`}${conflict ? '!' : ''}`;

function cell(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Renders what an intake received as a plain-text table: one row per series, the `maxRows` most
 * recently written ones, in name order.
 * @example
 * console.log(renderTable(intake.received()));
 */
export function renderTable(snap: ReceivedSnapshot, options: TableOptions = {}): string {
  const width = Math.max(60, options.width ?? 120);
  const maxRows = options.maxRows ?? 40;
  const rows: string[][] = [];
  const all = [
    ...snap.series.map((s) => ({ v: s.version, s, d: undefined })),
    ...snap.distributions.map((d) => ({ v: d.version, s: undefined, d })),
  ].sort((a, b) => a.v - b.v);
  // The most recently written rows, shown in name order.
  const shown = all.slice(-maxRows).sort((a, b) => {
    const x = a.s ?? a.d!;
    const y = b.s ?? b.d!;
    return x.metric < y.metric ? -1 : x.metric > y.metric ? 1 : x.key < y.key ? -1 : x.key > y.key ? 1 : 0;
  });
  for (const { s, d } of shown) {
    if (s !== undefined) {
      const last = s.points[s.points.length - 1];
      rows.push([
        s.metric,
        typeCell(s.type, s.unit, s.typeConflict === true),
        [s.host === '' ? '' : `host:${s.host}`, ...s.tags].filter(Boolean).join(','),
        String(s.timestamps ?? s.points.length),
        last === undefined ? '' : clock(last[0]),
        last === undefined ? '' : num(last[1]),
        `${s.writes}/${s.overwrites}`,
      ]);
    } else if (d !== undefined) {
      const last = d.points[d.points.length - 1];
      const values = d.values ?? d.points.reduce((n, p) => n + p[1].length, 0);
      rows.push([
        d.metric,
        typeCell('distribution', undefined, d.typeConflict === true),
        [d.host === '' ? '' : `host:${d.host}`, ...d.tags].filter(Boolean).join(','),
        String(d.timestamps ?? d.points.length),
        last === undefined ? '' : clock(last[0]),
        `${values} values`,
        String(d.writes),
      ]);
    }
  }
  const head = ['METRIC', 'TYPE', 'TAGS', 'TS', 'LAST AT', 'LAST VALUE', 'WRITES/OVERWR'];
  const fixed = [0, 12, 0, 4, 8, 12, 13];
  const free = width - fixed.reduce((a, b) => a + b, 0) - head.length * 2;
  const metricW = Math.max(12, Math.min(48, Math.ceil(free * 0.5)));
  const widths = [metricW, 12, Math.max(8, free - metricW), 4, 8, 12, 13];
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => cell(c, widths[i]!))
      .join('  ')
      .trimEnd();
  const k = snap.counts;
  const rejected = Object.entries(k.rejected).map(([status, n]) => `${status}×${n}`);
  const out = [line(head), ...rows.map(line)];
  if (all.length > maxRows) out.push(`… ${all.length - maxRows} older series not shown`);
  if (all.length === 0) out.push('(nothing received yet)');
  const u = snap.usage;
  out.push(
    '',
    `requests ${k.requests} · accepted ${k.accepted} · rejected ${rejected.length > 0 ? rejected.join(' ') : 0} · ` +
      `v2 series rejected ${k.rejectedSeries ?? 0} · ` +
      `ignored (window) past ${k.ignoredPoints.past} future ${k.ignoredPoints.future} · ` +
      `type conflicts ${k.typeConflicts ?? 0}${(k.typeConflicts ?? 0) > 0 ? ' (! = name sent with another type too)' : ''}`,
    `evicted ${k.evicted.series} series ${k.evicted.points} points · events ${snap.events.length}` +
      (u === undefined
        ? ''
        : ` · holding ${u.series} series, ${u.points} points, ${size(u.bytes)} of ${size(snap.limits.maxBytes)}`),
  );
  return out.join('\n');
}

export interface TableStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Redraws the table on `out` whenever the intake reports new data (clearing the screen on a TTY,
 * appending otherwise). Returns a function that stops it.
 */
export function watchTable(
  source: {
    received(since?: number, options?: ReceivedOptions): ReceivedSnapshot;
    subscribe(listener: () => void): () => void;
  },
  out: TableStream,
  title = '',
): () => void {
  const draw = (): void => {
    // The table shows each series' last point only: do not copy every point of every series for it.
    const table = renderTable(source.received(-1, { points: 1, values: 0 }), { width: out.columns ?? 120 });
    const text = `${title === '' ? '' : `${title}\n\n`}${table}\n`;
    out.write(out.isTTY === true ? `\x1b[H\x1b[2J${text}` : `\n${text}`);
  };
  draw();
  // At most two redraws a second, however fast data arrives (a full redraw walks every series).
  let timer: ReturnType<typeof setTimeout> | undefined;
  const unsubscribe = source.subscribe(() => {
    timer ??= setTimeout(() => {
      timer = undefined;
      draw();
    }, 400);
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}
