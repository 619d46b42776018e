#!/usr/bin/env node
// The `handlerstats` bin. One command for now: `handlerstats intake` (see USAGE).
import { parseArgs } from 'node:util';
import { startIntake } from './intake/server.js';
import { watchTable } from './intake/table.js';
import type { FaultSpec } from './intake/types.js';
import { USER_AGENT } from './transports/headers.js';

const USAGE = `Usage: handlerstats intake [options]

Starts a local Datadog-compatible intake (series v1/v2, distribution_points, events; plain, deflate,
gzip), with a live table in the terminal and a web page with one chart per series.

Options:
  --port <n>          port to listen on (default 8128; 0 = any free port)
  --host <addr>       address to bind (default 127.0.0.1)
  --fail-status <s>   answer ingest requests with this status (an injected fault)...
  --fail-count <n>    ...for the next n requests only (default: until cleared)
  --retry-after <s>   Retry-After header (seconds) sent with --fail-status
  --delay-ms <n>      delay every ingest response by n milliseconds
  --no-api-key        accept requests without a DD-API-KEY header (default: 403)
  --max-series <n>    series kept before the oldest are evicted (default 10000)
  --table             redraw the table even when stdout is not a terminal
  --no-table          log one line per request instead of the table
  --quiet             neither table nor request lines
  -h, --help          this text
  -v, --version       version

Point a client at it:  DD_DD_URL=http://127.0.0.1:8128 DD_API_KEY=any node handler.js
Control it:  GET /api/received, DELETE /api/received, POST /api/faults {"status":503,"count":3},
DELETE /api/faults.`;

const int = (name: string, raw: string | undefined, min: number, max: number): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new RangeError(`--${name} must be an integer ${min}..${max}`);
  return n;
};

async function main(argv: string[]): Promise<number | undefined> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'fail-status': { type: 'string' },
      'fail-count': { type: 'string' },
      'retry-after': { type: 'string' },
      'delay-ms': { type: 'string' },
      'no-api-key': { type: 'boolean' },
      'max-series': { type: 'string' },
      table: { type: 'boolean' },
      'no-table': { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (values.help) return void console.log(USAGE);
  if (values.version) return void console.log(USER_AGENT.split('/')[1]);
  if (positionals[0] !== 'intake' || positionals.length > 1) {
    console.error(
      positionals.length === 0
        ? USAGE
        : `handlerstats: unknown command "${positionals.join(' ')}"\n\n${USAGE}`,
    );
    return 2;
  }
  const faults: FaultSpec[] = [];
  const delayMs = int('delay-ms', values['delay-ms'], 0, 600_000);
  if (delayMs !== undefined) faults.push({ delayMs });
  const status = int('fail-status', values['fail-status'], 200, 599);
  const count = int('fail-count', values['fail-count'], 1, 1e9);
  const retryAfter = int('retry-after', values['retry-after'], 0, 86_400);
  if (status !== undefined) faults.push({ status, count, retryAfter });
  else if (count !== undefined || retryAfter !== undefined)
    throw new RangeError('--fail-count and --retry-after need --fail-status');

  const table =
    values.quiet !== true && values['no-table'] !== true && (values.table === true || process.stdout.isTTY);
  const port = int('port', values.port, 0, 65_535) ?? 8128;
  const intake = await startIntake({
    port,
    host: values.host ?? '127.0.0.1',
    apiKeyRequired: values['no-api-key'] !== true,
    quiet: values.quiet === true || table,
    maxSeries: int('max-series', values['max-series'], 1, 1e7),
    faults,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    throw new Error(`port ${port} is in use (try --port 0 for any free port)`);
  });
  const banner = [
    `handlerstats intake listening on ${intake.url}`,
    `  web page:  ${intake.url}/`,
    `  use it:    DD_DD_URL=${intake.url} DD_API_KEY=any-key node your-handler.js`,
    ...(faults.length > 0 ? [`  faults:    ${faults.map((f) => JSON.stringify(f)).join(' then ')}`] : []),
    'Ctrl-C to stop.',
  ].join('\n');
  console.log(banner);
  const stop = table ? watchTable(intake, process.stdout, banner) : () => {};
  const shutdown = (): void => {
    stop();
    intake.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return undefined;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`handlerstats: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
