// Runs a TypeScript worker module from source (tests, `npm start`), because Node 20 cannot load
// TypeScript by itself and `--import tsx` in a worker's execArgv does not take effect there.
// Built packages never use this file: their workers are plain `.js` in dist/.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const entry = await import(workerData.tsxEntry);

export default entry.default;
export const run = entry.run;
