/**
 * Runs a group of "ways" (different ways to do the same job) side by side: round-robin, one
 * repetition of each way per round, so that noise from a shared machine spreads over all of them
 * instead of landing on one. Each way is warmed up once (untimed) first, and the replica's request
 * count for that warm-up run is recorded to show how many requests the way makes.
 */
import { performance } from 'node:perf_hooks';
import { type Summary, summarize, withDeadline } from './measure.js';
import type { ReplicaProcess } from './replica.js';

export interface Way {
  readonly id: string;
  readonly label: string;
  /** Does the work once. A synchronous function is timed without an await in between. */
  readonly run: () => unknown;
  /** Timed repetitions (default: the group's). */
  readonly reps?: number;
  /** Run untimed before the repetitions (default: `run`); `null` for no warm-up. */
  readonly warmup?: (() => unknown) | null;
  /** A fresh setup per repetition that is not timed (e.g. a cold pool), and its teardown. */
  readonly setup?: () => Promise<void> | void;
  readonly teardown?: () => Promise<void> | void;
  /** Checks what one run returned (e.g. that 826 records came back). */
  readonly check?: (result: unknown) => void;
}

/** What one way measured: plain data, no functions (the report is written from it). */
export interface WayResult {
  readonly id: string;
  readonly label: string;
  readonly ms: Summary;
  /** CPU time (user + system, all threads of this process) per run, in milliseconds. */
  readonly cpuMs: Summary;
  /** Requests the replica saw for one run (the warm-up), when measured. */
  readonly requests: number | undefined;
  /** Most requests the replica had in flight at once during that run. */
  readonly maxInFlight: number | undefined;
  readonly error?: string;
}

const DEADLINE_MS = 120_000;

async function once(way: Way): Promise<{ ms: number; cpuMs: number; result: unknown }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  let result = way.run();
  if (result instanceof Promise) result = await withDeadline(result, DEADLINE_MS, way.label);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, result };
}

export async function runWays(
  ways: readonly Way[],
  options: {
    reps: number;
    replica?: ReplicaProcess;
    latency?: number;
    log?: (line: string) => void;
  },
): Promise<WayResult[]> {
  const samples = new Map<string, number[]>();
  const cpuSamples = new Map<string, number[]>();
  const counts = new Map<
    string,
    { requests: number | undefined; maxInFlight: number | undefined }
  >();
  const errors = new Map<string, string>();
  const log = options.log ?? (() => {});

  for (const way of ways) {
    samples.set(way.id, []);
    cpuSamples.set(way.id, []);
    try {
      if (options.replica) await options.replica.resetStats();
      const warm = way.warmup === undefined ? way.run : way.warmup;
      if (warm) {
        await way.setup?.();
        try {
          const result = await withDeadline(Promise.resolve(warm()), DEADLINE_MS, way.label);
          if (way.warmup === undefined) way.check?.(result);
        } finally {
          await way.teardown?.();
        }
      }
      // Requests are counted only when the warm-up is the timed work itself.
      if (options.replica && options.latency !== undefined && way.warmup === undefined) {
        const stats = await options.replica.stats(options.latency);
        counts.set(way.id, { requests: stats?.requests, maxInFlight: stats?.maxInFlight });
      }
    } catch (error) {
      errors.set(way.id, error instanceof Error ? error.message : String(error));
      log(`  ! ${way.label}: ${errors.get(way.id)}`);
    }
  }

  const rounds = Math.max(...ways.map((way) => way.reps ?? options.reps));
  for (let round = 0; round < rounds; round++) {
    for (const way of ways) {
      if (errors.has(way.id) || round >= (way.reps ?? options.reps)) continue;
      try {
        await way.setup?.();
        try {
          const { ms, cpuMs, result } = await once(way);
          way.check?.(result);
          samples.get(way.id)!.push(ms);
          cpuSamples.get(way.id)!.push(cpuMs);
        } finally {
          await way.teardown?.();
        }
      } catch (error) {
        errors.set(way.id, error instanceof Error ? error.message : String(error));
        log(`  ! ${way.label}: ${errors.get(way.id)}`);
      }
    }
    log(`  round ${round + 1}/${rounds} done`);
  }

  return ways.map((way) => {
    const count = counts.get(way.id);
    const error = errors.get(way.id);
    return {
      id: way.id,
      label: way.label,
      ms: summarize(samples.get(way.id)!),
      cpuMs: summarize(cpuSamples.get(way.id)!),
      requests: count?.requests,
      maxInFlight: count?.maxInFlight,
      ...(error === undefined ? {} : { error }),
    };
  });
}
