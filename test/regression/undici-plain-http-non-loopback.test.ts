import { expect, it } from 'vitest';
import { createUndiciTransport, type UndiciTransportOptions } from '../../src/transports/undici.js';

// Same gap as transport-plain-http-non-loopback.test.ts, in the third API transport: createHttpTransport
// and createFetchTransport now call assertSecureIntake(), createUndiciTransport (handlerstats/undici) does
// not, so `createUndiciTransport({ intakeUrl: 'http://metrics.internal', apiKey })` sends DD-API-KEY in
// clear text without an opt-in. Nothing is sent here: the transport is only constructed.
const insecure: UndiciTransportOptions = { intakeUrl: 'http://198.51.100.7:8080', apiKey: 'secret-key-123' };

it('createUndiciTransport refuses plain http to a non-loopback host without allowInsecureHttp', () => {
  expect(() => createUndiciTransport(insecure)).toThrow(RangeError);
  const optIn = { ...insecure, allowInsecureHttp: true };
  expect(() => createUndiciTransport(optIn)).not.toThrow();
  expect(() => createUndiciTransport({ ...insecure, intakeUrl: 'http://127.0.0.1:8080' })).not.toThrow();
});
