// globalSetup of the projects that need more than `npm ci` (see NEEDS in scripts/provision.mjs): gets
// what is missing before any test file loads, or fails the run naming it. Quick when all is present.
import type { TestProject } from 'vitest/node';
import { provision } from '../../scripts/provision.mjs';

export default async function setup(project: TestProject): Promise<void> {
  await provision([project.name]);
}
