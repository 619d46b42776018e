import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BodyBudget, readBody } from './body.js';
import { actOut, delay, type Pending } from './faulted.js';
import { type FaultController, faultProblem } from './faults.js';
import {
  type Answer,
  INGEST_PATHS,
  type IngestPath,
  LIMITS,
  refusal,
  startCheck,
  storeEvent,
  storeSeries,
} from './ingest.js';
import { type ChangeHub, sendJson, streamJson } from './live.js';
import { pageHtml } from './page.js';
import type { IntakeStore } from './store.js';
import type { FaultSpec, ReceivedOptions } from './types.js';

/** What the request handlers of one intake share. */
export interface RouteContext {
  store: IntakeStore;
  faults: FaultController;
  hub: ChangeHub;
  pending: Pending;
  now: () => number;
  log: (line: string) => void;
  apiKeyRequired: boolean;
  /** Bytes held by request bodies in progress, across requests. */
  bodies: BodyBudget;
}

const CONTROL_LIMITS = { maxCompressed: 65_536, maxDecompressed: 65_536 };
/** The ingest endpoints, for routing. */
export const INGEST = new Set<string>(INGEST_PATHS);

/** `POST` to an ingest endpoint: faults, API key, body limits, validation, storage. */
export async function handleIngest(
  ctx: RouteContext,
  path: IngestPath,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { store, faults, hub, pending, log } = ctx;
  const c = store.counts;
  c.requests++;
  c.byPath[path] = (c.byPath[path] ?? 0) + 1;
  const answer = (status: number, body: unknown, note = ''): void => {
    if (status >= 200 && status < 300) c.accepted++;
    else c.rejected[status] = (c.rejected[status] ?? 0) + 1;
    sendJson(res, status, body, status === 503 ? { 'Retry-After': '1' } : {});
    log(`[intake] ${status} POST ${path}${note}`);
  };
  const fault = faults.next();
  if (fault !== undefined) {
    c.faulted++;
    if (!(await delay(fault.delayMs ?? 0, req, pending))) return;
    if (actOut(fault, req, res, pending)) {
      if (fault.status !== undefined && fault.reset !== true && fault.hang !== true)
        c.rejected[fault.status] = (c.rejected[fault.status] ?? 0) + 1;
      log(`[intake] fault ${JSON.stringify(fault)} on POST ${path}`);
      return;
    }
  }
  const key = req.headers['dd-api-key'];
  if (ctx.apiKeyRequired && (typeof key !== 'string' || key.trim() === ''))
    return answer(403, { errors: ['Forbidden'] });
  const check = startCheck(path);
  const body = await readBody(req, {
    limits: LIMITS[path],
    budget: ctx.bodies,
    consume: check?.consume,
    keep: check === undefined ? 'decoded' : 'raw',
  });
  c.bytesIn += body.raw;
  c.bytesDecoded += body.decoded;
  if (!body.ok) {
    if (body.status === 0) return;
    const errors = body.cause === undefined ? [body.error] : refusal(body.cause);
    if (errors === undefined) throw body.cause;
    return answer(body.status, { errors }, ` ${errors[0]}`);
  }
  const before = store.version;
  let result: Answer;
  try {
    if (check === undefined) result = storeEvent(body.bytes.toString('utf8'), store, ctx.now() / 1000);
    else {
      let outcome: ReturnType<typeof check.finish>;
      try {
        outcome = check.finish();
      } catch (error) {
        const errors = refusal(error);
        if (errors === undefined) throw error;
        return answer(400, { errors }, ` ${errors[0]}`);
      }
      result = storeSeries(path, body.bytes, body.encoding, outcome, store, ctx.now() / 1000);
    }
  } finally {
    body.release();
    if (store.version !== before) hub.changed();
  }
  const errors = (result.body as { errors?: string[] }).errors;
  const note = errors !== undefined && errors.length > 0 ? ` ${errors[0]}` : ` ${body.raw} B`;
  answer(result.status, result.body, note);
}

/** The page, the snapshot, the change stream and the fault controls. */
export async function handleControl(
  ctx: RouteContext,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { store, faults, hub } = ctx;
  const m = req.method;
  if (path === '/' && m === 'GET') {
    const html = pageHtml();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    return void res.end(html);
  }
  if (path === '/api/received' && m === 'GET') {
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const since = Number(query.get('since') ?? -1);
    const options: ReceivedOptions = {};
    for (const name of ['points', 'values'] as const) {
      const n = Number(query.get(name) ?? Number.NaN);
      if (Number.isInteger(n) && n >= 0) options[name] = n;
    }
    return streamJson(
      res,
      store.snapshotJson(ctx.now() / 1000, Number.isInteger(since) ? since : -1, options),
    );
  }
  if (path === '/api/received' && m === 'DELETE') {
    store.clear();
    hub.changed();
    return sendJson(res, 200, { status: 'ok' });
  }
  if (path === '/api/stream' && m === 'GET') return hub.stream(req, res);
  if (path === '/api/v1/validate' && m === 'GET') return sendJson(res, 200, { valid: true });
  if (path === '/api/faults' && m === 'GET') return sendJson(res, 200, faults.state());
  if (path === '/api/faults' && m === 'DELETE') {
    faults.clear();
    return sendJson(res, 200, faults.state());
  }
  if (path === '/api/faults' && m === 'POST') {
    const body = await readBody(req, { limits: CONTROL_LIMITS, budget: ctx.bodies, keep: 'decoded' });
    if (!body.ok) return body.status === 0 ? undefined : sendJson(res, body.status, { errors: [body.error] });
    let spec: unknown;
    try {
      spec = JSON.parse(body.bytes.toString('utf8'));
    } catch {
      return sendJson(res, 400, { errors: ['fault must be JSON'] });
    } finally {
      body.release();
    }
    const problem = faultProblem(spec);
    if (problem !== undefined) return sendJson(res, 400, { errors: [problem] });
    faults.inject(spec as FaultSpec);
    return sendJson(res, 200, faults.state());
  }
  sendJson(res, INGEST.has(path) || path.startsWith('/api/faults') ? 405 : 404, { errors: ['Not found'] });
}
