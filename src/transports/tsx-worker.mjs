// Runs a TypeScript worker module from source (tests, `npm start`), because Node 20 cannot load
// TypeScript by itself and `--import tsx` in a worker's execArgv does not take effect there.
// Built packages never use this file: their workers are plain `.js` in dist/.
import { workerData } from 'node:worker_threads';

let entry;
try {
  const { register } = await import('tsx/esm/api');
  register();
  entry = await import(workerData.tsxEntry);
} catch (error) {
  // The blocking transport's caller is parked in Atomics.wait and cannot see this thread's 'error'
  // event; tell it on its port, in its protocol, so that it fails at once instead of waiting out
  // its startup timeout.
  const { port, cell } = workerData ?? {};
  if (port && cell) {
    port.postMessage({
      id: 0,
      fatal: true,
      error: {
        name: error instanceof Error ? error.name : 'Error',
        message: `Could not load the worker module ${workerData.tsxEntry}: ${error instanceof Error ? error.message : String(error)}`,
        stack: error instanceof Error ? error.stack : undefined,
        fields: {},
      },
    });
    Atomics.add(cell, 0, 1);
    Atomics.notify(cell, 0);
  }
  throw error;
}

export default entry.default;
export const run = entry.run;
