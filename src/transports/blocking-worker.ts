/**
 * The thread behind `createBlockingTransport`, and behind `makeAsync` of a transport, started by
 * the bootstrap of `worker-thread.ts` (which reports a failure to load this module, an uncaught
 * exception or the thread's exit to a parked caller). It builds its transport from the recipe
 * (the built-in HTTP transport over `fetch`, or the user's factory), then makes each request with
 * it, posts the answer on the port, bumps the shared counter and notifies it, which wakes a caller
 * out of `Atomics.wait`. Requests run at once, each as it arrives: an async transport's wait on the
 * network does not hold up the next (the blocking transport's caller sends one at a time anyway).
 * A `{ cancel: id }` message aborts a request (only a caller that is not parked can send one).
 *
 * It loads nothing it does not run: no client, no schemas, and ky only if the recipe's transport
 * uses it. It is built as CommonJS (tsup.config.ts), so it has no top-level `await`.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { serializeError } from '../errors/wire.js';
import { buildTransport, type RebuildRecipe } from './recipe.js';
import type { AsyncTransport, BlockingTransport, TransportRequest } from './types.js';
import { CELL } from './worker-thread.js';

interface BlockingWorkerData {
  readonly port: MessagePort;
  /** Only when the caller parks in `Atomics.wait`: `makeAsync`'s caller does not. */
  readonly cell?: Int32Array;
  readonly recipe: RebuildRecipe;
}

const { port, cell, recipe } = workerData as BlockingWorkerData;

function wake(): void {
  if (!cell) return;
  Atomics.add(cell, CELL.WAKE, 1);
  Atomics.notify(cell, CELL.WAKE);
}

function send(transport: AsyncTransport | BlockingTransport, request: TransportRequest) {
  return 'request' in transport ? transport.request(request) : transport.requestSync(request);
}

type Message = { id: number; request: TransportRequest } | { cancel: number };

function serve(transport: AsyncTransport | BlockingTransport): void {
  const running = new Map<number, AbortController>();
  port.on('message', async (message: Message) => {
    if ('cancel' in message) {
      running.get(message.cancel)?.abort();
      return;
    }
    const { id, request } = message;
    const controller = new AbortController();
    running.set(id, controller);
    try {
      const response = await send(transport, { ...request, signal: controller.signal });
      port.postMessage({ id, ok: true, response });
    } catch (error) {
      port.postMessage({ id, ok: false, error: serializeError(error) });
    } finally {
      running.delete(id);
    }
    wake();
  });
  // Whether requests can overlap on this thread: only if the transport does not block it.
  port.postMessage({ id: 0, ready: true, overlaps: 'request' in transport });
  wake();
}

buildTransport(recipe).then(serve, (error: unknown) => {
  // The recipe's factory failed: the caller throws this error itself, as the async half would.
  port.postMessage({ id: 0, refused: true, error: serializeError(error) });
  wake();
  process.exit(1);
});
