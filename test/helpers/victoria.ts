import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** One line of `/api/v1/export`: a VictoriaMetrics series with its raw samples (timestamps in ms). */
export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/** A running VictoriaMetrics on 127.0.0.1 with its own fresh storage directory. */
export interface Victoria {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Base URL for the client's `intakeUrl` (the client appends `/api/v1/series`). */
  readonly ingestUrl: string;
  /** Makes everything ingested so far visible to exports (`/internal/force_flush`). */
  forceFlush(): Promise<void>;
  /** Raw samples of the series matching `match` between `start` and `end` (Unix seconds, inclusive). */
  exportSeries(match: string, start: number, end: number): Promise<ExportedSeries[]>;
  /** Kills the process and removes its storage directory. */
  stop(): Promise<void>;
}

export type Availability = { ok: true; binary: string } | { ok: false; reason: string };

const NAME = 'victoria-metrics';

/** Finds the binary: `VICTORIA_METRICS_BIN` if set (only it), else `/usr/bin/victoria-metrics`, then `PATH`. */
export function victoriaAvailability(env: NodeJS.ProcessEnv = process.env): Availability {
  const explicit = env.VICTORIA_METRICS_BIN;
  const candidates = explicit ? [explicit] : [`/usr/bin/${NAME}`];
  if (!explicit)
    for (const dir of (env.PATH ?? '').split(delimiter)) if (dir !== '') candidates.push(join(dir, NAME));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return { ok: true, binary: c };
    } catch {
      // try the next one
    }
  }
  return {
    ok: false,
    reason: explicit
      ? `VICTORIA_METRICS_BIN=${explicit} is not an executable`
      : `${NAME} not found in /usr/bin or PATH; install the Debian package "${NAME}" ` +
        '(npm test does it itself as root on Debian: scripts/provision.mjs), or set VICTORIA_METRICS_BIN',
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${NAME} exited (${child.exitCode ?? child.signalCode}) during start:\n${log()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok && (await res.text()).trim() === 'OK') return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`${NAME} did not answer /health within 20 s:\n${log()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts VictoriaMetrics on a free loopback port with a fresh temp `-storageDataPath`, no dedup, no
 * query cache and no latency offset, so an export right after `forceFlush()` shows every raw sample.
 * Only the HTTP listener is opened (the Graphite/Influx/OpenTSDB listeners are off by default).
 */
export async function startVictoria(binary: string): Promise<Victoria> {
  let lastError: unknown;
  // The port is probed then handed over, so another process can take it in between: retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'handlerstats-vm-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      binary,
      [
        `-httpListenAddr=127.0.0.1:${port}`,
        `-storageDataPath=${join(dir, 'data')}`,
        '-retentionPeriod=100y',
        '-search.latencyOffset=0',
        '-search.disableCache',
        '-loggerLevel=ERROR',
        '-memory.allowedBytes=256MiB',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    // Never leave a server behind if the test worker exits without running afterAll.
    const onExit = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', onExit);
    try {
      await waitHealthy(url, child, () => stderr);
    } catch (error) {
      lastError = error;
      await stopChild(child);
      process.removeListener('exit', onExit);
      await rm(dir, { recursive: true, force: true });
      continue;
    }
    return {
      url,
      ingestUrl: `${url}/datadog`,
      async forceFlush() {
        const res = await fetch(`${url}/internal/force_flush`);
        if (!res.ok) throw new Error(`force_flush answered ${res.status}`);
      },
      exportSeries: (match, start, end) => exportSeries(url, match, start, end),
      async stop() {
        await stopChild(child);
        process.removeListener('exit', onExit);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  throw lastError;
}

async function exportSeries(
  url: string,
  match: string,
  start: number,
  end: number,
): Promise<ExportedSeries[]> {
  const query = new URLSearchParams({ 'match[]': match, start: String(start), end: String(end) });
  const res = await fetch(`${url}/api/v1/export?${query}`);
  const text = await res.text();
  if (!res.ok) throw new Error(`export answered ${res.status}: ${text}`);
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ExportedSeries);
}
