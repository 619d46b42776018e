// The smallest Lambda entry: default transport (node:http), settings from DD_API_KEY / DD_DD_URL.
import { createMetrics } from 'handlerstats';
import { withMetrics } from 'handlerstats/lambda';

const metrics = createMetrics({ flushInterval: 0 });
export const handler = withMetrics(metrics, async () => {
  metrics.increment('cold.start', 1, { tags: ['fn:bench'] });
  return { statusCode: 200 };
});
