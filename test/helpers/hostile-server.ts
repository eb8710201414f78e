/**
 * A hostile (or broken) API in a child process: each scenario of hostile-server-child.mjs is its
 * own API under `/<scenario>/api`, so `server.api('huge')` is the base URL of an API whose lists
 * claim 50 million pages.
 */
import { fileURLToPath } from 'node:url';
import { startServerProcess, type TestServer } from './http-server.js';

/** The scenarios of hostile-server-child.mjs; see its header for what each does. */
export type Scenario =
  | 'ok'
  | 'huge'
  | 'pages-lie'
  | 'endless'
  | 'repeats'
  | 'batch-dup'
  | 'wrong-id'
  | 'redirect-bare'
  | 'not-modified'
  | 'multiple-choices'
  | 'redirect-secret'
  | 'retry-after-zero'
  | 'retry-after-neg'
  | 'retry-after-past'
  | 'latin1'
  | 'latin1-chunked'
  | 'bad-charset'
  | 'big'
  | 'evil-error'
  | `slow-${number}`;

export interface HostileServer extends TestServer {
  /** The base URL of the API that behaves as `scenario` says: `http://127.0.0.1:<port>/huge/api`. */
  api(scenario: Scenario): string;
  /** How many requests the server received since the last `reset()`. */
  count(): Promise<number>;
  /** The paths (and queries) the server received since the last `reset()`, in order. */
  urls(): Promise<string[]>;
}

const SCRIPT = fileURLToPath(new URL('./hostile-server-child.mjs', import.meta.url));

export async function startHostileServer(): Promise<HostileServer> {
  const server = await startServerProcess(SCRIPT);
  return {
    ...server,
    api: (scenario) => `${server.url}/${scenario}/api`,
    count: async () => (await server.stats()).requests,
    urls: async () => (await server.requests()).map((request) => request.url),
  };
}
