// The Lambda Extensions API (2020-01-01) as RAPID serves it. Statuses, error types and messages follow
// Lambda's Runtime API implementation as published in aws-lambda-runtime-interface-emulator
// (lambda/rapi/handler/agent*.go, middleware.go, constants.go, core/agent_state*.go): every refusal is
// `403 {"errorMessage", "errorType"}`, success is 200 (register, next) or `202 {"status":"OK"}` (errors).
// - register: `Lambda-Extension-Name` (empty: Extension.InvalidExtensionName); body `{"events":[…]}`
//   (bad JSON: InvalidRequestFormat; an event other than INVOKE/SHUTDOWN: Extension.InvalidEventType).
//   An extension the sandbox did not start as a process is *internal*: it may not subscribe to SHUTDOWN
//   (Extension.InvalidEventType "SHUTDOWN: ShutdownEventNotSupportedForInternalExtension") and may
//   register only until the runtime's first /runtime/invocation/next — RAPID turns registration off
//   right after the runtime is ready, before it waits for the extensions' first `next`
//   (Extension.RegistrationClosed "Extension registration closed already"). Answers 200 with the
//   `Lambda-Extension-Identifier` header and `{functionName, functionVersion, handler}` (+ accountId
//   when `Lambda-Extension-Accept-Feature: accountId`).
// - event/next, init/error, exit/error: `Lambda-Extension-Identifier` missing
//   (Extension.MissingExtensionIdentifier), not a UUID (Extension.InvalidExtensionIdentifier), unknown
//   (Extension.UnknownExtensionIdentifier). Events carry `Lambda-Extension-Event-Identifier`.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Timeline } from './timeline.js';

const PREFIX = '/2020-01-01/extension/';
const MAX_EXTENSIONS = 10; // RAPID's core.MaxAgentsAllowed
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ExtensionEvent =
  | {
      eventType: 'INVOKE';
      deadlineMs: number;
      requestId: string;
      invokedFunctionArn: string;
      tracing: { type: 'X-Amzn-Trace-Id'; value: string };
    }
  | { eventType: 'SHUTDOWN'; shutdownReason: string; deadlineMs: number };

export interface Extension {
  id: string;
  name: string;
  events: ReadonlySet<string>;
  /** Started by the sandbox as its own process (as Lambda starts /opt/extensions/*). */
  external: boolean;
  calledNext: boolean;
  /** Posted init/error or exit/error: no longer waited for. */
  failed: boolean;
  /** Its long-poll `next`, while it is held. */
  held: ServerResponse | undefined;
  queue: ExtensionEvent[];
}

export interface ExtensionsContext {
  timeline: Timeline;
  metadata: { functionName: string; functionVersion: string; handler: string; accountId: string };
  externalNames: ReadonlySet<string>;
  registrationOpen(): boolean;
  /** Thaws the sandbox before an event is delivered. */
  wake(): void;
  /** Called when an extension's state changed (next, failure): init may be done, the sandbox may freeze. */
  changed(): void;
  initError(errorType: string, extension: string): void;
}

