export {
  createMemoryTransport,
  type MemoryTransport,
  type MemoryTransportOptions,
  type RecordedRequest,
} from './transports/memory.js';
