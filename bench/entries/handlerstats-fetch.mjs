// handlerstats with the global-fetch transport (what Workers/Deno/Bun use) on Node.
import { createFetchTransport, createMetrics } from 'handlerstats';
import { withMetrics } from 'handlerstats/lambda';

const transport = createFetchTransport({ intakeUrl: process.env.DD_DD_URL, apiKey: process.env.DD_API_KEY });
const metrics = createMetrics({ flushInterval: 0, transport });
export const handler = withMetrics(metrics, async () => {
  metrics.increment('cold.start', 1, { tags: ['fn:bench'] });
  return { statusCode: 200 };
});
