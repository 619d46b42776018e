// Powertools: an EMF document on stdout (CloudWatch picks it up from the log stream).
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

const metrics = new Metrics({ namespace: 'bench', serviceName: 'bench' });
export const handler = async () => {
  metrics.addDimension('fn', 'bench');
  metrics.addMetric('cold.start', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  return { statusCode: 200 };
};
