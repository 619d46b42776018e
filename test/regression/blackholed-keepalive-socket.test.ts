import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport, createMetrics, type Transport } from '../../src/index.js';
import { MAX_IDLE_MS, POOL_TUNING, type PoolTuning } from '../../src/transports/idle.js';
import { createUndiciTransport } from '../../src/transports/undici.js';
import { testClock } from '../helpers/clock.js';
import { type RawServer, reply, startRawServer } from '../helpers/raw-server.js';

// 0.1: after a Lambda thaw, a pooled keep-alive socket whose peer vanished without FIN or RST (a NAT or
// load balancer dropped it while the process was frozen) was reused: the request written on it hung until
// the flush deadline, and only the flush after that one recovered. Pooled sockets idle for longer than
// MAX_IDLE_MS (a clock read at release, not a timer: timers do not run while frozen) are not reused now.
const KEY = 'abcd1234idlekey';
const DEADLINE_MS = 900;
const FACTORIES: Record<string, (intakeUrl: string, tuning: PoolTuning) => Transport> = {
  'node:http': (intakeUrl, tuning) =>
    createHttpTransport({ intakeUrl, apiKey: KEY, [POOL_TUNING]: tuning } as never),
  undici: (intakeUrl, tuning) =>
    createUndiciTransport({ intakeUrl, apiKey: KEY, [POOL_TUNING]: tuning } as never),
};

let front: RawServer | undefined;
afterEach(async () => {
  await front?.close();
  front = undefined;
});

/** Answers the first request of each connection, then blackholes it: stops reading, never writes, no FIN. */
const blackholeFront = () =>
  startRawServer((r) => {
    if (r.onSocket === 1) r.socket.write(reply(202, '{}', { 'Keep-Alive': 'timeout=600' }));
    else r.socket.pause();
  });

async function twoFlushes(
  make: (typeof FACTORIES)[string],
  tuning: PoolTuning,
  gap: () => Promise<void> | void,
) {
  front = await blackholeFront();
  const metrics = createMetrics({
    transport: make(front.url, tuning),
    now: testClock(),
    flushInterval: 0,
    flushTimeoutMs: DEADLINE_MS,
    onError: () => {},
  });
  metrics.increment('c');
  expect((await metrics.flush()).ok).toBe(true);
  await new Promise((r) => setTimeout(r, 20)); // the socket is back in the pool
  await gap();
  metrics.increment('c');
  const started = performance.now();
  const outcome = await metrics.flush().then(
    (report) => report.ok,
    (error: { code?: string }) => error.code,
  );
  const ms = performance.now() - started;
  const { connections } = front;
  await metrics.close({ timeoutMs: 50 }).catch(() => {});
  return { outcome, ms, connections };
}

describe.each(Object.entries(FACTORIES))('%s', (_name, make) => {
  it('after an idle gap longer than the bound (injected clock), the next flush opens a fresh connection', async () => {
    let now = 1_000_000;
    const result = await twoFlushes(make, { now: () => now }, () => {
      now += MAX_IDLE_MS + 1000; // the freeze: no timer ran meanwhile
    });
    expect(result.outcome).toBe(true);
    expect(result.ms).toBeLessThan(DEADLINE_MS / 3);
    expect(result.connections).toBe(2);
  });

  it('with a shortened bound and the real clocks, likewise', async () => {
    const result = await twoFlushes(make, { maxIdleMs: 100 }, () => new Promise((r) => setTimeout(r, 250)));
    expect(result.outcome).toBe(true);
    expect(result.connections).toBe(2);
  });

  it('control: within the bound the socket is reused, and the front really blackholes it', async () => {
    let now = 1_000_000;
    const result = await twoFlushes(make, { now: () => now }, () => {
      now += MAX_IDLE_MS - 1000;
    });
    expect(result.outcome).toBe('DEADLINE_EXCEEDED');
    expect(result.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
    expect(result.connections).toBe(1);
  });
});
