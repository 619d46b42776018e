// `handlerstats/intake`: a local Datadog-compatible intake for tests, demos and `npx handlerstats intake`.
export {
  MAX_COMPRESSED_BYTES,
  MAX_DECOMPRESSED_BYTES,
  MAX_V2_COMPRESSED_BYTES,
  MAX_V2_DECOMPRESSED_BYTES,
} from './body.js';
export { INGEST_PATHS, MAX_EVENT_BYTES, MAX_FUTURE_SECONDS, MAX_PAST_SECONDS } from './ingest.js';
export { type Intake, type IntakeOptions, startIntake } from './server.js';
export { renderTable, type TableOptions, watchTable } from './table.js';
export type * from './types.js';
