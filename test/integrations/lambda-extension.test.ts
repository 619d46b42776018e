// The after-response handshake (registerExtension + withMetrics / metricsMiddleware) against a stub
// Extensions API whose INVOKE delivery the test controls: one ordered log of what the wrapper, the
// transport and the stub saw. The real runtime clients drive it in test/lambda-runtime/extension*.test.ts.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { posix } from 'node:path';
import middy from '@middy/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, type MetricsError, type Transport } from '../../src/index.js';
import { flushMetrics } from '../../src/integrations/fetch-handler.js';
import { registerExtension, withMetrics } from '../../src/integrations/lambda.js';
import { metricsMiddleware } from '../../src/integrations/middy.js';
import { createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { seriesOf } from '../helpers/wire.js';

const SLOT = Symbol.for('handlerstats.lambdaExtension');
const ENV = ['AWS_LAMBDA_RUNTIME_API', 'AWS_LAMBDA_MAX_CONCURRENCY', 'AWS_LAMBDA_FUNCTION_NAME'] as const;

interface Stub {
  address: string;
  log: string[];
  registrations: { name: unknown; body: string }[];
  nexts: { id: unknown }[];
  /** Answers the extension's held `next` with an INVOKE for `requestId`. */
  invoke(requestId: string, deadlineMs?: number): void;
  /** Answers the extension's held `next` with a 403, as Lambda refuses a `next` it cannot serve. */
  refuseNext(): void;
  /** Resolves once the extension has called `next` `count` times. */
  untilNexts(count: number): Promise<void>;
  close(): Promise<void>;
}

async function startStub(refuse?: { status: number; errorType: string }): Promise<Stub> {
  const log: string[] = [];
  const registrations: Stub['registrations'] = [];
  const nexts: Stub['nexts'] = [];
  const held: ServerResponse[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (req.url === '/2020-01-01/extension/register') {
        registrations.push({ name: req.headers['lambda-extension-name'], body });
        if (refuse !== undefined) {
          const error = { errorType: refuse.errorType, errorMessage: 'refused by the stub' };
          res.writeHead(refuse.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(error));
        } else res.writeHead(200, { 'Lambda-Extension-Identifier': 'ext-1' }).end('{}');
      } else if (req.url === '/2020-01-01/extension/event/next') {
        nexts.push({ id: req.headers['lambda-extension-identifier'] });
        log.push(`next ${nexts.length}`);
        held.push(res);
        for (const w of [...waiters]) w();
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    registrations,
    nexts,
    invoke(requestId, deadlineMs = Date.now() + 3000) {
      const res = held.shift();
      if (res === undefined) throw new Error('the extension is not waiting in next');
      log.push(`INVOKE ${requestId}`);
      res.writeHead(200).end(JSON.stringify({ eventType: 'INVOKE', requestId, deadlineMs }));
    },
    refuseNext() {
      const error = { errorType: 'Extension.InvalidExtensionState', errorMessage: 'cannot call next now' };
      held.shift()?.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify(error));
    },
    untilNexts: (count) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (nexts.length < count) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A transport that logs each send and holds it until `open()` (or answers at once when open). */
function loggedTransport(log: string[]) {
  const inner = createMemoryTransport();
  let open = false;
  const waiting: (() => void)[] = [];
  const transport: Transport = {
    async send(request, signal) {
      log.push('sent');
      if (!open) await new Promise<void>((resolve) => waiting.push(resolve));
      const answer = await inner.send(request, signal);
      log.push('answered');
      return answer;
    },
  };
  const release = (): void => {
    open = true;
    for (const w of waiting.splice(0)) w();
  };
  return { transport, requests: inner.requests, release };
}

function client(transport: Transport) {
  const errors: MetricsError[] = [];
  const metrics = createMetrics({
    transport,
    now: testClock(),
    flushInterval: 0,
    onError: (e) => errors.push(e),
  });
  return { metrics, errors };
}

const context = (awsRequestId: string, remainingMs = 3000) => {
  const end = Date.now() + remainingMs;
  return { awsRequestId, getRemainingTimeInMillis: () => end - Date.now() };
};
const until = async (done: () => boolean): Promise<void> => {
  for (const end = Date.now() + 5000; !done(); await new Promise((r) => setTimeout(r, 2)))
    if (Date.now() > end) throw new Error('condition not met in 5 s');
};

const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
const stubs: Stub[] = [];
beforeEach(() => {
  delete (globalThis as Record<symbol, unknown>)[SLOT];
  for (const k of ENV) delete process.env[k];
});
afterEach(() => {
  for (const k of ENV)
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
});
afterAll(async () => {
  delete (globalThis as Record<symbol, unknown>)[SLOT];
  for (const s of stubs) await s.close();
});

async function registered(options: { graceMs?: number } = {}) {
  const stub = await startStub();
  stubs.push(stub);
  process.env.AWS_LAMBDA_RUNTIME_API = stub.address;
  const log = stub.log;
  const t = loggedTransport(log);
  const { metrics, errors } = client(t.transport);
  const registration = await registerExtension(metrics, options);
  await stub.untilNexts(1);
  return { stub, log, metrics, errors, registration, ...t };
}

describe('registerExtension in Lambda (a stub Extensions API)', () => {
  it('registers for INVOKE with its name and long-polls next with the identifier it got', async () => {
    const { stub, registration, errors } = await registered();
    expect(registration).toEqual({ registered: true, name: 'handlerstats', id: 'ext-1' });
    expect(stub.registrations).toEqual([{ name: 'handlerstats', body: '{"events":["INVOKE"]}' }]);
    expect(stub.nexts).toEqual([{ id: 'ext-1' }]);
    expect(errors).toEqual([]);
    // Process-wide: a second call (any copy of handlerstats) gets the same extension, no new registration.
    const { metrics } = client(createMemoryTransport());
    await expect(registerExtension(metrics, { name: 'other' })).resolves.toEqual(registration);
    expect(stub.registrations).toHaveLength(1);
  });

  it('INVOKE first: the handler returns before the flush is sent; next waits for the flush to settle', async () => {
    const { stub, log, metrics, release, requests } = await registered();
    const id = randomUUID();
    stub.invoke(id);
    const handler = withMetrics(metrics, async (event: { n: number }) => {
      metrics.increment('calls', event.n);
      return 'ok';
    });
    await expect(handler({ n: 2 }, context(id))).resolves.toBe('ok');
    log.push('returned');
    await until(() => log.includes('sent'));
    expect(stub.nexts).toHaveLength(1); // the flush is in flight: the extension still holds the invocation
    release();
    await stub.untilNexts(2);
    expect(log).toEqual(['next 1', `INVOKE ${id}`, 'returned', 'sent', 'answered', 'next 2']);
    expect(seriesOf(requests)[0]?.points).toEqual([[T0, 2]]);
  });

  it('the wrapper first (its flush settled before INVOKE arrived): next follows INVOKE at once', async () => {
    const { stub, log, metrics, release } = await registered();
    release();
    const id = randomUUID();
    const handler = withMetrics(metrics, async () => {
      metrics.increment('calls');
      return 'ok';
    });
    await handler({}, context(id));
    log.push('returned');
    await until(() => log.includes('answered'));
    stub.invoke(id);
    await stub.untilNexts(2);
    expect(log).toEqual(['next 1', 'returned', 'sent', 'answered', `INVOKE ${id}`, 'next 2']);
  });

  it('a throwing handler: its error at once, the flush after it, next after the flush', async () => {
    const { stub, log, metrics, release } = await registered();
    const id = randomUUID();
    stub.invoke(id);
    const boom = new TypeError('boom');
    const handler = withMetrics(metrics, async () => {
      metrics.increment('failures');
      throw boom;
    });
    await expect(handler({}, context(id))).rejects.toBe(boom);
    log.push('rejected');
    await until(() => log.includes('sent'));
    release();
    await stub.untilNexts(2);
    expect(log.slice(2)).toEqual(['rejected', 'sent', 'answered', 'next 2']);
  });

  it('an INVOKE no wrapper claims is let go after the grace; a wrapper claiming it later flushes before returning', async () => {
    const { stub, log, metrics, release } = await registered({ graceMs: 20 });
    release();
    const id = randomUUID();
    stub.invoke(id);
    await stub.untilNexts(2); // nothing claimed it: released by the grace timer alone
    const handler = withMetrics(metrics, async () => {
      metrics.increment('late');
      return 'ok';
    });
    await handler({}, context(id));
    log.push('returned');
    expect(log).toEqual(['next 1', `INVOKE ${id}`, 'next 2', 'sent', 'answered', 'returned']);
  });

  it('a stalled intake is cut at the hold (deadline minus margin); the data goes with the next invocation', async () => {
    const { stub, metrics, errors } = await registered();
    // This transport never answers: only the hold's end lets the extension call next.
    const id = randomUUID();
    stub.invoke(id);
    const handler = withMetrics(
      metrics,
      async () => {
        metrics.increment('c');
        return 'ok';
      },
      { deadlineMarginMs: 100 },
    );
    await handler({}, context(id, 400));
    await stub.untilNexts(2);
    await until(() => errors.some((e) => e.code === 'DEADLINE_EXCEEDED'));
    expect(metrics.stats().buffered).toBe(1);
  });

  it('middy: `after` resolves at once, the flush follows, next after it', async () => {
    const { stub, log, metrics, release } = await registered();
    const id = randomUUID();
    stub.invoke(id);
    const handler = middy(async () => {
      metrics.increment('middy');
      return { statusCode: 200 };
    }).use(metricsMiddleware(metrics));
    await expect(handler({}, context(id) as never)).resolves.toEqual({ statusCode: 200 });
    log.push('returned');
    await until(() => log.includes('sent'));
    release();
    await stub.untilNexts(2);
    expect(log.slice(2)).toEqual(['returned', 'sent', 'answered', 'next 2']);
  });

  it('next refused: the extension stops (reported once), later invocations flush before returning', async () => {
    const { stub, log, metrics, errors, release } = await registered();
    release();
    stub.refuseNext();
    await until(() => errors.length > 0);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      [
        'INTEGRATION_ERROR',
        expect.stringMatching(/stopped: event\/next answered 403 Extension\.InvalidExtensionState/),
      ],
    ]);
    const handler = withMetrics(metrics, async () => {
      metrics.increment('c');
      return 'ok';
    });
    await handler({}, context(randomUUID()));
    log.push('returned');
    expect(log.slice(-3)).toEqual(['sent', 'answered', 'returned']);
  });
});

describe('registerExtension where it cannot register: the wrappers flush before returning', () => {
  const plain = async () => {
    const log: string[] = [];
    const t = loggedTransport(log);
    t.release();
    return { log, ...t, ...client(t.transport) };
  };
  const flushesBeforeReturn = async (metrics: ReturnType<typeof client>['metrics'], log: string[]) => {
    const handler = withMetrics(metrics, async () => {
      metrics.increment('c');
      return 'ok';
    });
    await handler({}, context(randomUUID()));
    log.push('returned');
    expect(log).toEqual(['sent', 'answered', 'returned']);
  };

  it('outside Lambda (no AWS_LAMBDA_RUNTIME_API): says why, reported once', async () => {
    const { metrics, errors, log } = await plain();
    await expect(registerExtension(metrics)).resolves.toEqual({
      registered: false,
      reason: 'not-lambda',
      message: 'AWS_LAMBDA_RUNTIME_API is not set: not running in Lambda',
    });
    expect(errors.map((e) => [e.code, e.details])).toEqual([['INTEGRATION_ERROR', { reason: 'not-lambda' }]]);
    await flushesBeforeReturn(metrics, log);
    expect(errors).toHaveLength(1);
  });

  it("refused by Lambda (registration after init): Lambda's error in the message, reported once", async () => {
    const stub = await startStub({ status: 403, errorType: 'Extension.RegistrationClosed' });
    stubs.push(stub);
    process.env.AWS_LAMBDA_RUNTIME_API = stub.address;
    const { metrics, errors, log } = await plain();
    const registration = await registerExtension(metrics);
    expect(registration).toEqual({
      registered: false,
      reason: 'refused',
      message: 'Lambda refused it: 403 Extension.RegistrationClosed: refused by the stub',
    });
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('Extension.RegistrationClosed')]);
    await flushesBeforeReturn(metrics, log);
    expect(stub.nexts).toEqual([]);
  });

  it('Lambda Managed Instances: not registered, nothing asked of Lambda, nothing reported', async () => {
    const stub = await startStub();
    stubs.push(stub);
    Object.assign(process.env, {
      AWS_LAMBDA_RUNTIME_API: stub.address,
      AWS_LAMBDA_MAX_CONCURRENCY: '8',
      AWS_LAMBDA_FUNCTION_NAME: 'fn',
    });
    const { metrics, errors } = await plain();
    await expect(registerExtension(metrics)).resolves.toMatchObject({
      registered: false,
      reason: 'managed-instances',
    });
    expect(stub.registrations).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('bad options throw at the call, naming the option', () => {
    const { metrics } = client(createMemoryTransport());
    expect(() => registerExtension(metrics, { graceMs: 5000 })).toThrow(/graceMs/);
    expect(() => registerExtension(metrics, { name: '' })).toThrow(/"name"/);
    expect(() => registerExtension(metrics, { nope: 1 } as never)).toThrow(
      /unknown registerExtension option\(s\): nope/,
    );
  });
});

describe('the extension slot on globalThis: the protocol between copies of handlerstats', () => {
  it('withMetrics claims through any version-1 slot, by request id, and hands the flush over', async () => {
    const calls: string[] = [];
    let handed: Promise<unknown> | undefined;
    (globalThis as Record<symbol, unknown>)[SLOT] = {
      version: 1,
      registration: Promise.resolve({ registered: true, name: 'x', id: 'y' }),
      claim(requestId: string) {
        calls.push(`claim ${requestId}`);
        return {
          hold(flushed: Promise<unknown>, holdMs: number) {
            calls.push(`hold ${holdMs > 0 && holdMs <= 2500}`);
            handed = flushed;
            return true;
          },
        };
      },
    };
    const log: string[] = [];
    const t = loggedTransport(log);
    t.release();
    const { metrics } = client(t.transport);
    const handler = withMetrics(metrics, async () => {
      metrics.increment('c');
      return 'ok';
    });
    await handler({}, context('req-9'));
    log.push('returned');
    expect(calls).toEqual(['claim req-9', 'hold true']);
    await expect(handed).resolves.toBe(true);
    expect(log).toEqual(['returned', 'sent', 'answered']);
  });

  it('flushMetrics on a class-based Lambda handler claims too: the method returns before the flush', async () => {
    const calls: string[] = [];
    let handed: Promise<unknown> | undefined;
    (globalThis as Record<symbol, unknown>)[SLOT] = {
      version: 1,
      registration: Promise.resolve({ registered: true, name: 'x', id: 'y' }),
      claim(requestId: string) {
        calls.push(`claim ${requestId}`);
        return {
          hold(flushed: Promise<unknown>) {
            calls.push('hold');
            handed = flushed;
            return true;
          },
        };
      },
    };
    const log: string[] = [];
    const t = loggedTransport(log);
    t.release();
    const { metrics } = client(t.transport);
    class Handler {
      @flushMetrics(metrics)
      async handle(_event: unknown, _context: unknown) {
        calls.push('handler');
        metrics.increment('c');
        return 'ok';
      }
    }
    await expect(new Handler().handle({}, context('req-7'))).resolves.toBe('ok');
    log.push('returned');
    expect(calls).toEqual(['claim req-7', 'handler', 'hold']);
    await expect(handed).resolves.toBe(true);
    expect(log).toEqual(['returned', 'sent', 'answered']);
  });

  it('a slot of an unknown version, or a context without a request id, is not used', async () => {
    (globalThis as Record<symbol, unknown>)[SLOT] = { version: 2, claim: () => ({ hold: () => true }) };
    const log: string[] = [];
    const t = loggedTransport(log);
    t.release();
    const { metrics } = client(t.transport);
    const handler = withMetrics(metrics, async () => metrics.increment('c'));
    await handler({}, context('req-1'));
    log.push('returned');
    (globalThis as Record<symbol, unknown>)[SLOT] = { version: 1, claim: () => ({ hold: () => true }) };
    await handler({}, { getRemainingTimeInMillis: () => 3000 });
    log.push('returned');
    expect(log).toEqual(['sent', 'answered', 'returned', 'sent', 'answered', 'returned']);
  });
});

describe('the build: the extension stays out of the Lambda entry', () => {
  /** dist/<file> and every chunk it imports statically, transitively. */
  const staticGraph = (file: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(file)) return seen;
    seen.add(file);
    const code = readFileSync(`dist/${file}`, 'utf8');
    for (const [, spec] of code.matchAll(/(?:from|import)\s*"(\.\/[^"]+)"/g))
      staticGraph(posix.join(posix.dirname(file), spec as string), seen);
    return seen;
  };
  it('handlerstats/lambda and /middy load it with import() only; no top-level await in what they load', () => {
    for (const entry of ['lambda.js', 'middy.js']) {
      const files = [...staticGraph(entry)];
      const code = files.map((f) => readFileSync(`dist/${f}`, 'utf8')).join('\n');
      expect(code, entry).not.toContain('event/next');
      expect(code, entry).not.toMatch(/^await /m);
    }
    expect(readFileSync('dist/lambda.js', 'utf8')).toMatch(
      /import\("\.\/chunks\/lambda-extension-[^"]+\.js"\)/,
    );
    expect(readFileSync('dist/lambda-extension.js', 'utf8')).toMatch(/^var registration = await /m);
  });
});
