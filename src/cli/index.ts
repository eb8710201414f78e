#!/usr/bin/env node
/**
 * The `rickmorty` command. Everything but the process itself is in `run.ts`, which tests call
 * in-process.
 *
 * @module
 */
import { runCli } from './run.js';

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
