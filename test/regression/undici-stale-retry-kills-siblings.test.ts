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

// Series, distributions and events go out in parallel on one keep-alive agent. When one request finds its
// reused socket dead, the undici transport destroys its whole Agent, which also kills the *other* in-flight requests.
// A distribution request that had already reached the intake is then re-sent at once (reusedSocket +
// ECONNRESET looks "stale"): the values arrive twice and stats().resent says 0.
it('undici: a stale-socket retry does not destroy a sibling request already delivered', async () => {
  const perSocket = new Map<Socket, number>();
  server = await startServer((req, res) => {
    if (req.url.endsWith('/distribution_points')) setTimeout(() => res.writeHead(202).end('{}'), 300);
    else res.writeHead(202).end('{}');
  });
  server.server.prependListener('request', (req) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    if (n >= 2 && req.url?.endsWith('/series')) req.socket.resetAndDestroy(); // this socket died while idle
  });
  const metrics = createMetrics({
    apiKey: 'abcd1234secret',
    transport: createUndiciTransport({ intakeUrl: server.url, apiKey: 'abcd1234secret' }),
    now: testClock(),
    flushInterval: 0,
    onError: () => {},
  });
  metrics.increment('c');
  metrics.distribution('d', 1);
  await metrics.flush(); // two kept-alive sockets
  metrics.increment('c');
  metrics.distribution('d', 2);
  await metrics.flush().catch(() => {});
  const dist = server.seen.filter((r) => r.url.endsWith('/distribution_points'));
  expect(dist).toHaveLength(2); // once per flush, not re-sent because a sibling's socket was stale
});
