// withStreamingMetrics and middy streaming in the real runtime clients' streaming protocol (aws-lambda-ric 3
// on Node 22, 4 on Node 24), an intake that answers 80 ms late. Each handler writes a first chunk, waits
// at a probe gate the test opens only once that chunk has reached the emulator, then finishes or throws.
// Asserted by order: the first bytes arrive while the handler still runs; the metrics leave after the
// stream ended (the caller had all of it) and are at the intake before the freeze; an error mid-stream
// still flushes and reaches the caller in the trailers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntakeRecord } from '../helpers/recording-intake.js';
import type { Outcome } from './runtime-api.js';
import { type Bundles, prepareBundles, runtimeMatrix } from './runtimes.js';
import { openSession, type Session, seriesIn } from './session.js';
import { ERROR_TYPE_TRAILER } from './streaming.js';

let bundles: Bundles;
beforeAll(async () => {
  bundles = await prepareBundles(['streaming']);
}, 120_000);
afterAll(() => bundles?.remove());

function recordOf(s: Session, metric: string, n: number): IntakeRecord | undefined {
  return s.intake.records.find((r) => seriesIn([r], metric, `n:${n}`).length > 0);
}

describe.each(runtimeMatrix().filter((r) => r.name !== 'nodejs20.x'))('$label', (runtime) => {
  const sessions = new Map<string, Session>();
  afterAll(async () => {
    for (const s of sessions.values()) await s.stop();
  });
  const session = async (handler: string, env: Record<string, string> = {}): Promise<Session> => {
    const key = `${handler} ${JSON.stringify(env)}`;
    let s = sessions.get(key);
    if (s === undefined) {
      s = await openSession(runtime, bundles.dirs.streaming, `handler.${handler}`, env);
      s.intake.delayMs = 80;
      sessions.set(key, s);
    }
    return s;
  };

  /** Invokes; opens the gate once the first chunk arrived; returns the outcome, that chunk, the release. */
  const streamed = async (s: Session, event: Record<string, unknown>) => {
    const key = `rest-${s.timeline.all('invoke').length}`;
    await s.untilFrozen();
    const since = s.timeline.entries.at(-1)?.seq ?? 0;
    const pending = s.sandbox.api.invoke({ ...event, gate: key });
    const invoked = await s.timeline.waitFor('invoke', { after: since });
    const first = await s.timeline.waitFor('stream-chunk', { index: 0, after: invoked.seq });
    await s.timeline.waitFor('gate', { key, after: invoked.seq });
    s.probe.release(key);
    const outcome = await pending;
    const freeze = await s.timeline.waitFor('freeze', { after: outcome.seq }).catch((e) => {
      throw new Error(`${e}\n${s.sandbox.output()}`);
    });
    return {
      outcome,
      first: first.seq,
      release: s.timeline.seqOf('gate-release', { key }),
      freeze: freeze.seq,
    };
  };

  /** Streamed, the first bytes before the handler ended, metrics sent after the end, there before the freeze. */
  const expectStreamedThenFlushed = (
    run: Awaited<ReturnType<typeof streamed>>,
    record: IntakeRecord | undefined,
  ) => {
    const { outcome, first, release, freeze } = run;
    expect(outcome).toMatchObject({ kind: 'response', body: 'first;second;end' });
    expect(outcome.stream?.headers['lambda-runtime-function-response-mode']).toBe('streaming');
    expect(first).toBeLessThan(release); // the handler was still running when the caller had bytes
    expect(release).toBeLessThan(outcome.seq);
    expect(record).toBeDefined();
    expect(outcome.seq).toBeLessThan(record?.seq ?? 0); // the flush left once the stream had ended
    expect(record?.answeredSeq ?? Number.POSITIVE_INFINITY).toBeLessThan(freeze);
  };

  /** The error reached the caller in the trailers after the first chunk. */
  const expectStreamError = (outcome: Outcome) => {
    expect(outcome.kind).toBe('error');
    expect(outcome.stream?.bytes.toString()).toBe('first;');
    expect(outcome.stream?.trailers[ERROR_TYPE_TRAILER]).toBe('RangeError');
    expect(outcome.body).toMatchObject({ errorMessage: 'stream broke after the first chunk' });
  };

  it('wrapped before streamifyResponse: bytes first, the flush after the end, at the intake before the freeze', async () => {
    const s = await session('wrapped');
    for (const n of [1, 2]) {
      const run = await streamed(s, { n });
      expectStreamedThenFlushed(run, recordOf(s, 'stream.wrapped.calls', n));
    }
  });

  it('an error mid-stream: flushed, then reported to the caller in the trailers', async () => {
    const s = await session('wrapped');
    const { outcome, first, release, freeze } = await streamed(s, { n: 3, fail: true });
    expectStreamError(outcome);
    expect(first).toBeLessThan(release);
    const record = recordOf(s, 'stream.wrapped.calls', 3);
    // No extension: the flush settles before the handler's promise rejects, so before the trailers.
    expect(record?.answeredSeq ?? Number.POSITIVE_INFINITY).toBeLessThan(outcome.seq);
    expect(outcome.seq).toBeLessThan(freeze);
  });

  it('wrapped after streamifyResponse: the streaming marker is carried over', async () => {
    const s = await session('wrappedAfter');
    const run = await streamed(s, { n: 1 });
    expectStreamedThenFlushed(run, recordOf(s, 'stream.after.calls', 1));
  });

  it('with the extension registered: claimed and let go once flushed; an error goes out first, the flush after', async () => {
    const s = await session('wrapped', { FIXTURE_REGISTER: 'init' });
    const t = s.timeline;
    const ok = await streamed(s, { n: 1 });
    const record = recordOf(s, 'stream.wrapped.calls', 1);
    expectStreamedThenFlushed(ok, record);
    const next = t.seqOf('extension-next', { extension: 'handlerstats', after: ok.outcome.deliveredSeq });
    expect(record?.answeredSeq).toBeLessThan(next);

    const failed = await streamed(s, { n: 2, fail: true });
    expectStreamError(failed.outcome);
    const late = recordOf(s, 'stream.wrapped.calls', 2);
    expect(failed.outcome.seq).toBeLessThan(late?.answeredSeq ?? 0); // after-response on the error path
    expect(late?.answeredSeq ?? Number.POSITIVE_INFINITY).toBeLessThan(failed.freeze);
  });

  it("middy streaming: metricsMiddleware({ streaming: true }) flushes from middy's requestEnd, after the stream ended", async () => {
    const s = await session('viaMiddy');
    for (const n of [1, 2]) {
      const run = await streamed(s, { n });
      expectStreamedThenFlushed(run, recordOf(s, 'stream.middy.calls', n));
    }
  });

  it('middy streaming, the documented gap: an error mid-stream kills the runtime process, with no handlerstats at all', async () => {
    // middy pipes the handler's stream into the response stream; the failing source destroys it, and
    // aws-lambda-ric leaves its own response promise rejected with nobody to catch it: ric 3 posts the
    // error and exits (128), ric 4 dies (1). No hook runs after that, so no middleware can flush there.
    const s = await session('middyRaw');
    await s.untilFrozen();
    void s.sandbox.api.invoke({ n: 1, fail: true, gate: 'raw' }).catch(() => {});
    await s.timeline.waitFor('gate', { key: 'raw' });
    s.probe.release('raw');
    const exit = await s.timeline.waitFor('exit', { process: 'runtime' });
    expect(exit.code).toBe(runtime.ric === 3 ? 128 : 1);
    expect(s.sandbox.output()).toMatch(
      runtime.ric === 3 ? /Runtime\.UnhandledPromiseRejection/ : /stream broke after the first chunk/,
    );
  });
});
