// One contract, three API transports: every scenario below runs against node:http, fetch and undici
// alike, on real servers. Transport-specific cases stay in http.test.ts, fetch.test.ts, undici.test.ts.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFetchTransport, createHttpTransport, type Transport } from '../../src/index.js';
import type { TransportError } from '../../src/transports/error.js';
import { createUndiciTransport } from '../../src/transports/undici.js';
import { startServer, type TestServer } from '../helpers/http-server.js';
import { expectNoSecret } from '../helpers/leaks.js';
import { type RawServer, startRawServer } from '../helpers/raw-server.js';

const KEY = `contract${randomBytes(12).toString('hex')}`;
const SERIES = { path: '/api/v1/series', body: '{"series":[{"metric":"m","points":[[1,2]]}]}' } as const;
type Options = { intakeUrl: string; apiKey: string; allowInsecureHttp?: boolean };
const TRANSPORTS: [string, (options: Options) => Transport][] = [
  ['node:http', createHttpTransport],
  ['fetch', createFetchTransport],
  ['undici', createUndiciTransport],
];

const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});
async function server(respond?: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(respond);
  open.push(s);
  return s;
}
async function raw(answer: Parameters<typeof startRawServer>[0]): Promise<RawServer> {
  const s = await startRawServer(answer);
  open.push(s);
  return s;
}
const signal = (): AbortSignal => new AbortController().signal;
const failure = (p: Promise<unknown>): Promise<TransportError> =>
  p.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e as TransportError,
  );

/** Status answers: what the intake says, what the transport must return (the flush decides what it means). */
const ANSWERS: { status: number; headers?: Record<string, string>; body?: string; retryAfterMs?: number }[] =
  [
    { status: 202, body: '{"status":"ok"}' },
    { status: 200, body: '{}' },
    { status: 400, body: '{"errors":["Payload is not in the expected format"]}' },
    { status: 401, body: '{"errors":["Unauthorized"]}' },
    { status: 403, body: '{"errors":["Forbidden"]}' },
    { status: 408 },
    { status: 413, body: '{"errors":["Payload too large"]}' },
    { status: 429, headers: { 'Retry-After': '3' }, retryAfterMs: 3000 },
    { status: 429, headers: { 'X-RateLimit-Reset': '7' }, retryAfterMs: 7000 },
    { status: 500, body: 'oops' },
    { status: 503, headers: { 'Retry-After': '0.5' }, retryAfterMs: 500 },
  ];
const REDIRECTS = [301, 302, 303, 307, 308];

