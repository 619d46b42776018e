import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { createMetrics, type Metrics, type MetricsError, type MetricsOptions } from '../../../src/index.js';
import { type FaultProxy, startFaultProxy } from '../../helpers/fault-proxy.js';
import { startVictoria, type Victoria, victoriaAvailability } from '../../helpers/victoria.js';
import { lastWriteWins, type SeriesPoints, type WriteHistory, writeHistory } from './vm-series.js';

export interface E2E {
  vm: Victoria;
  /** Transparent unless told to fail; stamps the arrival order on what it forwards. */
  proxy: FaultProxy;
}

const availability = victoriaAvailability();

/**
 * A describe block backed by one VictoriaMetrics and one fault proxy for its tests. Without the
 * binary its tests fail, naming what is missing: a suite that did not run never counts as passed.
 */
export function describeE2E(name: string, body: (env: () => E2E) => void): void {
  describe(name, () => {
    let env: E2E | undefined;
    beforeAll(async () => {
      if (!availability.ok) throw new Error(`the e2e suite needs VictoriaMetrics: ${availability.reason}`);
      const vm = await startVictoria(availability.binary);
      env = { vm, proxy: await startFaultProxy(vm.url) };
    }, 30_000);
    afterAll(async () => {
      await env?.proxy.stop();
      await env?.vm.stop();
    });
    beforeEach(() => {
      env?.proxy.recover();
      env?.proxy.log.splice(0);
    });
    body(() => env!);
  });
}

let prefixes = 0;
/** A metric namespace no other test (or run of a property) uses. */
export function freshPrefix(tag = 'e2e'): string {
  return `${tag}${Date.now().toString(36)}n${(prefixes++).toString(36)}`;
}

/** A bucket-aligned start 30 minutes in the past (aligned to 600 s, so to every interval used here). */
export function alignedBase(): number {
  return Math.floor(Date.now() / 1000 / 600) * 600 - 1800;
}

export interface E2EClient {
  metrics: Metrics;
  errors: MetricsError[];
}

/** A client pointed at the proxy with `apiKey: 'test'`, no timer, errors collected instead of logged. */
export function e2eClient(
  env: E2E,
  namespace: string,
  now: () => number,
  options: MetricsOptions = {},
): E2EClient {
  const errors: MetricsError[] = [];
  const metrics = createMetrics({
    apiKey: 'test',
    intakeUrl: `${env.proxy.url}/datadog`,
    namespace,
    flushInterval: 0,
    now,
    env: {},
    onError: (e) => errors.push(e),
    ...options,
  });
  return { metrics, errors };
}

export interface ReadBack {
  history: WriteHistory;
  /** The last write per series and timestamp. */
  state: SeriesPoints;
}

/** Flushes VictoriaMetrics and reads every series under `prefix.` back, reduced last-write-wins. */
export async function readBack(env: E2E, prefix: string, from: number, to: number): Promise<ReadBack> {
  await env.proxy.settled();
  await env.vm.forceFlush();
  const lines = await env.vm.exportSeries(`{__name__=~"${prefix}[.].*"}`, from, to);
  const history = writeHistory(lines);
  return { history, state: lastWriteWins(history) };
}

/** Every timestamp of `state` that is not a multiple of `interval`. */
export function misaligned(state: SeriesPoints, interval: number): string[] {
  const out: string[] = [];
  for (const [key, points] of Object.entries(state))
    for (const t of Object.keys(points)) if (Number(t) % interval !== 0) out.push(`${key} @${t}`);
  return out;
}
