// The internal Lambda extension behind after-response mode (DESIGN §14, §15). It registers for INVOKE
// during init and long-polls `event/next`; Lambda freezes the sandbox only once the runtime and every
// extension wait in `next`, so while the extension holds an invocation the runtime can post the response
// and the wrapper's flush still runs before the freeze. Which invocation to hold, and for how long, is
// the handshake's (lambda-handshake.ts); this file does the registration and the long-poll.
import { isMainThread } from 'node:worker_threads';
import { callExtensionsApi, describeRefusal } from './lambda-extension-api.js';
import type { ExtensionOptions, ExtensionRegistration, ExtensionSlot } from './lambda-handoff.js';
import { createHandshake } from './lambda-handshake.js';

/** See `ExtensionOptions.graceMs`. */
const DEFAULT_GRACE_MS = 200;
/** Lambda answers a registration at once; past this the result says `failed` (a late 200 still polls). */
const REGISTER_TIMEOUT_MS = 5000;

/**
 * What the extension needs from the rest of handlerstats, handed in by its callers: this module is
 * imported lazily from the Lambda entry, and one that shared code with it would make esbuild wrap that
 * shared code in lazy initializers in every user's bundle (≈400 bytes), registerExtension used or not.
 */
export interface ExtensionDeps {
  /** AWS_LAMBDA_RUNTIME_API, read the client's safe way. */
  runtimeApi: string | undefined;
  /** Lambda Managed Instances (never frozen): the extension is not used. */
  managedInstances: boolean;
  /** Reports a problem found after registration (the client's onError, or the console). */
  report(message: string, cause?: unknown): void;
}

/** Creates the process's extension and publishes it on globalThis before it registers. */
export function publishExtension(options: ExtensionOptions, deps: ExtensionDeps): ExtensionSlot {
  const slot = createExtension(options, deps);
  // The slot of lambda-handoff.ts (EXTENSION_SLOT), spelled out: that module is the Lambda entry's.
  Object.defineProperty(globalThis, Symbol.for('handlerstats.lambdaExtension'), {
    value: slot,
    configurable: true,
  });
  return slot;
}

function createExtension(options: ExtensionOptions, deps: ExtensionDeps): ExtensionSlot {
  const name = options.name ?? 'handlerstats';
  const handshake = createHandshake(options.graceMs ?? DEFAULT_GRACE_MS);
  const api = deps.runtimeApi;
  const stop = (error: unknown, id: string): void => {
    polling = false;
    handshake.close();
    deps.report(`the Lambda extension stopped: ${String(error)}`, error);
    const type = {
      'Lambda-Extension-Identifier': id,
      'Lambda-Extension-Function-Error-Type': 'Extension.NextFailed',
    };
    callExtensionsApi(api as string, 'POST', 'exit/error', type).catch(() => {});
  };
  const poll = async (id: string): Promise<void> => {
    for (let failures = 0; ; ) {
      let event: { eventType?: unknown; requestId?: unknown; deadlineMs?: unknown } | undefined;
      try {
        const reply = await callExtensionsApi(
          api as string,
          'GET',
          'event/next',
          { 'Lambda-Extension-Identifier': id },
          { unref: true },
        );
        if (reply.status !== 200) {
          stop(`event/next answered ${describeRefusal(reply)}`, id);
          return;
        }
        event = JSON.parse(reply.body) as typeof event;
        failures = 0;
      } catch (error) {
        // A connection reset by the thaw, say: try again a few times, then give up for good.
        if (++failures > 3) {
          stop(error, id);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * failures));
        continue;
      }
      if (event?.eventType === 'SHUTDOWN') return;
      if (event?.eventType === 'INVOKE' && typeof event.requestId === 'string')
        await handshake.invoke(
          event.requestId,
          typeof event.deadlineMs === 'number' ? event.deadlineMs : Number.NaN,
        );
    }
  };
  // Claims are refused until the extension polls (registered), and after it stopped.
  let polling = false;
  const started = (id: string): void => {
    polling = true;
    poll(id).catch((error: unknown) => stop(error, id));
  };

  const registration = ((): Promise<ExtensionRegistration> => {
    const no = (reason: Exclude<ExtensionRegistration, { registered: true }>['reason'], message: string) =>
      Promise.resolve<ExtensionRegistration>({ registered: false, reason, message });
    if (deps.managedInstances)
      return no('managed-instances', 'Lambda Managed Instances never freeze: background mode applies');
    if (!isMainThread) return no('worker-thread', 'only the main thread can register an extension');
    if (!api) return no('not-lambda', 'AWS_LAMBDA_RUNTIME_API is not set: not running in Lambda');
    return register(api, name, started);
  })();
  return {
    version: 1,
    registration,
    claim: (requestId) => (polling ? handshake.claim(requestId) : undefined),
  };
}

/** POST register; `started(id)` runs on success, even when the answer came after the timeout. */
function register(api: string, name: string, started: (id: string) => void): Promise<ExtensionRegistration> {
  return new Promise((resolve) => {
    let settled = false;
    const answer = (result: ExtensionRegistration): void => {
      if (!settled) resolve(result);
      settled = true;
      clearTimeout(timer);
    };
    const timer = setTimeout(
      () =>
        answer({
          registered: false,
          reason: 'failed',
          message: `no answer to register in ${REGISTER_TIMEOUT_MS} ms`,
        }),
      REGISTER_TIMEOUT_MS,
    );
    timer.unref?.();
    const headers = { 'Lambda-Extension-Name': name, 'Content-Type': 'application/json' };
    callExtensionsApi(api, 'POST', 'register', headers, { body: '{"events":["INVOKE"]}' }).then(
      (reply) => {
        const id = reply.header('lambda-extension-identifier');
        if (reply.status === 200 && id !== undefined && id !== '') {
          started(id);
          answer({ registered: true, name, id });
        } else
          answer({
            registered: false,
            reason: 'refused',
            message: `Lambda refused it: ${describeRefusal(reply)}`,
          });
      },
      (error: unknown) =>
        answer({
          registered: false,
          reason: 'failed',
          message: `register failed: ${error instanceof Error ? error.message : String(error)}`,
        }),
    );
  });
}
