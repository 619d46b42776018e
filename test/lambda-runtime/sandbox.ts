// Runs a bundled handler in the real Lambda runtime interface client (aws-lambda-ric), in its own
// process group, against the Runtime API emulator. Whenever the emulator says the sandbox is idle the
// whole group is SIGSTOPped, as Lambda freezes a sandbox: no timer, socket callback or thread of it runs
// until the next event. External extensions (`externalExtensions`) run as their own processes, started
// and registered before the runtime as Lambda starts /opt/extensions/*, and are frozen with it. With
// `concurrency` the runtime runs in Lambda Managed Instances mode (worker threads, never frozen).
import { type ChildProcess, spawn } from 'node:child_process';
import { createSequence, type Sequence } from '../helpers/recording-intake.js';
import { ricEntry } from './ric.js';
import { type RuntimeApi, startRuntimeApi } from './runtime-api.js';
import { createTimeline, type Timeline } from './timeline.js';

/** A Lambda managed runtime as the tests model it: a Node binary and the ric generation it ships. */
export interface RuntimeSpec {
  name: 'nodejs20.x' | 'nodejs22.x' | 'nodejs24.x';
  /** Path of the node binary. */
  node: string;
  /**
   * `3`: aws-lambda-ric 3.x (callback handlers allowed, as the nodejs20.x/22.x runtimes).
   * `4`: aws-lambda-ric 4.x (rejects handlers declaring 3+ parameters, as nodejs24.x).
   */
  ric: 3 | 4;
}

export interface Sandbox {
  api: RuntimeApi;
  /** The runtime's pid (also its process group id). */
  pid: number | undefined;
  /** Pid (= process group id) of each sandbox process: `runtime` and each external extension's name. */
  pids(): Record<string, number | undefined>;
  sequence: Sequence;
  /** What the emulator, the probe and the sandbox saw, in order (same as `api.timeline`). */
  timeline: Timeline;
  /** Freezes so far (each is one SIGSTOP of the group). */
  readonly freezes: number;
  readonly frozen: boolean;
  /** stdout + stderr of the runtime (and external extensions, prefixed) so far (for failure messages). */
  output(): string;
  /**
   * Lambda's shutdown when an extension is registered: SIGTERM to the runtime, SHUTDOWN to the
   * extensions subscribed to it, then SIGKILL at the deadline (500 ms with internal extensions only,
   * 2000 ms with external ones). `stop()` calls it first when an extension registered.
   */
  shutdown(reason?: string): Promise<void>;
  stop(): Promise<void>;
}

/** A process Lambda would start from /opt/extensions before the runtime. */
export interface ExternalExtension {
  /** The Lambda-Extension-Name it registers with (on Lambda: its file name). */
  name: string;
  /** Script run with the runtime's node binary. */
  file: string;
  env?: Record<string, string>;
}

