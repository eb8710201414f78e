/**
 * `rickmorty-client/testing`: test doubles for code that uses the client. A generated dataset,
 * the API as a pure function, a mock transport for both halves of the client, and a real HTTP
 * replica of the API with fault injection. Node.js only.
 *
 * @module
 */
export {
  type Dataset,
  type DatasetCounts,
  type GenerateDatasetOptions,
  generateDataset,
  loadDatasetFromDirectory,
} from './dataset.js';
export {
  createFakeApi,
  type FakeApi,
  type FakeApiOptions,
  type FakeApiRequest,
} from './fake-api.js';
export {
  createMockTransport,
  type MockCall,
  type MockRespondContext,
  type MockResponder,
  type MockTransport,
  type MockTransportOptions,
} from './mock-transport.js';
export {
  type FaultOptions,
  type ReplicaServer,
  type ReplicaServerOptions,
  type ReplicaStats,
  startReplicaServer,
} from './replica-server.js';
