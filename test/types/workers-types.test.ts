// withFetchMetrics and @flushMetrics as a Worker written against @cloudflare/workers-types sees them,
// in a stock wrangler tsconfig against the packed package, in both decorator modes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { format, type PackedProject, PROJECTS, packedProject, tsconfig } from './support/packed-project.js';

// `wrangler types` output for a Worker with a secret, a KV namespace and a queue.
const ENV = `
declare namespace Cloudflare {
  interface Env { DD_API_KEY: string; DD_SITE: string; MY_KV: KVNamespace; ORDERS: Queue<{ order: number }> }
}
interface Env extends Cloudflare.Env {}
`;

const MODULE_WORKER = `
import { createMetrics } from 'handlerstats';
import { metricsPerIsolate, withFetchMetrics } from 'handlerstats/fetch-handler';

const metricsFor = metricsPerIsolate((env: Env) => createMetrics({ env, namespace: 'shop' }));

export default withFetchMetrics(metricsFor, {
  async fetch(request, env, ctx) {
    const country: unknown = request.cf?.country; // workers-types' Request, not a structural stand-in
    ctx.passThroughOnException();
    ctx.waitUntil(env.ORDERS.send({ order: 1 }));
    metricsFor(env).increment('requests', 1, { tags: { country: String(country) } });
    return new Response(await env.MY_KV.get('greeting'));
  },
  async scheduled(controller, env) {
    metricsFor(env).increment('cron.runs', 1, { tags: { cron: controller.cron } });
  },
  async queue(batch: MessageBatch<{ order: number }>, env) {
    for (const message of batch.messages) metricsFor(env).increment('orders', message.body.order);
    batch.ackAll();
  },
}) satisfies ExportedHandler<Env, { order: number }>;
`;

// The README's decorator example: the client from the module-scope env (handlerstats reads DD_* from it).
const ENTRYPOINT = `
import { env, WorkerEntrypoint } from 'cloudflare:workers';
import { createMetrics } from 'handlerstats';
import { flushMetrics } from 'handlerstats/fetch-handler';

const metrics = createMetrics({ env, namespace: 'api' });
export const key: string = env.DD_API_KEY; // typed because Cloudflare.Env is (worker-configuration.d.ts)

export default class Api extends WorkerEntrypoint<Env> {
  @flushMetrics(metrics)
  async fetch(request: Request) { return Response.json(await this.lookup(new URL(request.url).pathname)); }

  @metrics.timed('lookup.duration')
  async lookup(id: string) { return { id }; }
}
`;

const SYNC = `
import { createMetrics } from 'handlerstats';
import { flushMetrics } from 'handlerstats/fetch-handler';
const metrics = createMetrics({ flushInterval: 0 });
export class Service {
  @flushMetrics(metrics)
  count(): number { return 1; }
  @flushMetrics(metrics)
  async fine(): Promise<number> { return 1; }
  @metrics.timed('t') // timed keeps a sync method sync: no error
  timedSync(): number { return 1; }
}
`;

let project: PackedProject;
beforeAll(() => {
  project = packedProject();
  project.write({
    'tc39/tsconfig.json': tsconfig(PROJECTS.wrangler),
    'legacy/tsconfig.json': tsconfig({ ...PROJECTS.wrangler, experimentalDecorators: true }),
  });
  for (const dir of ['tc39', 'legacy'])
    project.write({
      [`${dir}/worker-configuration.d.ts`]: ENV,
      [`${dir}/module-worker.ts`]: MODULE_WORKER,
      [`${dir}/entrypoint.ts`]: ENTRYPOINT,
      [`${dir}/sync.ts`]: SYNC,
    });
}, 60_000);
afterAll(() => project?.remove());

describe.each(['tc39', 'legacy'])('a Worker against workers-types (%s decorators)', (dir) => {
  it('type-checks; a sync method under @flushMetrics is the one error, and names the fix', () => {
    const target = dir === 'tc39' ? '(() => number)' : 'TypedPropertyDescriptor<() => number>';
    expect(project.check(`${dir}/tsconfig.json`).map(format)).toEqual([
      `${dir}/sync.ts(6): TS1270: Decorator function return type 'MethodMustReturnPromise' is not assignable to type 'void | ${target}'.`,
    ]);
  });
});