export function createExtensionsApi(ctx: ExtensionsContext) {
  const byId = new Map<string, Extension>();
  const live = (): Extension[] => [...byId.values()].filter((e) => !e.failed);

  const refuse = (res: ServerResponse, path: string, type: string, message: string, ext?: Extension) => {
    ctx.timeline.record({
      type: 'refused',
      path,
      status: 403,
      errorType: type,
      message,
      ...(ext ? { extension: ext.name } : {}),
    });
    res
      .writeHead(403, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ errorMessage: message, errorType: type }));
  };

  const flush = (ext: Extension): void => {
    const res = ext.held;
    const event = ext.queue[0];
    if (res === undefined || event === undefined) return;
    ctx.wake();
    ext.queue.shift();
    ext.held = undefined;
    ctx.timeline.record({
      type: 'extension-event',
      extension: ext.name,
      eventType: event.eventType,
      ...(event.eventType === 'INVOKE' ? { requestId: event.requestId } : {}),
      payload: event,
    });
    res
      .writeHead(200, {
        'Content-Type': 'application/json',
        'Lambda-Extension-Event-Identifier': randomUUID(),
      })
      .end(JSON.stringify(event));
  };

  /** Lambda's refusal of a registration ([errorType, errorMessage]), or the events to subscribe. */
  const check = (name: string, body: string): { refusal: [string, string] } | { events: string[] } => {
    if (name === '') return { refusal: ['Extension.InvalidExtensionName', 'Empty extension name'] };
    let events: unknown;
    try {
      events = (JSON.parse(body) as { events?: unknown }).events ?? [];
      if (!Array.isArray(events)) throw new TypeError('events is not an array');
    } catch (e) {
      return { refusal: ['InvalidRequestFormat', (e as Error).message] };
    }
    for (const event of events as unknown[]) {
      if (event !== 'INVOKE' && event !== 'SHUTDOWN')
        return { refusal: ['Extension.InvalidEventType', `${String(event)}: ErrorInvalidEventType`] };
      if (event === 'SHUTDOWN' && !ctx.externalNames.has(name))
        return {
          refusal: ['Extension.InvalidEventType', 'SHUTDOWN: ShutdownEventNotSupportedForInternalExtension'],
        };
    }
    if (!ctx.registrationOpen())
      return { refusal: ['Extension.RegistrationClosed', 'Extension registration closed already'] };
    if ([...byId.values()].some((e) => e.name === name))
      return { refusal: ['Extension.InvalidExtensionState', 'Extension with this name already registered'] };
    if (byId.size >= MAX_EXTENSIONS)
      return { refusal: ['Extension.TooManyExtensions', `Extension limit (${MAX_EXTENSIONS}) reached`] };
    return { events: events as string[] };
  };

  const register = (req: IncomingMessage, res: ServerResponse, path: string, body: string): void => {
    const header = req.headers['lambda-extension-name'];
    const name = typeof header === 'string' ? header : '';
    const checked = check(name, body);
    if ('refusal' in checked) {
      refuse(res, path, ...checked.refusal);
      return;
    }
    const ext: Extension = {
      id: randomUUID(),
      name,
      events: new Set(checked.events),
      external: ctx.externalNames.has(name),
      calledNext: false,
      failed: false,
      held: undefined,
      queue: [],
    };
    byId.set(ext.id, ext);
    ctx.timeline.record({ type: 'extension-register', extension: name, id: ext.id, events: [...ext.events] });
    const { accountId, ...metadata } = ctx.metadata;
    const accept = String(req.headers['lambda-extension-accept-feature'] ?? '').split(',');
    res
      .writeHead(200, { 'Content-Type': 'application/json', 'Lambda-Extension-Identifier': ext.id })
      .end(JSON.stringify({ ...metadata, ...(accept.includes('accountId') ? { accountId } : {}) }));
  };

  /** The extension named by `Lambda-Extension-Identifier`, or undefined after refusing the request. */
  const identify = (req: IncomingMessage, res: ServerResponse, path: string): Extension | undefined => {
    const id = req.headers['lambda-extension-identifier'];
    if (typeof id !== 'string' || id === '')
      refuse(res, path, 'Extension.MissingExtensionIdentifier', 'Missing Lambda-Extension-Identifier header');
    else if (!UUID.test(id))
      refuse(res, path, 'Extension.InvalidExtensionIdentifier', 'Invalid Lambda-Extension-Identifier');
    else if (!byId.has(id))
      refuse(res, path, 'Extension.UnknownExtensionIdentifier', `Unknown extension ${id}`);
    else return byId.get(id);
    return undefined;
  };

  const next = (ext: Extension, res: ServerResponse, path: string): void => {
    if (ext.failed || ext.held !== undefined) {
      refuse(res, path, 'Extension.InvalidExtensionState', `Extension ${ext.id} cannot call next now`, ext);
      return;
    }
    ext.calledNext = true;
    ext.held = res;
    res.on('close', () => {
      if (ext.held === res) ext.held = undefined; // the extension gave up its long-poll
    });
    ctx.timeline.record({ type: 'extension-next', extension: ext.name });
    flush(ext);
    ctx.changed();
  };

  const reportError = (req: IncomingMessage, res: ServerResponse, path: string, phase: 'init' | 'exit') => {
    const ext = identify(req, res, path);
    if (ext === undefined) return;
    const errorType = req.headers['lambda-extension-function-error-type'];
    if (typeof errorType !== 'string' || errorType === '') {
      refuse(res, path, 'Extension.MissingHeader', 'Lambda-Extension-Function-Error-Type not found', ext);
      return;
    }
    ext.failed = true;
    if (phase === 'init') ctx.initError(errorType, ext.name);
    else ctx.timeline.record({ type: 'extension-exit-error', extension: ext.name, errorType });
    res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
    ctx.changed();
  };

  return {
    /** Serves `req` when it is an Extensions API path (returns false otherwise). */
    handle(req: IncomingMessage, res: ServerResponse, body: string): boolean {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (!path.startsWith(PREFIX)) return false;
      const route = `${req.method} ${path.slice(PREFIX.length)}`;
      if (route === 'POST register') register(req, res, path, body);
      else if (route === 'GET event/next') {
        const ext = identify(req, res, path);
        if (ext !== undefined) next(ext, res, path);
      } else if (route === 'POST init/error') reportError(req, res, path, 'init');
      else if (route === 'POST exit/error') reportError(req, res, path, 'exit');
      else res.writeHead(404).end();
      return true;
    },
    /** Queues `event` for every live extension subscribed to its type; returns those extensions. */
    dispatch(event: ExtensionEvent): Extension[] {
      const to = live().filter((e) => e.events.has(event.eventType));
      for (const ext of to) {
        ext.queue.push(event);
        flush(ext);
      }
      return to;
    },
    /** Every live extension waits in `next` with nothing queued (none registered: true). */
    allIdle: (): boolean => live().every((e) => e.held !== undefined && e.queue.length === 0),
    allCalledNext: (): boolean => live().every((e) => e.calledNext),
    list: (): readonly Extension[] => [...byId.values()],
  };
}
