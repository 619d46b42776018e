import type { AddressInfo, Socket } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, type MetricsError, type MetricsOptions } from '../../src/index.js';
import { createUndiciTransport } from '../../src/transports/undici.js';
import { testClock } from '../helpers/clock.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

const API_KEY = 'abcd1234secret';
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(url: string, extra: MetricsOptions = {}) {
  return createMetrics({
    apiKey: API_KEY,
    transport: createUndiciTransport({ intakeUrl: url, apiKey: API_KEY }),
    now: testClock(),
    flushInterval: 0,
    onError: () => {},
    ...extra,
  });
}

describe('undici API transport against a real server', () => {
  it('posts deflated JSON with the API key header, content headers and a User-Agent', async () => {
    server = await startServer();
    const metrics = client(`${server.url}/datadog/`);
    metrics.increment('c', 2, { tags: ['a:1'] });
    metrics.distribution('d', 3);
    await metrics.flush();
    const paths = server.seen.map((r) => r.url).sort();
    expect(paths).toEqual(['/datadog/api/v1/distribution_points', '/datadog/api/v1/series']);
    const series = server.seen.find((r) => r.url.endsWith('/series'))!;
    expect(series.headers['dd-api-key']).toBe(API_KEY);
    expect(series.headers['content-encoding']).toBe('deflate');
    expect(series.headers['content-type']).toBe('application/json');
    expect(series.headers['user-agent']).toMatch(/^handlerstats\/\d+\.\d+\.\d+ .*undici/);
    expect(series.body).toMatchObject({
      series: [{ metric: 'c', type: 'count', points: [[expect.any(Number), 2]], tags: ['a:1'] }],
    });
    expect(metrics.stats().bytesSent).toBe(server.seen.reduce((n, r) => n + r.rawBytes, 0));
    await metrics.close();
  });

  it('statuses flow through the client: 503 then 202 is retried; 403 reports without the key', async () => {
    let n = 0;
    server = await startServer((req, res) => {
      n++;
      if (req.url.endsWith('/distribution_points')) res.writeHead(403).end(`{"errors":["${API_KEY}"]}`);
      else if (n === 1) res.writeHead(503).end('busy');
      else res.writeHead(202).end('{}');
    });
    const metrics = client(server.url);
    metrics.increment('c');
    const report = await metrics.flush();
    expect(report.retries).toBe(1);
    metrics.distribution('d', 1);
    const error = (await metrics.flush().catch((e: unknown) => e)) as MetricsError;
    expect(error.code).toBe('API_KEY_REJECTED');
    expect(JSON.stringify([error, error.details, metrics.stats()])).not.toContain(API_KEY);
    await metrics.close();
  });

  it('a server that accepts and never answers is cut at the deadline; the point is kept', async () => {
    server = await startServer(() => {});
    const metrics = client(server.url, { flushTimeoutMs: 200 });
    metrics.increment('c');
    const error = (await metrics.flush().catch((e: unknown) => e)) as MetricsError;
    expect(error.code).toBe('DEADLINE_EXCEEDED');
    expect(metrics.stats().buffered).toBe(1);
    await metrics.close({ timeoutMs: 50 }).catch(() => {});
  });

  it('connection refused is a network error, retried until the deadline, then carried', async () => {
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const metrics = client(`http://127.0.0.1:${port}`, { flushTimeoutMs: 400 });
    metrics.increment('c');
    const error = (await metrics.flush().catch((e: unknown) => e)) as MetricsError;
    expect(['NETWORK_ERROR', 'DEADLINE_EXCEEDED']).toContain(error.code);
    expect(metrics.stats().buffered).toBe(1);
  });

  it('a reset on a reused keep-alive socket (as after a Lambda thaw) is retried at once on a fresh connection', async () => {
    const perSocket = new Map<Socket, number>();
    server = await startServer();
    server.server.prependListener('request', (req) => {
      const count = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, count);
      if (count === 2) req.socket.resetAndDestroy();
    });
    const metrics = client(server.url);
    metrics.increment('c');
    await metrics.flush();
    // Let undici put the socket back in its pool, so the next flush reuses it (and finds it dead).
    await new Promise((r) => setTimeout(r, 20));
    metrics.increment('c');
    const report = await metrics.flush();
    expect(report.ok).toBe(true);
    expect(report.retries).toBe(1); // the transport's own immediate retry, counted
    expect(metrics.stats().requests).toBe(3);
    expect(perSocket.size).toBe(2);
    expect([...perSocket.values()]).toContain(2); // the reused socket was reset on its second request
    await metrics.close();
  });

  it('uses a dispatcher the user passes, and leaves it open on close', async () => {
    server = await startServer();
    const dispatcher = new Agent();
    const t = createUndiciTransport({ intakeUrl: server.url, apiKey: API_KEY, dispatcher });
    const res = await t.send({ path: '/api/v1/series', body: '{"series":[]}' }, new AbortController().signal);
    expect(res.status).toBe(202);
    await t.close?.();
    expect(dispatcher.destroyed).toBe(false);
    await dispatcher.close();
  });
});
