// serverless.yml is consistent without an AWS account: Serverless Framework 3's `serverless package`
// runs offline (in an empty network namespace when `unshare` allows it), its CloudFormation template
// points at the bundles scripts/bundle-examples.mjs wrote (name, handler, runtime, CodeSha256), and
// each packaged zip runs in the Lambda runtime interface client named by the template's Runtime.
// Serverless 3 (with the AWS SDK v2 it pulls in) is not in node_modules: scripts/provision.mjs installs
// the pinned scripts/deps/serverless into .cache/deps/serverless (this project's globalSetup runs it).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleExamples, FUNCTIONS } from '../../scripts/bundle-examples.mjs';
import { requireDeps } from '../../scripts/test-deps.mjs';
import { runtimeMatrix } from '../lambda-runtime/runtimes.js';
import { metricNames, openSession } from '../lambda-runtime/session.js';
import { unzip } from './unzip.js';

const repo = resolve(import.meta.dirname, '../..');
const serverlessBin = join(requireDeps('serverless'), 'node_modules/serverless/bin/serverless.js');
const offline = spawnSync('unshare', ['--net', 'true']).status === 0;

interface CfnResource {
  Type: string;
  Properties: Record<string, unknown> & { Code?: { S3Key?: string }; FunctionName?: unknown };
}

let work: string;
let zips: Record<string, string>;
let resources: [string, CfnResource][];
let state: { service: { functions: Record<string, { package: { artifact: string }; handler: string }> } };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'handlerstats-sls-'));
  copyFileSync(join(repo, 'serverless.yml'), join(work, 'serverless.yml'));
  zips = await bundleExamples(join(work, '.serverless-bundles'));
  const home = join(work, 'home');
  mkdirSync(home);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    CI: '1',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  };
  const cmd = [
    process.execPath,
    serverlessBin,
    'package',
    '--region',
    'us-east-1',
    '--stage',
    'test',
    '--package',
    'out',
  ];
  const [file, ...args] = offline ? ['unshare', '--net', ...cmd] : cmd;
  const run = spawnSync(file as string, args, { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
  writeFileSync(join(work, 'package.log'), `${run.stdout}\n${run.stderr}`);
  if (run.status !== 0)
    throw new Error(`serverless package failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  const template = JSON.parse(
    readFileSync(join(work, 'out/cloudformation-template-update-stack.json'), 'utf8'),
  );
  resources = Object.entries(template.Resources as Record<string, CfnResource>);
  state = JSON.parse(readFileSync(join(work, 'out/serverless-state.json'), 'utf8'));
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `[logicalId, resource]` of the deployed function `name`. */
const lambdaFunction = (name: string): [string, CfnResource] | undefined =>
  resources.find(
    ([, r]) =>
      r.Type === 'AWS::Lambda::Function' &&
      r.Properties.FunctionName === `handlerstats-examples-test-${name}`,
  );

describe.each(Object.keys(FUNCTIONS))('serverless package: function %s', (name) => {
  it(`ran ${offline ? 'with no network at all (empty network namespace)' : 'offline (unshare unavailable here)'}`, () => {
    expect(lambdaFunction(name)).toBeDefined();
  });

  it('references the bundle: artifact, S3 key, handler, and the zip bytes by CodeSha256', () => {
    const [id, fn] = lambdaFunction(name)!;
    expect(state.service.functions[name]?.package.artifact).toBe(`.serverless-bundles/${name}.zip`);
    expect(fn.Properties.Code?.S3Key).toMatch(new RegExp(`/${name}\\.zip$`));
    expect(fn.Properties.Handler).toBe('handler.handler');
    const zip = readFileSync(zips[name] as string);
    const version = resources.find(
      ([, r]) =>
        r.Type === 'AWS::Lambda::Version' && (r.Properties.FunctionName as { Ref?: string }).Ref === id,
    );
    expect(version?.[1].Properties.CodeSha256).toBe(createHash('sha256').update(zip).digest('base64'));
    // `handler.handler` = module handler(.mjs) at the zip's root, export `handler`; the extension file
    // NODE_OPTIONS=--import=./handlerstats-extension.mjs preloads sits next to it.
    expect([...unzip(zip).keys()]).toEqual(['handler.mjs', 'handlerstats-extension.mjs']);
  });

  it("runs from the packaged zip in the runtime the template names, with the template's environment", async () => {
    const [, fn] = lambdaFunction(name)!;
    const runtime = runtimeMatrix().find((r) => r.name === fn.Properties.Runtime);
    expect(runtime, `no harness row for ${String(fn.Properties.Runtime)}`).toBeDefined();
    const root = join(work, 'task', name);
    mkdirSync(root, { recursive: true });
    for (const [file, data] of unzip(readFileSync(zips[name] as string)))
      writeFileSync(join(root, file), data);
    const variables = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
    const session = await openSession(runtime!, root, fn.Properties.Handler as string, variables);
    try {
      const { outcome } = await session.invoke({ orderId: 'o1', cartId: 'c1', items: 2 });
      expect(outcome).toMatchObject({ kind: 'response', body: { statusCode: 200 } });
      // After-response mode (both functions): flushed after the response, before the freeze.
      await session.untilFrozen();
      await session.timeline.waitFor('freeze', { after: outcome.seq });
      const records = session.after(outcome.seq);
      expect(session.timeline.first('extension-register', { extension: 'handlerstats' })).toBeDefined();
      expect(metricNames(records)).toContain('shop.invocations');
      const tags = records.flatMap((r) => r.body.series ?? []).flatMap((s) => s.tags);
      expect(tags).toEqual(expect.arrayContaining(['env:test', 'service:handlerstats-examples']));
    } finally {
      await session.stop();
    }
  });
});

describe('serverless package: after-response setup', () => {
  it('orders-middy preloads the bundled extension file; orders registers from its code (no setting)', () => {
    const variables = (name: string) =>
      (lambdaFunction(name)?.[1].Properties.Environment as { Variables: Record<string, string> } | undefined)
        ?.Variables ?? {};
    expect(variables('orders-middy').NODE_OPTIONS).toBe('--import=./handlerstats-extension.mjs');
    expect(variables('orders').NODE_OPTIONS).toBeUndefined();
  });
});
