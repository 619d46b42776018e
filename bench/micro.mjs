// Child process: one library × one hot-path workload (A–D). Prints one JSON line.
// Usage: node bench/micro.mjs <library-id> <workload>
import { LIBRARIES } from './adapters.mjs';
import { emit, timeLoop } from './common.mjs';

const [id, workload] = process.argv.slice(2);
const lib = LIBRARIES.find((l) => l.id === id);
const target = lib === undefined ? undefined : await lib.micro(workload);
if (target === undefined) {
  emit({ id, workload, skipped: true });
} else {
  const result = await timeLoop(target.op, target.between);
  emit({ id, workload, ...result, ...(target.dropped ? { dropped: target.dropped() } : {}) });
}
