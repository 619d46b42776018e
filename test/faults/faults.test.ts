import { afterAll, describe, expect, it } from 'vitest';
import type { MetricsErrorCode } from '../../src/index.js';
import { type RawServer, reply, startRawServer } from '../helpers/raw-server.js';
import {
  API_KEY,
  delta,
  INVOCATION_TIMEOUT_MS,
  type Invocation,
  type Rig,
  type RigOptions,
  reportOf,
  startRig,
} from './support/rig.js';
import { diffDistributions, storedSeries } from './support/truth-log.js';

/**
 * What the faulted invocation must show:
 * - `absorbed`: the fault is handled inside the flush (retry, split, fresh connection); nothing carried;
 * - `carried`: the flush fails within the deadline, its data stays buffered for the next invocation;
 * - `rejected`: the intake refused the batch for good; it is dropped and counted, never re-sent.
 */
type Outcome =
  | { kind: 'absorbed'; retries: number | 'some' | 'none' | 'any'; requests?: number }
  | { kind: 'carried'; codes: MetricsErrorCode[]; retries?: 'none' }
  | { kind: 'rejected'; code: MetricsErrorCode };

interface FaultCase {
  name: string;
  via?: 'front' | 'dns';
  /** Leave the event out of the faulted invocation (its request would race the others for a fault). */
  noEvent?: boolean;
  arm(rig: Rig): void | Promise<void>;
  recover(rig: Rig): void | Promise<void>;
  outcome: Outcome;
  /** The intake may have stored the faulted request although the client saw a failure. */
  mayHaveArrived?: boolean;
  /** Extra checks on the faulted invocation. */
  also?(rig: Rig, inv: Invocation): void;
  /** How the client is built (default: key and transport in code). */
  rig?: RigOptions;
  /** A library bug this row shows (the row is `it.fails` until it is fixed): what is wrong. */
  knownBug?: string;
}

async function until(done: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!done() && performance.now() < end) await new Promise((r) => setTimeout(r, 10));
}

const intakeFault = (spec: Parameters<Rig['intake']['faults']['inject']>[0]) => (rig: Rig) =>
  rig.intake.faults.inject(spec);
const clearIntake = (rig: Rig): void => rig.intake.faults.clear();
const recoverFront = (rig: Rig): Promise<void> => rig.front.recover();
const DEADLINE_OR: (code: MetricsErrorCode) => MetricsErrorCode[] = (code) => [code, 'DEADLINE_EXCEEDED'];

/**
 * A 3xx with a `Location` on every request: never followed (by any transport, DESIGN §12), so the batch is
 * `HTTP_REDIRECT`, dropped and counted; the Location target (a listener counting connections) is never
 * contacted, not even with a bodiless GET.
 */
function redirectCase(status: 301 | 302 | 303 | 307 | 308): FaultCase {
  let target: RawServer | undefined;
  return {
    name: `${status} with a Location: not followed, dropped as HTTP_REDIRECT, the Location never contacted`,
    async arm(rig) {
      target = await startRawServer((r) => r.socket.write(reply(200, '{}')));
      rig.front.failAll({ kind: 'answer', status, headers: { Location: `${target.url}/api/v1/series` } });
    },
    async recover(rig) {
      await target?.close();
      await rig.front.recover();
    },
    outcome: { kind: 'rejected', code: 'HTTP_REDIRECT' },
    also(rig, inv) {
      expect(target!.connections).toBe(0);
      // Series, distributions, the event: each answered the 3xx once and never retried.
      expect(rig.front.log.filter((r) => r.answered === status)).toHaveLength(3);
      expect(delta(inv)).toMatchObject({ requests: 3, retries: 0 });
    },
  };
}

/** The distribution requests of the faulted invocation meet `fault` `times` times in a row. */
const onDistributions =
  (times: number, fault: Parameters<Rig['front']['failAll']>[0]) =>
  (rig: Rig): void => {
    let left = times;
    rig.front.plan(({ path }) => (path.endsWith('/distribution_points') && left-- > 0 ? fault : undefined));
  };

