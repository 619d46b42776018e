// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time per function, largest first.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export function summarizeProfile(file, top = 15) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(profile.samples[i]).callFrame;
    const where = frame.url === '' ? '' : ` ${frame.url.split('/').pop()}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({ fn, percent: Math.round((1000 * us) / total) / 10 }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of summarizeProfile(process.argv[2], Number(process.argv[3] ?? 15))) {
    console.log(`${row.percent.toFixed(1).padStart(5)}%  ${row.fn}`);
  }
}
