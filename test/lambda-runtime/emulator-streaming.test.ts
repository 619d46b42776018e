// The emulator's streamed responses against the real runtime clients (ric 3 on Node 22, ric 4 on
// Node 24): an awslambda.streamifyResponse handler writes a first chunk, waits at a probe gate the test
// opens only once that chunk has reached the emulator, then writes the rest — or throws, which the
// runtime reports in HTTP trailers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundles, prepareBundles, runtimeMatrix } from './runtimes.js';
import { openSession, type Session } from './session.js';
import { ERROR_BODY_TRAILER, ERROR_TYPE_TRAILER, HTTP_INTEGRATION_CONTENT_TYPE } from './streaming.js';

let bundles: Bundles;
beforeAll(async () => {
  bundles = await prepareBundles(['emulator']);
}, 120_000);
afterAll(() => bundles?.remove());

describe.each(runtimeMatrix().filter((r) => r.name !== 'nodejs20.x'))('$label', (runtime) => {
  let session: Session | undefined;
  beforeAll(async () => {
    session = await openSession(runtime, bundles.dirs.emulator, 'handler.streaming');
  });
  afterAll(async () => session?.stop());
  /** Invokes; opens gate `key` once the first chunk has arrived; resolves with the outcome. */
  const streamed = async (event: Record<string, unknown>) => {
    const s = session as Session;
    const key = `rest-${s.timeline.all('invoke').length}`;
    await s.untilFrozen();
    const pending = s.sandbox.api.invoke({ ...event, gate: key });
    const invoked = await s.timeline.waitFor('invoke');
    const first = await s.timeline.waitFor('stream-chunk', { index: 0, after: invoked.seq });
    await s.timeline.waitFor('gate', { key, after: invoked.seq });
    s.probe.release(key);
    return { outcome: await pending, first, release: s.timeline.seqOf('gate-release', { key }) };
  };

  it('records the first chunk on arrival, long before the end; the body, the headers ric sends', async () => {
    const { outcome, first, release } = await streamed({});
    const stream = outcome.stream;
    expect(outcome).toMatchObject({ kind: 'response', body: 'first;second;end' });
    expect(stream?.bytes.toString()).toBe('first;second;end');
    expect(stream?.bytes.subarray(0, stream.chunks[0]?.size).toString()).toBe('first;');
    expect(stream?.chunks[0]?.seq).toBe(first.seq);
    expect(first.seq).toBeLessThan(release); // the handler was still running when the chunk arrived
    expect(release).toBeLessThan(outcome.seq);
    expect(stream?.headers).toMatchObject({
      'lambda-runtime-function-response-mode': 'streaming',
      'transfer-encoding': 'chunked',
      'content-type': 'application/octet-stream',
      trailer: expect.stringMatching(
        /Lambda-Runtime-Function-Error-Type.*Lambda-Runtime-Function-Error-Body/,
      ),
    });
    expect(stream?.trailers).toEqual({});
    const s = session as Session;
    expect((await s.timeline.waitFor('freeze', { after: outcome.seq })).seq).toBeGreaterThan(outcome.seq);
  });

  it('an error after the first chunk arrives as trailers: type, and the error JSON in base64', async () => {
    const { outcome, first, release } = await streamed({ fail: true });
    expect(outcome.kind).toBe('error');
    expect(outcome.errorType).toBe('RangeError');
    expect(outcome.body).toMatchObject({
      errorType: 'RangeError',
      errorMessage: 'stream broke after the first chunk',
      trace: expect.arrayContaining([expect.stringContaining('RangeError')]),
    });
    expect(outcome.stream?.bytes.toString()).toBe('first;');
    expect(outcome.stream?.trailers[ERROR_TYPE_TRAILER]).toBe('RangeError');
    const decoded = JSON.parse(
      Buffer.from(outcome.stream?.trailers[ERROR_BODY_TRAILER] ?? '', 'base64').toString(),
    );
    expect(decoded).toEqual(outcome.body);
    expect(first.seq).toBeLessThan(release);
    expect(release).toBeLessThan(outcome.seq);
    expect(session?.timeline.first('error', { requestId: outcome.requestId })).toMatchObject({
      streamed: true,
    });
  });

  it('HttpResponseStream.from: its content type, the JSON prelude and 8 NUL bytes before the body', async () => {
    const { outcome } = await streamed({ http: true });
    expect(outcome).toMatchObject({ kind: 'response', body: 'first;second;end' });
    expect(outcome.stream?.contentType).toBe(HTTP_INTEGRATION_CONTENT_TYPE);
    expect(outcome.stream?.http?.prelude).toEqual({ statusCode: 201, headers: { 'x-fixture': 'stream' } });
    const prelude = JSON.stringify({ statusCode: 201, headers: { 'x-fixture': 'stream' } });
    expect(outcome.stream?.bytes.subarray(0, prelude.length + 8)).toEqual(
      Buffer.concat([Buffer.from(prelude), Buffer.alloc(8)]),
    );
  });
});
