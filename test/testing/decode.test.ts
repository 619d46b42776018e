// decodeBody / decodeRequest on bodies as the real transports put them on the wire: the fetch transport
// (CompressionStream deflate) through a fake fetch, the node:http transport through a real server.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createFetchTransport, createMetrics } from '../../src/index.js';
import { createHttpTransport } from '../../src/node.js';
import {
  createMemoryTransport,
  type DecodedRequest,
  decodeBody,
  decodeRequest,
  storeLikeDatadog,
} from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';

const json = { series: [{ metric: 'orders', points: [[T0, 2]], tags: ['é:ü'] }] };
const text = JSON.stringify(json);

describe('decodeBody', () => {
  it('plain (string, bytes, ArrayBuffer; none or identity), deflate and gzip', async () => {
    const bytes = new TextEncoder().encode(text);
    expect(await decodeBody(text)).toEqual(json);
    expect(await decodeBody(bytes, 'identity')).toEqual(json);
    expect(await decodeBody(bytes.buffer, null)).toEqual(json);
    expect(await decodeBody(deflateSync(text), 'deflate')).toEqual(json);
    expect(await decodeBody(gzipSync(text), ' GZIP ')).toEqual(json);
  });

  it('refuses what the API would: an unknown encoding, a corrupt stream, a body that is not JSON', async () => {
    await expect(decodeBody(deflateSync(text), 'br')).rejects.toThrow(
      new TypeError('handlerstats/testing: unsupported Content-Encoding "br"'),
    );
    await expect(decodeBody(new Uint8Array([1, 2, 3, 4]), 'deflate')).rejects.toThrow(TypeError);
    await expect(decodeBody(deflateSync(text), undefined)).rejects.toThrow(SyntaxError);
    await expect(decodeBody(deflateSync('{"a":'), 'deflate')).rejects.toThrow(/not JSON \(5 characters\)/);
  });
});

describe('decodeRequest and storeLikeDatadog over real wire bodies', () => {
  const workload = async (metrics: ReturnType<typeof createMetrics>) => {
    metrics.increment('orders', 2, { tags: { plan: 'pro' } });
    metrics.gauge('queue.depth', 4);
    await metrics.flush();
    metrics.increment('orders', 3, { tags: { plan: 'pro' } });
    metrics.distribution('bytes', 512);
    await metrics.flush();
  };
  const options = { now: testClock(), flushInterval: 0, onError: () => {} };
  let close = async () => {};
  afterEach(() => close());

  it('the fetch transport (deflated Requests) stores what the memory transport records', async () => {
    const sent: DecodedRequest[] = [];
    const encodings: (string | null)[] = [];
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      encodings.push(request.headers.get('content-encoding'));
      sent.push(await decodeRequest(request));
      return new Response('{}', { status: 202 });
    };
    const intakeUrl = 'https://api.datadoghq.eu';
    await workload(
      createMetrics({ ...options, transport: createFetchTransport({ intakeUrl, apiKey: 'k', fetch }) }),
    );
    const memory = createMemoryTransport();
    await workload(createMetrics({ ...options, now: testClock(), transport: memory }));
    expect(encodings).toContain('deflate');
    expect(sent.map((r) => [r.path, r.apiKey])).toEqual(memory.requests.map((r) => [r.path, 'k']));
    expect(storeLikeDatadog(sent)).toEqual(storeLikeDatadog(memory.requests));
    expect(storeLikeDatadog(sent).value('orders', T0, { tags: ['plan:pro'] })).toBe(5);
  });

  it('the node:http transport, read by a real server with decodeBody', async () => {
    const bodies: { path: string; body: unknown }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        bodies.push({
          path: req.url ?? '',
          body: await decodeBody(Buffer.concat(chunks), req.headers['content-encoding']),
        });
        res.writeHead(202).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const intakeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await workload(createMetrics({ ...options, transport: createHttpTransport({ intakeUrl, apiKey: 'k' }) }));
    const stored = storeLikeDatadog(bodies);
    expect(stored.value('orders', T0, { tags: ['plan:pro'] })).toBe(5);
    expect(stored.value('queue.depth', T0)).toBe(4);
    expect(stored.values('bytes', T0)).toEqual([512]);
  });
});
