// Runs in a child process (node --expose-gc): starts an intake and reports its memory on request.
// Heap = heapUsed + external (external includes every Buffer). stdin lines: "mem" → {"rss","heapUsed","peakRss","peakHeap"} (after a full GC), "reset" → peaks := now.
import { createInterface } from 'node:readline';
import { startIntake } from '../../../src/intake/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const options = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof startIntake>[0];
const intake = await startIntake({ quiet: true, ...options });
let peakRss = 0;
let peakHeap = 0;
const sample = (): void => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed + m.external);
};
setInterval(sample, 5).unref();
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'reset') {
    gc();
    const m = process.memoryUsage();
    peakRss = m.rss;
    peakHeap = m.heapUsed + m.external;
    console.log(JSON.stringify({ ok: true }));
  } else if (line === 'mem') {
    sample();
    gc();
    gc();
    const m = process.memoryUsage();
    console.log(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed + m.external, peakRss, peakHeap }));
  } else if (line === 'exit') {
    void intake.close().then(() => process.exit(0));
  }
});
console.log(JSON.stringify({ url: intake.url }));
