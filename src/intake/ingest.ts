import { parseDistributions, parseEvent, parseSeriesV1, parseSeriesV2 } from './payloads.js';
import type { IntakeStore } from './store.js';

/** The ingest endpoints, as Datadog serves them. */
export const INGEST_PATHS = [
  '/api/v1/series',
  '/api/v2/series',
  '/api/v1/distribution_points',
  '/api/v1/events',
] as const;
export type IngestPath = (typeof INGEST_PATHS)[number];

/** Datadog ignores points more than 1 h old or more than 10 min ahead at arrival (and still answers 202). */
export const MAX_PAST_SECONDS = 3600;
export const MAX_FUTURE_SECONDS = 600;

export interface Answer {
  status: number;
  body: unknown;
}

const badRequest = (errors: string[]): Answer => ({ status: 400, body: { errors } });

/** Keeps the points inside the window at `now`, counting the rest. */
function inWindow<P extends [number, unknown]>(points: P[], store: IntakeStore, now: number): P[] {
  let kept: P[] | undefined;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const late = p[0] < now - MAX_PAST_SECONDS;
    const early = p[0] > now + MAX_FUTURE_SECONDS;
    if (late || early) {
      const n = Array.isArray(p[1]) ? p[1].length : 1;
      if (late) store.counts.ignoredPoints.past += n;
      else store.counts.ignoredPoints.future += n;
      kept ??= points.slice(0, i);
    } else kept?.push(p);
  }
  return kept ?? points;
}

/** Validates one decoded request body and stores what Datadog would keep. All or nothing on errors. */
export function ingest(path: IngestPath, text: string, store: IntakeStore, nowSeconds: number): Answer {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return badRequest([`Payload is not in the expected format: ${(e as Error).message}`]);
  }
  switch (path) {
    case '/api/v1/series':
    case '/api/v2/series': {
      const parsed = path === '/api/v1/series' ? parseSeriesV1(body) : parseSeriesV2(body);
      if (parsed.errors !== undefined) return badRequest(parsed.errors);
      for (const s of parsed.items) {
        const points = inWindow(s.points, store, nowSeconds);
        if (points.length > 0) store.writeSeries(s, s.type, s.interval, points);
      }
      return path === '/api/v1/series'
        ? { status: 202, body: { status: 'ok' } }
        : { status: 202, body: { errors: [] } };
    }
    case '/api/v1/distribution_points': {
      const parsed = parseDistributions(body);
      if (parsed.errors !== undefined) return badRequest(parsed.errors);
      for (const s of parsed.items) {
        const points = inWindow(s.points, store, nowSeconds);
        if (points.length > 0) store.writeDistribution(s, points);
      }
      return { status: 202, body: { status: 'ok' } };
    }
    case '/api/v1/events': {
      const parsed = parseEvent(body);
      if (parsed.errors !== undefined) return badRequest(parsed.errors);
      const event = { ...parsed.event, date_happened: parsed.event.date_happened ?? Math.floor(nowSeconds) };
      store.addEvent(event);
      return { status: 202, body: { status: 'ok', event: { ...event, id: store.version } } };
    }
  }
}
