import { afterEach, describe, expect, it } from 'vitest';
import { createFetchTransport, createHttpTransport, createMetrics, type Transport } from '../../src/index.js';
import { createUndiciTransport } from '../../src/transports/undici.js';
import { testClock } from '../helpers/clock.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

// 0.1: the fetch transport used fetch's default `redirect: 'follow'`. A 301/302/303 turned the POST into a
// bodiless GET sent to the Location host *with* DD-API-KEY; that host answered 200, the flush reported
// success, and nothing was stored anywhere. A Location on plain http or a private address was followed too.
// No transport follows a redirect now: the 3xx comes back as it is, and the flush does not count it sent.
const KEY = 'abcd1234redirectkey';
const FACTORIES: Record<string, (intakeUrl: string) => Transport> = {
  'node:http': (intakeUrl) => createHttpTransport({ intakeUrl, apiKey: KEY }),
  fetch: (intakeUrl) => createFetchTransport({ intakeUrl, apiKey: KEY }),
  undici: (intakeUrl) => createUndiciTransport({ intakeUrl, apiKey: KEY }),
};

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe.each(Object.entries(FACTORIES))('%s', (_name, make) => {
  it.each([301, 302, 303, 307, 308])(
    'a %i is not followed, not counted as sent, and the key stays home',
    async (status) => {
      const elsewhere = await startServer((_req, res) => res.writeHead(200).end('{}'));
      const intake = await startServer((_req, res) =>
        res.writeHead(status, { Location: `${elsewhere.url}/api/v1/series` }).end(),
      );
      servers.push(elsewhere, intake);
      const transport = make(intake.url);
      const metrics = createMetrics({
        transport,
        now: testClock(),
        flushInterval: 0,
        flushTimeoutMs: 500,
        onError: () => {},
      });
      metrics.increment('c');
      const outcome = await metrics.flush().then(
        (report) => report,
        (error: unknown) => error,
      );
      expect(outcome).toBeInstanceOf(Error);
      expect(intake.seen).toHaveLength(1); // not retried either
      expect(elsewhere.seen).toHaveLength(0);
      await metrics.close({ timeoutMs: 50 }).catch(() => {});
    },
  );

  it('a Location on plain http to a private address is not attempted', async () => {
    const intake = await startServer((_req, res) =>
      res.writeHead(302, { Location: 'http://10.255.255.1:9/x' }).end(),
    );
    servers.push(intake);
    const transport = make(intake.url);
    const started = performance.now();
    const res = await transport.send({ path: '/api/v1/series', body: '{}' }, AbortSignal.timeout(3000));
    expect(res.status).toBe(302);
    expect(performance.now() - started).toBeLessThan(1000); // following it would hang on the blackholed address
    await transport.close?.();
  });
});
