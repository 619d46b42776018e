// The suite each runtime file runs: the packed package inside the real Deno or Bun, flushing to the local
// intake (src/intake) through a recording front (./front.ts) that sees the wire and can hold answers.
import { relative } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { type Intake, startIntake } from '../../src/intake/index.js';
import { type Front, startFront } from './front.js';
import { CANDIDATE_CONDITIONS, type Runtime, type RuntimeName, run, runtime, start } from './runtimes.js';

export interface Expected {
  /** The file `import 'handlerstats'` loads, relative to the package. */
  entry: 'dist/worker.js' | 'dist/index.js';
  /** The export conditions the runtime matches (of CANDIDATE_CONDITIONS; `default` always). */
  conditions: string[];
  /** What the entry's own createMetrics sends with: its User-Agent names the transport. */
  defaultTransport: 'fetch' | 'node';
}

async function waitFor<T>(read: () => T, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** `work`, or a clear failure when it has not settled long after it should (not a timing assertion). */
async function settlesFirst<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} (is the flush in the response path?)`)), 10_000);
  });
  try {
    return await Promise.race([work, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

export function runtimeSuite(name: RuntimeName, expected: Expected): void {
  const app = inject('runtimesApp');
  let rt: Runtime;
  let intake: Intake;
  let front: Front;
  const pkg = `${app}/node_modules/handlerstats`;
  const series = (metric: string) => intake.received().series.find((s) => s.metric === metric);

  beforeAll(async () => {
    rt = runtime(name);
    intake = await startIntake({ quiet: true });
    front = await startFront(intake.url);
  });
  afterAll(async () => {
    await front?.close();
    await intake?.close();
  });
  beforeEach(() => {
    front.release();
    front.requests.length = 0;
    front.timeline.length = 0;
    intake.faults.clear();
    intake.clear();
  });

  describe(`${name} (the real runtime)`, () => {
    it(`loads ${expected.entry} through the export conditions it uses (${expected.conditions.join(', ')})`, async () => {
      const probe = (await run(rt, app, 'probe.ts', { conditions: CANDIDATE_CONDITIONS }))[0] ?? {};
      expect(probe.runtime).toBe(rt.label);
      expect(probe.conditions).toEqual(expected.conditions);
      expect(relative(pkg, new URL(String(probe.entry)).pathname)).toBe(expected.entry);
      expect(relative(pkg, new URL(String(probe.fetchHandler)).pathname)).toBe('dist/fetch-handler.js');
      if (name === 'deno') expect(probe.npmSpecifier).toBe(probe.entry);
      expect(probe.exports).toEqual(expect.arrayContaining(['createMetrics', 'createFetchTransport']));
      // Only the Node entry has the node:http transport.
      expect((probe.exports as string[]).includes('createHttpTransport')).toBe(
        expected.entry === 'dist/index.js',
      );
      expect(probe.withFetchMetrics).toBe('function');
    });

    const transports: ('default' | 'fetch')[] =
      expected.defaultTransport === 'fetch' ? ['default'] : ['default', 'fetch'];
    for (const transport of transports) {
      const via = transport === 'fetch' || expected.defaultTransport === 'fetch' ? 'fetch' : 'node';
      const label = `${transport === 'default' ? "the entry's own transport" : 'createFetchTransport'} (${via})`;
      it(`records and flushes every kind to the intake through ${label}, deflated`, async () => {
        const [flushed] = await run(rt, app, 'flush.ts', {
          intakeUrl: front.url,
          ...(transport === 'fetch' ? { transport: 'fetch' } : {}),
        });
        expect(flushed).toMatchObject({ flushed: true, ok: true, retries: 0 });
        // On the wire: zlib-deflated JSON (CompressionStream('deflate') on the fetch transport), the key.
        expect(front.requests.length).toBeGreaterThanOrEqual(2); // series and distribution_points
        for (const r of front.requests) {
          expect(r.headers['content-encoding']).toBe('deflate');
          expect(r.headers['dd-api-key']).toBe('runtimes-test-key');
          expect(r.headers['user-agent']).toMatch(via === 'fetch' ? /\(fetch\)$/ : /\(node v\d+/);
          expect(r.raw[0]).toBe(0x78); // zlib header
          expect(JSON.parse(inflateSync(r.raw).toString('utf8'))).toBeTypeOf('object');
          expect(r.status).toBe(202);
        }
        // The intake decoded it and stored the values.
        const counts = intake.received().counts;
        expect(counts.rejected).toEqual({});
        expect(counts.bytesDecoded).toBeGreaterThan(counts.bytesIn);
        expect(series('rt.orders')?.points.map(([, v]) => v)).toEqual([3]);
        expect(series('rt.orders')?.tags).toEqual(['plan:pro', `runtime:${name}`]);
        expect(series('rt.queue.depth')?.points.map(([, v]) => v)).toEqual([7]);
        expect(series('rt.latency.max')?.points.map(([, v]) => v)).toEqual([60]);
        expect(series('rt.latency.count')?.points.map(([, v]) => v)).toEqual([2]);
        expect(series('rt.users')?.points.map(([, v]) => v)).toEqual([2]);
        const bytes = intake.received().distributions.find((d) => d.metric === 'rt.payload.bytes');
        expect(bytes?.points.map(([, values]) => values)).toEqual([[512]]);
      });
    }

    it('a flush to an intake that never answers rejects at its flushTimeoutMs, and the process still ends', async () => {
      intake.faults.inject({ hang: true });
      const child = start(rt, app, 'flush.ts', { intakeUrl: front.url, flushTimeoutMs: 300 });
      const result = await child.line((l) => 'flushed' in l);
      expect(result).toMatchObject({ flushed: false, code: 'DEADLINE_EXCEEDED' });
      expect(String(result.message)).toContain('flush deadline of 300 ms reached');
      expect(front.requests.length).toBeGreaterThan(0); // it was on the wire, not refused before sending
      expect(await child.exited).toBe(0);
      // The process ended by itself while the intake still held the request: nothing was left hanging.
      expect(front.requests.every((r) => r.status === undefined)).toBe(true);
      expect(intake.faults.state().permanent?.hang).toBe(true);
    });

    it('retries a 503, and the 202 after it stores the data once', async () => {
      intake.faults.inject({ status: 503, count: 1 });
      const [flushed] = await run(rt, app, 'flush.ts', { intakeUrl: front.url });
      expect(flushed).toMatchObject({ flushed: true, ok: true, retries: 1 });
      const statuses = front.requests.map((r) => r.status);
      expect(statuses[0]).toBe(503);
      expect(statuses.slice(1).every((s) => s === 202)).toBe(true);
      // The refused request went again, with the same body.
      const refused = front.requests[0]!;
      expect(front.requests.slice(1).some((r) => r.path === refused.path && r.raw.equals(refused.raw))).toBe(
        true,
      );
      expect(intake.received().counts.rejected).toEqual({ '503': 1 });
      expect(series('rt.orders')?.points.map(([, v]) => v)).toEqual([3]);
      const bytes = intake.received().distributions.find((d) => d.metric === 'rt.payload.bytes');
      expect(bytes?.points.map(([, values]) => values)).toEqual([[512]]); // a double send would show [512, 512]
    });

    it('a client with its flush timer on never keeps the process alive', async () => {
      // The control: in this runtime a timer that is not unref'd keeps the process running.
      const control = start(rt, app, 'keeps-alive.ts');
      try {
        await control.line((l) => l.started === true);
        const child = start(rt, app, 'exits.ts', { intakeUrl: front.url });
        expect(await child.exited).toBe(0);
        expect(child.lines).toEqual([{ recorded: 1 }]);
        expect(control.running()).toBe(true);
      } finally {
        control.kill();
        await control.exited;
      }
    });

    const serve = name === 'deno' ? 'Deno.serve' : 'Bun.serve';
    it(`${serve} wrapped with withFetchMetrics: every response leaves before the intake answered, and the intake then holds every request`, async () => {
      front.hold();
      const server = start(rt, app, 'serve.ts', { intakeUrl: front.url });
      try {
        const { listening } = await server.line((l) => 'listening' in l);
        for (const id of [1, 2, 3]) {
          const res = await settlesFirst(
            fetch(`http://127.0.0.1:${listening}/?id=${id}`),
            `response ${id}, while the intake holds the flush`,
          );
          expect(await res.text()).toBe(`ok ${id}`);
          front.timeline.push(`response ${id}`);
        }
        // The wrapper started a flush (the timer is off), and it is still waiting for the intake.
        await waitFor(
          () => front.requests.length,
          (n) => n > 0,
          'a flush to reach the intake',
        );
        expect(front.requests.every((r) => r.status === undefined)).toBe(true);
        expect(intake.received().counts.requests).toBe(0);
        front.release();
        const ids = await waitFor(
          () =>
            intake
              .received()
              .series.filter((s) => s.metric === 'rt.requests')
              .map(
                (s) =>
                  `${s.tags.find((t) => t.startsWith('id:'))}=${s.points.reduce((a, [, v]) => a + v, 0)}`,
              )
              .sort(),
          (found) => found.length === 3,
          'every request in the intake',
        );
        expect(ids).toEqual(['id:1=1', 'id:2=1', 'id:3=1']);
        // Order, not time: all three responses were out before the intake answered anything.
        const firstAnswer = front.timeline.findIndex((e) => e.startsWith('answered'));
        expect(firstAnswer).toBeGreaterThan(front.timeline.indexOf('response 3'));
        expect(front.timeline.slice(0, firstAnswer).filter((e) => e.startsWith('response'))).toHaveLength(3);
        expect(server.lines.filter((l) => 'onError' in l)).toEqual([]);
        expect(server.running()).toBe(true);
      } finally {
        server.kill();
        await server.exited;
      }
    });
  });
}
