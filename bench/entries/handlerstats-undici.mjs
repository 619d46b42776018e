// handlerstats with the optional undici transport (undici bundled in, as a Lambda deploy would ship it).
import { createMetrics } from 'handlerstats';
import { withMetrics } from 'handlerstats/lambda';
import { createUndiciTransport } from 'handlerstats/undici';

const transport = createUndiciTransport({ intakeUrl: process.env.DD_DD_URL, apiKey: process.env.DD_API_KEY });
const metrics = createMetrics({ flushInterval: 0, transport });
export const handler = withMetrics(metrics, async () => {
  metrics.increment('cold.start', 1, { tags: ['fn:bench'] });
  return { statusCode: 200 };
});
