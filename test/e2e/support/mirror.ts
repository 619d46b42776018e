import type { Metrics } from '../../../src/index.js';
import type { Truth } from './truth.js';

export interface MirrorCall {
  tags?: string[];
  /** Unix seconds; default: the clock's now. */
  timestamp?: number;
}

/**
 * Records every call both into the client and into the truth model, so a workload is written once.
 * `tags` must already be in normalized form (lowercase, as the client sends them) for the truth side.
 */
export function mirror(metrics: Metrics, truth: Truth, prefix: string, nowSeconds: () => number) {
  const at = (o: MirrorCall): number => o.timestamp ?? nowSeconds();
  const opts = (o: MirrorCall) => ({
    tags: o.tags ?? [],
    ...(o.timestamp === undefined ? {} : { timestamp: o.timestamp }),
  });
  const full = (name: string): string => `${prefix}.${name}`;
  return {
    increment(name: string, value: number, o: MirrorCall = {}): void {
      metrics.increment(name, value, opts(o));
      truth.count(full(name), at(o), value, o.tags);
    },
    decrement(name: string, value: number, o: MirrorCall = {}): void {
      metrics.decrement(name, value, opts(o));
      truth.count(full(name), at(o), -value, o.tags);
    },
    gauge(name: string, value: number, o: MirrorCall = {}): void {
      metrics.gauge(name, value, opts(o));
      truth.gauge(full(name), at(o), value, o.tags);
    },
    set(name: string, member: string, o: MirrorCall = {}): void {
      metrics.set(name, member, opts(o));
      truth.set(full(name), at(o), member, o.tags);
    },
    histogram(name: string, value: number, o: MirrorCall = {}): void {
      metrics.histogram(name, value, opts(o));
      truth.histogram(full(name), at(o), value, o.tags);
    },
  };
}

export type Mirror = ReturnType<typeof mirror>;
