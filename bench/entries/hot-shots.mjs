// hot-shots: one UDP datagram to the loopback DogStatsD port; "flushed" when the send callback fires.
import StatsD from 'hot-shots';

const metrics = new StatsD({ host: '127.0.0.1', port: Number(process.env.STATSD_PORT) });
export const handler = async () => {
  await new Promise((resolve) => metrics.increment('cold.start', 1, ['fn:bench'], resolve));
  return { statusCode: 200 };
};
