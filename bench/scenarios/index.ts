/**
 * The suite: every scenario `npm run bench` runs, in the order they run and appear in
 * docs/benchmarks.md. To add one, write bench/scenarios/<name>.ts exporting a `Scenario` (see
 * bench/lib/scenario.ts and bench/README.md) and add one line here.
 */
import type { Scenario } from '../lib/scenario.js';
import { coldStart } from './cold-start.js';
import { footprint } from './footprint.js';
import { makeAsyncDemoScenario } from './make-async-demo.js';
import { many } from './many.js';
import { migrateScale } from './migrate-scale.js';
import { readAhead } from './read-ahead.js';
import { trio } from './trio.js';
import { zeroLatency } from './zero-latency.js';

export const SCENARIOS: readonly Scenario[] = [
  trio, // 1. characters [1, 10, 100] at latency L
  many, // 2. many ids at latency L
  zeroLatency, // 3. zero latency: throughput and per-call cost
  footprint, // 4. memory, cold import, browser bundle
  coldStart, // 5. cold start: whole processes to the first record (issue 13)
  migrateScale, // 6. the migration assistant at scale (issue 15)
  readAhead, // 7. read-ahead: for await over every character with prefetch (issue 16)
  makeAsyncDemoScenario, // makeAsync demo (issue 3)
];
