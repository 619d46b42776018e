// Runs a bundled handler in the real Lambda runtime interface client (aws-lambda-ric), in its own
// process group, against the Runtime API emulator. Between invocations the whole group is SIGSTOPped,
// as Lambda freezes a sandbox: no timer, socket callback or thread of it runs until the next event.
import { type ChildProcess, spawn } from 'node:child_process';
import { createSequence, type Sequence } from '../helpers/recording-intake.js';
import { ricEntry } from './ric.js';
import { type RuntimeApi, startRuntimeApi } from './runtime-api.js';

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
  sequence: Sequence;
  /** Freezes so far (each is one SIGSTOP of the group). */
  readonly freezes: number;
  readonly frozen: boolean;
  /** stdout + stderr of the runtime so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface SandboxOptions {
  runtime: RuntimeSpec;
  /** Directory holding the handler file (LAMBDA_TASK_ROOT). */
  taskRoot: string;
  /** `file.export`, e.g. `handler.handler`. */
  handler: string;
  env?: Record<string, string>;
  sequence?: Sequence;
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const sequence = options.sequence ?? createSequence();
  let child: ChildProcess | undefined;
  let frozen = false;
  let freezes = 0;
  const signal = (sig: NodeJS.Signals): void => {
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid, sig);
  };
  const api = await startRuntimeApi(sequence, {
    freeze: () => {
      signal('SIGSTOP');
      frozen = true;
      freezes++;
    },
    thaw: () => {
      signal('SIGCONT');
      frozen = false;
    },
  });
  const { runtime } = options;
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
    ...options.env,
  };
  // ric 3 takes the handler as an argument and the task root as cwd; ric 4 reads _HANDLER.
  const args = runtime.ric === 3 ? [ricEntry(3), options.handler] : [ricEntry(4)];
  const spawned = spawn(runtime.node, args, {
    cwd: options.taskRoot,
    env,
    detached: true, // its own process group: the freeze stops every thread and child of it
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = spawned;
  let output = '';
  spawned.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  spawned.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<void>((resolve) => spawned.once('exit', () => resolve()));
  // A worker that dies before `stop()` must not leave a stopped process group behind.
  const killOnExit = (): void => {
    try {
      if (spawned.pid !== undefined) process.kill(-spawned.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);

  return {
    api,
    pid: spawned.pid,
    sequence,
    get freezes() {
      return freezes;
    },
    get frozen() {
      return frozen;
    },
    output: () => output,
    async stop() {
      process.off('exit', killOnExit);
      if (spawned.exitCode === null && spawned.signalCode === null) {
        signal('SIGCONT');
        signal('SIGKILL');
        await exited;
      }
      await api.close();
    },
  };
}
