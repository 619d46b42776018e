// handlerstats/testing as users' tests type-check it against the packed package: the fake Lambda context
// is a `Context` of @types/aws-lambda; in a Workers project every helper type-checks without Node types.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { format, type PackedProject, PROJECTS, packedProject, tsconfig } from './support/packed-project.js';

const NODE = `
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createMetrics } from 'handlerstats';
import { createLambdaContext, createMemoryTransport, storeLikeDatadog } from 'handlerstats/testing';

const transport = createMemoryTransport();
const metrics = createMetrics({ transport, flushInterval: 0 });
async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  metrics.increment('requests', 1, { tags: { path: event.path, fn: context.functionName } });
  return { statusCode: 200, body: context.awsRequestId };
}
const context: Context = createLambdaContext({ remainingMs: 1000, functionName: 'orders' });
await handler({ path: '/cart' } as APIGatewayProxyEvent, context);
await metrics.flush();
export const total: number | undefined = storeLikeDatadog(transport.requests).value('requests', 0);
`;

const WORKERS = `
import { createMetrics } from 'handlerstats';
import { withFetchMetrics } from 'handlerstats/fetch-handler';
import {
  createExecutionContext,
  createMemoryTransport,
  type DecodedRequest,
  decodeRequest,
  storeLikeDatadog,
} from 'handlerstats/testing';

const sent: DecodedRequest[] = [];
const transport = createMemoryTransport();
const metrics = createMetrics({ transport, flushInterval: 0 });
const worker = withFetchMetrics(metrics, {
  async fetch(request) {
    sent.push(await decodeRequest(request.clone()));
    return new Response('ok');
  },
});
const ctx = createExecutionContext();
await worker.fetch(new Request('https://shop.test/', { method: 'POST', body: '{}' }), {}, ctx);
const outcomes: PromiseSettledResult<unknown>[] = await ctx.settled();
export const stored = [outcomes, storeLikeDatadog([...transport.requests, ...sent]).series];
`;

let project: PackedProject;
beforeAll(() => {
  project = packedProject();
  project.write({
    'node/tsconfig.json': tsconfig({ ...PROJECTS.nodeNext, moduleDetection: 'force' }),
    'node/test.ts': NODE,
    'workers/tsconfig.json': tsconfig({ ...PROJECTS.wrangler, skipLibCheck: false }),
    'workers/test.ts': WORKERS,
  });
}, 60_000);
afterAll(() => project?.remove());

describe('handlerstats/testing types', () => {
  it('createLambdaContext() is an aws-lambda Context', () => {
    expect(project.check('node/tsconfig.json').map(format)).toEqual([]);
  });

  it('every helper type-checks in a Workers project (skipLibCheck off, no Node types)', () => {
    expect(project.check('workers/tsconfig.json').map(format)).toEqual([]);
  });
});
