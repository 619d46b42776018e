import type { Transport, TransportRequest } from '../types.js';

/** A v1 point `[t, v]` (or `[t, [v…]]` for distributions), or a v2 point `{ timestamp, value }`. */
type WirePoint = [number, number | number[]] | { timestamp: number; value: number };

interface WireSeries {
  metric: string;
  points: WirePoint[];
  tags: string[];
}

/**
 * The log transport (`DD_FLUSH_TO_LOG=true`, or no API key): one JSON line per point,
 * `{"e":<int sec>,"m":name,"t":[tags],"v":value}`, the format the Datadog Forwarder reads from
 * CloudWatch. Distribution values get one line each. Events go out as one JSON line each. The Forwarder
 * adds up what it reads, so this transport is `additive`: a count's later points in a bucket already
 * written go out as the delta, never as the merged total.
 * @example
 * createMetrics({ transport: createLogTransport((line) => process.stdout.write(`${line}\n`)) });
 */
export function createLogTransport(write: (line: string) => void = (line) => console.log(line)): Transport {
  return {
    additive: true,
    async send(request: TransportRequest) {
      if (request.path === '/api/v1/events') {
        write(request.body);
        return { status: 202 };
      }
      const payload = JSON.parse(request.body) as { series: WireSeries[] };
      for (const s of payload.series)
        for (const point of s.points) {
          const [t, v] = Array.isArray(point) ? point : [point.timestamp, point.value];
          const values = Array.isArray(v) ? v : [v];
          for (const value of values)
            write(JSON.stringify({ e: Math.floor(t), m: s.metric, t: s.tags, v: value }));
        }
      return { status: 202 };
    },
  };
}
