// One sandbox + one recording intake sharing a sequence: each invocation returns the runtime's
// outcome and the intake requests that arrived between the previous outcome and this one.
import {
  createSequence,
  type IntakeRecord,
  type IntakeSeries,
  type RecordingIntake,
  startRecordingIntake,
} from '../helpers/recording-intake.js';
import type { Outcome } from './runtime-api.js';
import { type RuntimeSpec, type Sandbox, startSandbox } from './sandbox.js';

export interface Invocation {
  outcome: Outcome;
  /** Intake requests that arrived after the previous outcome and before this one. */
  records: IntakeRecord[];
}

export interface Session {
  intake: RecordingIntake;
  sandbox: Sandbox;
  invoke(event: unknown, timeoutMs?: number): Promise<Invocation>;
  /** Resolves once the runtime is back in `next` (and so frozen). */
  untilFrozen(): Promise<void>;
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
): Promise<Session> {
  const sequence = createSequence();
  const intake = await startRecordingIntake(sequence);
  const sandbox = await startSandbox({
    runtime,
    taskRoot,
    handler,
    sequence,
    env: { ...env, DD_DD_URL: intake.url, DD_API_KEY: 'test-key' },
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
  return {
    intake,
    sandbox,
    untilFrozen,
    untilOutput: (text) => until(() => sandbox.output().includes(text), `no "${text}" in the output`),
    async invoke(event, timeoutMs = 3000) {
      await untilFrozen();
      const outcome = await sandbox.api.invoke(event, timeoutMs);
      const records = intake.records.filter((r) => r.seq > last && r.seq < outcome.seq);
      last = outcome.seq;
      return { outcome, records };
    },
    after: (seq) => intake.records.filter((r) => r.seq > seq),
    async stop() {
      await sandbox.stop();
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
