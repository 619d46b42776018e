import type { FaultSpec, Faults } from './types.js';

const MAX_DELAY_MS = 600_000;

/** Fault state plus `next()`, which the server calls once per ingest request. */
export interface FaultController extends Faults {
  /** The fault that applies to this request (consuming one of a queued fault's `count`), if any. */
  next(): FaultSpec | undefined;
}

const isInt = (v: unknown, min: number, max: number): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** Checks a fault from JSON or a caller. Returns the problem, or undefined when it is usable. */
export function faultProblem(spec: unknown): string | undefined {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    return 'a fault must be a JSON object';
  const s = spec as Record<string, unknown>;
  const known = new Set(['status', 'count', 'delayMs', 'reset', 'hang', 'retryAfter']);
  const unknown = Object.keys(s).find((k) => !known.has(k));
  if (unknown !== undefined) return `unknown fault field "${unknown}"`;
  if (s.status !== undefined && !isInt(s.status, 200, 599)) return '"status" must be an integer 200..599';
  if (s.count !== undefined && !isInt(s.count, 1, 1e9)) return '"count" must be a positive integer';
  if (s.delayMs !== undefined && !isInt(s.delayMs, 0, MAX_DELAY_MS))
    return `"delayMs" must be an integer 0..${MAX_DELAY_MS}`;
  if (s.retryAfter !== undefined && !isInt(s.retryAfter, 0, 86_400))
    return '"retryAfter" must be an integer 0..86400';
  for (const k of ['reset', 'hang'] as const)
    if (s[k] !== undefined && typeof s[k] !== 'boolean') return `"${k}" must be a boolean`;
  if (s.status === undefined && s.delayMs === undefined && s.reset !== true && s.hang !== true)
    return 'a fault needs one of "status", "delayMs", "reset", "hang"';
  return undefined;
}

/**
 * Creates the fault state of one intake.
 * @example
 * const faults = createFaults();
 * faults.inject({ status: 503, count: 2, retryAfter: 1 });
 */
export function createFaults(): FaultController {
  let permanent: FaultSpec | undefined;
  let queue: { spec: FaultSpec; left: number }[] = [];
  return {
    inject(spec) {
      const problem = faultProblem(spec);
      if (problem !== undefined) throw new RangeError(`handlerstats intake: ${problem}`);
      if (spec.count === undefined) permanent = { ...spec };
      else queue.push({ spec: { ...spec }, left: spec.count });
    },
    clear() {
      permanent = undefined;
      queue = [];
    },
    state() {
      return {
        permanent: permanent === undefined ? undefined : { ...permanent },
        queue: queue.map((q) => ({ ...q.spec, count: q.left })),
      };
    },
    next() {
      const head = queue[0];
      if (head === undefined) return permanent;
      head.left--;
      if (head.left <= 0) queue.shift();
      const { count: _count, ...rest } = head.spec;
      return { ...permanent, ...rest };
    },
  };
}
