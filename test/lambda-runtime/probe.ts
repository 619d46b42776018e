// A test-side HTTP endpoint the fixtures call (FIXTURE_PROBE_URL), so tests control and observe a
// function by order instead of by sleeping: `GET /gate/<key>` is held until the test releases `key`
// (a key released earlier passes at once); `POST /mark/<label>` is answered at once. Both are recorded
// in the Timeline with the shared sequence numbers.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Timeline } from './timeline.js';

export interface Probe {
  url: string;
  /** Opens gate `key`: answers the requests held there, and any later ones. */
  release(key: string): void;
  close(): Promise<void>;
}

export async function startProbe(timeline: Timeline): Promise<Probe> {
  const held = new Map<string, ServerResponse[]>();
  const open = new Set<string>();
  const pass = (res: ServerResponse): void => {
    if (!res.destroyed) res.writeHead(204, { Connection: 'close' }).end();
  };
  const server = createServer((req, res) => {
    req.resume();
    const [, kind, raw] = /^\/(gate|mark)\/(.+)$/.exec(req.url ?? '') ?? [];
    const name = decodeURIComponent(raw ?? '');
    if (kind === 'mark') {
      timeline.record({ type: 'mark', label: name });
      pass(res);
    } else if (kind === 'gate') {
      timeline.record({ type: 'gate', key: name });
      if (open.has(name)) pass(res);
      else held.set(name, [...(held.get(name) ?? []), res]);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    release(key) {
      if (open.has(key)) return;
      open.add(key);
      timeline.record({ type: 'gate-release', key });
      for (const res of held.get(key) ?? []) pass(res);
      held.delete(key);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
