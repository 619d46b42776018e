// After-response mode in the real runtime clients (aws-lambda-ric 3 on Node 22, 4 on Node 24): the
// handlerstats extension registered during init (ESM top-level await, or NODE_OPTIONS=--import for a
// CommonJS handler), an intake that answers 80 ms late. Asserted by order on the shared timeline: each
// response reaches the emulator before its flush is even sent (so before the intake answered it), the
// intake answers before the extension calls `next`, and the sandbox freezes only after that.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntakeRecord } from '../helpers/recording-intake.js';
import type { Outcome } from './runtime-api.js';
import { type Bundles, prepareBundles, runtimeMatrix } from './runtimes.js';
import { openSession, type Session, seriesIn } from './session.js';

const INTAKE_DELAY_MS = 80;
const EXTENSION = 'handlerstats';

let bundles: Bundles;
beforeAll(async () => {
  bundles = await prepareBundles(['after-response', 'after-response-cjs']);
}, 120_000);
afterAll(() => bundles?.remove());

/** The intake request that carried invocation `n`'s metric (its own series, tagged `n:<n>`). */
function recordOf(s: Session, metric: string, n: number): IntakeRecord {
  const record = s.intake.records.find((r) => seriesIn([r], metric, `n:${n}`).length > 0);
  if (record === undefined) throw new Error(`no ${metric} n:${n} at the intake\n${s.timeline.format()}`);
  return record;
}

/** The order after-response mode promises, for one invocation. */
async function expectAfterResponse(s: Session, outcome: Outcome, metric: string, n: number) {
  const t = s.timeline;
  const freeze = await t.waitFor('freeze', { after: outcome.seq });
  const record = recordOf(s, metric, n);
  const next = t.seqOf('extension-next', { extension: EXTENSION, after: outcome.deliveredSeq });
  expect(outcome.seq).toBeLessThan(record.seq); // the flush left after the response was posted
  expect(record.seq).toBeLessThan(record.answeredSeq ?? Number.POSITIVE_INFINITY);
  expect(record.answeredSeq).toBeLessThan(next); // the extension waited for the flush to settle
  expect(next).toBeLessThan(freeze.seq); // and the freeze for the extension
}

