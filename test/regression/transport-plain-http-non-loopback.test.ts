import { expect, it } from 'vitest';
import { createFetchTransport, createHttpTransport, type HttpTransportOptions } from '../../src/index.js';

// createMetrics() refuses plain http:// to a non-loopback intake unless allowInsecureHttp is set
// (resolveIntake), but the exported transport factories take any URL: `createMetrics({ transport:
// createHttpTransport({ intakeUrl: 'http://metrics.internal', apiKey }) })` sends the DD-API-KEY header in
// clear text with no opt-in. Nothing is sent here: the factories are only constructed.
const insecure: HttpTransportOptions = { intakeUrl: 'http://198.51.100.7:8080', apiKey: 'secret-key-123' };

it('createHttpTransport refuses plain http to a non-loopback host without allowInsecureHttp', () => {
  expect(() => createHttpTransport(insecure)).toThrow(RangeError);
  const optIn = { ...insecure, allowInsecureHttp: true };
  expect(() => createHttpTransport(optIn)).not.toThrow();
  expect(() => createHttpTransport({ ...insecure, intakeUrl: 'http://127.0.0.1:8080' })).not.toThrow();
});

it('createFetchTransport refuses plain http to a non-loopback host without allowInsecureHttp', () => {
  expect(() => createFetchTransport(insecure)).toThrow(RangeError);
});
