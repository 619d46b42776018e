// The extension's handshake with the wrappers, on its own: INVOKE arrival is a call here, so both orders
// (INVOKE before the claim, the claim before INVOKE) are exercised exactly. A grace of a minute where
// the test must not depend on it: a wrong wait shows as a timeout, not as a slow pass.
import { describe, expect, it } from 'vitest';
import { createHandshake } from '../../src/integrations/lambda-handshake.js';

const MINUTE = 60_000;
const soon = () => Date.now() + MINUTE;

/** A promise the test settles: a flush in flight. */
function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('lambda handshake', () => {
  it('INVOKE first: held through the claim until its flush settled', async () => {
    const hs = createHandshake(MINUTE);
    const log: string[] = [];
    const released = hs.invoke('a', soon()).then(() => log.push('next'));
    const claim = hs.claim('a');
    const flush = deferred();
    expect(claim?.hold(flush.promise, MINUTE)).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    log.push('flushed');
    flush.resolve();
    await released;
    expect(log).toEqual(['flushed', 'next']);
  });

  it('the claim first, its flush settled: INVOKE is let go at once', async () => {
    const hs = createHandshake(MINUTE);
    const claim = hs.claim('b');
    expect(claim?.hold(Promise.resolve(), MINUTE)).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    await hs.invoke('b', soon()); // a minute of grace or hold would time the test out
  });

  it('the claim first, its flush still running: INVOKE is held until it settled', async () => {
    const hs = createHandshake(MINUTE);
    const log: string[] = [];
    const flush = deferred();
    hs.claim('c')?.hold(flush.promise, MINUTE);
    const released = hs.invoke('c', soon()).then(() => log.push('next'));
    await new Promise((r) => setTimeout(r, 20));
    log.push('flushed');
    flush.resolve();
    await released;
    expect(log).toEqual(['flushed', 'next']);
  });

  it('an INVOKE nobody claims is let go after the grace; a claim after that is refused', async () => {
    const hs = createHandshake(10);
    await hs.invoke('d', soon());
    expect(hs.claim('d')).toBeUndefined();
  });

  it('two claims (two wrapped clients): let go once both flushes settled', async () => {
    const hs = createHandshake(MINUTE);
    const log: string[] = [];
    const released = hs.invoke('e', soon()).then(() => log.push('next'));
    const first = deferred();
    const second = deferred();
    hs.claim('e')?.hold(first.promise, MINUTE);
    hs.claim('e')?.hold(second.promise, MINUTE);
    first.resolve();
    await new Promise((r) => setTimeout(r, 20));
    log.push('second flushed');
    second.resolve();
    await released;
    expect(log).toEqual(['second flushed', 'next']);
  });

  it("a flush that never settles: let go when the claim's hold ends", async () => {
    const hs = createHandshake(MINUTE);
    const released = hs.invoke('f', soon());
    expect(hs.claim('f')?.hold(new Promise(() => {}), 20)).toBe(true);
    await released;
  });

  it('a claim never handed over (a handler still running): let go at the invocation deadline', async () => {
    const hs = createHandshake(MINUTE);
    const claim = hs.claim('g');
    await hs.invoke('g', Date.now() + 20);
    // Too late now: the wrapper awaits its own flush.
    expect(claim?.hold(Promise.resolve(), MINUTE)).toBe(false);
    expect(hs.claim('g')).toBeUndefined();
  });

  it('close lets go of a held invocation and refuses claims', async () => {
    const hs = createHandshake(MINUTE);
    const released = hs.invoke('h', soon());
    hs.claim('h')?.hold(new Promise(() => {}), MINUTE);
    hs.close();
    await released;
    expect(hs.claim('i')).toBeUndefined();
    await hs.invoke('i', soon());
  });

  it('a flush that rejects settles the claim like one that resolves', async () => {
    const hs = createHandshake(MINUTE);
    const released = hs.invoke('j', soon());
    const failed = Promise.reject(new Error('network'));
    hs.claim('j')?.hold(failed, MINUTE);
    await released;
    await expect(failed).rejects.toThrow('network');
  });
});
