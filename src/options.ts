// Kept while older importers (transports, fetch-context) still reach here; their own modules replace it.
export { defaultEnv } from './client/env.js';
export { assertSecureIntake } from './client/options.js';
