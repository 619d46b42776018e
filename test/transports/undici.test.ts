// What only the undici transport does; what all API transports do is in contract.test.ts.
import { Agent, interceptors } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { POOL_TUNING } from '../../src/transports/idle.js';
import { createUndiciTransport } from '../../src/transports/undici.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

const API_KEY = 'abcd1234secret';
const SERIES = { path: '/api/v1/series', body: '{"series":[]}' } as const;
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function server(respond?: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(respond);
  servers.push(s);
  return s;
}

describe('undici transport', () => {
  it('uses a dispatcher the user passes, never retires it, and leaves it open on close', async () => {
    const s = await server();
    const dispatcher = new Agent();
    let now = 0;
    const t = createUndiciTransport({
      intakeUrl: s.url,
      apiKey: API_KEY,
      dispatcher,
      [POOL_TUNING]: { now: () => now },
    } as never);
    expect((await t.send(SERIES, new AbortController().signal)).status).toBe(202);
    now += 3_600_000; // far past the idle bound: the user's pool is the user's
    expect((await t.send(SERIES, new AbortController().signal)).status).toBe(202);
    expect(s.seen[0]?.headers['user-agent']).toMatch(/^handlerstats\/\S+ \(node v[\d.]+; undici\)$/);
    await t.close?.();
    expect(dispatcher.destroyed).toBe(false);
    expect(dispatcher.closed).toBe(false);
    await dispatcher.close();
  });

  it("a user's dispatcher with a redirect interceptor does not follow a redirect either", async () => {
    const elsewhere = await server();
    const s = await server((_req, res) => res.writeHead(307, { Location: `${elsewhere.url}/x` }).end());
    const dispatcher = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));
    const t = createUndiciTransport({ intakeUrl: s.url, apiKey: API_KEY, dispatcher });
    expect((await t.send(SERIES, new AbortController().signal)).status).toBe(307);
    expect(elsewhere.seen).toHaveLength(0);
    await dispatcher.close();
  });
});
