// Runs a TypeScript worker module from source (tests, `npm start`), because Node 20 cannot load
// TypeScript by itself and `--import tsx` in a worker's execArgv does not take effect there.
// Built packages never use this file: their workers are plain `.js` in dist/.
//
// The test suite bundles some workers' sources before it starts (test/global-setup.ts) and names
// the folder in RICKMORTY_DEV_WORKERS: a thread that loads no TypeScript of its caller's (no
// transport module in `.ts`) then loads that bundle rather than registering tsx, whose start costs
// about five times the thread's own.
//
// A failure to load is reported by whoever imports this file: the bootstrap of
// src/transports/worker-thread.ts (which tells a caller parked in Atomics.wait) or the pool.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';

// The makeAsync pool (tinypool) hands its worker `[its own data, ours]`.
const pooled = Array.isArray(workerData);
const data = pooled ? workerData[1] : workerData;

/** The suite's bundle of this worker, when there is one and the thread needs no TypeScript. */
function bundled() {
  const dir = process.env.RICKMORTY_DEV_WORKERS;
  if (!dir || pooled) return undefined;
  if (/\.[cm]?tsx?\b/.test(JSON.stringify(data.recipe ?? {}))) return undefined;
  const name = new URL(data.tsxEntry).pathname.split('/').pop().replace(/\.ts$/, '.mjs');
  const file = join(dir, name);
  return existsSync(file) ? pathToFileURL(file).href : undefined;
}

const bundle = bundled();
if (!bundle) {
  const { register } = await import('tsx/esm/api');
  register();
}
const entry = await import(bundle ?? data.tsxEntry);

export default entry.default;
