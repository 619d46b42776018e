// One sandbox + one recording intake + one probe sharing a sequence: each invocation returns the
// runtime's outcome and the intake requests that arrived between the previous outcome and this one;
// the timeline orders everything the emulator and the probe saw (FIXTURE_PROBE_URL is the probe).
import {
  createSequence,
  type IntakeRecord,
  type IntakeSeries,
  type RecordingIntake,
  startRecordingIntake,
} from '../helpers/recording-intake.js';
import { type Probe, startProbe } from './probe.js';
import type { Outcome } from './runtime-api.js';
import { type RuntimeSpec, type Sandbox, type SandboxOptions, startSandbox } from './sandbox.js';
import { createTimeline, type Timeline } from './timeline.js';

export interface Invocation {
  outcome: Outcome;
  /** Intake requests that arrived after the previous outcome and before this one. */
  records: IntakeRecord[];
}

export type SessionOptions = Pick<SandboxOptions, 'concurrency' | 'externalExtensions'>;

export interface Session {
  intake: RecordingIntake;
  sandbox: Sandbox;
  probe: Probe;
  timeline: Timeline;
  /** Waits until the sandbox is ready (`untilReady`), then invokes once. */
  invoke(event: unknown, timeoutMs?: number): Promise<Invocation>;
  /**
   * Waits until the sandbox is ready, then fires every event at once; resolves with all outcomes in
   * the order of `events` (each with its delivery and arrival sequence numbers).
   */
  invokeConcurrently(events: unknown[], timeoutMs?: number): Promise<Outcome[]>;
  /** Resolves once the runtime is back in `next` (and so frozen). */
  untilFrozen(): Promise<void>;
  /** Single mode: `untilFrozen`. Multi-concurrent: until every worker thread waits in `next`. */
  untilReady(): Promise<void>;
  /** Resolves once the runtime's stdout/stderr contains `text`. */
  untilOutput(text: string): Promise<void>;
  /** Intake requests that arrived after `seq`. */
  after(seq: number): IntakeRecord[];
  stop(): Promise<void>;
}

export async function openSession(
  runtime: RuntimeSpec,
  taskRoot: string,
  handler: string,
  env: Record<string, string> = {},
  options: SessionOptions = {},
): Promise<Session> {
  const sequence = createSequence();
  const timeline = createTimeline(sequence);
  const intake = await startRecordingIntake(sequence);
  const probe = await startProbe(timeline);
  const sandbox = await startSandbox({
    ...options,
    runtime,
    taskRoot,
    handler,
    sequence,
    timeline,
    env: { ...env, DD_DD_URL: intake.url, DD_API_KEY: 'test-key', FIXTURE_PROBE_URL: probe.url },
  });
  let last = 0;
  const until = async (done: () => boolean, what: string): Promise<void> => {
    const end = Date.now() + 20_000;
    while (!done()) {
      if (Date.now() > end) throw new Error(`${what}; runtime output:\n${sandbox.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const untilFrozen = () => until(() => sandbox.frozen, 'the runtime never asked for its next event');
  const workers = options.concurrency?.workers;
  const untilReady = () =>
    workers === undefined
      ? untilFrozen()
      : until(() => sandbox.api.waitingNexts >= workers, `fewer than ${workers} worker threads in next`);
  return {
    intake,
    sandbox,
    probe,
    timeline,
    untilFrozen,
    untilReady,
    untilOutput: (text) => until(() => sandbox.output().includes(text), `no "${text}" in the output`),
    async invokeConcurrently(events, timeoutMs = 3000) {
      await untilReady();
      return Promise.all(events.map((event) => sandbox.api.invoke(event, timeoutMs)));
    },
    async invoke(event, timeoutMs = 3000) {
      await untilReady();
      const outcome = await sandbox.api.invoke(event, timeoutMs);
      const records = intake.records.filter((r) => r.seq > last && r.seq < outcome.seq);
      last = outcome.seq;
      return { outcome, records };
    },
    after: (seq) => intake.records.filter((r) => r.seq > seq),
    async stop() {
      await sandbox.stop();
      await probe.close();
      await intake.close();
    },
  };
}

/** Series entries of `metric` in `records`, optionally only those carrying `tag`. */
export function seriesIn(records: IntakeRecord[], metric: string, tag?: string): IntakeSeries[] {
  return records
    .flatMap((r) => r.body.series ?? [])
    .filter((s) => s.metric === metric && (tag === undefined || s.tags.includes(tag)));
}

/** Every metric name in `records` (series and distributions). */
export function metricNames(records: IntakeRecord[]): string[] {
  return [...new Set(records.flatMap((r) => (r.body.series ?? []).map((s) => s.metric)))].sort();
}
