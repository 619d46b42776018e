// datadog-metrics with a reporter built exactly like its DatadogReporter (its own API client), pointed at
// the loopback intake: its `site` option only accepts https Datadog hosts.
import { client, v1 } from '@datadog/datadog-api-client';
import { BufferedMetricsLogger } from 'datadog-metrics';

const configuration = client.createConfiguration({
  authMethods: { apiKeyAuth: process.env.DD_API_KEY },
  baseServer: new client.BaseServerConfiguration(process.env.DD_DD_URL, {}),
});
const api = new v1.MetricsApi(configuration);
const reporter = { report: (series) => api.submitMetrics({ body: { series } }) };
const metrics = new BufferedMetricsLogger({ flushIntervalSeconds: 0, reporter });
export const handler = async () => {
  metrics.increment('cold.start', 1, ['fn:bench']);
  await metrics.flush();
  return { statusCode: 200 };
};
