import type { HistogramAggregate } from '../../types.js';
import { countKind } from './count.js';
import { distributionKind } from './distribution.js';
import { gaugeKind } from './gauge.js';
import { histogramKind } from './histogram.js';
import { KIND, type KindOps } from './kind.js';
import { setKind } from './set.js';

export type SendAs = 'native' | 'distribution';

export interface KindsConfig {
  aggregates: readonly HistogramAggregate[];
  percentiles: readonly number[];
  /** The sink adds up every point it gets (the Forwarder reading log lines): send deltas, keep nothing. */
  additive: boolean;
  sendAs: SendAs;
}

/** The behaviour of each kind for this client, indexed by `KIND`. */
export function kindsFor(cfg: KindsConfig): readonly KindOps[] {
  const lww = !cfg.additive;
  if (cfg.sendAs === 'distribution')
    return [
      countKind({ retains: false, endpoint: 'distributions' }),
      gaugeKind('distributions'),
      setKind(lww),
      distributionKind(KIND.histogram),
      distributionKind(),
    ];
  return [
    countKind({ retains: lww, endpoint: 'series' }),
    gaugeKind('series'),
    setKind(lww),
    histogramKind({ aggregates: cfg.aggregates, percentiles: cfg.percentiles, retains: lww }),
    distributionKind(),
  ];
}

export { KIND, type KindId, type KindOps } from './kind.js';
export { MAX_SET_SIZE } from './set.js';