export interface SandboxOptions {
  runtime: RuntimeSpec;
  /** Directory holding the handler file (LAMBDA_TASK_ROOT). */
  taskRoot: string;
  /** `file.export`, e.g. `handler.handler`. */
  handler: string;
  env?: Record<string, string>;
  sequence?: Sequence;
  timeline?: Timeline;
  /**
   * Lambda Managed Instances (aws-lambda-ric 4 only): sets AWS_LAMBDA_MAX_CONCURRENCY (its presence
   * is what ric 4 checks) and AWS_LAMBDA_NODEJS_WORKER_COUNT; the emulator then delivers up to
   * `maxConcurrency` invocations at once and never freezes.
   */
  concurrency?: { maxConcurrency: number; workers: number };
  externalExtensions?: ExternalExtension[];
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const { runtime, concurrency, externalExtensions = [] } = options;
  if (concurrency !== undefined && runtime.ric !== 4)
    throw new Error('multi-concurrent mode needs aws-lambda-ric 4 (ric 3 has none)');
  const sequence = options.sequence ?? createSequence();
  const timeline = options.timeline ?? createTimeline(sequence);
  const processes: { name: string; child: ChildProcess; exited: Promise<void> }[] = [];
  let frozen = false;
  let freezes = 0;
  let output = '';
  const live = (child: ChildProcess): boolean =>
    child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  const signal = (sig: NodeJS.Signals, only?: string): void => {
    for (const { name, child } of processes)
      if ((only === undefined || name === only) && live(child)) process.kill(-(child.pid as number), sig);
  };
  const api = await startRuntimeApi(
    sequence,
    {
      freeze: () => {
        signal('SIGSTOP');
        frozen = true;
        freezes++;
      },
      thaw: () => {
        signal('SIGCONT');
        frozen = false;
      },
    },
    {
      handler: options.handler,
      timeline,
      externalExtensions: externalExtensions.map((e) => e.name),
      ...(concurrency ? { maxConcurrency: concurrency.maxConcurrency } : {}),
    },
  );
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TZ: 'UTC',
    AWS_EXECUTION_ENV: `AWS_Lambda_${runtime.name}`,
    AWS_LAMBDA_RUNTIME_API: api.address,
    LAMBDA_TASK_ROOT: options.taskRoot,
    _HANDLER: options.handler,
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: 'handlerstats-test',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/handlerstats-test',
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef',
    ...(concurrency
      ? {
          AWS_LAMBDA_MAX_CONCURRENCY: String(concurrency.maxConcurrency),
          AWS_LAMBDA_NODEJS_WORKER_COUNT: String(concurrency.workers),
        }
      : {}),
    ...options.env,
  };
  const start = (name: string, args: string[], extraEnv: Record<string, string> = {}): ChildProcess => {
    const child = spawn(runtime.node, args, {
      cwd: options.taskRoot,
      env: { ...env, ...extraEnv },
      detached: true, // its own process group: the freeze stops every thread and child of it
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = name === 'runtime' ? '' : `[${name}] `;
    const collect = (c: Buffer): void => {
      output += prefix === '' ? c.toString() : c.toString().replace(/^(?=.)/gm, prefix);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code, sig) => {
        timeline.record({ type: 'exit', process: name, code, signal: sig });
        resolve();
      }),
    );
    processes.push({ name, child, exited });
    return child;
  };
  // A worker that dies before `stop()` must not leave a stopped process group behind.
  const killOnExit = (): void => {
    for (const { child } of processes)
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    signal('SIGCONT');
    signal('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await api.close();
  };

  try {
    // Lambda starts the external extensions and waits for them to register before the runtime starts.
    for (const ext of externalExtensions) {
      start(ext.name, [ext.file], ext.env);
      const registered = await Promise.race([
        timeline.waitFor('extension-register', { extension: ext.name }).then(
          () => true,
          () => false,
        ),
        processes.at(-1)?.exited.then(() => false),
      ]);
      if (!registered) throw new Error(`external extension ${ext.name} did not register:\n${output}`);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  // ric 3 takes the handler as an argument and the task root as cwd; ric 4 reads _HANDLER.
  const spawned = start('runtime', runtime.ric === 3 ? [ricEntry(3), options.handler] : [ricEntry(4)]);
  const runtimeExited = processes.at(-1)?.exited;
  let shutDown = false;

  const sandbox: Sandbox = {
    api,
    pid: spawned.pid,
    sequence,
    timeline,
    get freezes() {
      return freezes;
    },
    get frozen() {
      return frozen;
    },
    output: () => output,
    pids: () => Object.fromEntries(processes.map((p) => [p.name, p.child.pid])),
    async shutdown(reason = 'spindown') {
      if (shutDown) return;
      shutDown = true;
      const deadlineMs = api.extensions.some((e) => e.external) ? 2000 : 500;
      signal('SIGTERM', 'runtime'); // a stopped group gets it on the thaw api.shutdown does
      const externalsExited = Promise.all(processes.filter((p) => p.name !== 'runtime').map((p) => p.exited));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([runtimeExited, Promise.race([api.shutdown(reason, deadlineMs), externalsExited])]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, deadlineMs);
        }),
      ]);
      clearTimeout(timer);
    },
    async stop() {
      if (api.extensions.length > 0) await sandbox.shutdown();
      await stop();
    },
  };
  return sandbox;
}
