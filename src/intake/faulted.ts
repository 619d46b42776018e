import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './live.js';
import type { FaultSpec } from './types.js';

/** Timers and hung requests of one intake, so `close()` can end them. */
export interface Pending {
  timers: Set<ReturnType<typeof setTimeout>>;
  hung: Set<IncomingMessage>;
}

/** Waits `ms` (0: not at all). Resolves false when the client went away meanwhile. */
export function delay(ms: number, req: IncomingMessage, pending: Pending): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      pending.timers.delete(timer);
      resolve(!req.socket.destroyed);
    }, ms);
    pending.timers.add(timer);
  });
}

/**
 * Acts out a fault that ends the request (reset, hang, status). Returns false when the request
 * should be handled normally (no fault, or a delay only, already waited for).
 */
export function actOut(
  fault: FaultSpec,
  req: IncomingMessage,
  res: ServerResponse,
  pending: Pending,
): boolean {
  if (fault.reset === true) {
    // An RST, as a dead keep-alive peer or a load balancer would send.
    const socket = req.socket as typeof req.socket & { resetAndDestroy?: () => void };
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
    return true;
  }
  if (fault.hang === true) {
    req.resume();
    pending.hung.add(req);
    req.socket.on('close', () => pending.hung.delete(req));
    return true;
  }
  if (fault.status !== undefined) {
    req.resume();
    const headers: Record<string, string> = {};
    if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
    sendJson(res, fault.status, { errors: ['Injected fault'] }, headers);
    return true;
  }
  return false;
}
