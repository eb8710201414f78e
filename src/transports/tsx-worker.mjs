// Runs a TypeScript worker module from source (tests, `npm start`), because Node 20 cannot load
// TypeScript by itself and `--import tsx` in a worker's execArgv does not take effect there.
// Built packages never use this file: their workers are plain `.js` in dist/.
//
// The test suite bundles the workers' sources before it starts (test/global-setup.ts) and names
// the folder in RICKMORTY_DEV_WORKERS. A thread then loads that bundle, and registers tsx (whose
// start in a thread costs about five times the thread's own) only when it must load a TypeScript
// module of its caller's: a transport module, or a module a makeAsync call names.
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

/** The suite's bundle of this worker, if there is one. */
function bundled() {
  const dir = process.env.RICKMORTY_DEV_WORKERS;
  if (!dir) return undefined;
  const name = new URL(data.tsxEntry).pathname.split('/').pop().replace(/\.ts$/, '.mjs');
  const file = join(dir, name);
  return existsSync(file) ? pathToFileURL(file).href : undefined;
}

let tsx;
/** Registers tsx, once, if what a thread is to load names a TypeScript file. */
function tsxFor(what) {
  if (!tsx && /\.[cm]?tsx?\b/.test(JSON.stringify(what ?? {}))) {
    tsx = import('tsx/esm/api').then(({ register }) => register());
  }
  return tsx;
}

const bundle = bundled();
await (bundle ? tsxFor(data.recipe) : tsxFor('the worker itself.ts'));
const entry = await import(bundle ?? data.tsxEntry);

// A pool thread learns what it loads one task at a time.
export default pooled && bundle
  ? async (task) => {
      await tsxFor({ module: task.module, recipe: task.recipe });
      return entry.default(task);
    }
  : entry.default;
