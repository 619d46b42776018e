import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { format, inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createFetchTransport,
  createHttpTransport,
  createLogTransport,
  createMetrics,
  type Metrics,
  type MetricsOptions,
  type Transport,
} from '../../src/index.js';
import { withMetrics } from '../../src/integrations/lambda.js';
import { createUndiciTransport } from '../../src/transports/undici.js';
import { testClock } from '../helpers/clock.js';

// A canary key: if it shows up anywhere it was not sent to, the test names the place.
const KEY = `canary${randomBytes(13).toString('hex')}`;

/** Everything written to the console or to stdout/stderr while a test runs. */
const written: string[] = [];
beforeEach(() => {
  written.length = 0;
  for (const m of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const)
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void written.push(format(...args)));
  for (const stream of [process.stdout, process.stderr])
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Fails naming where the key leaked. */
function expectNoKey(where: string, value: unknown): void {
  const text =
    typeof value === 'string'
      ? value
      : `${inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true, getters: true })}\n${safeJson(value)}`;
  expect(text.includes(KEY), `API key found in ${where}`).toBe(false);
}
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) =>
      v instanceof Error ? { ...v, message: v.message, stack: v.stack, cause: v.cause } : v,
    );
  } catch {
    return '';
  }
}

/** An intake that echoes the request (headers included, so the key) in every answer. */
let echo: { server: Server; url: string; status: number; urls: string[] };
beforeAll(async () => {
  const server = createServer((req, res) => {
    echo.urls.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({
        errors: [`bad key ${String(req.headers['dd-api-key'])}`],
        headers: req.headers,
      });
      res.writeHead(echo.status, {
        'Content-Type': 'application/json',
        'Retry-After': '0',
        'X-Echo': String(req.headers['dd-api-key']),
      });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  echo = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, status: 400, urls: [] };
});
afterAll(async () => {
  echo.server.closeAllConnections();
  await new Promise<void>((r) => echo.server.close(() => r()));
});

const transports: Record<string, (url: string) => Transport | undefined> = {
  default: () => undefined,
  http: (url) => createHttpTransport({ intakeUrl: url, apiKey: KEY }),
  fetch: (url) => createFetchTransport({ intakeUrl: url, apiKey: KEY }),
  undici: (url) => createUndiciTransport({ intakeUrl: url, apiKey: KEY }),
};

function client(url: string, transport: Transport | undefined, options: MetricsOptions = {}): Metrics {
  return createMetrics({
    apiKey: KEY,
    intakeUrl: url,
    flushInterval: 0,
    flushTimeoutMs: 150,
    now: testClock(),
    env: {},
    ...(transport === undefined ? {} : { transport }),
    ...options,
  });
}

async function exercise(metrics: Metrics): Promise<unknown[]> {
  metrics.increment('c', 1, { tags: ['a:b'] });
  metrics.distribution('d', 1);
  metrics.event('title', 'text');
  const error = await metrics.flush().then(
    () => undefined,
    (e: unknown) => e,
  );
  // The same failure once more through an integration: it goes to onError (default: console.warn).
  metrics.increment('c', 1);
  await withMetrics(metrics, async () => 'ok')({}, { getRemainingTimeInMillis: () => 1000 });
  return [error, metrics.stats()];
}

describe('the API key never leaves the DD-API-KEY header', () => {
  for (const [name, make] of Object.entries(transports))
    for (const status of [400, 401, 403, 413, 429, 500, 503])
      it(`${name} transport, intake answering ${status} with the key echoed in body and headers`, async () => {
        echo.status = status;
        const metrics = client(echo.url, make(echo.url));
        const [error, stats] = await exercise(metrics);
        expect(error).toBeDefined();
        expectNoKey('the flush rejection', error);
        expectNoKey('stats()', stats);
        expectNoKey('console / stdout / stderr', written.join('\n'));
        await metrics.close().catch(() => {});
        for (const url of echo.urls) expect(url.includes(KEY), 'API key found in a request URL').toBe(false);
      });

  it('network failures (refused, reset, deadline) do not carry the key either', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const refusedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((r) => closed.close(() => r()));
    const hang = createServer((req) => req.resume());
    const reset = createServer((req) => req.socket.resetAndDestroy());
    for (const s of [hang, reset]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const url = (s: Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    for (const target of [refusedUrl, url(hang), url(reset)])
      for (const make of Object.values(transports)) {
        const metrics = client(target, make(target));
        const [error, stats] = await exercise(metrics);
        expect(error).toBeDefined();
        expectNoKey(`the flush rejection (${target})`, error);
        expectNoKey('stats()', stats);
        await metrics.close().catch(() => {});
      }
    expectNoKey('console / stdout / stderr', written.join('\n'));
    for (const s of [hang, reset]) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  it('the log transport (DD_FLUSH_TO_LOG) and the client objects themselves do not show it', async () => {
    const lines: string[] = [];
    const viaEnv = createMetrics({
      apiKey: KEY,
      flushInterval: 0,
      now: testClock(),
      env: { DD_FLUSH_TO_LOG: 'true', DD_TAGS: 'team:x' },
    });
    const viaOption = client(
      echo.url,
      createLogTransport((l) => lines.push(l)),
    );
    for (const m of [viaEnv, viaOption]) {
      await exercise(m);
      expectNoKey('util.inspect(metrics)', m);
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(written.length).toBeGreaterThan(0); // the env-selected log transport wrote to console.log
    expectNoKey('log transport lines', lines.join('\n'));
    expectNoKey('console / stdout / stderr', written.join('\n'));
    for (const make of Object.values(transports)) expectNoKey('util.inspect(transport)', make(echo.url));
  });

  it('an intake URL carrying the key (query or credentials) is refused without repeating it', () => {
    for (const intakeUrl of [
      `https://api.datadoghq.com/?api_key=${KEY}`,
      `https://${KEY}@api.datadoghq.com`,
      `https://user:${KEY}@api.datadoghq.com`,
    ]) {
      let error: unknown;
      try {
        createMetrics({ apiKey: KEY, intakeUrl, env: {}, flushInterval: 0 });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RangeError);
      expectNoKey('the option error', error);
    }
  });
});
