/**
 * The thread behind `createBlockingTransport`, started by the bootstrap of `worker-thread.ts`
 * (which reports a failure to load this module, an uncaught exception or the thread's exit to the
 * parked caller). It builds its transport from the recipe (the built-in HTTP transport over
 * `fetch`, or the user's factory), then makes each request with it, posts the answer on the port,
 * bumps the shared counter and notifies it, which wakes the caller out of `Atomics.wait`.
 *
 * It loads nothing it does not run: no client, no schemas, no ky.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { serializeError } from '../errors/wire.js';
import { buildTransport, type RebuildRecipe } from './recipe.js';
import type { AsyncTransport, BlockingTransport, TransportRequest } from './types.js';
import { CELL } from './worker-thread.js';

interface BlockingWorkerData {
  readonly port: MessagePort;
  readonly cell: Int32Array;
  readonly recipe: RebuildRecipe;
}

const { port, cell, recipe } = workerData as BlockingWorkerData;

function wake(): void {
  Atomics.add(cell, CELL.WAKE, 1);
  Atomics.notify(cell, CELL.WAKE);
}

function send(transport: AsyncTransport | BlockingTransport, request: TransportRequest) {
  return 'request' in transport ? transport.request(request) : transport.requestSync(request);
}

let transport: AsyncTransport | BlockingTransport;
try {
  transport = await buildTransport(recipe);
} catch (error) {
  // The recipe's factory failed: the caller throws this error itself, as the async half would.
  port.postMessage({ id: 0, refused: true, error: serializeError(error) });
  wake();
  process.exit(1);
}

port.on('message', async ({ id, request }: { id: number; request: TransportRequest }) => {
  try {
    const response = await send(transport, request);
    port.postMessage({ id, ok: true, response });
  } catch (error) {
    port.postMessage({ id, ok: false, error: serializeError(error) });
  }
  wake();
});

port.postMessage({ id: 0, ready: true });
wake();
