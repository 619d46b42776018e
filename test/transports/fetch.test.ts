import { afterEach, describe, expect, it } from 'vitest';
import { createFetchTransport, createMetrics } from '../../src/index.js';
import { testClock } from '../helpers/clock.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('fetch transport (global fetch + CompressionStream)', () => {
  it('posts deflated JSON with the same headers as the Node transport', async () => {
    server = await startServer();
    const transport = createFetchTransport({ intakeUrl: `${server.url}/dd`, apiKey: 'k-123456' });
    const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0 });
    metrics.gauge('g', 3, { tags: ['a:1'] });
    const report = await metrics.flush();
    expect(report.ok).toBe(true);
    const [req] = server.seen;
    expect(req?.url).toBe('/dd/api/v1/series');
    expect(req?.headers['dd-api-key']).toBe('k-123456');
    expect(req?.headers['content-encoding']).toBe('deflate');
    expect(req?.body).toMatchObject({ series: [{ metric: 'g', type: 'gauge', tags: ['a:1'] }] });
    expect(report.bytes).toBe(req?.rawBytes);
  });

  it('reads status, body and Retry-After; aborts with the signal', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(429, { 'Retry-After': '2' }).end('slow down');
    });
    const transport = createFetchTransport({ intakeUrl: server.url, apiKey: 'k-123456' });
    const res = await transport.send({ path: '/api/v1/series', body: '{}' }, new AbortController().signal);
    expect(res).toMatchObject({ status: 429, body: 'slow down', retryAfterMs: 2000 });

    server.respond = () => {};
    const controller = new AbortController();
    const pending = transport.send({ path: '/api/v1/series', body: '{}' }, controller.signal);
    controller.abort(new Error('deadline'));
    await expect(pending).rejects.toThrow('deadline');
  });
});
