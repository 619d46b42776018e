// What each kind of project sees of the packed package (DESIGN §15, "Workers types"): a stock wrangler
// tsconfig (bundler resolution, @cloudflare/workers-types, no DOM, no @types/node) sees the root's
// platform-neutral types, without createHttpTransport, and every Workers entry type-checks; a Node project
// finds createHttpTransport in handlerstats/node, and under `nodenext` also at the root (deprecated, 0.1).
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Diagnostic,
  format,
  type PackedProject,
  PROJECTS,
  packedProject,
  tsconfig,
} from './support/packed-project.js';

// Every Workers-capable entry, used as a Worker uses it; a `wrangler types` Env (non-string members).
const WORKER = `
import { createFetchTransport, createLogTransport, createMetrics, isMetricsError, MetricsError } from 'handlerstats';
import type { FlushReport, Metrics, MetricsOptions, Transport } from 'handlerstats';
import { flushMetrics, metricsPerIsolate, withFetchMetrics } from 'handlerstats/fetch-handler';
import { createMemoryTransport } from 'handlerstats/testing';

interface Env { DD_API_KEY: string; MY_KV: KVNamespace }
const metricsFor = metricsPerIsolate((env: Env) => createMetrics({ env, flushInterval: 0 }));
const fetchTransport: Transport = createFetchTransport({ intakeUrl: 'https://api.datadoghq.eu', apiKey: 'k' });
const options: MetricsOptions = { transport: createMemoryTransport(), onError: (e) => isMetricsError(e) };
export const spare: Metrics[] = [createMetrics(options), createMetrics({ transport: createLogTransport() })];
export const used = [fetchTransport, MetricsError];
export const report = (): Promise<FlushReport> => spare[0]!.flush();

export default withFetchMetrics(metricsFor, {
  async fetch(request, env, ctx) {
    ctx.waitUntil(env.MY_KV.put('last', request.url));
    return new Response(new URL(request.url).pathname);
  },
} satisfies ExportedHandler<Env>);

export class Entry {
  constructor(readonly env: Env) {}
  @flushMetrics(metricsFor)
  async handle(request: Request): Promise<Response> {
    metricsFor(this.env).increment('requests', 1, { tags: { method: request.method } });
    return new Response('ok');
  }
}
`;

const ROOT_HTTP = `import { createHttpTransport } from 'handlerstats';\nexport { createHttpTransport };\n`;
const NODE_HTTP = `
import { createMetrics } from 'handlerstats';
import { createHttpTransport, type HttpTransportOptions } from 'handlerstats/node';
const options: HttpTransportOptions = { intakeUrl: 'https://api.datadoghq.eu', apiKey: 'k' };
export const metrics = createMetrics({ transport: createHttpTransport(options), flushInterval: 0 });
`;

let project: PackedProject;
const errors = (config: string): string[] => project.check(config).map(format);
const only = (file: string, list: Diagnostic[]) =>
  list.filter((d) => d.file === file).map((d) => [d.code, d.text]);

beforeAll(() => {
  project = packedProject();
  project.write({
    'workers/tsconfig.json': tsconfig(PROJECTS.wrangler),
    'workers/worker.ts': WORKER,
    'workers/root-http.ts': ROOT_HTTP,
    'workers-lib-check/tsconfig.json': tsconfig({ ...PROJECTS.wrangler, skipLibCheck: false }),
    'workers-lib-check/worker.ts': WORKER,
    'workers-conditions/tsconfig.json': tsconfig({
      ...PROJECTS.wrangler,
      customConditions: ['workerd', 'worker'],
    }),
    'workers-conditions/root-http.ts': ROOT_HTTP,
    'node-next/tsconfig.json': tsconfig(PROJECTS.nodeNext),
    'node-next/root-http.ts': ROOT_HTTP,
    'node-next/node-http.ts': NODE_HTTP,
    'node-bundler/tsconfig.json': tsconfig(PROJECTS.nodeBundler),
    'node-bundler/root-http.ts': ROOT_HTTP,
    'node-bundler/node-http.ts': NODE_HTTP,
  });
}, 60_000);
afterAll(() => project?.remove());

const HIDDEN = [
  2724,
  `'"handlerstats"' has no exported member named 'createHttpTransport'. Did you mean 'createFetchTransport'?`,
];

describe('the packed package, as each kind of project sees it', () => {
  it('a stock wrangler tsconfig: the Workers entries type-check, createHttpTransport is not there', () => {
    const found = project.check('workers/tsconfig.json');
    expect(only('workers/worker.ts', found)).toEqual([]);
    expect(only('workers/root-http.ts', found)).toEqual([HIDDEN]);
    expect(found.map(format)).toHaveLength(1);
  });

  it('the neutral declarations need no Node types (skipLibCheck off, no @types/node)', () => {
    expect(errors('workers-lib-check/tsconfig.json')).toEqual([]);
  });

  it('customConditions workerd/worker select the same neutral types', () => {
    expect(
      only('workers-conditions/root-http.ts', project.check('workers-conditions/tsconfig.json')),
    ).toEqual([HIDDEN]);
  });

  it('Node, nodenext: handlerstats/node has it; the root still does, deprecated (0.1 imports keep compiling)', () => {
    const found = project.check('node-next/tsconfig.json');
    expect(found.filter((d) => d.category === 'error').map(format)).toEqual([]);
    expect(only('node-next/root-http.ts', found)).toEqual([[6385, "'createHttpTransport' is deprecated."]]);
    expect(only('node-next/node-http.ts', found)).toEqual([]);
  });

  it('Node, bundler resolution: the neutral root, handlerstats/node for the node:http transport', () => {
    const found = project.check('node-bundler/tsconfig.json');
    expect(only('node-bundler/node-http.ts', found)).toEqual([]);
    expect(only('node-bundler/root-http.ts', found)).toEqual([HIDDEN]);
  });

  it('at run time the root Node build still exports createHttpTransport, and handlerstats/node does', () => {
    const code =
      "const [a, b] = await Promise.all([import('handlerstats'), import('handlerstats/node')]);" +
      'console.log(typeof a.createHttpTransport, typeof b.createHttpTransport, a.createHttpTransport === b.createHttpTransport)';
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: project.dir,
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('function function true');
  });
});
