/**
 * The thread behind `createBlockingTransport`. It makes each request with the async HTTP transport
 * (one HTTP implementation for both halves), posts the answer on the port, then bumps the shared
 * counter and notifies it, which wakes the caller out of `Atomics.wait`.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { serializeError } from '../errors/wire.js';
import { createHttpTransport } from './http.js';
import type { TransportRequest } from './types.js';

interface BlockingWorkerData {
  readonly port: MessagePort;
  readonly cell: Int32Array;
}

const { port, cell } = workerData as BlockingWorkerData;
const transport = createHttpTransport();

function wake(): void {
  Atomics.add(cell, 0, 1);
  Atomics.notify(cell, 0);
}

port.on('message', async ({ id, request }: { id: number; request: TransportRequest }) => {
  try {
    const response = await transport.request(request);
    port.postMessage({ id, ok: true, response });
  } catch (error) {
    port.postMessage({ id, ok: false, error: serializeError(error) });
  }
  wake();
});

process.on('uncaughtException', (error) => {
  port.postMessage({ id: 0, fatal: true, error: serializeError(error) });
  wake();
  process.exit(1);
});

port.postMessage({ id: 0, ready: true });
wake();
