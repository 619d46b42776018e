// A minimal loopback intake for the cold-start (G) and warm-flush (H) benchmarks: node:http on
// 127.0.0.1 that reads each request body and answers 202, plus a UDP socket for DogStatsD. It does not
// parse or validate anything: it only has to answer as fast as it can.
// Run directly (`node bench/intake.mjs`) it prints `{"http":port,"udp":port}` and serves until killed.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

/** Starts the intake. `onArrival(kind)` fires when a request body has been read or a datagram arrived. */
export async function startIntake(onArrival = () => {}) {
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      onArrival('http');
      res.writeHead(202, { 'Content-Type': 'application/json', 'Content-Length': '2' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const udp = createSocket('udp4');
  udp.on('message', () => onArrival('udp'));
  await new Promise((resolve) => udp.bind(0, '127.0.0.1', resolve));
  return {
    http: server.address().port,
    udp: udp.address().port,
    close: () =>
      new Promise((resolve) => {
        udp.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const intake = await startIntake();
  process.stdout.write(`${JSON.stringify({ http: intake.http, udp: intake.udp })}\n`);
}
