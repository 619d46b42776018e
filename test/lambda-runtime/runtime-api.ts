// A Lambda Runtime API emulator on 127.0.0.1: the runtime endpoints (next, response — buffered or
// streamed —, error, init/error) and the Extensions API (extensions-api.ts) on one port, as Lambda
// serves both at AWS_LAMBDA_RUNTIME_API. It freezes the sandbox as Lambda does: only once init is done
// (the runtime and every registered extension called their first `next`) and the runtime waits in
// /runtime/invocation/next with no invocation in flight and every extension waits in
// /extension/event/next — so an invocation counts as done when its response is posted AND every
// extension called `next` again. It thaws right before delivering anything. With `maxConcurrency`
// (Lambda Managed Instances) it holds any number of `next` at once, delivers up to that many
// invocations at a time, matches answers by request id and never freezes. Everything it sees goes
// into the Timeline, stamped from the shared Sequence.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sequence } from '../helpers/recording-intake.js';
import { createExtensionsApi, type Extension } from './extensions-api.js';
import { type InitError, type Outcome, parseJson, readBody, receivePost } from './responses.js';
import { createTimeline, type Timeline } from './timeline.js';

export type { InitError, Outcome } from './responses.js';

export interface RuntimeApiOptions {
  /** Lambda Managed Instances: at most this many invocations in flight; never freeze. */
  maxConcurrency?: number;
  /** Extension names started as processes (may subscribe to SHUTDOWN). */
  externalExtensions?: string[];
  /** `_HANDLER`, echoed by extension registration. */
  handler?: string;
  timeline?: Timeline;
}

export interface RuntimeApi {
  /** `host:port`, the value of AWS_LAMBDA_RUNTIME_API. */
  address: string;
  /** Delivers one event; resolves with what the runtime posted back. `timeoutMs` sets the deadline header. */
  invoke(event: unknown, timeoutMs?: number): Promise<Outcome>;
  /** Resolves when the runtime (or an extension) reports an init error. */
  initError: Promise<InitError>;
  timeline: Timeline;
  /** `next` requests of the runtime held right now (several in multi-concurrent mode). */
  readonly waitingNexts: number;
  readonly initDone: boolean;
  readonly extensions: readonly Extension[];
  /** Sends SHUTDOWN to the extensions subscribed to it; resolves once each called `next` again or `deadlineMs` passed. */
  shutdown(reason: string, deadlineMs: number): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  requestId: string;
  event: unknown;
  timeoutMs: number;
  deliveredSeq: number;
  settle: (outcome: Outcome) => void;
  guard: NodeJS.Timeout;
}

export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:handlerstats-test';
const RUNTIME = '/2018-06-01/runtime/';

