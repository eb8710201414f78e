// What the test servers that run in a child process share (http-server-child.mjs and
// hostile-server-child.mjs; http-server.ts starts them): a node:http server on 127.0.0.1 that
// records every request and counts those in flight, answers its parent's commands over IPC
// (`requests`, `stats`, `reset`, `close`), and exits when the parent goes away.
import { createServer } from 'node:http';

/**
 * Starts the server. `handle(req, res, url, seq)` answers each request; `onReset` clears the
 * server's own state on `reset`; `onListening(port)` runs once the server listens, before the
 * parent is told it is ready.
 *
 * @param {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, url: URL, seq: number) => void} handle
 * @param {{ onReset?: () => void; onListening?: (port: number) => void }} [hooks]
 */
export function serveInChild(handle, { onReset = () => {}, onListening = () => {} } = {}) {
  /** @type {Array<{ seq: number; method: string; url: string; path: string; headers: Record<string, string | string[] | undefined> }>} */
  const recorded = [];
  let seq = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const sockets = new Set();

  const server = createServer((req, res) => {
    const n = ++seq;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    recorded.push({
      seq: n,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      path: url.pathname,
      headers: req.headers,
    });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    // 'close' fires when the answer is complete and when the connection dies before that.
    res.on('close', () => {
      if (!done) inFlight--;
      done = true;
    });
    handle(req, res, url, n);
  });

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });

  const commands = {
    requests: () => recorded,
    stats: () => ({ requests: recorded.length, inFlight, maxInFlight }),
    reset: () => {
      recorded.length = 0;
      onReset();
      maxInFlight = inFlight;
      return null;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      return null;
    },
  };

  process.on('message', ({ id, command }) => {
    const run = commands[command];
    process.send?.({
      id,
      result: run ? run() : undefined,
      error: run ? undefined : `Unknown command ${command}`,
    });
  });

  // Exit when the parent goes away, so that no server outlives its test run.
  process.on('disconnect', () => process.exit(0));

  server.listen(0, '127.0.0.1', () => {
    const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
    onListening(port);
    process.send?.({ ready: true, port });
  });
}
