import { afterEach, describe, expect, it } from 'vitest';
import { createFetchTransport, createHttpTransport, type Transport } from '../../src/index.js';
import type { TransportError } from '../../src/transports/error.js';
import { createUndiciTransport } from '../../src/transports/undici.js';
import { type RawServer, startRawServer } from '../helpers/raw-server.js';

// 0.1: an error raised while the request was being built (node:http ERR_INVALID_CHAR /
// ERR_UNESCAPED_CHARACTERS, fetch's TypeError from its own validation, undici UND_ERR_INVALID_ARG) came out
// of the transport like a network failure: the flush retried it with backoff until the deadline, though no
// attempt could ever succeed. Now such errors carry `local: true` and a `code`; the flush does not retry them.
const KEY = 'abcd1234localkey';
const FACTORIES: Record<string, (intakeUrl: string) => Transport> = {
  'node:http': (intakeUrl) => createHttpTransport({ intakeUrl, apiKey: KEY }),
  fetch: (intakeUrl) => createFetchTransport({ intakeUrl, apiKey: KEY }),
  undici: (intakeUrl) => createUndiciTransport({ intakeUrl, apiKey: KEY }),
};

let server: RawServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const rejection = (p: Promise<unknown>): Promise<TransportError> =>
  p.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e as TransportError,
  );

describe.each(Object.entries(FACTORIES))('%s', (_name, make) => {
  it("the runtime's refusal to build the request (a signal that is not one) is local", async () => {
    server = await startRawServer((r) => r.socket.end('HTTP/1.1 202 OK\r\nContent-Length: 0\r\n\r\n'));
    const t = make(server.url);
    const error = await rejection(t.send({ path: '/api/v1/series', body: '{}' }, {} as AbortSignal));
    expect(error.local).toBe(true);
    expect(error.code).toMatch(/^(ERR_INVALID_ARG_TYPE|UND_ERR_INVALID_ARG|ERR_INVALID_REQUEST)$/);
    expect(server.connections).toBe(0);
    await t.close?.();
  });

  it('a path that would change the authority is local', async () => {
    server = await startRawServer(() => {});
    const t = make(server.url);
    const path = '@198.51.100.7/api/v1/series' as '/api/v1/series';
    const error = await rejection(t.send({ path, body: '{}' }, new AbortController().signal));
    expect(error).toMatchObject({ local: true, code: 'ERR_INVALID_REQUEST' });
    await t.close?.();
  });

  it('a network failure is not local', async () => {
    server = await startRawServer((r) => r.socket.resetAndDestroy());
    const t = make(server.url);
    const error = await rejection(
      t.send({ path: '/api/v1/series', body: '{}' }, new AbortController().signal),
    );
    expect(error.local).toBeUndefined();
    await t.close?.();
  });
});

it('node:http: unescaped characters in the path (ERR_UNESCAPED_CHARACTERS) are local', async () => {
  server = await startRawServer(() => {});
  const t = createHttpTransport({ intakeUrl: server.url, apiKey: KEY });
  const path = '/api/v1/series x' as '/api/v1/series';
  const error = await rejection(t.send({ path, body: '{}' }, new AbortController().signal));
  expect(error).toMatchObject({ local: true, code: 'ERR_UNESCAPED_CHARACTERS' });
  expect(server.connections).toBe(0);
  t.close?.();
});
