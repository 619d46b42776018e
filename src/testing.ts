// `handlerstats/testing`: what users' own tests need — the in-memory transport, a decoder for real
// request bodies, what Datadog would store of the requests, and fake Lambda and Workers contexts.
// Platform-neutral (no `node:*`): usable in Node, Deno, Bun and inside workerd.

export {
  type DatadogStore,
  type SeriesSelector,
  type StoredDistribution,
  type StoredSeries,
  type StoredType,
  storeLikeDatadog,
} from './testing/datadog-store.js';
export {
  type BodyBytes,
  type DecodedRequest,
  decodeBody,
  decodeRequest,
  type RequestWithBody,
} from './testing/decode.js';
export { createExecutionContext, type TestExecutionContext } from './testing/execution-context.js';
export {
  createLambdaContext,
  type LambdaContextOptions,
  type TestLambdaContext,
} from './testing/lambda-context.js';
export {
  createMemoryTransport,
  type MemoryTransport,
  type MemoryTransportOptions,
  type RecordedRequest,
} from './transports/memory.js';
