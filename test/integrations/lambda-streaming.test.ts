// withStreamingMetrics on its own (Node streams as the response stream), and metricsMiddleware's
// streaming mode with the real @middy/core 6 (`awslambda` stubbed as the runtime sets it). The real
// runtime clients run both in test/lambda-runtime/streaming-metrics.test.ts.
import { Writable } from 'node:stream';
import middy from '@middy/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, type MetricsError } from '../../src/index.js';
import { withStreamingMetrics } from '../../src/integrations/lambda.js';
import { metricsMiddleware } from '../../src/integrations/middy.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

function setup(log: string[]) {
  const inner = createMemoryTransport();
  const errors: MetricsError[] = [];
  const metrics = createMetrics({
    transport: {
      send: (request, signal) => {
        log.push('sent');
        return inner.send(request, signal);
      },
    },
    now: testClock(),
    flushInterval: 0,
    onError: (e) => errors.push(e),
  });
  return { metrics, errors, requests: inner.requests };
}

/** A response stream whose final write completes `finishDelayMs` after end() (its 'finish' comes then). */
function responseStream(log: string[], finishDelayMs = 0): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      log.push(`chunk ${chunk}`);
      done();
    },
    final(done) {
      setTimeout(() => {
        log.push('finished');
        done();
      }, finishDelayMs);
    },
  });
}

const context = () => ({ awsRequestId: 'r', getRemainingTimeInMillis: () => 3000 });

describe('withStreamingMetrics', () => {
  it("flushes once the stream has finished, before the handler's promise resolves", async () => {
    const log: string[] = [];
    const { metrics } = setup(log);
    const handler = withStreamingMetrics(metrics, async (_event: unknown, stream: Writable) => {
      metrics.increment('streams');
      stream.write('a');
      stream.end('b');
      log.push('handler returned');
    });
    await handler({}, responseStream(log, 20), context());
    log.push('resolved');
    expect(log).toEqual(['chunk a', 'chunk b', 'handler returned', 'finished', 'sent', 'resolved']);
  });

  it('a handler that throws mid-stream: flushed, then the same error', async () => {
    const log: string[] = [];
    const { metrics } = setup(log);
    const boom = new RangeError('broke');
    const handler = withStreamingMetrics(metrics, async (_event: unknown, stream: Writable) => {
      metrics.increment('streams');
      stream.write('a');
      throw boom;
    });
    await expect(handler({}, responseStream(log), context())).rejects.toBe(boom);
    expect(log).toEqual(['chunk a', 'sent']);
  });

  it('a stream never ended: flushes when the handler resolves (the runtime fails the invocation)', async () => {
    const log: string[] = [];
    const { metrics } = setup(log);
    const handler = withStreamingMetrics(metrics, async (_e: unknown, stream: Writable) => {
      metrics.increment('streams');
      stream.write('a');
    });
    await handler({}, responseStream(log), context());
    expect(log).toEqual(['chunk a', 'sent']);
  });

  it("keeps awslambda.streamifyResponse's markers of a marked handler, passes the result through, declares 3 parameters", async () => {
    const { metrics } = setup([]);
    const inner = Object.assign(async () => 'done', { [STREAMING]: 'response', [HIGH_WATER_MARK]: 1024 });
    (inner as unknown as Record<symbol, unknown>)[Symbol.for('other')] = 1;
    const handler = withStreamingMetrics(metrics, inner);
    const marks = handler as unknown as Record<symbol, unknown>;
    expect([marks[STREAMING], marks[HIGH_WATER_MARK], marks[Symbol.for('other')]]).toEqual([
      'response',
      1024,
      undefined,
    ]);
    expect(handler.length).toBe(3);
    await expect(handler({}, responseStream([]), context())).resolves.toBe('done');
    expect(() => withStreamingMetrics(metrics, 'nope' as never)).toThrow(TypeError);
    expect(() => withStreamingMetrics(metrics, inner, { flushTimeoutMs: 0 })).toThrow(/flushTimeoutMs/);
  });
});

describe('metricsMiddleware({ streaming: true }) with @middy/core 6 streaming', () => {
  const saved = (globalThis as { awslambda?: unknown }).awslambda;
  beforeAll(() => {
    (globalThis as { awslambda?: unknown }).awslambda = {
      streamifyResponse: <H>(handler: H) => handler,
      HttpResponseStream: { from: (stream: Writable) => stream },
    };
  });
  afterAll(() => {
    (globalThis as { awslambda?: unknown }).awslambda = saved;
  });

  it('`after` leaves the body alone; `requestEnd` flushes once it has been streamed', async () => {
    const log: string[] = [];
    const { metrics } = setup(log);
    const mw = metricsMiddleware(metrics, { streaming: true });
    const handler = middy(
      async () => {
        metrics.increment('streams');
        return 'body';
      },
      { streamifyResponse: true, requestEnd: mw.requestEnd },
    ).use(mw) as unknown as (event: unknown, stream: Writable, context: unknown) => Promise<void>;
    await handler({}, responseStream(log), context());
    log.push('resolved');
    expect(log).toEqual(['chunk body', 'finished', 'sent', 'resolved']);
  });

  it('requestEnd not passed to middy: reported at the next request, then `after` flushes', async () => {
    const log: string[] = [];
    const { metrics, errors } = setup(log);
    const handler = middy(
      async () => {
        metrics.increment('streams');
        return 'body';
      },
      { streamifyResponse: true },
    ).use(metricsMiddleware(metrics, { streaming: true })) as unknown as (
      event: unknown,
      stream: Writable,
      context: unknown,
    ) => Promise<void>;
    await handler({}, responseStream(log), context());
    expect(log).toEqual(['chunk body', 'finished']);
    await handler({}, responseStream(log), context());
    expect(log.slice(2)).toEqual(['sent', 'chunk body', 'finished']);
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('never called requestEnd')]);
    await handler({}, responseStream(log), context());
    expect(errors).toHaveLength(1);
  });

  it('a thrown error is flushed from onError (middy skips requestEnd then)', async () => {
    const log: string[] = [];
    const { metrics, errors } = setup(log);
    const mw = metricsMiddleware(metrics, { streaming: true });
    const handler = middy(
      async () => {
        metrics.increment('failures');
        throw new Error('nope');
      },
      { streamifyResponse: true, requestEnd: mw.requestEnd },
    ).use(mw) as unknown as (event: unknown, stream: Writable, context: unknown) => Promise<void>;
    await expect(handler({}, responseStream(log), context())).rejects.toThrow('nope');
    expect(log).toEqual(['sent']);
    await expect(handler({}, responseStream(log), context())).rejects.toThrow('nope');
    expect(errors).toEqual([]); // onError ran: not mistaken for requestEnd missing
  });

  it('rejects a non-boolean streaming option', () => {
    const { metrics } = setup([]);
    expect(() => metricsMiddleware(metrics, { streaming: 'yes' as never })).toThrow(/streaming/);
  });
});
