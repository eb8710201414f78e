/**
 * What a process's start-up time goes to, from the `node --cpu-prof` profiles of all its threads
 * (one .cpuprofile per thread). Every sample lands in one bucket, named by who caused it (the
 * innermost frame of a package, of the client's dist/, or of the child script) and what kind of
 * work it was:
 *
 * - `<owner>: its code`: top-level code of its modules and the calls it makes;
 * - `<owner>: loading the modules it requires or imports`: the module loader under its frames,
 *   for everything those modules import in turn (CommonJS `require` chains, and `require` of an ES
 *   module graph);
 * - `<owner>: Node built-ins loaded on first use`: Node compiling a built-in (undici for `fetch`,
 *   worker_threads, web streams…) that its code reached first; `Node: built-ins loaded` when no
 *   package's code is on the stack (a thread's bootstrap);
 * - `ES module loader: resolve, read, compile`: the ESM loader linking a static import graph, which
 *   runs on no package's frame, so it cannot be split by package (the import times of each
 *   dependency alone can: bench/lib/imports.ts);
 * - waiting: the event loop idle, or a thread parked in `Atomics.wait` (one JS frame for 5 ms or
 *   more at a stretch: a sampled thread that waits shows as self time of the waiting function);
 * - GC, `(program)` (V8 outside JavaScript), Node's bootstrap and other internals.
 *
 * Times are sampled wall-clock time of each thread: with more threads than cores, a thread that is
 * ready but waiting for a core is counted where it resumes, so `busy` includes that wait.
 *
 * Pure functions over parsed profiles; reading them is the caller's.
 */
import { pathToFileURL } from 'node:url';
import { type CallFrame, type CpuProfile, shortUrl } from '../profile.js';
import { distDir } from './dist.js';

export const WAITING_IDLE = 'waiting: event loop idle (network, other threads)';
export const WAITING_PARKED = 'waiting: parked in `Atomics.wait`';
const GC = 'garbage collection';
const PROGRAM = 'V8 outside JavaScript (`(program)`: parsing, compiling…)';
const ESM_LOADER = 'ES module loader: resolve, read, compile (all packages)';
const BOOTSTRAP = "Node: the thread's own start-up";
const NODE_BUILTINS = 'Node: built-ins loaded (start-up, first use)';
const UNDICI = 'Node: `fetch` at work (undici)';
const OTHER = 'Node: other internals';
/** A JS frame that holds the CPU this long at a stretch is a thread parked in `Atomics.wait`. */
const PARKED_MS = 5;

/** What one thread's sampled time went to. */
export interface ThreadFigures {
  readonly threadId: number;
  /** `main thread`, or the worker's entry file when the profile shows it. */
  readonly role: string;
  /** When its profile started, in ms after the main thread's. */
  readonly startMs: number;
  readonly sampledMs: number;
  /** Sampled ms not spent waiting. */
  readonly busyMs: number;
  /** ms by bucket, largest first. */
  readonly buckets: readonly (readonly [string, number])[];
}

function isWaiting(bucket: string): boolean {
  return bucket === WAITING_IDLE || bucket === WAITING_PARKED;
}

/** The package, `rickmorty-client` (dist/), or the child script a frame belongs to. */
function ownerOf(frame: CallFrame, distPrefix: string): string | undefined {
  const { url } = frame;
  if (!url || url.startsWith('node:')) return undefined;
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1];
  if (pkg) return pkg;
  if (url.startsWith(distPrefix)) return 'rickmorty-client';
  return `the child script (${url.slice(url.lastIndexOf('/') + 1)})`;
}

const isBuiltinLoad = (frame: CallFrame) => frame.url === 'node:internal/bootstrap/realm';
const isLoader = (frame: CallFrame) => frame.url.startsWith('node:internal/modules/');
const isBootstrap = (frame: CallFrame) =>
  /^node:internal\/(main\/|bootstrap\/|process\/pre_execution)/.test(frame.url);

/** The bucket of one sample, from its stack (leaf first). */
function classify(stack: readonly CallFrame[], distPrefix: string): string {
  const leaf = stack[0]!;
  if (!leaf.url) {
    if (leaf.functionName === '(idle)') return WAITING_IDLE;
    if (leaf.functionName === '(garbage collector)') return GC;
    if (leaf.functionName === '(program)' || leaf.functionName === '(root)') return PROGRAM;
  }
  const ownerAt = stack.findIndex((frame) => ownerOf(frame, distPrefix) !== undefined);
  const owner = ownerAt === -1 ? undefined : ownerOf(stack[ownerAt]!, distPrefix);
  const below = ownerAt === -1 ? stack : stack.slice(0, ownerAt);
  if (below.some(isBuiltinLoad)) {
    return owner ? `${owner}: Node built-ins loaded on first use` : NODE_BUILTINS;
  }
  if (below.some(isLoader)) {
    return owner ? `${owner}: loading the modules it requires or imports` : ESM_LOADER;
  }
  if (owner) return `${owner}: its code`;
  if (stack.some(isBootstrap)) return BOOTSTRAP;
  if (stack.some((frame) => frame.url.includes('deps/undici'))) return UNDICI;
  return OTHER;
}

