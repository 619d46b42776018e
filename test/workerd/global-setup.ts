// Global setup of the `workerd` project (runs in Node): checks the package is built (the workers import
// `handlerstats` by its own name, resolved through package.json exports to dist/), then starts the
// recording intake and hands its URL to the pool, which passes it to the workers as DD_DD_URL.
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startRecordingIntake } from './intake.js';

declare module 'vitest' {
  export interface ProvidedContext {
    intakeUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  for (const file of ['dist/worker.js', 'dist/fetch-handler.js'])
    if (!existsSync(file))
      throw new Error(`${file} is missing: run \`npm run build\` before the workerd tests`);
  const intake = await startRecordingIntake();
  project.provide('intakeUrl', intake.url);
  return () => intake.close();
}
