import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchTransport, createHttpTransport, createMetrics, type Transport } from '../../src/index.js';
import { createUndiciTransport } from '../../src/transports/undici.js';
import { testClock } from '../helpers/clock.js';
import { expectNoSecret } from '../helpers/leaks.js';
import { type RawServer, startRawServer } from '../helpers/raw-server.js';

// 0.1: a transport wrapped a network error as `new Error(redact(message), { cause: error })`. The message
// was clean, the cause was not: fetch left the key in plain text deep in `err.cause…` (undici's
// HTTPParserError `data`), node:http in the `rawPacket` Buffer of its HPE_* parse errors, undici in the
// error itself. `util.inspect(err, { depth: 10 })` of a flush rejection printed it.
const KEY = `causechain${randomBytes(12).toString('hex')}`;

/** Malformed answers that echo what the server read: the request head, so the DD-API-KEY header. */
const ANSWERS: Record<string, (head: string) => string> = {
  'a bad status line': (head) => `HTTP/1.1 2x2 ${head}\r\n\r\n`,
  'a bad header value': (head) =>
    `HTTP/1.1 202 Accepted\r\nX-Echo: ${head.replace(/\r\n/g, ' ')}\u0001\r\n\r\n`,
  'a bad header name': (head) => `HTTP/1.1 202 Accepted\r\nX Echo ${head.replace(/\r\n/g, ' ')}: 1\r\n\r\n`,
  'a truncated chunked body': (head) =>
    `HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n${head}`,
  'a bad chunk size': (head) => `HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\nzz${head}\r\n`,
  'HTTP/0.9 garbage': (head) => `${head}\r\n`,
};
const TRANSPORTS: Record<string, (intakeUrl: string) => Transport> = {
  'node:http': (intakeUrl) => createHttpTransport({ intakeUrl, apiKey: KEY }),
  fetch: (intakeUrl) => createFetchTransport({ intakeUrl, apiKey: KEY }),
  undici: (intakeUrl) => createUndiciTransport({ intakeUrl, apiKey: KEY }),
};

let server: RawServer;
let answer: (head: string) => string = () => '';
beforeAll(async () => {
  server = await startRawServer((r) => r.socket.end(answer(r.head)));
});
afterAll(() => server.close());

describe.each(Object.entries(TRANSPORTS))('%s', (_name, make) => {
  it.each(Object.entries(ANSWERS))('%s: the thrown error holds no key', async (_case, malformed) => {
    answer = malformed;
    const transport = make(server.url);
    const error = await transport
      .send({ path: '/api/v1/series', body: '{"series":[]}' }, new AbortController().signal)
      .then(
        () => expect.fail('a malformed answer must throw'),
        (e: unknown) => e as Error & { code?: unknown },
      );
    expect(typeof error.code).toBe('string');
    expect(error.cause).toBeUndefined();
    expectNoSecret(error, KEY, 'the transport error');
    await transport.close?.();
  });

  it('nor does the flush rejection that carries it', async () => {
    answer = ANSWERS['a bad status line']!;
    const transport = make(server.url);
    const metrics = createMetrics({
      apiKey: KEY,
      transport,
      now: testClock(),
      flushInterval: 0,
      flushTimeoutMs: 300,
      onError: () => {},
    });
    metrics.increment('c');
    const error = await metrics.flush().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expectNoSecret(error, KEY, 'the flush rejection');
    await metrics.close({ timeoutMs: 50 }).catch(() => {});
  });
});
