// The one module that reads the environment. A deploy-time typo in a `DD_*` variable never fails a
// handler at load: an unusable value is reported once (naming the variable, never echoing a secret) and
// falls back — to the log transport for anything that decides where data and the key go (DD_API_KEY,
// DD_SITE, DD_DD_URL: never another site), to the default otherwise (DESIGN §15).

export type Env = Readonly<Record<string, string | undefined>>;

/** The variables handlerstats reads. */
const VARIABLES = [
  'DD_API_KEY',
  'DD_SITE',
  'DD_DD_URL',
  'DD_TAGS',
  'DD_ENV',
  'DD_SERVICE',
  'DD_VERSION',
  'DD_METRICS_ENABLED',
  'DD_FLUSH_TO_LOG',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_MAX_CONCURRENCY',
  'AWS_LAMBDA_NODEJS_WORKER_COUNT',
] as const;

interface DenoLike {
  permissions?: { querySync?: (d: { name: 'env' }) => { state: string } };
}

/**
 * The variables handlerstats reads, from `process.env` where it exists (Node, Bun, Deno); `{}` on
 * Workers. On Deno without env permission nothing is read: a read would throw (`NotCapable`), or prompt.
 */
export function defaultEnv(): Env {
  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  try {
    if (deno !== undefined && deno.permissions?.querySync?.({ name: 'env' }).state !== 'granted') return {};
  } catch {
    return {};
  }
  const out: Record<string, string | undefined> = {};
  for (const name of VARIABLES)
    out[name] = read((globalThis as { process?: { env?: Env } }).process?.env, name);
  return out;
}

/** One variable; a source that throws on a read (a strict Proxy, a sandbox) counts as unset. */
export function read(env: Env | undefined, variable: string): string | undefined {
  try {
    const v = env?.[variable];
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** An environment value that could not be used, and what was done instead. */
export interface EnvProblem {
  variable: string;
  message: string;
}

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;

/**
 * Reads a boolean switch: `undefined` when unset. Anything that is not a clear yes/no is reported and
 * read as unset.
 */
export function envSwitch(env: Env, variable: string, problems: EnvProblem[]): boolean | undefined {
  const raw = read(env, variable);
  if (raw === undefined || raw.trim() === '') return undefined;
  if (TRUE.test(raw.trim())) return true;
  if (FALSE.test(raw.trim())) return false;
  problems.push({ variable, message: `${variable} must be true or false; ignored` });
  return undefined;
}

/** A trimmed, non-empty value, or undefined. */
export function envValue(env: Env, variable: string): string | undefined {
  const raw = read(env, variable);
  if (raw === undefined) return undefined;
  const v = raw.trim();
  return v === '' ? undefined : v;
}

/** Lambda Managed Instances: several invocations and worker threads per environment, never frozen. */
export function managedInstances(env: Env): { concurrent: boolean; workers: number | undefined } {
  const concurrent =
    read(env, 'AWS_LAMBDA_MAX_CONCURRENCY') !== undefined &&
    read(env, 'AWS_LAMBDA_FUNCTION_NAME') !== undefined;
  const workers = Number(read(env, 'AWS_LAMBDA_NODEJS_WORKER_COUNT'));
  return { concurrent, workers: Number.isInteger(workers) && workers > 0 ? workers : undefined };
}
