// A small Lambda Runtime API emulator on 127.0.0.1: the endpoints a runtime interface client uses
// (next, response, error, init/error). While the runtime waits for its next event the emulator calls
// `freeze` (the harness SIGSTOPs the process group, as Lambda freezes a sandbox) and calls `thaw`
// right before delivering one. Everything it receives is stamped from the shared Sequence.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sequence } from '../helpers/recording-intake.js';

export interface Outcome {
  requestId: string;
  kind: 'response' | 'error';
  /** Parsed JSON body the runtime posted. */
  body: unknown;
  /** `Lambda-Runtime-Function-Error-Type` for errors. */
  errorType?: string;
  seq: number;
}

export interface InitError {
  errorType: string | undefined;
  body: { errorType?: string; errorMessage?: string };
  seq: number;
}

export interface RuntimeApi {
  /** `host:port`, the value of AWS_LAMBDA_RUNTIME_API. */
  address: string;
  /** Delivers one event; resolves with what the runtime posted back. `timeoutMs` sets the deadline header. */
  invoke(event: unknown, timeoutMs?: number): Promise<Outcome>;
  /** Resolves when the runtime reports an init error. */
  initError: Promise<InitError>;
  /** True while a `next` request is held (the runtime is idle; the harness has frozen it). */
  readonly idle: boolean;
  close(): Promise<void>;
}

interface Pending {
  requestId: string;
  event: unknown;
  timeoutMs: number;
  settle: (outcome: Outcome) => void;
}

export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:handlerstats-test';

export async function startRuntimeApi(
  sequence: Sequence,
  hooks: { freeze: () => void; thaw: () => void },
): Promise<RuntimeApi> {
  const queue: Pending[] = [];
  const inFlight = new Map<string, Pending>();
  let waiting: ServerResponse | undefined;
  let reportInitError: (e: InitError) => void = () => {};
  const initError = new Promise<InitError>((resolve) => {
    reportInitError = resolve;
  });

  const deliver = (res: ServerResponse, next: Pending): void => {
    inFlight.set(next.requestId, next);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': next.requestId,
      'Lambda-Runtime-Deadline-Ms': String(Date.now() + next.timeoutMs),
      'Lambda-Runtime-Invoked-Function-Arn': FUNCTION_ARN,
      'Lambda-Runtime-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)};Sampled=0`,
    });
    res.end(JSON.stringify(next.event));
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
      const next = queue.shift();
      if (next !== undefined) deliver(res, next);
      else {
        waiting = res;
        hooks.freeze();
      }
      return;
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    const seq = sequence.next();
    const parsed: unknown = body === '' ? undefined : JSON.parse(body);
    res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
    if (req.method === 'POST' && match !== null) {
      const requestId = decodeURIComponent(match[1] ?? '');
      const pending = inFlight.get(requestId);
      inFlight.delete(requestId);
      const errorType = req.headers['lambda-runtime-function-error-type'];
      pending?.settle({
        requestId,
        kind: match[2] === 'error' ? 'error' : 'response',
        body: parsed,
        seq,
        ...(typeof errorType === 'string' ? { errorType } : {}),
      });
    } else if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
      const errorType = req.headers['lambda-runtime-function-error-type'];
      reportInitError({
        errorType: typeof errorType === 'string' ? errorType : undefined,
        body: (parsed ?? {}) as InitError['body'],
        seq,
      });
    }
  };

  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => onRequest(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    address: `127.0.0.1:${port}`,
    initError,
    get idle() {
      return waiting !== undefined;
    },
    invoke(event, timeoutMs = 3000) {
      return new Promise<Outcome>((resolve, reject) => {
        // A runtime that never answers fails the test instead of hanging it.
        const guard = setTimeout(
          () => reject(new Error('runtime API emulator: no response')),
          timeoutMs + 15_000,
        );
        const pending: Pending = {
          requestId: randomUUID(),
          event,
          timeoutMs,
          settle: (outcome) => {
            clearTimeout(guard);
            resolve(outcome);
          },
        };
        const res = waiting;
        if (res === undefined) queue.push(pending);
        else {
          waiting = undefined;
          hooks.thaw();
          deliver(res, pending);
        }
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
