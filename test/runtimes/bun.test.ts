// The packed package inside the real Bun (scripts/deps/bun). Bun matches the `bun`, `node` and `import`
// export conditions; the package has none of them, so Bun gets `default`: the Node entry (node:http
// transport, which Bun implements). The fetch transport is tested through createFetchTransport.
import { runtimeSuite } from './suite.js';

runtimeSuite('bun', {
  entry: 'dist/index.js',
  conditions: ['bun', 'node', 'import'],
  defaultTransport: 'node',
});
