// Where the two aws-lambda-ric generations live: not in node_modules (they build natively and only this
// suite needs them) but in .cache/deps/aws-lambda-ric-<3|4>, installed on demand from the pinned
// scripts/deps/aws-lambda-ric-<3|4> by scripts/provision.mjs (this project's globalSetup runs it).
import { join } from 'node:path';
import { depsVersion, requireDeps } from '../../scripts/test-deps.mjs';

const set = (ric: 3 | 4): string => `aws-lambda-ric-${ric}`;

/** The entry script the runtime runs: ric 3 ships `bin/index.mjs`, ric 4 `index.mjs`. */
export function ricEntry(ric: 3 | 4): string {
  const dir = join(requireDeps(set(ric)), 'node_modules', 'aws-lambda-ric');
  return ric === 4 ? join(dir, 'index.mjs') : join(dir, 'bin', 'index.mjs');
}

/** The exact installed version, e.g. `3.3.0`. */
export function ricVersion(ric: 3 | 4): string {
  return depsVersion(set(ric), 'aws-lambda-ric');
}
