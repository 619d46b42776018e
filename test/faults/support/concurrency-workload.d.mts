export declare const NAMESPACE: string;
export declare const INVOCATIONS: number;
export declare const HISTOGRAM_SAMPLES: number;
export declare function invocationTime(base: number, j: number): number;

export type LedgerKind = 'count' | 'gauge' | 'histogram';
export interface LedgerEntry {
  kind: LedgerKind;
  count: number;
  sum: number;
  max: number;
}

interface Recorder {
  increment(name: string, value: number, options: { tags: string[] }): void;
  gauge(name: string, value: number, options: { tags: string[] }): void;
  histogram(name: string, value: number, options: { tags: string[] }): void;
}

export declare function record(
  metrics: Recorder,
  proc: number,
  j: number,
  note?: (kind: LedgerKind, name: string, tags: string[], value: number) => void,
): void;

export declare class Ledger {
  constructor(interval?: number);
  readonly interval: number;
  /** `name|sorted,tags|bucket` → what was recorded there. */
  readonly entries: Record<string, LedgerEntry>;
  note(kind: LedgerKind, name: string, tags: string[], t: number, value: number): void;
  add(entries: Record<string, LedgerEntry>): void;
}