const cases: FaultCase[] = [
  {
    name: '500 twice, then 202',
    arm: intakeFault({ status: 500, count: 2 }),
    recover: clearIntake,
    outcome: { kind: 'absorbed', retries: 2, requests: 5 },
  },
  {
    name: '502 until the intake recovers',
    arm: intakeFault({ status: 502 }),
    recover: clearIntake,
    outcome: { kind: 'carried', codes: DEADLINE_OR('HTTP_ERROR') },
  },
  {
    name: '503 three times, then 202',
    arm: intakeFault({ status: 503, count: 3 }),
    recover: clearIntake,
    outcome: { kind: 'absorbed', retries: 3, requests: 6 },
  },
  {
    name: '429 with Retry-After: 1 (fits the deadline)',
    arm: intakeFault({ status: 429, count: 1, retryAfter: 1 }),
    recover: clearIntake,
    outcome: { kind: 'absorbed', retries: 1, requests: 4 },
    also(rig) {
      // Event order: the retry of the throttled request came after the time the intake asked for.
      const log = rig.front.log.filter((r) => r.at >= rig.front.log[rig.front.log.length - 4]!.at);
      const throttled = log.find((r) => r.status === 429)!;
      const retry = log.find((r) => r.path === throttled.path && r.at > throttled.at)!;
      expect(retry.status).toBe(202);
      expect(retry.at - throttled.at).toBeGreaterThanOrEqual(900);
    },
  },
  {
    name: '429 with Retry-After: 120 (past the deadline): carried at once',
    arm: intakeFault({ status: 429, retryAfter: 120 }),
    recover: clearIntake,
    outcome: { kind: 'carried', codes: ['HTTP_ERROR'], retries: 'none' },
  },
  {
    name: '408 twice, then 202',
    arm: intakeFault({ status: 408, count: 2 }),
    recover: clearIntake,
    outcome: { kind: 'absorbed', retries: 2, requests: 4 },
    noEvent: true,
  },
  {
    name: '413: the batch is halved and resent',
    arm: intakeFault({ status: 413, count: 1 }),
    recover: clearIntake,
    noEvent: true, // a single event cannot be halved: a 413 on it would drop it (covered by 400)
    outcome: { kind: 'absorbed', retries: 'none', requests: 4 }, // 413, two halves, distributions
  },
  {
    name: '400: the batch is dropped and reported',
    arm: intakeFault({ status: 400 }),
    recover: clearIntake,
    outcome: { kind: 'rejected', code: 'BAD_REQUEST' },
  },
  {
    name: '403: dropped, "API key rejected"',
    arm: intakeFault({ status: 403 }),
    recover: clearIntake,
    outcome: { kind: 'rejected', code: 'API_KEY_REJECTED' },
  },
  {
    name: 'connection refused',
    arm: (rig) => rig.front.refuse(),
    recover: recoverFront,
    outcome: { kind: 'carried', codes: DEADLINE_OR('NETWORK_ERROR') },
  },
  {
    name: 'reset mid-request (every attempt, fresh or reused connection)',
    arm: (rig) => rig.front.failAll({ kind: 'reset' }),
    recover: recoverFront,
    outcome: { kind: 'carried', codes: DEADLINE_OR('NETWORK_ERROR') },
  },
  {
    name: 'reset after the intake stored the request (3 times): ambiguous, re-sent',
    arm: (rig) => rig.front.failNext(3, { kind: 'reset-after-store' }),
    recover: recoverFront,
    mayHaveArrived: true,
    outcome: { kind: 'absorbed', retries: 'some' },
  },
  {
    name: '500 after the intake stored the request (once): ambiguous, re-sent, counted',
    arm: (rig) => rig.front.failNext(1, { kind: 'status-after-store', status: 500 }),
    recover: recoverFront,
    mayHaveArrived: true,
    outcome: { kind: 'absorbed', retries: 1, requests: 4 },
    also(_rig, inv) {
      expect(delta(inv).ambiguous).toBe(1);
    },
  },
  {
    name: '500 after store on the distributions request (once): its values stored twice, counted in resent',
    arm: onDistributions(1, { kind: 'status-after-store', status: 500 }),
    recover: recoverFront,
    mayHaveArrived: true,
    outcome: { kind: 'absorbed', retries: 1, requests: 4 },
    also(rig, inv) {
      expect(rig.front.log.filter((r) => r.fault === 'status-after-store' && r.status === 202)).toHaveLength(
        1,
      );
      expect(delta(inv)).toMatchObject({ ambiguous: 1, resent: 2 }); // the two values of this invocation
    },
  },
  {
    name: '500 after store twice on the distributions request, then 202: each re-send counted in resent',
    // BUG (library): src/flush/send.ts sendWithRetry keeps `ambiguous` as one boolean per request, and
    // src/core/drain.ts adds a piece's points to `resent` once when it settles (`twice`), however many
    // ambiguous attempts came before the success. Two 500s that had stored it, then a 202: the two values
    // are held three times (extra 4), `resent` says 2 — stored − truth exceeds what stats() admits to.
    // Fix: count the re-sends that follow an ambiguous attempt (points × re-sends), also for a request that
    // is finally carried after several ambiguous attempts.
    arm: onDistributions(2, { kind: 'status-after-store', status: 500 }),
    recover: recoverFront,
    mayHaveArrived: true,
    outcome: { kind: 'absorbed', retries: 2, requests: 5 },
    also(rig) {
      // Every attempt was stored: the invocation's two distribution values are held three times.
      expect(rig.front.log.filter((r) => r.fault === 'status-after-store' && r.status === 202)).toHaveLength(
        2,
      );
    },
  },
  {
    name: 'reset of an idle keep-alive socket the peer forgot (RST on reuse, as after a Lambda thaw)',
    arm: (rig) => rig.front.failNext(1, { kind: 'reset' }),
    recover: recoverFront,
    outcome: { kind: 'absorbed', retries: 1, requests: 4 },
    also(rig) {
      const reset = rig.front.log.find((r) => r.fault === 'reset')!;
      expect(reset.index).toBeGreaterThan(0); // it hit a reused connection …
      const after = rig.front.log.filter((r) => r.at > reset.at && r.path === reset.path);
      expect(after[0]?.index).toBe(0); // … and the retry went out on a fresh one
      expect(after[0]?.status).toBe(202);
    },
  },
  {
    name: 'idle keep-alive sockets reset between invocations',
    async arm(rig) {
      expect(rig.front.resetIdle()).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 50)); // the client sees the RSTs and drops those sockets
    },
    recover: recoverFront,
    outcome: { kind: 'absorbed', retries: 'none', requests: 3 },
  },
  {
    name: 'accept and never answer (raw TCP)',
    arm: (rig) => rig.front.failAll({ kind: 'hang' }),
    recover: recoverFront,
    outcome: { kind: 'carried', codes: ['DEADLINE_EXCEEDED'] },
  },
  {
    name: 'the intake reads the request and never answers',
    arm: intakeFault({ hang: true }),
    recover: clearIntake,
    outcome: { kind: 'carried', codes: ['DEADLINE_EXCEEDED'] },
  },
  {
    name: 'slow answer within the deadline (300 ms)',
    arm: intakeFault({ delayMs: 300 }),
    recover: clearIntake,
    outcome: { kind: 'absorbed', retries: 'none', requests: 3 },
  },
  {
    name: 'slow body: the answer trickles in past the deadline',
    arm: (rig) => rig.front.failAll({ kind: 'trickle', bytes: 4, everyMs: 100 }),
    recover: recoverFront,
    mayHaveArrived: true,
    outcome: { kind: 'carried', codes: ['DEADLINE_EXCEEDED'] },
  },
  {
    name: 'slow body that completes within the deadline',
    arm: (rig) => rig.front.failAll({ kind: 'trickle', bytes: 32, everyMs: 20 }),
    recover: recoverFront,
    outcome: { kind: 'absorbed', retries: 'none', requests: 3 },
  },
  {
    name: 'DNS failure of the intake host (intake.invalid)',
    via: 'dns',
    async arm(rig) {
      // Warm connections need no lookup: the idle ones die too (a thaw), so every request must resolve.
      rig.dns!.resolves = false;
      rig.front.resetIdle();
      await new Promise((r) => setTimeout(r, 50));
    },
    recover(rig) {
      rig.dns!.resolves = true;
    },
    outcome: { kind: 'carried', codes: DEADLINE_OR('NETWORK_ERROR') },
    also(rig, inv) {
      expect(rig.dns!.queries.length).toBeGreaterThan(0);
      expect(inv.errors[0]?.message).toMatch(/ENOTFOUND/);
    },
  },
  ...([301, 302, 303, 307, 308] as const).map(redirectCase),
  ...[`${API_KEY}\n`, ` ${API_KEY}\r\n`].map(
    (key): FaultCase => ({
      name: `DD_API_KEY ${JSON.stringify(key.replace(API_KEY, '<key>'))} (as read from a secret file): trimmed, delivered, no ERR_INVALID_CHAR retries`,
      rig: { envApiKey: key },
      arm() {},
      recover() {},
      outcome: { kind: 'absorbed', retries: 'none', requests: 3 },
      also(rig) {
        expect(rig.front.log.length).toBeGreaterThanOrEqual(6); // warm and faulted invocations, through the default transport
        for (const r of rig.front.log) expect(r.headers['dd-api-key']).toBe(API_KEY);
        expect(rig.errors).toEqual([]);
      },
    }),
  ),
];