export async function startRuntimeApi(
  sequence: Sequence,
  hooks: { freeze: () => void; thaw: () => void },
  options: RuntimeApiOptions = {},
): Promise<RuntimeApi> {
  const timeline = options.timeline ?? createTimeline(sequence);
  const multi = options.maxConcurrency !== undefined;
  const queue: Pending[] = [];
  const inFlight = new Map<string, Pending>();
  const waiting: ServerResponse[] = [];
  let runtimeCalledNext = false;
  let initDone = false;
  let initFailed = false; // Lambda would reset the environment: nothing is delivered any more
  let frozen = false;
  let shuttingDown = false;
  let resolveInitError: (e: InitError) => void = () => {};
  const initError = new Promise<InitError>((resolve) => {
    resolveInitError = resolve;
  });
  const reportInitError = (e: Omit<InitError, 'seq'>): void => {
    initFailed = true;
    const { seq } = timeline.record({ type: 'init-error', errorType: e.errorType, extension: e.extension });
    resolveInitError({ ...e, seq });
  };

  const wake = (): void => {
    if (!frozen) return;
    frozen = false;
    timeline.record({ type: 'thaw' });
    hooks.thaw();
  };
  const extensions = createExtensionsApi({
    timeline,
    metadata: {
      functionName: 'handlerstats-test',
      functionVersion: '$LATEST',
      handler: options.handler ?? '',
      accountId: FUNCTION_ARN.split(':')[4] ?? '',
    },
    externalNames: new Set(options.externalExtensions),
    registrationOpen: () => !runtimeCalledNext,
    wake,
    changed: () => settle(),
    initError: (errorType, extension) => reportInitError({ errorType, body: {}, extension }),
  });

  const deliver = (res: ServerResponse, next: Pending): void => {
    wake();
    inFlight.set(next.requestId, next);
    next.deliveredSeq = timeline.record({ type: 'invoke', requestId: next.requestId }).seq;
    const deadlineMs = Date.now() + next.timeoutMs;
    const trace = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)};Sampled=0`;
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': next.requestId,
      'Lambda-Runtime-Deadline-Ms': String(deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': FUNCTION_ARN,
      'Lambda-Runtime-Trace-Id': trace,
    });
    res.end(JSON.stringify(next.event));
    extensions.dispatch({
      eventType: 'INVOKE',
      deadlineMs,
      requestId: next.requestId,
      invokedFunctionArn: FUNCTION_ARN,
      tracing: { type: 'X-Amzn-Trace-Id', value: trace },
    });
  };

  /** Ends init when it can, delivers what can be delivered, freezes when everything waits. */
  function settle(): void {
    if (!initDone && !initFailed && runtimeCalledNext && extensions.allCalledNext()) {
      initDone = true;
      timeline.record({ type: 'init-done' });
    }
    if (!initDone || shuttingDown) return;
    const room = (): boolean =>
      multi ? inFlight.size < (options.maxConcurrency ?? 1) : inFlight.size === 0 && extensions.allIdle();
    while (queue.length > 0 && waiting.length > 0 && room()) deliver(waiting.shift()!, queue.shift()!);
    if (multi || frozen || waiting.length === 0 || inFlight.size > 0 || queue.length > 0) return;
    if (!extensions.allIdle()) return;
    frozen = true;
    timeline.record({ type: 'freeze' });
    hooks.freeze();
  }

  const onInvocationPost = async (req: IncomingMessage, res: ServerResponse, id: string, kind: string) => {
    const pending = inFlight.get(id);
    const answer = await receivePost(req, res, { id, kind, inFlight: pending !== undefined, timeline });
    if (answer === undefined || pending === undefined) return;
    inFlight.delete(id);
    pending.settle({ ...answer, requestId: id, deliveredSeq: pending.deliveredSeq });
    res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
    settle();
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${RUNTIME}invocation/next`) {
      timeline.record({ type: 'runtime-next' });
      runtimeCalledNext = true;
      waiting.push(res);
      res.on('close', () => {
        const at = waiting.indexOf(res);
        if (at >= 0) waiting.splice(at, 1);
      });
      settle();
      return;
    }
    const invocation = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && invocation !== null) {
      // A runtime killed mid-post (a stopped sandbox) leaves its invocation unanswered, nothing else.
      onInvocationPost(req, res, decodeURIComponent(invocation[1] ?? ''), invocation[2] ?? '').catch(
        () => {},
      );
      return;
    }
    const served = readBody(req).then((body) => {
      if (extensions.handle(req, res, body)) return;
      if (req.method === 'POST' && url === `${RUNTIME}init/error`) {
        const header = req.headers['lambda-runtime-function-error-type'];
        const errorType = typeof header === 'string' ? header : undefined;
        res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
        reportInitError({ errorType, body: (parseJson(body) ?? {}) as InitError['body'] });
        return;
      }
      res.writeHead(404).end();
    });
    served.catch(() => {}); // the client went away mid-request
  };

  const server = createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    address: `127.0.0.1:${port}`,
    initError,
    timeline,
    get waitingNexts() {
      return waiting.length;
    },
    get initDone() {
      return initDone;
    },
    get extensions() {
      return extensions.list();
    },
    invoke(event, timeoutMs = 3000) {
      return new Promise<Outcome>((resolve, reject) => {
        const pending: Pending = {
          requestId: randomUUID(),
          event,
          timeoutMs,
          deliveredSeq: 0,
          settle: (outcome) => {
            clearTimeout(pending.guard);
            resolve(outcome);
          },
          // A runtime that never answers fails the test instead of hanging it.
          guard: setTimeout(
            () => reject(new Error(`runtime API emulator: no response\n${timeline.format()}`)),
            timeoutMs + 15_000,
          ),
        };
        queue.push(pending);
        settle();
      });
    },
    async shutdown(reason, deadlineMs) {
      shuttingDown = true;
      wake();
      const { seq } = timeline.record({ type: 'shutdown', reason });
      const to = extensions.dispatch({
        eventType: 'SHUTDOWN',
        shutdownReason: reason,
        deadlineMs: Date.now() + deadlineMs,
      });
      const done = to.map((e) =>
        timeline.waitFor('extension-next', { extension: e.name, after: seq }, deadlineMs),
      );
      await Promise.allSettled(done);
    },
    close: () =>
      new Promise((resolve) => {
        for (const p of [...queue, ...inFlight.values()]) clearTimeout(p.guard);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
