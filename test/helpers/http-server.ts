import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One request as the test server saw it. */
export interface RecordedRequest {
  /** Its number, from 1, in the order the server received requests. */
  readonly seq: number;
  readonly method: string;
  /** The path and query, as sent: `/json?delay=10`. */
  readonly url: string;
  /** The path alone: `/json`. */
  readonly path: string;
  /** The request's headers, names in lower case. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Counts kept by the test server since it started or since `reset()`. */
export interface ServerStats {
  readonly requests: number;
  /** Requests being answered now (hanging ones included). */
  readonly inFlight: number;
  /** The most requests being answered at once. */
  readonly maxInFlight: number;
}

/** A scriptable HTTP server running in a child process; see http-server-child.mjs for its routes. */
export interface TestServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  /** Every request received since the start or the last `reset()`, oldest first. */
  requests(): Promise<RecordedRequest[]>;
  stats(): Promise<ServerStats>;
  /** Forgets the recorded requests and the `/counter` counts; `maxInFlight` restarts. */
  reset(): Promise<void>;
  /** Kills the child process and waits for it to exit. */
  close(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./http-server-child.mjs', import.meta.url));

/**
 * Starts the test server in a child process (not on this thread: the blocking transport parks this
 * thread in `Atomics.wait`, which would starve an in-process server).
 */
export function startTestServer(): Promise<TestServer> {
  return startServerProcess(SCRIPT);
}

/**
 * Starts the server script `script` (a path) in a child process, and talks to it over IPC: the
 * script records requests and answers the commands `requests`, `stats`, `reset` and `close`, as
 * http-server-child.mjs does.
 */
export function startServerProcess(script: string): Promise<TestServer> {
  // A plain `.mjs` script: no loader needed, and the test runner's flags are not inherited.
  const child: ChildProcess = fork(script, [], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let nextId = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  child.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
    if (message.id === undefined) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.result);
  });
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`The test server exited (${code ?? signal})`));
    }
    pending.clear();
  });

  function command<T>(name: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!child.connected) {
        reject(new Error('The test server is not running'));
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, command: name });
    });
  }

  return new Promise<TestServer>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`The test server exited with ${code} before it was ready`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.on('message', function onReady(message: { ready?: boolean; port?: number }) {
      if (!message.ready) return;
      child.off('message', onReady);
      child.off('exit', onExit);
      child.off('error', reject);
      resolve({
        url: `http://127.0.0.1:${message.port}`,
        requests: () => command<RecordedRequest[]>('requests'),
        stats: () => command<ServerStats>('stats'),
        reset: () => command<null>('reset').then(() => undefined),
        async close() {
          if (child.exitCode === null && child.signalCode === null) child.kill();
          await exited;
        },
      });
    });
  });
}
