// The extension's side of the handshake with the wrappers, matched by request id (no I/O here: the
// extension feeds it INVOKE events and calls `next` when `invoke` resolves). Both orders end the same way:
// - INVOKE first: held until a wrapper claims it (within `graceMs`, else let go), then until every
//   claim's flush settled or its hold ended, and at the invocation's deadline at the latest;
// - the wrapper first: its claim waits for the INVOKE; one whose flush already settled is let go at once.
// A claim on an invocation let go already is refused: that wrapper flushes before returning.
import type { ExtensionClaim } from './lambda-handoff.js';

/** Invocations remembered, so a claim arriving after its invocation was let go is refused. */
const REMEMBERED = 16;
/** The longest delay setTimeout keeps (longer ones fire at once). */
const MAX_TIMER_MS = 2_147_483_647;

interface Invocation {
  /** Claims whose flush has not settled. */
  open: number;
  claimed: boolean;
  /** Set once INVOKE arrived: ends the extension's hold. */
  release: (() => void) | undefined;
  released: boolean;
  deadlineMs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface Handshake {
  /** A wrapper's claim on invocation `requestId`; `undefined` when it is not (or no longer) held. */
  claim(requestId: string): ExtensionClaim | undefined;
  /** INVOKE arrived; resolves when the extension may call `next` again. */
  invoke(requestId: string, deadlineMs: number): Promise<void>;
  /** Lets every invocation go and refuses claims from now on (the extension stopped). */
  close(): void;
}

/** A timer that never keeps the process alive (aws-lambda-ric 3 waits for an empty event loop). */
function unrefTimer(fn: () => void, ms: number): ReturnType<typeof setTimeout> | undefined {
  if (!(ms < MAX_TIMER_MS)) return undefined;
  const timer = setTimeout(fn, Math.max(0, ms));
  timer.unref?.();
  return timer;
}

export function createHandshake(graceMs: number): Handshake {
  const invocations = new Map<string, Invocation>();
  let closed = false;

  const invocation = (id: string): Invocation => {
    let inv = invocations.get(id);
    if (inv === undefined) {
      inv = {
        open: 0,
        claimed: false,
        release: undefined,
        released: false,
        deadlineMs: Number.NaN,
        timer: undefined,
      };
      invocations.set(id, inv);
      if (invocations.size > REMEMBERED) invocations.delete(invocations.keys().next().value as string);
    }
    return inv;
  };
  const release = (inv: Invocation): void => {
    if (inv.released) return;
    inv.released = true;
    clearTimeout(inv.timer);
    inv.release?.();
  };
  /** INVOKE here and claimed: let go once every claim settled, or at the invocation's deadline. */
  const holdForClaims = (inv: Invocation): void => {
    if (inv.release === undefined || inv.released) return;
    if (inv.open === 0) {
      release(inv);
      return;
    }
    clearTimeout(inv.timer);
    const left = Number.isFinite(inv.deadlineMs) ? inv.deadlineMs - Date.now() : Number.POSITIVE_INFINITY;
    inv.timer = unrefTimer(() => release(inv), left);
  };

  return {
    claim(requestId) {
      if (closed) return undefined;
      const inv = invocation(requestId);
      if (inv.released) return undefined;
      inv.claimed = true;
      inv.open++;
      holdForClaims(inv); // INVOKE came first: the deadline replaces the grace timer
      let handed = false;
      return {
        hold(flushed, holdMs) {
          if (handed) return !inv.released;
          handed = true;
          let done = false;
          const settle = (): void => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            inv.open--;
            holdForClaims(inv);
          };
          const timer = unrefTimer(settle, holdMs);
          flushed.then(settle, settle);
          return !inv.released;
        },
      };
    },
    invoke(requestId, deadlineMs) {
      return new Promise((resolve) => {
        const inv = invocation(requestId);
        inv.deadlineMs = deadlineMs;
        inv.release = resolve;
        if (closed || inv.released) resolve();
        else if (inv.claimed) holdForClaims(inv);
        else inv.timer = unrefTimer(() => release(inv), graceMs);
      });
    },
    close() {
      closed = true;
      for (const inv of invocations.values()) release(inv);
    },
  };
}
