// `handlerstats/node`: the parts of the public API that only Node has (they import `node:*`).
// The root export's types are platform-neutral, so a Workers project type-checks against the same
// names its bundle gets; what needs Node built-ins is imported from here (DESIGN §15, "Workers types").
//
// import { createMetrics } from 'handlerstats';
// import { createHttpTransport } from 'handlerstats/node';
// const metrics = createMetrics({ transport: createHttpTransport({ intakeUrl, apiKey }) });
export { createHttpTransport, type HttpTransportOptions } from './transports/http.js';