interface Row {
  name: string;
  outcome: string;
  latencyMs: number;
  retries: number;
  carried: number;
  rejected: number;
  resent: number;
  extraDistributionValues: number;
}
const rows: Row[] = [];

afterAll(() => {
  if (process.env.FAULTS_SUMMARY === undefined) return;
  for (const r of rows)
    console.log(
      `| ${r.name} | ${r.outcome} | ${Math.round(r.latencyMs)} | ${r.retries} | ${r.carried} | ${r.rejected} | ${r.resent} | ${r.extraDistributionValues} |`,
    );
});

describe(`faults: every invocation ends within its ${INVOCATION_TIMEOUT_MS} ms limit and nothing is lost or counted twice`, () => {
  for (const c of cases)
    (c.knownBug === undefined ? it : it.fails)(c.name, async () => {
      const rig = await startRig(c.via, {}, c.rig);
      try {
        if (c.via === 'dns') rig.dns!.resolves = true;
        // 0: a healthy invocation leaves warm keep-alive connections and a sent bucket behind.
        const warm = await rig.invoke(0);
        expect(warm.errors).toEqual([]);
        rig.clock.advance(1);

        // 1: the faulted invocation, in the same bucket.
        await c.arm(rig);
        const faulted = await rig.invoke(1, { events: c.noEvent !== true });
        expect(faulted.result).toEqual({ statusCode: 200, i: 1 });
        expect(faulted.latencyMs).toBeLessThan(INVOCATION_TIMEOUT_MS);
        const d = delta(faulted);
        const o = c.outcome;
        if (o.kind === 'absorbed') {
          expect(faulted.errors).toEqual([]);
          expect(d.failedFlushes).toBe(0);
          expect(d.carriedOver).toBe(0);
          expect(faulted.after.buffered).toBe(0);
          if (o.retries === 'none') expect(d.retries).toBe(0);
          else if (o.retries === 'some') expect(d.retries).toBeGreaterThan(0);
          else if (typeof o.retries === 'number') expect(d.retries).toBe(o.retries);
          if (o.requests !== undefined) expect(d.requests).toBe(o.requests);
        } else if (o.kind === 'carried') {
          expect(faulted.errors).toHaveLength(1);
          expect(o.codes).toContain(faulted.errors[0]!.code);
          expect(d.errors[faulted.errors[0]!.code]).toBeGreaterThan(0);
          expect(d.failedFlushes).toBe(1);
          expect(d.carriedOver).toBeGreaterThan(0);
          expect(d.carriedOver).toBe(reportOf(faulted.errors[0])?.carried);
          expect(faulted.after.buffered).toBeGreaterThan(0);
          expect(d.rejected).toBe(0);
          if (o.retries === 'none') expect(d.retries).toBe(0);
        } else {
          expect(faulted.errors).toHaveLength(1);
          expect(faulted.errors[0]!.code).toBe(o.code);
          expect(d.failedFlushes).toBe(1);
          expect(d.rejected).toBeGreaterThan(0);
          expect(d.rejected).toBe(reportOf(faulted.errors[0])?.dropped);
          expect(d.carriedOver).toBe(0);
          expect(faulted.after.buffered).toBe(0);
        }
        c.also?.(rig, faulted);
        // No attempt outlives its flush for long: hung, trickling and refused requests are all ended.
        await until(() => rig.inFlight() === 0, 1000);
        expect(rig.inFlight()).toBe(0);

        // 2: the intake is back. A refused batch stays dropped: the next invocation goes to a new bucket
        // so nothing merges into the buckets it hit; otherwise it lands in the same bucket and must send
        // the merged totals of everything carried.
        await c.recover(rig);
        rig.clock.advance(o.kind === 'rejected' ? 10 : 2);
        const healed = await rig.invoke(2);
        expect(healed.errors).toEqual([]);
        expect(healed.latencyMs).toBeLessThan(INVOCATION_TIMEOUT_MS);
        const s = healed.after;
        expect(s.buffered).toBe(0);
        expect(s.dropped).toEqual({
          invalid: 0,
          outOfWindow: 0,
          expired: 0,
          overflow: 0,
          evicted: 0,
          rejected: o.kind === 'rejected' ? d.rejected : 0,
          collision: 0,
        });
        expect(s.recorded).toBe(rig.truth.points());

        const exclude = new Set(o.kind === 'rejected' ? [1] : []);
        const snap = rig.snapshot();
        expect(storedSeries(snap)).toEqual(rig.truth.series(exclude));
        const dist = diffDistributions(snap, rig.truth.distributions(exclude));
        expect(dist.missing).toEqual([]);
        expect(dist.foreign).toEqual([]);
        expect(dist.extra).toBeLessThanOrEqual(s.resent);
        if (c.mayHaveArrived !== true) expect(dist.extra).toBe(0);
        const titles = snap.events.map((e) => e.title);
        for (const title of rig.truth.events(exclude)) expect(titles).toContain(title);
        expect(new Set(titles)).toEqual(new Set(rig.truth.events(exclude)));

        rows.push({
          name: c.name,
          outcome: o.kind === 'absorbed' ? 'absorbed' : `${o.kind} (${faulted.errors[0]!.code})`,
          latencyMs: faulted.latencyMs,
          retries: d.retries,
          carried: d.carriedOver,
          rejected: d.rejected,
          resent: s.resent,
          extraDistributionValues: dist.extra,
        });
      } finally {
        await rig.close();
      }
    });
});

