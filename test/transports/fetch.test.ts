// What only the fetch transport does; what all API transports do is in contract.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { createFetchTransport } from '../../src/index.js';
import { startServer, type TestServer } from '../helpers/http-server.js';

const KEY = 'abcd1234fetchkey';
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

describe('fetch transport', () => {
  it('hands an injected fetch one Request: POST, redirect manual, the signal attached', async () => {
    const s = await server();
    const seen: Request[] = [];
    const transport = createFetchTransport({
      intakeUrl: s.url,
      apiKey: KEY,
      fetch: (input) => {
        seen.push(input as Request);
        return fetch(input as Request);
      },
    });
    const controller = new AbortController();
    expect((await transport.send(SERIES, controller.signal)).status).toBe(202);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(Request);
    expect(seen[0]).toMatchObject({ method: 'POST', redirect: 'manual', url: `${s.url}/api/v1/series` });
    controller.abort();
    expect(seen[0]?.signal.aborted).toBe(true);
  });

  it('an opaque redirect (status 0, as browsers answer redirect: manual) is a 3xx, not a success', async () => {
    const opaque = new Response(null);
    Object.defineProperties(opaque, { type: { value: 'opaqueredirect' }, status: { value: 0 } });
    const transport = createFetchTransport({
      intakeUrl: 'https://intake.example',
      apiKey: KEY,
      fetch: async () => opaque,
    });
    const res = await transport.send(SERIES, new AbortController().signal);
    expect(res.status).toBe(300);
    expect(res.body).toMatch(/redirect not followed/);
  });

  it('an injected fetch that follows redirects anyway is not reported as a success', async () => {
    const elsewhere = await server();
    const s = await server((_req, res) => res.writeHead(307, { Location: `${elsewhere.url}/x` }).end());
    const transport = createFetchTransport({
      intakeUrl: s.url,
      apiKey: KEY,
      fetch: async (input) => {
        const req = input as Request;
        const body = await req.blob(); // a Blob: undici re-reads it for the 307
        return fetch(req.url, { method: req.method, headers: req.headers, body, redirect: 'follow' });
      },
    });
    const res = await transport.send(SERIES, new AbortController().signal);
    expect(elsewhere.seen).toHaveLength(1); // that fetch did follow
    expect(res.status).toBeGreaterThanOrEqual(300);
    expect(res.status).toBeLessThan(400);
  });
});
