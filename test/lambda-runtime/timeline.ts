// One ordered record of what the Runtime API emulator, the probe and the sandbox saw, stamped from the
// shared Sequence (the recording intake stamps from it too). Tests assert ORDER with it: "the response
// reached the emulator before the extension called next; the freeze came after both".
import type { Sequence } from '../helpers/recording-intake.js';

export type TimelineEvent =
  /** The runtime called GET /runtime/invocation/next (the first one closes extension registration). */
  | { type: 'runtime-next' }
  /** An event was handed to the runtime (the answer to one of its `next`). */
  | { type: 'invoke'; requestId: string }
  /** A body chunk of a streamed response arrived (`index` 0 is the first). */
  | { type: 'stream-chunk'; requestId: string; index: number; bytes: number }
  /** The runtime finished posting a response or an error (streamed: the request ended). */
  | { type: 'response'; requestId: string; streamed: boolean }
  | { type: 'error'; requestId: string; streamed: boolean }
  | { type: 'init-error'; errorType: string | undefined; extension?: string }
  /** The runtime and every registered extension have called their first `next`. */
  | { type: 'init-done' }
  | { type: 'extension-register'; extension: string; id: string; events: string[] }
  | { type: 'extension-next'; extension: string }
  /** An event was handed to an extension (`payload`: the JSON it got). */
  | {
      type: 'extension-event';
      extension: string;
      eventType: 'INVOKE' | 'SHUTDOWN';
      requestId?: string;
      payload: unknown;
    }
  | { type: 'extension-exit-error'; extension: string; errorType: string }
  /** A request the emulator answered with an error status (as Lambda would). */
  | { type: 'refused'; path: string; status: number; errorType: string; message: string; extension?: string }
  | { type: 'freeze' }
  | { type: 'thaw' }
  | { type: 'shutdown'; reason: string }
  /** A sandbox process ended (`process` is 'runtime' or an external extension's name). */
  | { type: 'exit'; process: string; code: number | null; signal: string | null }
  /** Probe: a request arrived at gate `key` / the test released it / the function marked `label`. */
  | { type: 'gate'; key: string }
  | { type: 'gate-release'; key: string }
  | { type: 'mark'; label: string };

export type TimelineType = TimelineEvent['type'];
export type TimelineEntry<T extends TimelineType = TimelineType> = Extract<TimelineEvent, { type: T }> & {
  seq: number;
  /** Date.now() when recorded. */
  at: number;
};
/** Field values an entry must have, plus `after`/`before` (exclusive sequence bounds). */
export type Match<T extends TimelineType> = Partial<Omit<Extract<TimelineEvent, { type: T }>, 'type'>> & {
  after?: number;
  before?: number;
};

export interface Timeline {
  readonly entries: readonly TimelineEntry[];
  record(event: TimelineEvent): TimelineEntry;
  all<T extends TimelineType>(type: T, match?: Match<T>): TimelineEntry<T>[];
  first<T extends TimelineType>(type: T, match?: Match<T>): TimelineEntry<T> | undefined;
  /** The first matching entry's seq; throws (listing the timeline) when there is none. */
  seqOf<T extends TimelineType>(type: T, match?: Match<T>): number;
  /** Resolves with the first matching entry, recorded already or later; rejects after `timeoutMs`. */
  waitFor<T extends TimelineType>(type: T, match?: Match<T>, timeoutMs?: number): Promise<TimelineEntry<T>>;
  /** Resolves with the first `count` matching entries once there are that many. */
  waitForCount<T extends TimelineType>(
    type: T,
    count: number,
    match?: Match<T>,
    timeoutMs?: number,
  ): Promise<TimelineEntry<T>[]>;
  /** One line per entry, for failure messages. */
  format(): string;
}

export function createTimeline(sequence: Sequence): Timeline {
  const entries: TimelineEntry[] = [];
  const waiters = new Set<() => void>();
  const matches = (entry: TimelineEntry, type: TimelineType, match: Record<string, unknown>): boolean => {
    if (entry.type !== type) return false;
    const { after, before, ...fields } = match;
    if (typeof after === 'number' && entry.seq <= after) return false;
    if (typeof before === 'number' && entry.seq >= before) return false;
    const values = entry as unknown as Record<string, unknown>;
    return Object.entries(fields).every(([k, v]) => v === undefined || values[k] === v);
  };
  const format = (): string =>
    entries.map(({ seq, at, type, ...rest }) => `${seq} ${type} ${JSON.stringify(rest)} @${at}`).join('\n');
  const all = <T extends TimelineType>(type: T, match: Match<T> = {}): TimelineEntry<T>[] =>
    entries.filter((e) => matches(e, type, match)) as TimelineEntry<T>[];
  /** Resolves with `check()` once it is defined (checked now and after every record). */
  const until = <R>(check: () => R | undefined, what: string, timeoutMs: number): Promise<R> => {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`timeline: no ${what} in ${timeoutMs} ms\n${format()}`));
      }, timeoutMs);
      const waiter = (): void => {
        const found = check();
        if (found === undefined) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(found);
      };
      waiters.add(waiter);
    });
  };
  const first = <T extends TimelineType>(type: T, match: Match<T> = {}): TimelineEntry<T> | undefined =>
    entries.find((e) => matches(e, type, match)) as TimelineEntry<T> | undefined;
  return {
    entries,
    record(event) {
      const entry = { ...event, seq: sequence.next(), at: Date.now() } as TimelineEntry;
      entries.push(entry);
      for (const waiter of [...waiters]) waiter();
      return entry;
    },
    all,
    first,
    seqOf(type, match = {}) {
      const found = first(type, match);
      if (found === undefined)
        throw new Error(`timeline: no ${type} ${JSON.stringify(match)} in\n${format()}`);
      return found.seq;
    },
    waitFor: (type, match = {}, timeoutMs = 20_000) =>
      until(() => first(type, match), `${type} ${JSON.stringify(match)}`, timeoutMs),
    waitForCount: (type, count, match = {}, timeoutMs = 20_000) =>
      until(
        () => (all(type, match).length >= count ? all(type, match).slice(0, count) : undefined),
        `${count} × ${type} ${JSON.stringify(match)}`,
        timeoutMs,
      ),
    format,
  };
}