describe('faults: long outages', () => {
  it('three failing invocations in three buckets, then recovery: everything arrives, once', async () => {
    const rig = await startRig();
    try {
      await rig.invoke(0);
      rig.intake.faults.inject({ status: 503 });
      for (const i of [1, 2, 3]) {
        rig.clock.advance(10);
        const inv = await rig.invoke(i);
        expect(inv.latencyMs).toBeLessThan(INVOCATION_TIMEOUT_MS);
        expect(inv.errors.map((e) => e.code)).toHaveLength(1);
        expect(inv.after.buffered).toBeGreaterThan(inv.before.buffered); // carried, and growing
      }
      rig.intake.faults.clear();
      rig.clock.advance(3);
      const healed = await rig.invoke(4);
      expect(healed.errors).toEqual([]);
      expect(healed.after.buffered).toBe(0);
      const snap = rig.snapshot();
      expect(storedSeries(snap)).toEqual(rig.truth.series());
      const dist = diffDistributions(snap, rig.truth.distributions());
      expect(dist.missing).toEqual([]);
      expect(dist.extra).toBe(0);
      expect(new Set(snap.events.map((e) => e.title))).toEqual(new Set(rig.truth.events()));
      expect(healed.after.dropped.expired).toBe(0);
    } finally {
      await rig.close();
    }
  });

  it('an outage longer than the window: what aged out is counted as expired, the rest arrives', async () => {
    const rig = await startRig();
    try {
      // 70 minutes ago, so that after the jump the clock is still behind the intake's real one.
      rig.clock.advance(-2400);
      rig.intake.faults.inject({ status: 503 });
      const lost = await rig.invoke(0); // carried …
      expect(lost.after.buffered).toBeGreaterThan(0);
      rig.clock.advance(3700); // … past maxPastSeconds (3600): it can no longer be sent
      rig.intake.faults.clear();
      const healed = await rig.invoke(1);
      expect(healed.errors.map((e) => e.code)).toEqual(['EXPIRED']); // reported, not silent
      const s = healed.after;
      expect(s.buffered).toBe(0);
      expect(s.dropped.expired).toBe(lost.after.buffered - 1); // the event is not a point: it is sent late
      const snap = rig.snapshot();
      expect(storedSeries(snap)).toEqual(rig.truth.series(new Set([0])));
      expect(diffDistributions(snap, rig.truth.distributions(new Set([0])))).toEqual({
        missing: [],
        foreign: [],
        extra: 0,
      });
    } finally {
      await rig.close();
    }
  });
});
