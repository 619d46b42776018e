// withMetrics edge cases in the real runtime: callback handlers under the Node 20/22 and Node 24
// runtime rules, a throwing handler, and the control that shows the freeze is real.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundles, prepareBundles, runtimeMatrix } from './runtimes.js';
import { startSandbox } from './sandbox.js';
import { metricNames, openSession, type Session, seriesIn } from './session.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Polls `done` (SIGSTOP takes effect a moment after it is sent), failing after 5 s. */
async function until(done: () => boolean): Promise<void> {
  for (const end = Date.now() + 5000; !done(); await sleep(5))
    if (Date.now() > end) throw new Error('condition not met in 5 s');
}

let bundles: Bundles;
beforeAll(async () => {
  bundles = await prepareBundles(['fixtures']);
}, 120_000);
afterAll(() => bundles?.remove());

describe.each(runtimeMatrix())('$label', (runtime) => {
  const sessions: Session[] = [];
  afterAll(async () => {
    for (const s of sessions) await s.stop();
  });
  const open = async (handler: string): Promise<Session> => {
    const s = await openSession(runtime, bundles.dirs.fixtures, handler);
    sessions.push(s);
    return s;
  };

  it('runs a 3-parameter callback handler wrapped by withMetrics (the wrapper declares 2)', async () => {
    const s = await open('handler.callback');
    for (const n of [1, 2]) {
      const { outcome, records } = await s.invoke({ n });
      expect(outcome).toMatchObject({ kind: 'response', body: { via: 'callback', n } });
      expect(metricNames(records)).toEqual(['fixture.callback.calls']);
    }
  });

  if (runtime.ric === 4) {
    it('refuses the same handler unwrapped at init, as the nodejs24.x runtime does', async () => {
      const sandbox = await startSandbox({
        runtime,
        taskRoot: bundles.dirs.fixtures,
        handler: 'handler.rawCallback',
      });
      try {
        const init = await sandbox.api.initError;
        expect(init.errorType).toBe('Runtime.CallbackHandlerDeprecated');
        expect(init.body.errorMessage).toMatch(/Node\.js 24/);
      } finally {
        await sandbox.stop();
      }
    });
  } else {
    it('runs the same handler unwrapped, as the nodejs20.x/22.x runtimes do', async () => {
      const s = await open('handler.rawCallback');
      const { outcome } = await s.invoke({ n: 7 });
      expect(outcome).toMatchObject({ kind: 'response', body: { via: 'callback', n: 7 } });
    });
  }

  if (runtime.ric === 3)
    it('ends a callback handler that never calls back when the event loop empties, after its flush (as unwrapped)', async () => {
      const s = await open('handler.neverCallsBack');
      for (const n of [1, 2]) {
        const { outcome, records } = await s.invoke({ n });
        expect(outcome).toMatchObject({ kind: 'response', body: null });
        expect(seriesIn(records, 'fixture.silent.calls')).toHaveLength(1);
      }
    });

  it('reports a thrown error to the runtime unchanged; the metrics arrive before it', async () => {
    const s = await open('handler.throwing');
    const { outcome, records } = await s.invoke({});
    expect(outcome.kind).toBe('error');
    expect(outcome.body).toMatchObject({ errorType: 'TypeError', errorMessage: 'checkout failed' });
    expect(seriesIn(records, 'fixture.throwing.calls')).toHaveLength(1);
  });

  it('control: a flush not awaited before the response is held by the freeze until the next thaw', async () => {
    const s = await open('handler.forgetful');
    const first = await s.invoke({});
    expect(first.outcome).toMatchObject({ kind: 'response', body: 'ok' });
    await s.untilFrozen();
    await until(() => processState(s) === 'T'); // stopped by SIGSTOP: the 100 ms flush timer cannot fire
    await sleep(1000);
    expect(s.intake.records).toEqual([]);
    // Thawed, the overdue timer fires; this invocation awaits its flush: nothing was lost, only late.
    const second = await s.invoke({ settle: true });
    expect(s.intake.records.every((r) => r.seq > first.outcome.seq)).toBe(true);
    const points = seriesIn(second.records, 'fixture.forgetful.calls').flatMap((x) => x.points);
    const lastWrite = new Map(points.map(([t, v]) => [t, v as number]));
    expect([...lastWrite.values()].reduce((a, b) => a + b, 0)).toBe(2);
  });
});

/** The runtime process's state letter from /proc (`T` = stopped by a signal). */
function processState(s: Session): string {
  const stat = readFileSync(`/proc/${s.sandbox.pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}