describe.each(TRANSPORTS)('%s transport contract', (_name, make) => {
  const transport = (intakeUrl: string, apiKey = KEY): Transport => {
    const t = make({ intakeUrl, apiKey });
    open.push({ close: () => t.close?.() });
    return t;
  };

  it.each(ANSWERS)('returns a $status answer as it is', async ({ status, headers, body, retryAfterMs }) => {
    const s = await server((_req, res) => res.writeHead(status, headers).end(body));
    const res = await transport(s.url).send(SERIES, signal());
    expect(res).toMatchObject({ status, body: body ?? '', retryAfterMs });
    expect(s.seen).toHaveLength(1);
  });

  it('reads a Retry-After date', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    const s = await server((_req, res) => res.writeHead(429, { 'Retry-After': at }).end());
    const res = await transport(s.url).send(SERIES, signal());
    expect(res.retryAfterMs).toBeGreaterThan(25_000);
    expect(res.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it.each(REDIRECTS)('returns a %i without following it: nothing reaches the Location', async (status) => {
    const elsewhere = await server();
    const s = await server((req, res) => {
      const location = req.url.endsWith('/series') ? `${elsewhere.url}/api/v1/series` : '/api/v1/other';
      res.writeHead(status, { Location: location }).end('moved');
    });
    const t = transport(s.url);
    expect(await t.send(SERIES, signal())).toMatchObject({ status });
    expect(await t.send({ ...SERIES, path: '/api/v1/events' }, signal())).toMatchObject({ status });
    await new Promise((r) => setTimeout(r, 30));
    expect(elsewhere.seen).toHaveLength(0);
    expect(s.seen.map((r) => r.url)).toEqual(['/api/v1/series', '/api/v1/events']);
  });

  it('posts the deflated body under the base path, with the four headers; the key never in the URL', async () => {
    const s = await server();
    const res = await transport(`${s.url}/datadog/`).send(SERIES, signal());
    const [seen] = s.seen;
    expect(seen).toMatchObject({
      method: 'POST',
      url: '/datadog/api/v1/series',
      body: JSON.parse(SERIES.body),
    });
    expect(seen?.headers).toMatchObject({
      'dd-api-key': KEY,
      'content-type': 'application/json',
      'content-encoding': 'deflate',
      'user-agent': expect.stringMatching(/^handlerstats\/\d+\.\d+\.\d+ \(.+\)$/),
    });
    expect(seen?.url).not.toContain(KEY);
    expect(res.bytes).toBe(seen?.rawBytes);
  });

  it('sends the key trimmed', async () => {
    const s = await server();
    await transport(s.url, ` ${KEY}\r\n`).send(SERIES, signal());
    expect(s.seen[0]?.headers['dd-api-key']).toBe(KEY);
  });

  it('keeps 4096 characters of a response body, the key redacted before the cut', async () => {
    const s = await server((req, res) =>
      res
        .writeHead(400)
        .end(req.url.endsWith('/series') ? 'a'.repeat(10_000) : `${'x'.repeat(4090)}${KEY}yy`),
    );
    const t = transport(s.url);
    expect((await t.send(SERIES, signal())).body).toBe('a'.repeat(4096));
    const straddling = await t.send({ ...SERIES, path: '/api/v1/events' }, signal());
    expect(straddling.body).toBe(`${'x'.repeat(4090)}<redacted>`.slice(0, 4096));
  });

  it('an answer whose body never ends is cut at 4096 characters, promptly', async () => {
    const s = await server((_req, res) => {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      const timer = setInterval(() => res.write('z'.repeat(1024)), 5);
      res.on('close', () => clearInterval(timer));
    });
    const started = performance.now();
    const res = await transport(s.url).send(SERIES, AbortSignal.timeout(5000));
    expect(res).toMatchObject({ status: 400, body: 'z'.repeat(4096) });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('redacts the key in a response body', async () => {
    const s = await server((req, res) =>
      res.writeHead(403).end(`bad key ${String(req.headers['dd-api-key'])}`),
    );
    expect((await transport(s.url).send(SERIES, signal())).body).toBe('bad key <redacted>');
  });

  it('a connection reset throws a sanitized, retryable error', async () => {
    const s = await raw((r) => r.socket.resetAndDestroy());
    const error = await failure(transport(s.url).send(SERIES, signal()));
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(error.local).toBeUndefined();
    expect(error.cause).toBeUndefined();
    expectNoSecret(error, KEY, 'the reset error');
  });

  it('a malformed answer echoing the key throws without the key', async () => {
    const s = await raw((r) => r.socket.end(`HTTP/1.1 2x2 ${KEY}\r\nX-Echo: ${r.head}\r\n\r\n`));
    expectNoSecret(await failure(transport(s.url).send(SERIES, signal())), KEY, 'the parse error');
  });

  it('a reused keep-alive socket found dead is retried once at once on a fresh connection: ambiguous', async () => {
    const perSocket = new Map<Socket, number>();
    const s = await server();
    s.server.prependListener('request', (req) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n === 2) req.socket.resetAndDestroy(); // the socket died while idle
    });
    const t = transport(s.url);
    expect(await t.send(SERIES, signal())).not.toHaveProperty('ambiguous');
    await new Promise((r) => setTimeout(r, 20)); // back in the pool
    const started = performance.now();
    expect(await t.send(SERIES, signal())).toMatchObject({ status: 202, ambiguous: true });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(perSocket.size).toBe(2);
  });

  it('an aborted signal cancels the request with its reason; an already aborted one sends nothing', async () => {
    const s = await server(() => {});
    const controller = new AbortController();
    const pending = transport(s.url).send(SERIES, controller.signal);
    setTimeout(() => controller.abort(new Error('deadline')), 50);
    const started = performance.now();
    await expect(pending).rejects.toThrow('deadline');
    expect(performance.now() - started).toBeLessThan(1000);
    const reason = new Error('already');
    await expect(transport(s.url).send(SERIES, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(s.seen).toHaveLength(1);
  });

  it('a request that cannot be built throws a local error and sends nothing', async () => {
    const s = await raw((r) => r.socket.end('HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n'));
    const error = await failure(transport(s.url).send(SERIES, {} as AbortSignal));
    expect(error).toMatchObject({ local: true, code: expect.stringMatching(/^[A-Z][A-Z0-9_]+$/) });
    expectNoSecret(error, KEY, 'the local error');
    expect(s.connections).toBe(0);
  });

  it('applies the URL and key policy at creation, never repeating a secret', () => {
    const bad: [string, typeof RangeError | typeof TypeError][] = [
      [`https://user:${KEY}@intake.example`, RangeError],
      [`https://${KEY}@intake.example`, RangeError],
      [`https://intake.example/?api_key=${KEY}`, RangeError],
      [`https://intake.example/#${KEY}`, RangeError],
      ['https://intake.example/?', RangeError],
      [`ftp://intake.example/${KEY}`, RangeError],
      [`http://intake.example/${KEY}`, RangeError],
      [`not a url ${KEY}`, TypeError],
    ];
    for (const [url, type] of bad) {
      let error: unknown;
      try {
        make({ intakeUrl: url, apiKey: KEY });
      } catch (e) {
        error = e;
      }
      expect(error, url).toBeInstanceOf(type);
      expect((error as Error).message, url).toMatch(/^handlerstats: option "intakeUrl" /);
      expectNoSecret(error, KEY, url);
    }
    for (const apiKey of [`${KEY}\u0000x`, `a\n${KEY}`, `${KEY}\u007f`, `${KEY}\u0085`])
      expect(() => make({ intakeUrl: 'https://intake.example', apiKey })).toThrow(
        new TypeError('handlerstats: option "apiKey" contains control characters'),
      );
    expect(() => make({ intakeUrl: 'https://intake.example', apiKey: `${KEY}é` })).toThrow(TypeError);
    expect(() =>
      make({ intakeUrl: 'http://198.51.100.7', apiKey: KEY, allowInsecureHttp: true }),
    ).not.toThrow();
    for (const url of [
      'http://127.0.0.1:1',
      'http://localhost:1/x',
      'http://[::1]:1',
      'https://intake.example',
    ])
      expect(() => make({ intakeUrl: url, apiKey: KEY }), url).not.toThrow();
  });
});
