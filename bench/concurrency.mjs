// `sendAs: 'distribution'` vs native for the workload of the multi-process test
// (test/faults/support/concurrency-workload.mjs): 12 processes × 25 invocations, each invocation recording 2
// counts, a gauge, 3 histogram samples and a cold-start count into shared series, then flushing. Measures
// what each flush puts on the wire (request body raw and deflated, as the node:http transport sends it) and
// what it costs (CPU time of the process per flush: serialize + deflate, median over every flush; wall time
// alongside). No network: the transport deflates and answers 202.
// Usage: node bench/concurrency.mjs            (both modes, each in fresh processes, ABBA order; a table,
//                                                then one JSON line: the parent of `npm run bench` reads it)
//        node bench/concurrency.mjs --child <native|distribution>
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import {
  HISTOGRAM_SAMPLES,
  INVOCATIONS,
  invocationTime,
  NAMESPACE,
  record,
} from '../test/faults/support/concurrency-workload.mjs';
import { cpuNs, distUrl, median, percentile } from './common.mjs';

const PROCESSES = 12;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11); // the first round warms up and is not counted
const MODES = ['native', 'distribution'];

async function child(sendAs) {
  const { createMetrics } = await import(distUrl('index.js'));
  let raw = 0;
  let deflated = 0;
  let requests = 0;
  const transport = {
    async send(request) {
      const body = deflateSync(request.body);
      raw += Buffer.byteLength(request.body);
      deflated += body.length;
      requests++;
      return { status: 202, bytes: body.length };
    },
  };
  const cpu = [];
  const wall = [];
  let perRound;
  const base = Math.floor(Date.now() / 1000 / 600) * 600 - 1800;
  for (let round = 0; round < ROUNDS; round++) {
    raw = deflated = requests = 0;
    // One client per process of the workload, as in production: each keeps its own state.
    for (let proc = 0; proc < PROCESSES; proc++) {
      let now = 0;
      const metrics = createMetrics({
        transport,
        sendAs,
        namespace: NAMESPACE,
        flushInterval: 0,
        now: () => now,
        env: {},
      });
      for (let j = 0; j < INVOCATIONS; j++) {
        now = invocationTime(base, j) * 1000;
        metrics.increment('invocations', 1, { tags: [`cold_start:${j === 0}`] });
        record(metrics, proc, j);
        const c0 = cpuNs();
        const t0 = performance.now();
        await metrics.flush();
        if (round > 0) {
          cpu.push((cpuNs() - c0) / 1000);
          wall.push((performance.now() - t0) * 1000);
        }
      }
    }
    perRound = { raw, deflated, requests };
  }
  const flushes = PROCESSES * INVOCATIONS;
  return {
    sendAs,
    flushes: cpu.length,
    requestsPerFlush: perRound.requests / flushes,
    rawPerFlush: perRound.raw / flushes,
    deflatedPerFlush: perRound.deflated / flushes,
    rawTotal: perRound.raw,
    deflatedTotal: perRound.deflated,
    cpu,
    wall,
  };
}

function run(sendAs) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', sendAs], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()))
        : reject(new Error(`child exited ${code}`)),
    );
  });
}

async function main() {
  const runs = { native: [], distribution: [] };
  // Fresh processes, ABBA, so neither mode gets the other's warm JIT or a quieter moment of the machine.
  for (const mode of [...MODES, ...[...MODES].reverse()]) runs[mode].push(await run(mode));
  const results = MODES.map((mode) => {
    const rs = runs[mode];
    const cpu = rs.flatMap((r) => r.cpu);
    const wall = rs.flatMap((r) => r.wall);
    const { cpu: _c, wall: _w, ...first } = rs[0];
    return {
      ...first,
      flushes: cpu.length,
      cpuUsMedian: median(cpu),
      cpuUsP90: percentile(cpu, 0.9),
      wallUsMedian: median(wall),
    };
  });
  const [native, dist] = results;
  const ratio = (k) => `${(dist[k] / native[k]).toFixed(2)}×`;
  const f = (x, d = 0) => x.toFixed(d);
  const lines = [
    `Workload: ${PROCESSES} processes × ${INVOCATIONS} invocations; each records 2 counts, a gauge, ${HISTOGRAM_SAMPLES} histogram samples and a cold-start count into shared series, then flushes (the open bucket included).`,
    '',
    '| sendAs | requests / flush | body / flush, raw | deflated | all flushes of the 12 processes, raw | deflated | CPU / flush, median (p90) | wall / flush, median |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.sendAs} | ${f(r.requestsPerFlush, 2)} | ${f(r.rawPerFlush)} B | ${f(r.deflatedPerFlush)} B | ${f(r.rawTotal / 1024, 1)} KiB | ${f(r.deflatedTotal / 1024, 1)} KiB | ${f(r.cpuUsMedian)} µs (${f(r.cpuUsP90)}) | ${f(r.wallUsMedian)} µs |`,
    ),
    `| distribution ÷ native | ${ratio('requestsPerFlush')} | ${ratio('rawPerFlush')} | ${ratio('deflatedPerFlush')} | | | ${ratio('cpuUsMedian')} | ${ratio('wallUsMedian')} |`,
    '',
    `CPU time of the process (user + system) per flush() through a transport that deflates like node:http; ${results[0].flushes} flushes per mode over two fresh processes (${ROUNDS - 1} rounds each after one warm-up round).`,
  ];
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify({ concurrency: results })}\n`);
}

if (process.argv[2] === '--child') process.stdout.write(`${JSON.stringify(await child(process.argv[3]))}\n`);
else await main();
