/**
 * A pooled keep-alive socket idle for longer than this is not reused: it is destroyed before the next
 * request, which then opens a fresh connection. After a Lambda thaw a pooled socket may be blackholed (a
 * NAT, firewall or load balancer dropped its state while the process was frozen, so no FIN or RST ever
 * comes): a request written on it hangs until the flush deadline. Silent idle drops are commonly seen from
 * 30 s up (AWS NAT gateway, NLB and VPC endpoints: 350 s); half of the shortest keeps a margin, and a
 * function invoked more often than every 15 s still reuses its connection. A fresh connection costs one
 * TCP + TLS handshake; a dead one costs the whole deadline.
 */
export const MAX_IDLE_MS = 15_000;

/** Internal, for tests: a shorter bound, an injected clock. A symbol key keeps it out of the public options. */
export const POOL_TUNING: unique symbol = Symbol('handlerstats.poolTuning') as never;

export interface PoolTuning {
  maxIdleMs?: number;
  /** Milliseconds; replaces both clocks below. */
  now?: () => number;
}

export type IdleStamp = readonly [wall: number, monotonic: number];

export interface IdleClock {
  readonly maxIdleMs: number;
  /** A reading taken when a socket goes back to the pool. */
  stamp(): IdleStamp;
  /** True when the socket released at `stamp` has been idle too long (no stamp: too long). */
  expired(stamp: IdleStamp | undefined): boolean;
}

/**
 * Idle time is a clock read at release compared with a clock read before the next request, never a timer:
 * timers do not run while a Lambda is frozen. Both the wall clock and the monotonic clock are read and the
 * larger gap counts, so a stepped wall clock or a monotonic clock that stood still across a snapshot
 * restore cannot make a dead socket look fresh (at worst a live one is replaced).
 */
export function idleClock(options: object): IdleClock {
  const tuning = (options as { [POOL_TUNING]?: PoolTuning })[POOL_TUNING];
  const maxIdleMs = tuning?.maxIdleMs ?? MAX_IDLE_MS;
  const now = tuning?.now;
  const stamp = (): IdleStamp => (now ? [now(), now()] : [Date.now(), performance.now()]);
  return {
    maxIdleMs,
    stamp,
    expired(at) {
      if (at === undefined) return true;
      const [wall, mono] = stamp();
      return Math.max(wall - at[0], mono - at[1]) > maxIdleMs;
    },
  };
}
