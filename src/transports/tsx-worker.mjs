// Runs a TypeScript worker module from source (tests, `npm start`), because Node 20 cannot load
// TypeScript by itself and `--import tsx` in a worker's execArgv does not take effect there.
// Built packages never use this file: their workers are plain `.js` in dist/.
//
// A failure to load is reported by whoever imports this file: the bootstrap of
// src/transports/worker-thread.ts (which tells a caller parked in Atomics.wait) or the pool.
import { workerData } from 'node:worker_threads';

// The makeAsync pool (tinypool) hands its worker `[its own data, ours]`.
const data = Array.isArray(workerData) ? workerData[1] : workerData;
const { register } = await import('tsx/esm/api');
register();
const entry = await import(data.tsxEntry);

export default entry.default;
