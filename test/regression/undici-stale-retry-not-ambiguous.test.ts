import type { Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { createUndiciTransport } from '../../src/transports/undici.js';
import { testClock } from '../helpers/clock.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// The undici transport re-sends a request at once after a reset on a reused keep-alive socket, but
// (unlike the node:http transport) never marks that response `ambiguous`. When the reset came after the
// intake had read the body, a distribution is delivered twice and stats().resent stays 0 (DESIGN §2:
// a re-send after an ambiguous failure is counted).
it('a stale-socket re-send of a distribution that had already arrived is counted as resent', async () => {
  const perSocket = new Map<Socket, number>();
  server = await startServer((_req, res, raw) => {
    const n = (perSocket.get(raw.socket) ?? 0) + 1;
    perSocket.set(raw.socket, n);
    if (n === 2)
      raw.socket.resetAndDestroy(); // body read, then the (reused) socket dies
    else res.writeHead(202).end('{}');
  });
  const apiKey = 'abcd1234secret';
  const metrics = createMetrics({
    apiKey,
    transport: createUndiciTransport({ intakeUrl: server.url, apiKey }),
    now: testClock(),
    flushInterval: 0,
    onError: () => {},
  });
  metrics.distribution('d', 1);
  await metrics.flush(); // leaves a kept-alive socket
  await new Promise((r) => setTimeout(r, 20)); // let undici return it to the pool
  metrics.distribution('d', 2);
  const report = await metrics.flush();
  expect(report.ok).toBe(true);
  const dist = server.seen.filter((r) => r.url.endsWith('/distribution_points'));
  expect(dist).toHaveLength(3); // value 2 reached the intake twice
  expect(metrics.stats().resent).toBeGreaterThan(0);
  await metrics.close();
});
