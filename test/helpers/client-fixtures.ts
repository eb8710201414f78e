/**
 * Shared helpers of the client's tests: where the 2018 snapshot lives, how to catch what a call
 * throws or rejects with, how to collect an iterator, and how to count what a server received.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MockTransport, ReplicaServer } from '../../src/testing/index.js';

/** The repository's root directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The 2018 snapshot of the real data, at `../shared/data/rickandmorty-2018` beside the repo. */
export const SNAPSHOT_DIR = resolve(REPO_ROOT, '../shared/data/rickandmorty-2018');

/** Whether the 2018 snapshot is present; tests that need it skip (with a notice) when it is not. */
export const hasSnapshot = existsSync(join(SNAPSHOT_DIR, 'characters.json'));

/** Prints the notice that the snapshot's tests are skipped, once per test file that calls it. */
export function warnIfNoSnapshot(file: string): void {
  if (!hasSnapshot) {
    console.warn(`[${file}] 2018 snapshot not found at ${SNAPSHOT_DIR}: its tests are skipped`);
  }
}

/** The error a blocking call throws (fails the test when it returns instead). */
export function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to throw, but it returned');
}

/** The error a promise rejects with (fails the test when it resolves instead). */
export async function rejectionOf(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the promise to reject, but it resolved');
}

/** Everything an iterator (sync or async) yields. */
export async function collect<T>(iterable: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Whether `value` is an iterator: a generator or an async generator (arrays are not). */
export function isIterator(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { next?: unknown }).next === 'function' &&
    (Symbol.iterator in value || Symbol.asyncIterator in value)
  );
}

/** Waits for the next macrotask, so that pending timers and I/O callbacks get a turn. */
export function nextTick(ms = 0): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** The ids of records, in order. */
export function idsOf(records: readonly { readonly id: number }[]): number[] {
  return records.map((record) => record.id);
}

/**
 * One server a client's requests can be counted at: the mock transport (`calls`) or a replica
 * server (`stats()`), behind the same small interface so a test can run against both.
 */
export interface RequestCounter {
  /** Requests received since the last `reset()`. */
  requests(): Promise<number>;
  /** The paths (with the batch ids) of the requests received since the last `reset()`. */
  paths(): Promise<string[]>;
  /** The most requests in flight at once since the last `reset()`. */
  maxInFlight(): Promise<number>;
  /** Requests in flight now. */
  inFlight(): Promise<number>;
  reset(): Promise<void>;
}

/** Counts the requests of a mock transport. */
export function mockCounter(transport: MockTransport): RequestCounter {
  return {
    requests: async () => transport.calls.length,
    paths: async () => transport.calls.map((call) => new URL(call.url).pathname),
    maxInFlight: async () => transport.maxInFlight,
    inFlight: async () => transport.inFlight,
    reset: async () => transport.reset(),
  };
}

/** Counts the requests of a replica server. */
export function replicaCounter(server: ReplicaServer): RequestCounter {
  return {
    requests: async () => (await server.stats()).requests,
    paths: async () => {
      const { byPath } = await server.stats();
      return Object.entries(byPath).flatMap(([path, count]) =>
        Array.from({ length: count }, () => path),
      );
    },
    maxInFlight: async () => (await server.stats()).maxInFlight,
    inFlight: async () => (await server.stats()).inFlight,
    reset: () => server.resetStats(),
  };
}

/** Polls `check` until it holds; the test's own timeout bounds the wait. */
export async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await nextTick(2);
}
