// The types of withFetchMetrics and @flushMetrics, as `npm run typecheck` (tsc over test/) checks them:
// an assertion here fails the type check, not the test run. The same under a stock wrangler tsconfig, and
// under experimentalDecorators, against the packed package: workers-types.test.ts.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createMetrics, type Metrics } from '../../src/index.js';
import {
  flushMetrics,
  type HandlerContextLike,
  type MessageBatchLike,
  metricsPerIsolate,
  type ScheduledControllerLike,
  withFetchMetrics,
} from '../../src/integrations/fetch-handler.js';
import { createMemoryTransport } from '../../src/testing.js';

/** What `wrangler types` generates: no index signature, members that are not strings. */
interface Env {
  DD_API_KEY: string;
  MY_KV: { get(key: string): Promise<string | null> };
}
const metrics = createMetrics({ transport: createMemoryTransport(), flushInterval: 0 });
const metricsFor = metricsPerIsolate((env: Env) => createMetrics({ env, flushInterval: 0 }));

describe('withFetchMetrics: parameter types', () => {
  it('an unannotated request is the global Request; env comes from the annotation', () => {
    const worker = withFetchMetrics(metrics, {
      async fetch(request, env: Env, ctx) {
        expectTypeOf(request).toEqualTypeOf<Request>();
        expectTypeOf(ctx).toEqualTypeOf<HandlerContextLike>();
        return new Response(await env.MY_KV.get(new URL(request.url).pathname));
      },
    });
    expectTypeOf(worker.fetch).parameters.toEqualTypeOf<[Request, Env, HandlerContextLike]>();
    expectTypeOf(worker.fetch).returns.toEqualTypeOf<Promise<Response>>();
  });

  it('a handler declaring fewer parameters is still callable with all the runtime passes', () => {
    const worker = withFetchMetrics(metricsFor, {
      fetch: (request) => new Response(request.url),
      scheduled: () => {},
    });
    expectTypeOf(worker.fetch).parameters.toEqualTypeOf<[Request, Env?, HandlerContextLike?]>();
    expectTypeOf(worker.scheduled).parameters.toEqualTypeOf<
      [ScheduledControllerLike?, Env?, HandlerContextLike?]
    >();
    expectTypeOf(worker.fetch).returns.toEqualTypeOf<Promise<Response>>();
  });

  it('env flows from a typed factory; with a plain client and no annotation it is unknown', () => {
    withFetchMetrics(metricsFor, {
      fetch(_request, env) {
        expectTypeOf(env).toEqualTypeOf<Env>();
        return new Response(env.DD_API_KEY);
      },
      scheduled(controller, env) {
        expectTypeOf(controller).toEqualTypeOf<ScheduledControllerLike>();
        expectTypeOf(env).toEqualTypeOf<Env>();
      },
      queue(batch) {
        expectTypeOf(batch).toEqualTypeOf<MessageBatchLike>();
      },
    });
    withFetchMetrics(metrics, {
      fetch(_request, env) {
        expectTypeOf(env).toEqualTypeOf<unknown>();
        return new Response('ok');
      },
    });
  });

  it('annotated parameters keep their own types (a wider env, a fake request, a partial context)', () => {
    interface Batch extends MessageBatchLike {
      readonly messages: readonly { readonly id: string; readonly body: { order: number } }[];
      retryAll(options?: { delaySeconds?: number }): void;
    }
    const worker = withFetchMetrics(metricsFor, {
      fetch: async (
        request: { n: number },
        _env: Env & { EXTRA: string },
        _ctx: { waitUntil(p: Promise<unknown>): void },
      ) => request.n,
      queue: (batch: Batch) => batch.messages[0]?.body.order,
      label: 'shop',
    });
    expectTypeOf(worker.fetch).parameters.toEqualTypeOf<
      [{ n: number }, Env & { EXTRA: string }, { waitUntil(p: Promise<unknown>): void }]
    >();
    expectTypeOf(worker.fetch).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(worker.queue).returns.toEqualTypeOf<Promise<number | undefined>>();
    expectTypeOf(worker.label).toEqualTypeOf<string>();
  });

  it('an env the factory cannot take, or a factory of the wrong shape, is an error', () => {
    const mismatch = () =>
      withFetchMetrics(metricsFor, {
        // @ts-expect-error `env` lacks what the factory needs
        fetch: (_request: Request, _env: { OTHER: number }) => new Response('ok'),
      });
    // @ts-expect-error a factory must return a client
    const wrongFactory = () => withFetchMetrics((_env: Env) => 1, { fetch: () => new Response('ok') });
    expect([mismatch, wrongFactory]).toHaveLength(2);
  });
});

describe('@flushMetrics: a decorated method returns a Promise, and its type must say so', () => {
  it('async methods, and methods typed as returning a Promise or a value-or-Promise, are accepted', () => {
    class Entry {
      @flushMetrics(metrics)
      async fetch(_request: Request): Promise<Response> {
        return new Response('ok');
      }
      @flushMetrics(metrics)
      either(): number | Promise<number> {
        return 1;
      }
      @flushMetrics(metrics)
      thenable(): PromiseLike<string> {
        return Promise.resolve('x');
      }
    }
    expectTypeOf(new Entry().fetch).returns.toEqualTypeOf<Promise<Response>>();
    expectTypeOf<Metrics>().toHaveProperty('flush');
  });

  it('a sync method is a type error that says what to do', () => {
    class Entry {
      // @ts-expect-error MethodMustReturnPromise: declare it async
      @flushMetrics(metrics)
      count(): number {
        return 1;
      }
      // @ts-expect-error void is not a Promise either
      @flushMetrics(metrics)
      fire(): void {}
    }
    // At run time the result is a Promise, which is why the type above must not say `number`.
    expect(new Entry().count()).toBeInstanceOf(Promise);
  });
});
