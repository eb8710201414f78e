/**
 * The bare cost of the blocking transport's design, without HTTP: the calling thread posts a
 * message to a worker thread and parks in `Atomics.wait`; the worker answers on the port and wakes
 * it with `Atomics.notify`; the caller reads the answer with `receiveMessageOnPort`. One "call" is
 * that round trip with a small payload (about the size of one character record).
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, cell } = workerData;
port.on('message', (message) => {
  port.postMessage({ id: message.id, body: message.body });
  Atomics.add(cell, 0, 1);
  Atomics.notify(cell, 0);
});
port.postMessage({ ready: true });
Atomics.add(cell, 0, 1);
Atomics.notify(cell, 0);
`;

export interface Handoff {
  /** One blocking round trip; returns the echoed body. */
  call(body: string): string;
  close(): Promise<void>;
}

export function startHandoff(): Handoff {
  const { port1, port2 } = new MessageChannel();
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { port: port2, cell },
    transferList: [port2],
  });
  worker.unref();
  let nextId = 1;
  const wait = (id: number | undefined): unknown => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const seen = Atomics.load(cell, 0);
      const message = receiveMessageOnPort(port1);
      if (message) {
        const reply = message.message as { id?: number; ready?: boolean; body?: string };
        if (id === undefined ? reply.ready : reply.id === id) return reply;
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('handoff worker did not answer');
      Atomics.wait(cell, 0, seen, remaining);
    }
  };
  wait(undefined);
  return {
    call(body) {
      const id = nextId++;
      port1.postMessage({ id, body });
      return (wait(id) as { body: string }).body;
    },
    async close() {
      port1.close();
      await worker.terminate();
    },
  };
}
