// Entry for runtimes without Node built-ins (Workers, Deno, Bun, browsers): selected through the
// package's `workerd` / `worker` / `browser` / `deno` export conditions. No `node:*` import on this path.
import { createMetricsWith, type Metrics } from './client.js';
import { createFetchTransport } from './transports/fetch.js';
import type { MetricsOptions } from './types.js';

/**
 * Creates a metrics client whose API transport is the global `fetch`.
 * @example
 * const metrics = createMetrics({ apiKey: env.DD_API_KEY, flushInterval: 0 });
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  // Cloudflare Workers refuse timers at module scope (the Worker fails to start) and drop them when the
  // request ends, so there the timer is off unless asked for; handlerstats/fetch-handler flushes instead.
  const ua = (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent;
  const timerOff = ua === 'Cloudflare-Workers' && options?.flushInterval === undefined;
  return createMetricsWith(timerOff ? { ...options, flushInterval: 0 } : options, (o) =>
    createFetchTransport({ intakeUrl: o.intakeUrl, apiKey: o.apiKey, allowInsecureHttp: true }),
  );
}

export type { Timed } from './client/timed.js';
export type { Metrics } from './client.js';
export type { MethodDecorator } from './decorate.js';
export { ERROR_CODES, isMetricsError, MetricsError, type MetricsErrorCode } from './errors.js';
export { FlushError } from './flush/error.js';
export { createFetchTransport, type FetchTransportOptions } from './transports/fetch.js';
export { createLogTransport } from './transports/log.js';
export type * from './types.js';
