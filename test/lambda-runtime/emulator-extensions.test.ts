// The emulator's Extensions API against the real runtime clients (ric 3 on Node 22, ric 4 on Node 24):
// internal extensions are plain code loaded in the function process during init (fixtures/extension.ts,
// started at the top level of fixtures/emulator.ts), the external one runs in its own process. The
// sandbox freezes only when the runtime and every extension wait in `next`; the tests read the order
// of responses, extension `next` calls, probe marks and freezes from the timeline.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionConfig } from './fixtures/extension.js';
import { FUNCTION_ARN } from './runtime-api.js';
import { type Bundles, prepareBundles, runtimeMatrix } from './runtimes.js';
import { openSession, type Session, type SessionOptions } from './session.js';

let bundles: Bundles;
beforeAll(async () => {
  bundles = await prepareBundles(['emulator']);
}, 120_000);
afterAll(() => bundles?.remove());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(runtimeMatrix().filter((r) => r.name !== 'nodejs20.x'))('$label', (runtime) => {
  const sessions: Session[] = [];
  afterAll(async () => {
    for (const s of sessions) await s.stop();
  });
  const open = async (handler: string, extensions: ExtensionConfig[] = [], options: SessionOptions = {}) => {
    const env: Record<string, string> = { FIXTURE_EXTENSIONS: JSON.stringify(extensions) };
    const s = await openSession(runtime, bundles.dirs.emulator, `handler.${handler}`, env, options);
    sessions.push(s);
    return s;
  };
  /** Waits until the runtime's process is stopped by the freeze (SIGSTOP takes a moment). */
  const stopped = async (pid: number | undefined): Promise<void> => {
    for (const end = Date.now() + 5000; processState(pid) !== 'T'; await sleep(5))
      if (Date.now() > end) throw new Error(`process ${pid} not stopped in 5 s`);
  };

  it('registers during init with an identifier and the function metadata; init ends after both first nexts', async () => {
    const s = await open('extensionState', [{ name: 'recorder', acceptAccountId: true }]);
    const first = await s.invoke({});
    const second = await s.invoke({});
    const { registrations, received } = second.outcome.body as {
      registrations: unknown[];
      received: unknown[];
    };
    expect(registrations).toEqual([
      {
        name: 'recorder',
        status: 200,
        id: expect.stringMatching(UUID),
        body: {
          functionName: 'handlerstats-test',
          functionVersion: '$LATEST',
          handler: 'handler.extensionState',
          accountId: '123456789012',
        },
      },
    ]);
    expect(received[0]).toEqual({
      eventType: 'INVOKE',
      deadlineMs: expect.any(Number),
      requestId: first.outcome.requestId,
      invokedFunctionArn: FUNCTION_ARN,
      tracing: { type: 'X-Amzn-Trace-Id', value: expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};/) },
    });
    const t = s.timeline;
    const initDone = t.seqOf('init-done');
    expect(t.seqOf('extension-register', { extension: 'recorder' })).toBeLessThan(t.seqOf('runtime-next'));
    expect(t.seqOf('runtime-next')).toBeLessThan(initDone);
    expect(t.seqOf('extension-next', { extension: 'recorder' })).toBeLessThan(initDone);
    expect(initDone).toBeLessThan(t.seqOf('freeze'));
    expect(t.seqOf('freeze')).toBeLessThan(t.seqOf('invoke'));
  });

  it('freezes only after the extension called next again: a timer runs after the response meanwhile', async () => {
    const s = await open('timer', [{ name: 'holder', gate: true }]);
    const { outcome } = await s.invoke({ delayMs: 20 });
    const id = outcome.requestId;
    const t = s.timeline;
    // The runtime is back in `next`, the extension holds the invocation open: nothing freezes.
    const runtimeNext = await t.waitFor('runtime-next', { after: outcome.seq });
    const timerRan = await t.waitFor('mark', { label: `timer:${id}` });
    await t.waitFor('gate', { key: `holder:${id}` });
    expect(s.sandbox.frozen).toBe(false);
    expect(processState(s.sandbox.pid)).not.toBe('T');
    s.probe.release(`holder:${id}`);
    const freeze = await t.waitFor('freeze', { after: outcome.seq });
    await stopped(s.sandbox.pid);

    const extensionNext = t.seqOf('extension-next', { extension: 'holder', after: outcome.seq });
    expect(outcome.seq).toBeLessThan(timerRan.seq);
    expect(runtimeNext.seq).toBeLessThan(extensionNext);
    expect(extensionNext).toBeLessThan(freeze.seq);
    expect(t.all('freeze', { after: t.seqOf('invoke', { requestId: id }), before: extensionNext })).toEqual(
      [],
    );
  });

  it('an extension holding 300 ms: response, then the 20 ms timer, then its next, then the freeze', async () => {
    const s = await open('timer', [{ name: 'slow', holdMs: 300 }]);
    const { outcome } = await s.invoke({ delayMs: 20 });
    const t = s.timeline;
    const freeze = await t.waitFor('freeze', { after: outcome.seq });
    const timerRan = t.seqOf('mark', { label: `timer:${outcome.requestId}` });
    const extensionNext = t.seqOf('extension-next', { extension: 'slow', after: outcome.seq });
    expect(outcome.seq).toBeLessThan(timerRan);
    expect(timerRan).toBeLessThan(extensionNext);
    expect(extensionNext).toBeLessThan(freeze.seq);
  });

  it('control: with no extension the freeze follows the response; the timer runs only after the next thaw', async () => {
    const s = await open('timer');
    const first = await s.invoke({ delayMs: 250 });
    const freeze = await s.timeline.waitFor('freeze', { after: first.outcome.seq });
    await stopped(s.sandbox.pid);
    const second = s.invoke({ gate: 'second' }); // held open until the first invocation's timer has run
    const timerRan = await s.timeline.waitFor('mark', { label: `timer:${first.outcome.requestId}` });
    s.probe.release('second');
    await second;
    expect(s.timeline.seqOf('thaw', { after: freeze.seq })).toBeLessThan(timerRan.seq);
  });

  it('refuses as Lambda does: SHUTDOWN for an internal extension, register after init, bad or unknown ids', async () => {
    const s = await open('callApi', [{ name: 'wants-shutdown', events: ['INVOKE', 'SHUTDOWN'] }]);
    await s.untilFrozen(); // init is over
    const atInit = s.timeline.first('refused', { path: '/2020-01-01/extension/register' });
    expect(atInit).toMatchObject({
      status: 403,
      errorType: 'Extension.InvalidEventType',
      message: 'SHUTDOWN: ShutdownEventNotSupportedForInternalExtension',
    });
    expect(s.sandbox.api.extensions).toEqual([]);

    const call = async (method: string, path: string, headers: Record<string, string>) =>
      (await s.invoke({ method, path, headers })).outcome.body;
    const late = { 'Lambda-Extension-Name': 'late' };
    expect(await call('POST', '/2020-01-01/extension/register', late)).toEqual({
      status: 403,
      body: {
        errorType: 'Extension.RegistrationClosed',
        errorMessage: 'Extension registration closed already',
      },
    });
    const next = '/2020-01-01/extension/event/next';
    const id = randomUUID();
    expect(await call('GET', next, { 'Lambda-Extension-Identifier': id })).toEqual({
      status: 403,
      body: { errorType: 'Extension.UnknownExtensionIdentifier', errorMessage: `Unknown extension ${id}` },
    });
    expect(await call('GET', next, {})).toMatchObject({
      status: 403,
      body: { errorType: 'Extension.MissingExtensionIdentifier' },
    });
    expect(await call('GET', next, { 'Lambda-Extension-Identifier': 'nope' })).toMatchObject({
      status: 403,
      body: { errorType: 'Extension.InvalidExtensionIdentifier' },
    });
    expect(await call('POST', `/2018-06-01/runtime/invocation/${id}/response`, {})).toEqual({
      status: 400,
      body: { errorType: 'InvalidRequestID', errorMessage: 'Invalid request ID' },
    });
    await s.untilFrozen(); // the refusals changed nothing: the sandbox freezes after each invocation
    expect(s.sandbox.freezes).toBe(6);
  });

  it("an extension's /extension/init/error fails init: reported, and nothing is delivered", async () => {
    const s = await open('timer', [{ name: 'broken', initError: 'Extension.ConfigInvalid' }]);
    const init = await s.sandbox.api.initError;
    expect(init).toMatchObject({ errorType: 'Extension.ConfigInvalid', extension: 'broken' });
    await s.timeline.waitFor('runtime-next');
    expect(s.sandbox.api.initDone).toBe(false);
    expect(s.timeline.all('init-done')).toEqual([]);
  });

  it("an extension's /extension/exit/error is recorded; the freeze then waits for the other extensions only", async () => {
    const s = await open('timer', [
      { name: 'quitter', exitError: 'Extension.Crashed' },
      { name: 'stayer', gate: true },
    ]);
    const { outcome } = await s.invoke({});
    const t = s.timeline;
    const exitError = await t.waitFor('extension-exit-error', { extension: 'quitter' });
    expect(exitError.errorType).toBe('Extension.Crashed');
    await t.waitFor('gate', { key: `stayer:${outcome.requestId}` });
    await t.waitFor('runtime-next', { after: outcome.seq });
    expect(s.sandbox.frozen).toBe(false); // stayer still holds the invocation
    s.probe.release(`stayer:${outcome.requestId}`);
    const freeze = await t.waitFor('freeze', { after: outcome.seq });
    expect(t.seqOf('extension-next', { extension: 'stayer', after: outcome.seq })).toBeLessThan(freeze.seq);
    expect(t.first('extension-next', { extension: 'quitter', after: outcome.deliveredSeq })).toBeUndefined();
  });

  it('an external extension registers before the runtime starts, is frozen with it, and gets SHUTDOWN', async () => {
    const config = { name: 'outside', events: ['INVOKE', 'SHUTDOWN'], gate: true };
    const env = { FIXTURE_EXTERNAL_EXTENSION: JSON.stringify(config) };
    const file = join(bundles.dirs.emulator, 'handler.mjs');
    const s = await open('timer', [], { externalExtensions: [{ name: 'outside', file, env }] });
    const t = s.timeline;
    await s.untilFrozen(); // init is over
    expect(t.seqOf('extension-register', { extension: 'outside' })).toBeLessThan(t.seqOf('runtime-next'));
    const { outcome } = await s.invoke({});
    await t.waitFor('gate', { key: `outside:${outcome.requestId}` });
    expect(s.sandbox.frozen).toBe(false);
    s.probe.release(`outside:${outcome.requestId}`);
    const freeze = await t.waitFor('freeze', { after: outcome.seq });
    expect(t.seqOf('extension-next', { extension: 'outside', after: outcome.seq })).toBeLessThan(freeze.seq);
    await stopped(s.sandbox.pids().outside);

    await s.sandbox.shutdown(); // what stop() does first
    const shutdown = t.first('extension-event', { extension: 'outside', eventType: 'SHUTDOWN' });
    expect(shutdown?.payload).toEqual({
      eventType: 'SHUTDOWN',
      shutdownReason: 'spindown',
      deadlineMs: expect.any(Number),
    });
    expect(t.seqOf('mark', { label: 'shutdown:outside' })).toBeGreaterThan(shutdown?.seq ?? Infinity);
    expect(t.first('exit', { process: 'outside' })).toMatchObject({ code: 0 });
    expect(t.first('exit', { process: 'runtime' })).toMatchObject({ signal: 'SIGTERM' });
  });
});

/** The process's state letter from /proc (`T` = stopped by a signal). */
function processState(pid: number | undefined): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}
