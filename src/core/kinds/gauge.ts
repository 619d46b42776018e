import { type Endpoint, KIND, type KindOps, NUMBER_BYTES, type Slots } from './kind.js';

/**
 * Gauges: the last value recorded in a bucket. Nothing is kept after a send: the newest value is always
 * the right one to send again. With `endpoint: 'distributions'` the last value goes out as one
 * distribution value per send (sendAs: 'distribution'; query with avg/max).
 */
export function gaugeKind(endpoint: Endpoint): KindOps {
  return {
    id: KIND.gauge,
    endpoint,
    outputs: endpoint === 'series' ? [{ suffix: '', type: 'gauge' }] : [],
    retains: false,
    adds: endpoint === 'distributions',
    perValue: false,
    add(slots: Slots, value) {
      const fresh = slots.p === undefined;
      slots.p = value;
      return fresh ? NUMBER_BYTES : 0;
    },
    merge: (_x, y) => y,
    compact: (state) => state,
    expand: (compact) => compact,
    points: () => 1,
    weigh: () => NUMBER_BYTES,
    weighCompact: () => NUMBER_BYTES,
    value: (state) => state as number,
    values: (state) => [state as number],
  };
}
