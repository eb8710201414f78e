/**
 * `npm start`: the seed article's program, run offline against a replica of the API, four ways.
 * `npm start -- --live` reads the real API instead. The work is in `src/cli/main-job.ts`.
 */
import { runMainJob } from '../src/cli/main-job.js';

try {
  await runMainJob({ live: process.argv.includes('--live') });
} catch (error) {
  // A failed request is reported by its message; the stack would only repeat the library's insides.
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