/** Sample indexes that belong to a run of ≥ PARKED_MS on one JS frame of a package or dist/. */
function parkedSamples(profile: CpuProfile, owned: (id: number) => boolean): Set<number> {
  const parked = new Set<number>();
  let start = 0;
  for (let i = 1; i <= profile.samples.length; i++) {
    if (i < profile.samples.length && profile.samples[i] === profile.samples[start]) continue;
    let ms = 0;
    for (let j = start + 1; j < i; j++) ms += (profile.timeDeltas[j] ?? 0) / 1000;
    if (ms >= PARKED_MS && owned(profile.samples[start]!)) {
      for (let j = start; j < i; j++) parked.add(j);
    }
    start = i;
  }
  return parked;
}

/**
 * A worker's entry: the first module top level (a frame of a file evaluated straight from Node's
 * internals) whose file name says `worker`. Profiles sample, so a short entry may not show.
 */
function roleOf(stacks: readonly (readonly CallFrame[])[]): string {
  for (const stack of stacks) {
    for (let i = stack.length - 1; i >= 0; i--) {
      const frame = stack[i]!;
      const parent = stack[i + 1];
      const topLevel =
        frame.functionName === '' && (!parent?.url || parent.url.startsWith('node:'));
      if (topLevel && frame.url && !frame.url.startsWith('node:') && /worker/i.test(frame.url)) {
        return `\`${shortUrl(frame.url)}\``;
      }
    }
  }
  return 'worker (entry not sampled)';
}

/** One thread's figures. `mainStart`: the main thread's profile start, µs. */
export function analyseThread(
  profile: CpuProfile,
  threadId: number,
  mainStart: number,
): ThreadFigures {
  const distPrefix = pathToFileURL(distDir()).href;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const stackCache = new Map<number, CallFrame[]>();
  const stackOf = (id: number) => {
    let stack = stackCache.get(id);
    if (!stack) {
      stack = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        stack.push(byId.get(at)!.callFrame);
      }
      stackCache.set(id, stack);
    }
    return stack;
  };
  const parked = parkedSamples(
    profile,
    (id) => ownerOf(byId.get(id)!.callFrame, distPrefix) !== undefined,
  );
  const buckets = new Map<string, number>();
  let sampledMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    sampledMs += ms;
    const bucket = parked.has(index) ? WAITING_PARKED : classify(stackOf(id), distPrefix);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + ms);
  });
  const waiting = (buckets.get(WAITING_IDLE) ?? 0) + (buckets.get(WAITING_PARKED) ?? 0);
  return {
    threadId,
    role: threadId === 0 ? 'main thread' : roleOf(profile.samples.map(stackOf)),
    startMs: (profile.startTime - mainStart) / 1000,
    sampledMs,
    busyMs: sampledMs - waiting,
    buckets: [...buckets].sort((a, b) => b[1] - a[1]),
  };
}

/**
 * Every thread of one process. `files`: the .cpuprofile files of one run, named as Node names them
 * (`CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile`), with their parsed contents.
 */
export function analyseProcess(
  files: readonly { readonly name: string; readonly profile: CpuProfile }[],
): ThreadFigures[] {
  const threadIdOf = (name: string) => Number(name.split('.').at(-3));
  const sorted = [...files].sort((a, b) => threadIdOf(a.name) - threadIdOf(b.name));
  const mainStart = sorted[0]?.profile.startTime ?? 0;
  return sorted.map((file) => analyseThread(file.profile, threadIdOf(file.name), mainStart));
}

/** ms of `bucket` summed over threads. */
export function bucketTotal(threads: readonly ThreadFigures[], bucket: string): number {
  return threads.reduce(
    (sum, thread) => sum + (thread.buckets.find(([name]) => name === bucket)?.[1] ?? 0),
    0,
  );
}

/** All buckets summed over threads, waiting left out, largest first. */
export function busyBuckets(threads: readonly ThreadFigures[]): [string, number][] {
  const names = new Set(threads.flatMap((thread) => thread.buckets.map(([name]) => name)));
  return [...names]
    .filter((name) => !isWaiting(name))
    .map((name): [string, number] => [name, bucketTotal(threads, name)])
    .sort((a, b) => b[1] - a[1]);
}

/** Threads grouped by role, in thread order. */
export function threadGroups(threads: readonly ThreadFigures[]): ThreadFigures[][] {
  const groups = new Map<string, ThreadFigures[]>();
  for (const thread of threads) {
    const group = groups.get(thread.role) ?? [];
    group.push(thread);
    groups.set(thread.role, group);
  }
  return [...groups.values()];
}
