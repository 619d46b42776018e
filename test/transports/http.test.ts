import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, type MetricsError } from '../../src/index.js';
import { testClock } from '../helpers/clock.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

const API_KEY = 'abcd1234secret';
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(url: string, extra: Parameters<typeof createMetrics>[0] = {}) {
  return createMetrics({
    apiKey: API_KEY,
    intakeUrl: url,
    now: testClock(),
    flushInterval: 0,
    onError: () => {},
    ...extra,
  });
}

// The flush over a real node:http transport, and what only node:http does (TLS); what all API transports
// do is in contract.test.ts.
describe('node:http API transport against a real server', () => {
  it('retries 503 then succeeds; honours a Retry-After header', async () => {
    let n = 0;
    server = await startServer((_req, res) => {
      n++;
      if (n === 1) res.writeHead(503).end('busy');
      else if (n === 2) res.writeHead(429, { 'Retry-After': '0.1' }).end();
      else res.writeHead(202).end('{}');
    });
    const metrics = client(server.url);
    metrics.increment('c');
    const report = await metrics.flush();
    expect(report.retries).toBe(2);
    expect(server.seen).toHaveLength(3);
  });

  it('400 reports the response body; 403 says the key was rejected without showing it', async () => {
    server = await startServer((req, res) => {
      if (req.url.endsWith('/series')) res.writeHead(400).end(`{"errors":["bad payload for ${API_KEY}"]}`);
      else res.writeHead(403).end('{"errors":["Forbidden"]}');
    });
    const metrics = client(server.url);
    metrics.increment('c');
    const e1 = (await metrics.flush().catch((e: unknown) => e)) as MetricsError;
    expect(e1.code).toBe('BAD_REQUEST');
    expect(e1.message).toContain('bad payload');
    expect(e1.message).not.toContain(API_KEY);
    metrics.distribution('d', 1);
    const e2 = (await metrics.flush().catch((e: unknown) => e)) as MetricsError;
    expect(e2.code).toBe('API_KEY_REJECTED');
    expect(JSON.stringify([e1, e2, e1.details, e2.details, metrics.stats()])).not.toContain(API_KEY);
  });

  it('a server that accepts and never answers is cut at the deadline', async () => {
    server = await startServer(() => {});
    const metrics = client(server.url, { flushTimeoutMs: 200 });
    metrics.increment('c');
    const started = performance.now();
    const error = (await metrics.flush().catch((e: unknown) => e)) as MetricsError;
    expect(error.code).toBe('DEADLINE_EXCEEDED');
    expect(performance.now() - started).toBeLessThan(1500);
    expect(metrics.stats().buffered).toBe(1);
  });

  it('connection refused is retried until the deadline, then carried', async () => {
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const metrics = client(`http://127.0.0.1:${port}`, { flushTimeoutMs: 400 });
    metrics.increment('c');
    const error = (await metrics.flush().catch((e: unknown) => e)) as MetricsError;
    expect(['NETWORK_ERROR', 'DEADLINE_EXCEEDED']).toContain(error.code);
    expect(metrics.stats().retries).toBeGreaterThan(0);
    expect(metrics.stats().buffered).toBe(1);
  });

  it('a reset on a reused keep-alive socket (as after a Lambda thaw) is retried at once on a fresh connection', async () => {
    const perSocket = new Map<Socket, number>();
    server = await startServer();
    // The second request on a kept-alive socket finds it dead: the server resets it on arrival.
    server.server.prependListener('request', (req) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n === 2) req.socket.resetAndDestroy();
    });
    const metrics = client(server.url);
    metrics.increment('c');
    await metrics.flush();
    metrics.increment('c');
    const started = performance.now();
    const report = await metrics.flush();
    expect(report.ok).toBe(true);
    expect(report.retries).toBe(1); // counted, though the transport retried at once itself
    expect(metrics.stats().requests).toBe(3);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(perSocket.size).toBe(2); // the dead socket, then a fresh one
  });

  it('TLS verification stays on: a self-signed intake is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    let hits = 0;
    const tls = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_req, res) => {
        hits++;
        res.writeHead(202).end();
      },
    );
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    try {
      const metrics = client(`https://127.0.0.1:${(tls.address() as AddressInfo).port}`, {
        flushTimeoutMs: 300,
      });
      metrics.increment('c');
      const error = (await metrics.flush().catch((e: unknown) => e)) as MetricsError;
      expect(error).toBeDefined();
      expect(hits).toBe(0);
      expect(String((error.cause as Error | undefined)?.message ?? error.message)).toMatch(
        /certificate|self.signed|DEADLINE|failed/i,
      );
    } finally {
      tls.close();
    }
  });

  it('413 from the server splits the batch until it fits', async () => {
    server = await startServer((req, res) => {
      const n = (req.body as { series: unknown[] }).series.length;
      if (n > 3) res.writeHead(413).end('{"errors":["Payload too large"]}');
      else res.writeHead(202).end('{}');
    });
    const metrics = client(server.url);
    for (let i = 0; i < 10; i++) metrics.increment(`c${i}`);
    const report = await metrics.flush();
    expect(report.ok).toBe(true);
    const accepted = server.seen.filter((r) => (r.body as { series: unknown[] }).series.length <= 3);
    expect(accepted.reduce((n, r) => n + (r.body as { series: unknown[] }).series.length, 0)).toBe(10);
  });
});