describe.each(runtimeMatrix().filter((r) => r.name !== 'nodejs20.x'))('$label', (runtime) => {
  const sessions: Session[] = [];
  afterAll(async () => {
    for (const s of sessions) await s.stop();
  });
  const open = async (
    handler: string,
    env: Record<string, string>,
    bundle = bundles.dirs['after-response'],
  ) => {
    const s = await openSession(runtime, bundle, handler, env);
    s.intake.delayMs = INTAKE_DELAY_MS;
    sessions.push(s);
    return s;
  };
  const registered = { FIXTURE_REGISTER: 'init' };

  it('withMetrics: registered during init; every response before its flush, every flush before the freeze', async () => {
    const s = await open('handler.plain', registered);
    const t = s.timeline;
    await s.untilFrozen(); // init is over
    expect(t.seqOf('extension-register', { extension: EXTENSION })).toBeLessThan(t.seqOf('runtime-next'));
    for (const n of [1, 2, 3]) {
      const { outcome } = await s.invoke({ n });
      expect(outcome).toMatchObject({ kind: 'response', body: { n } });
      await expectAfterResponse(s, outcome, 'ext.plain.calls', n);
    }
  });

  it('withMetrics: a throwing handler: its error at once, then the flush, then the freeze', async () => {
    const s = sessions[0] as Session;
    const { outcome } = await s.invoke({ n: 4, fail: true });
    expect(outcome).toMatchObject({
      kind: 'error',
      body: { errorType: 'TypeError', errorMessage: 'plain failed' },
    });
    await expectAfterResponse(s, outcome, 'ext.plain.calls', 4);
  });

  it('withMetrics: a stalled intake is cut when the hold ends (deadline − margin); the data goes with the next invocation', async () => {
    const s = sessions[0] as Session;
    const t = s.timeline;
    s.intake.delayMs = 60_000;
    // Deadline in 2.5 s: the hold is min(flushTimeoutMs 5 s, 2.5 s − 500 ms margin).
    const { outcome } = await s.invoke({ n: 5 }, 2500);
    expect(outcome).toMatchObject({ kind: 'response', body: { n: 5 } });
    const freeze = await t.waitFor('freeze', { after: outcome.seq });
    const cut = recordOf(s, 'ext.plain.calls', 5);
    expect(outcome.seq).toBeLessThan(cut.seq);
    expect(cut.answeredSeq).toBeUndefined(); // never answered: the hold's end, not the intake, let it freeze
    expect(t.seqOf('extension-next', { extension: EXTENSION, after: outcome.seq })).toBeLessThan(freeze.seq);
    await s.untilOutput('DEADLINE_EXCEEDED');

    s.intake.delayMs = INTAKE_DELAY_MS;
    const { outcome: next } = await s.invoke({ n: 6 });
    await expectAfterResponse(s, next, 'ext.plain.calls', 6);
    const carried = s.after(next.seq).filter((r) => seriesIn([r], 'ext.plain.calls', 'n:5').length > 0);
    expect(carried.length).toBeGreaterThan(0);
  });

  it('middy (metricsMiddleware): the same order on success and on a thrown error', async () => {
    const s = await open('handler.viaMiddy', registered);
    const ok = await s.invoke({ n: 1 });
    expect(ok.outcome).toMatchObject({ kind: 'response', body: { n: 1 } });
    await expectAfterResponse(s, ok.outcome, 'ext.middy.calls', 1);
    const failed = await s.invoke({ n: 2, fail: true });
    expect(failed.outcome).toMatchObject({ kind: 'error', body: { errorMessage: 'middy failed' } });
    await expectAfterResponse(s, failed.outcome, 'ext.middy.calls', 2);
  });

  it('an invocation no wrapper claims is let go after the grace, while its handler still runs', async () => {
    const s = await open('handler.unclaimed', registered);
    const t = s.timeline;
    await s.untilFrozen();
    const pending = s.sandbox.api.invoke({ gate: 'raw' });
    const invoked = await t.waitFor('invoke');
    const next = await t.waitFor('extension-next', { extension: EXTENSION, after: invoked.seq });
    await t.waitFor('gate', { key: 'raw' });
    s.probe.release('raw');
    const outcome = await pending;
    expect(outcome).toMatchObject({ kind: 'response', body: 'raw' });
    expect(next.seq).toBeLessThan(t.seqOf('gate-release', { key: 'raw' }));
    expect((await t.waitFor('freeze', { after: outcome.seq })).seq).toBeGreaterThan(outcome.seq);
  });

  it('registerExtension after init: refused by Lambda, says so once; the wrapper flushes before returning', async () => {
    const s = await open('handler.late', {});
    const { outcome, records } = await s.invoke({ n: 1 });
    expect(outcome).toMatchObject({
      kind: 'response',
      body: {
        registered: false,
        reason: 'refused',
        message: expect.stringContaining('Extension.RegistrationClosed'),
      },
    });
    expect(s.timeline.first('refused', { path: '/2020-01-01/extension/register' })).toBeDefined();
    // Before-return: the intake answered this invocation's flush before the response.
    const record = recordOf(s, 'ext.late.calls', 1);
    expect(records).toContain(record);
    expect(record.answeredSeq).toBeLessThan(outcome.seq);
    await s.untilOutput('the Lambda extension is not registered (refused');
    expect(s.sandbox.output().match(/not registered/g)).toHaveLength(1);
  });

  it('CommonJS handler with NODE_OPTIONS=--import=./handlerstats-extension.mjs (the bundled file)', async () => {
    const env = { NODE_OPTIONS: '--import=./handlerstats-extension.mjs' };
    const s = await open('handler.handler', env, bundles.dirs['after-response-cjs']);
    const t = s.timeline;
    await s.untilFrozen(); // init is over
    expect(t.seqOf('extension-register', { extension: EXTENSION })).toBeLessThan(t.seqOf('runtime-next'));
    for (const n of [1, 2]) {
      const { outcome } = await s.invoke({ n });
      expect(outcome).toMatchObject({ kind: 'response', body: { n, commonjs: true } });
      await expectAfterResponse(s, outcome, 'cjs.calls', n);
    }
  });
});
