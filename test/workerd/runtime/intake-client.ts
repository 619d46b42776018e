// Runtime side of the recording intake (test/workerd/intake.ts): the tests run inside workerd and
// reach the Node intake over loopback, at the URL the workers get as DD_DD_URL.
import { env } from 'cloudflare:workers';

export interface IntakeRecord {
  path: string;
  apiKey: string | undefined;
  body: { series: { metric: string; type?: string; points: [number, unknown][]; tags: string[] }[] };
  responded: boolean;
  cancelled: boolean;
}

async function control(path: string, method = 'GET'): Promise<IntakeRecord[]> {
  const res = await fetch(`${env.DD_DD_URL}${path}`, { method });
  return (await res.json()) as IntakeRecord[];
}

export const intake = {
  records: (): Promise<IntakeRecord[]> => control('/_records'),
  clear: (): Promise<IntakeRecord[]> => control('/_records', 'DELETE'),
  hold: (): Promise<IntakeRecord[]> => control('/_hold', 'POST'),
  release: (): Promise<IntakeRecord[]> => control('/_release', 'POST'),
};

/**
 * `metric{tags}` → count value as a last-write-wins backend holds it (the client re-sends a bucket's
 * merged total when it gets more points), summed over buckets. Answered requests only.
 */
export function countsOf(records: readonly IntakeRecord[]): Map<string, number> {
  const byBucket = new Map<string, Map<number, number>>();
  for (const r of records.filter((x) => x.responded))
    for (const s of r.body.series) {
      if (s.type !== 'count') continue;
      const key = `${s.metric}{${s.tags.join(',')}}`;
      const buckets = byBucket.get(key) ?? new Map<number, number>();
      for (const [t, v] of s.points) buckets.set(t, Number(v));
      byBucket.set(key, buckets);
    }
  const out = new Map<string, number>();
  for (const [key, buckets] of byBucket)
    out.set(
      key,
      [...buckets.values()].reduce((a, b) => a + b, 0),
    );
  return out;
}

/** Polls the intake until `predicate` holds: work in `waitUntil` finishes after the response. */
export async function waitForRecords(
  predicate: (records: IntakeRecord[]) => boolean,
): Promise<IntakeRecord[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const records = await intake.records();
    if (predicate(records)) return records;
    if (Date.now() > deadline)
      throw new Error(`the intake never got the expected metrics: ${JSON.stringify(records)}`);
    await scheduler.wait(20);
  }
}
