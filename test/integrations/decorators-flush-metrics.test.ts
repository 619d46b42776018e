// flushMetrics on classes (standard decorators here; both decorator modes: decorators.test.ts):
// WorkerEntrypoint / Durable Object (this.ctx, this.env), class-based Lambda handlers, module-style methods.
import { describe, expect, it, vi } from 'vitest';
import { createMetrics, type MetricsError, type Transport } from '../../src/index.js';
import { flushMetrics, metricsPerIsolate } from '../../src/integrations/fetch-handler.js';
import {
  createExecutionContext,
  createMemoryTransport,
  type TestExecutionContext,
} from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';
import { seriesOf } from '../helpers/wire.js';

type Env = { DD_API_KEY: string };
const env: Env = { DD_API_KEY: 'k' };

function setup(transport: Transport = createMemoryTransport()) {
  const errors: MetricsError[] = [];
  const metrics = createMetrics({
    transport,
    now: testClock(),
    flushInterval: 0,
    onError: (e) => errors.push(e),
  });
  return { metrics, errors };
}

describe('flushMetrics', () => {
  it('WorkerEntrypoint / Durable Object: flushes through this.ctx.waitUntil, factory gets this.env', async () => {
    const transport = createMemoryTransport();
    const factory = vi.fn((e: Env) => createMetrics({ apiKey: e.DD_API_KEY, transport, flushInterval: 0 }));
    const metricsFor = metricsPerIsolate(factory);
    class Entry {
      constructor(
        readonly ctx: TestExecutionContext,
        readonly env: Env,
      ) {}
      @flushMetrics(metricsFor)
      async fetch(_request: Request) {
        metricsFor(this.env).increment('requests');
        return new Response('ok');
      }
      @flushMetrics(metricsFor)
      async alarm() {
        metricsFor(this.env).increment('alarms');
      }
    }
    const entry = new Entry(createExecutionContext(), env);
    await entry.fetch(new Request('http://w/'));
    await entry.alarm();
    await entry.ctx.settled();
    expect(factory).toHaveBeenCalledWith(env);
    expect(seriesOf(transport.requests).map((s) => s.metric)).toEqual(
      expect.arrayContaining(['requests', 'alarms']),
    );
  });

  it('a class-based Lambda handler: awaits the flush within the invocation deadline', async () => {
    const transport = createMemoryTransport();
    const { metrics, errors } = setup(transport);
    class Handler {
      @flushMetrics(metrics, { deadlineMarginMs: 200 })
      async handle(_event: unknown, _context: unknown) {
        metrics.increment('invocations');
        return { statusCode: 200 };
      }
    }
    const handler = new Handler();
    const remaining = (ms: number) => ({ getRemainingTimeInMillis: () => ms });
    await expect(handler.handle({}, remaining(3000))).resolves.toEqual({ statusCode: 200 });
    expect(transport.requests).toHaveLength(1);
    // No time left: nothing is sent, the data stays buffered, the result is still returned.
    await expect(handler.handle({}, remaining(100))).resolves.toEqual({ statusCode: 200 });
    expect(transport.requests).toHaveLength(1);
    expect(errors.map((e) => e.code)).toContain('DEADLINE_EXCEEDED');
  });

  it('a module-style method (request, env, ctx): env from the argument before ctx; no context: awaited', async () => {
    const transport = createMemoryTransport();
    const factory = vi.fn((e: Env) => createMetrics({ apiKey: e.DD_API_KEY, transport, flushInterval: 0 }));
    class Handler {
      @flushMetrics(factory)
      async fetch(_request: Request, _env: Env, _ctx: unknown) {
        return new Response('ok');
      }
      @flushMetrics(setup(transport).metrics)
      async plain() {
        return 'done';
      }
    }
    const ctx = createExecutionContext();
    await new Handler().fetch(new Request('http://w/'), env, ctx);
    expect(factory).toHaveBeenCalledWith(env);
    expect(ctx.waited).toHaveLength(1);
    await expect(new Handler().plain()).resolves.toBe('done');
  });
});
