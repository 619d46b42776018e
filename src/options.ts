// Kept while fetch-context.ts still imports `defaultEnv` from here (client/env.ts is its home).
export { defaultEnv } from './client/env.js';
