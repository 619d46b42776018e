import { expect, it } from 'vitest';
import { type EventProblem, eventBody } from '../../src/client/events.js';
import { createMetrics } from '../../src/index.js';
import { parseEvent } from '../../src/intake/payloads.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

// 0.1: eventBody() cut the title and text and passed everything else through: a 10 MB host or aggregation
// key, control characters (NUL, ESC, CR) and lone surrogates reached the wire, any alert_type or priority
// string was sent as it was, and cutting a title at 100 UTF-16 units could split a surrogate pair (a lone
// high surrogate: the JSON is then not valid UTF-8 for a strict reader).
const build = (title: unknown, text: unknown, options: object) => {
  const problems: EventProblem[] = [];
  const json = eventBody(title, text, options as never, [], 'default-host', 1_700_000_000, (p) =>
    problems.push(p),
  );
  return { body: JSON.parse(json ?? 'null') as Record<string, string>, json: json ?? '', problems };
};
const wellFormed = (s: string): boolean => !/\p{Surrogate}/u.test(s);
const HUGE = 'x'.repeat(10_000_000);

it('huge fields are cut to their limits, and cheaply', () => {
  const started = performance.now();
  const { body, json, problems } = build(HUGE, HUGE, {
    host: HUGE,
    aggregationKey: HUGE,
    sourceTypeName: HUGE,
  });
  expect(performance.now() - started).toBeLessThan(200);
  expect(body.title).toHaveLength(100);
  expect(body.text).toHaveLength(4000);
  expect(body.host).toHaveLength(255);
  expect(body.aggregation_key).toHaveLength(100);
  expect(body.source_type_name).toHaveLength(100);
  expect(json.length).toBeLessThan(5000);
  for (const field of ['title', 'text', 'host', 'aggregation_key', 'source_type_name'])
    expect(problems).toContainEqual({ field, problem: 'truncated' });
});

it('control characters are stripped (text keeps newlines and tabs); lone surrogates become U+FFFD', () => {
  const { body, problems } = build('Deploy\nfinished\u0000', 'line 1\r\n\tline 2\u001b[31m \ud800 end', {
    host: 'web\u00001\udc00',
    aggregationKey: 'k\u0007ey',
    sourceTypeName: 'my\u0085app',
  });
  expect(body).toMatchObject({
    title: 'Deploy finished',
    text: 'line 1\n\tline 2[31m \ufffd end',
    host: 'web1\ufffd',
    aggregation_key: 'key',
    source_type_name: 'myapp',
  });
  for (const field of ['title', 'text', 'host', 'aggregation_key', 'source_type_name'])
    expect(problems).toContainEqual({ field, problem: 'cleaned' });
});

it('a title is cut at a code-point boundary, never inside a surrogate pair', () => {
  const title = `${'a'.repeat(99)}😀 and more`;
  const { body } = build(title, '', {});
  expect(body.title).toBe('a'.repeat(99));
  expect(wellFormed(body.title!)).toBe(true);
  const text = `${'b'.repeat(3999)}😀`;
  expect(build('t', text, {}).body.text).toBe('b'.repeat(3999));
});

it('an unknown alert_type or priority falls back to the default and is reported', () => {
  const unknown = build('t', '', { alertType: 'critical', priority: 'urgent' });
  expect(unknown.body).toMatchObject({ alert_type: 'info', priority: 'normal' });
  expect(unknown.problems).toEqual([
    { field: 'alert_type', problem: 'unknown' },
    { field: 'priority', problem: 'unknown' },
  ]);
  for (const alertType of [
    'error',
    'warning',
    'info',
    'success',
    'user_update',
    'recommendation',
    'snapshot',
  ])
    expect(build('t', '', { alertType }).body.alert_type).toBe(alertType);
  expect(build('t', '', { priority: 'low' })).toMatchObject({ body: { priority: 'low' }, problems: [] });
  expect(build('t', '', { host: 42, aggregationKey: {} }).problems).toEqual([
    { field: 'host', problem: 'not a string' },
    { field: 'aggregation_key', problem: 'not a string' },
  ]);
});

it('a title of nothing but control characters is unusable', () => {
  expect(eventBody('\u0000\u0001\n', '', undefined, [], '', 0)).toBeUndefined();
});

it('what the client sends passes the intake checks and is well-formed', async () => {
  const transport = createMemoryTransport();
  const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, onError: () => {} });
  metrics.event(`${'t'.repeat(99)}😀`, `\ud83d${'x'.repeat(5000)}`, {
    host: HUGE,
    alertType: 'bogus' as never,
  });
  await metrics.flush();
  const [event] = transport.requests.filter((r) => r.path === '/api/v1/events');
  expect(parseEvent(event?.body).errors).toBeUndefined();
  const body = event?.body as Record<string, string>;
  for (const value of Object.values(body))
    if (typeof value === 'string') expect(wellFormed(value)).toBe(true);
  expect(body).toMatchObject({ alert_type: 'info' });
  expect(body.host).toHaveLength(255);
});

// The same class for metrics: a per-call `host` reached the wire as given (10 MB, control characters).
it('a per-call host is cleaned and cut before it is sent, and reported once', async () => {
  const { createMetrics } = await import('../../src/index.js');
  const { createMemoryTransport } = await import('../../src/testing.js');
  const transport = createMemoryTransport();
  const codes: string[] = [];
  const metrics = createMetrics({ transport, flushInterval: 0, onError: (e) => codes.push(e.code) });
  metrics.increment('c', 1, { host: `web\u0000-1\n${'x'.repeat(10_000_000)}` });
  metrics.increment('d', 1, { host: 'a\uD800b' });
  await metrics.flush();
  const body = transport.requests[0]?.body as { series: { host: string }[] };
  const hosts = body.series.map((s) => s.host);
  for (const h of hosts) {
    expect(h.length).toBeLessThanOrEqual(255);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
    expect(h).not.toMatch(/[\u0000-\u001f]/);
  }
  expect(hosts).toContain('a\ufffdb');
  expect(codes.filter((c) => c === 'INVALID_HOST')).toHaveLength(1);
  expect(() => createMetrics({ transport, host: 'bad\nhost' })).toThrow(/host/);
});
