#!/usr/bin/env node
/**
 * The `rickmorty` command. Everything but the process itself is in `run.ts`, which tests call
 * in-process.
 *
 * @module
 */
import { runCli } from './run.js';

// A reader that goes away (`rickmorty characters --all | head`) fails the next write with EPIPE,
// reported as an 'error' event, perhaps after the run is over: it is no failure, and must not
// crash the process with a stack trace. `runCli` stops writing and ends with code 0 meanwhile.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

// No top-level await: the bundler may also emit this entry as CommonJS, which has none.
runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then(
  (code) => {
    // Set rather than `process.exit(code)`, so that output still in flight is written out.
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
