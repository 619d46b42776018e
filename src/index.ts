import { createMetricsWith, type Metrics } from './client.js';
import { createHttpTransport } from './transports/http.js';
import type { MetricsOptions } from './types.js';

/**
 * Creates a metrics client. On Node the API transport is `node:http(s)` with keep-alive.
 * @example
 * import { createMetrics } from 'handlerstats';
 * const metrics = createMetrics({ namespace: 'shop', tags: ['team:checkout'] });
 * metrics.increment('orders', 1, { tags: ['plan:pro'] });
 * await metrics.flush();
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  return createMetricsWith(options, (o) =>
    createHttpTransport({ intakeUrl: o.intakeUrl, apiKey: o.apiKey, allowInsecureHttp: true }),
  );
}

export type { Timed } from './client/timed.js';
export type { Metrics } from './client.js';
export type { MethodDecorator } from './decorate.js';
export { ERROR_CODES, isMetricsError, MetricsError, type MetricsErrorCode } from './errors.js';
export { FlushError } from './flush/error.js';
export { createFetchTransport, type FetchTransportOptions } from './transports/fetch.js';
// Node-only: `handlerstats/node`. Still exported here for 0.1 code (the root's Node build and its Node
// types); the root's platform-neutral types, which Workers and bundler-resolved projects see, lack it.
export {
  /** @deprecated Import it from `handlerstats/node`: the root's platform-neutral types do not list it. */
  createHttpTransport,
  /** @deprecated Import it from `handlerstats/node`. */
  type HttpTransportOptions,
} from './transports/http.js';
export { createLogTransport } from './transports/log.js';
export type * from './types.js';
