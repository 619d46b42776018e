import { afterEach, describe, expect, it } from 'vitest';
import { createFetchTransport, createHttpTransport, type Transport } from '../../src/index.js';
import { createUndiciTransport } from '../../src/transports/undici.js';
import { startServer, type TestServer } from '../helpers/http-server.js';
import { expectNoSecret } from '../helpers/leaks.js';

// 0.1: createMetrics() refused an intake URL with credentials or a query, the exported factories did not.
// createFetchTransport({ intakeUrl: 'https://user:pass@…' }) put the password in its NETWORK_ERROR message
// (fetch refuses such URLs and names them); with '?api_key=…' it posted to `?api_key=…/api/v1/series`, the
// key in the URL. createHttpTransport silently dropped both and posted to the bare host. A key with a
// trailing newline (a secret read from a file) failed every request with ERR_INVALID_CHAR.
const SECRET = 'p4ssw0rdSecretValue';
const FACTORIES: Record<string, (o: { intakeUrl: string; apiKey: string }) => Transport> = {
  'node:http': createHttpTransport,
  fetch: createFetchTransport,
  undici: createUndiciTransport,
};

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.each(Object.entries(FACTORIES))('%s', (_name, make) => {
  it('refuses credentials and query strings at creation, without repeating them', async () => {
    server = await startServer();
    const port = new URL(server.url).port;
    for (const intakeUrl of [
      `http://user:${SECRET}@127.0.0.1:${port}`,
      `http://${SECRET}@127.0.0.1:${port}`,
      `http://127.0.0.1:${port}/?api_key=${SECRET}`,
      `http://127.0.0.1:${port}/dd?api_key=${SECRET}`,
    ]) {
      let error: unknown;
      try {
        make({ intakeUrl, apiKey: 'abcd1234key' });
      } catch (e) {
        error = e;
      }
      expect(error, intakeUrl).toBeInstanceOf(RangeError);
      expectNoSecret(error, SECRET, intakeUrl);
    }
    expect(server.seen).toHaveLength(0);
  });

  it('trims the key; refuses one with control characters inside, without repeating it', async () => {
    server = await startServer();
    const t = make({ intakeUrl: server.url, apiKey: `${SECRET}\n` });
    expect((await t.send({ path: '/api/v1/series', body: '{}' }, new AbortController().signal)).status).toBe(
      202,
    );
    expect(server.seen[0]?.headers['dd-api-key']).toBe(SECRET);
    await t.close?.();
    let error: unknown;
    try {
      make({ intakeUrl: server.url, apiKey: `${SECRET}\r\nX-Injected: 1` });
    } catch (e) {
      error = e;
    }
    expect(error).toEqual(new TypeError('handlerstats: option "apiKey" contains control characters'));
    expectNoSecret(error, SECRET, 'the key error');
  });
});
