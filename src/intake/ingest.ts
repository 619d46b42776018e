import {
  type BodyLimits,
  decodeAgain,
  type Encoding,
  MAX_COMPRESSED_BYTES,
  MAX_DECOMPRESSED_BYTES,
  MAX_V2_COMPRESSED_BYTES,
  MAX_V2_DECOMPRESSED_BYTES,
} from './body.js';
import { JsonSyntaxError, JsonTokenizer } from './json-stream.js';
import { parseEvent } from './payloads.js';
import {
  type Endpoint,
  PayloadRefused,
  type ReadItem,
  type ReadOutcome,
  SeriesReader,
} from './series-reader.js';
import type { IntakeStore } from './store.js';

/** The ingest endpoints, as Datadog serves them. */
export const INGEST_PATHS = [
  '/api/v1/series',
  '/api/v2/series',
  '/api/v1/distribution_points',
  '/api/v1/events',
] as const;
export type IngestPath = (typeof INGEST_PATHS)[number];

/**
 * Datadog ignores points more than 1 h old or more than 10 min ahead at arrival, and still answers
 * 202 (https://docs.datadoghq.com/api/latest/metrics/, "points": "cannot be more than ten minutes in
 * the future or more than one hour in the past").
 */
export const MAX_PAST_SECONDS = 3600;
export const MAX_FUTURE_SECONDS = 600;

/** An event (title ≤ 100, text ≤ 4000 characters) fits easily: this bound is the intake's own. */
export const MAX_EVENT_BYTES = 1_048_576;

/** Per-request limits: Datadog's for series (v1 and v2 differ); distributions share v1's. */
export const LIMITS: Record<IngestPath, BodyLimits> = {
  '/api/v1/series': { maxCompressed: MAX_COMPRESSED_BYTES, maxDecompressed: MAX_DECOMPRESSED_BYTES },
  '/api/v2/series': { maxCompressed: MAX_V2_COMPRESSED_BYTES, maxDecompressed: MAX_V2_DECOMPRESSED_BYTES },
  '/api/v1/distribution_points': {
    maxCompressed: MAX_COMPRESSED_BYTES,
    maxDecompressed: MAX_DECOMPRESSED_BYTES,
  },
  '/api/v1/events': { maxCompressed: MAX_COMPRESSED_BYTES, maxDecompressed: MAX_EVENT_BYTES },
};

const ENDPOINTS: Partial<Record<IngestPath, Endpoint>> = {
  '/api/v1/series': 'v1',
  '/api/v2/series': 'v2',
  '/api/v1/distribution_points': 'distribution',
};

/**
 * A Datadog name or tag is at most 200 characters; 4096 raw bytes hold any of them even fully
 * `\uXXXX`-escaped, and a host name. Longer strings are not kept (the series is refused). Datadog's
 * payloads nest 5 levels deep.
 */
const TOKEN_LIMITS = { maxStringBytes: 4096, maxDepth: 64 };

const SERIES_OPEN = Buffer.from('{"series":[');
const SERIES_CLOSE = Buffer.from(']}');

export interface Answer {
  status: number;
  body: unknown;
}

/** The first read of a series body, while it arrives: validates, keeps nothing. */
export interface Check {
  consume(chunk: Buffer): void;
  /** At the end of the body: the verdict. Throws PayloadRefused or JsonSyntaxError. */
  finish(): ReadOutcome;
}

export function startCheck(path: IngestPath): Check | undefined {
  const endpoint = ENDPOINTS[path];
  if (endpoint === undefined) return undefined;
  const reader = new SeriesReader(endpoint);
  const tokenizer = new JsonTokenizer(reader, TOKEN_LIMITS);
  return {
    consume: (chunk) => tokenizer.push(chunk),
    finish: () => {
      tokenizer.end();
      return reader.finish();
    },
  };
}

/** The `errors` of a 400 for what the reader or tokenizer threw; undefined for anything else (a bug). */
export function refusal(error: unknown): string[] | undefined {
  if (error instanceof PayloadRefused) return error.errors;
  if (error instanceof JsonSyntaxError) return [`Payload is not in the expected format: ${error.message}`];
  return undefined;
}

/** Keeps the pairs inside the window at `now` (in place), counting the rest. Returns how many are kept. */
function inWindow(pairs: Float64Array, store: IntakeStore, now: number): number {
  let kept = 0;
  const ignored = store.counts.ignoredPoints;
  for (let i = 0; i < pairs.length; i += 2) {
    const t = pairs[i]!;
    if (t < now - MAX_PAST_SECONDS) ignored.past++;
    else if (t > now + MAX_FUTURE_SECONDS) ignored.future++;
    else {
      pairs[kept * 2] = t;
      pairs[kept * 2 + 1] = pairs[i + 1]!;
      kept++;
    }
  }
  return kept;
}

/**
 * Stores a series body that passed its check: reads the bytes a second time (decoding them in one
 * go; one request at a time, synchronously) and hands each valid element to the store.
 */
export function storeSeries(
  path: IngestPath,
  bytes: Buffer,
  encoding: Encoding,
  outcome: ReadOutcome,
  store: IntakeStore,
  nowSeconds: number,
): Answer {
  const endpoint = ENDPOINTS[path]!;
  const write = (item: ReadItem): void => {
    const n = inWindow(item.pairs, store, nowSeconds);
    if (n === 0) return;
    if (endpoint === 'distribution') store.writeDistribution(item, n);
    else store.writeSeries(item, n);
  };
  const decoded = decodeAgain(bytes, encoding, LIMITS[path]);
  const replay = (identity: ReadItem, start: number, end: number): void => {
    const again = new SeriesReader(endpoint, { write, identity });
    const t = new JsonTokenizer(again, TOKEN_LIMITS);
    t.push(SERIES_OPEN);
    t.push(decoded.subarray(start, end));
    t.push(SERIES_CLOSE);
    t.end();
  };
  const reader: SeriesReader = new SeriesReader(endpoint, {
    write,
    replay,
    offset: (): number => tokenizer.offset,
  });
  const tokenizer: JsonTokenizer = new JsonTokenizer(reader, TOKEN_LIMITS);
  tokenizer.push(decoded);
  tokenizer.end();
  reader.finish();
  if (endpoint !== 'v2') return { status: 202, body: { status: 'ok' } };
  // v2 answers 202 with the series it refused listed in `errors` (Datadog's IntakePayloadAccepted).
  store.counts.rejectedSeries += outcome.rejectedCount;
  return { status: 202, body: { errors: outcome.rejected } };
}

/** Validates and stores one event. */
export function storeEvent(text: string, store: IntakeStore, nowSeconds: number): Answer {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return {
      status: 400,
      body: { errors: [`Payload is not in the expected format: ${(e as Error).message}`] },
    };
  }
  const parsed = parseEvent(body);
  if (parsed.errors !== undefined) return { status: 400, body: { errors: parsed.errors } };
  const event = { ...parsed.event, date_happened: parsed.event.date_happened ?? Math.floor(nowSeconds) };
  store.addEvent(event, text.length);
  return { status: 202, body: { status: 'ok', event: { ...event, id: store.version } } };
}
