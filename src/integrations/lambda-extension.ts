// The internal Lambda extension behind after-response mode (DESIGN §14, §15). It registers for INVOKE
// during init and long-polls `event/next`; Lambda freezes the sandbox only once the runtime and every
// extension wait in `next`, so while the extension holds an invocation the runtime can post the response
// and the wrapper's flush still runs before the freeze. Which invocation to hold, and for how long, is
// the handshake's (lambda-handshake.ts); this file does the registration and the long-poll.
import { isMainThread } from 'node:worker_threads';
import { defaultEnv, managedInstances, read } from '../client/env.js';
import type { Metrics } from '../client.js';
import { MetricsError } from '../errors.js';
import { callExtensionsApi, describeRefusal } from './lambda-extension-api.js';
import {
  EXTENSION_SLOT,
  type ExtensionOptions,
  type ExtensionRegistration,
  type ExtensionSlot,
  extensionSlot,
} from './lambda-handoff.js';
import { createHandshake } from './lambda-handshake.js';
import { reportError } from './shared.js';

/** See `ExtensionOptions.graceMs`. */
const DEFAULT_GRACE_MS = 200;
/** Lambda answers a registration at once; past this the result says `failed` (a late 200 still polls). */
const REGISTER_TIMEOUT_MS = 5000;
/**
 * The process's extension: the one on globalThis (any copy of handlerstats may have started it), or a
 * new one, published there before it registers. Errors after registration go to `metrics`' onError.
 */
export function startExtension(options: ExtensionOptions = {}, metrics?: Metrics): ExtensionSlot {
  const existing = extensionSlot();
  if (existing !== undefined) return existing;
  const slot = createExtension(options, metrics);
  Object.defineProperty(globalThis, EXTENSION_SLOT, { value: slot, configurable: true });
  return slot;
}

/** `registerExtension`'s body: starts (or finds) the extension; reports a failed registration once. */
export async function registerWith(
  metrics: Metrics,
  options: ExtensionOptions,
): Promise<ExtensionRegistration> {
  const registration = await startExtension(options, metrics).registration;
  if (!registration.registered && registration.reason !== 'managed-instances') {
    const message = `the Lambda extension is not registered (${registration.reason}: ${registration.message}); withMetrics flushes before each response instead`;
    reportError(
      metrics,
      new MetricsError('INTEGRATION_ERROR', message, { details: { reason: registration.reason } }),
    );
  }
  return registration;
}

function createExtension(options: ExtensionOptions, metrics: Metrics | undefined): ExtensionSlot {
  const name = options.name ?? 'handlerstats';
  const handshake = createHandshake(options.graceMs ?? DEFAULT_GRACE_MS);
  // Not one of the client's variables (client/env.ts): read once, the same safe way.
  const api = read(
    (globalThis as { process?: { env?: Record<string, string> } }).process?.env,
    'AWS_LAMBDA_RUNTIME_API',
  );
  const stop = (error: unknown, id: string): void => {
    polling = false;
    handshake.close();
    reportError(
      metrics,
      new MetricsError('INTEGRATION_ERROR', `the Lambda extension stopped: ${String(error)}`, {
        cause: error,
      }),
    );
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
    if (managedInstances(defaultEnv()).concurrent)
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
