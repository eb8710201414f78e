/**
 * Where the client's time goes: runs a workload (bench/child/profile-target.mjs) in a fresh process
 * under `node --cpu-prof` against the zero-latency replica, and sums the samples of every thread's
 * profile by package and by function.
 *
 *   node --import tsx bench/profile.ts [scenario ...] [--keep]
 *
 * scenarios: throughput, fetch-throughput, blocking, async-serial, import (default: the first four).
 * `--keep` keeps the .cpuprofile files (open them in Chrome DevTools > Performance) and prints
 * where. `npm run bench` runs the relevant ones itself when a target is missed. It measures the
 * dist/ already built (`npm run build` first), through a snapshot installed like a user's app.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runChild } from './lib/child.js';
import { appDir, childScript, distDir, installSnapshot } from './lib/dist.js';
import { table } from './lib/measure.js';
import { startReplicaProcess } from './lib/replica.js';

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber?: number;
}
export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  /** Microseconds, on a clock shared by the threads of one process. */
  startTime: number;
  endTime: number;
}

export interface ThreadProfile {
  readonly file: string;
  /** Sampled milliseconds, idle included. */
  readonly totalMs: number;
  /** Sampled milliseconds not idle. */
  readonly busyMs: number;
  readonly byCategory: [string, number][];
  readonly bySelf: [string, number][];
  readonly byInclusive: [string, number][];
  /** Samples whose synchronous stack holds client code, by the innermost client (dist/) frame. */
  readonly byClientFrame: [string, number][];
}

export interface ProfileResult {
  readonly scenario: string;
  readonly count: number;
  /** Wall time of the workload itself, as the target measured it. */
  readonly workloadMs: number;
  readonly threads: ThreadProfile[];
  readonly directory?: string;
}

const IDLE = new Set(['(idle)', '(root)']);

/** A frame's file, short: `ky/distribution/…`, `dist/…`, `node:…`. */
export function shortUrl(url: string): string {
  if (!url) return '';
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist !== -1 && url.startsWith(pathToFileURL(path.dirname(distDir())).href))
    return url.slice(dist + 1);
  return url.replace(/^node:internal\//, 'node:');
}

/** Which package or part of Node a frame belongs to. */
export function category(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName.startsWith('(')) return functionName;
    return '(native: V8 builtins and bindings)';
  }
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1];
  if (pkg) return pkg;
  if (url.startsWith(pathToFileURL(distDir()).href)) return 'rickmorty-client (dist/)';
  if (url.includes('/bench/')) return 'bench harness';
  if (url.includes('undici')) return 'node: undici (fetch)';
  if (url.includes('webstreams')) return 'node: web streams';
  if (url.includes('modules/') || url.includes('vm')) return 'node: module loader';
  if (url.startsWith('node:'))
    return `node: ${url.replace(/^node:(internal\/)?/, '').split('/')[0]}`;
  return url;
}

/** Source maps read so far, by dist/ file URL (null: none); one cache per analysis. */
type SourceMaps = Map<string, SourceMap | null>;

/** `src/…:line` of a frame in dist/, read from the build's source map; undefined elsewhere. */
function original(frame: CallFrame, sourceMaps: SourceMaps): string | undefined {
  if (!frame.url.startsWith(pathToFileURL(distDir()).href)) return undefined;
  let map = sourceMaps.get(frame.url);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(frame.url)}.map`, 'utf8')));
    } catch {
      map = null;
    }
    sourceMaps.set(frame.url, map);
  }
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber ?? 0) as
    | { originalSource?: string; originalLine?: number }
    | undefined;
  if (!entry?.originalSource) return undefined;
  const source = entry.originalSource.replace(/^.*?(src\/)/, '$1');
  return `${source}:${(entry.originalLine ?? 0) + 1}`;
}

/** `name src/…:line` (through the source map) or `name file:line`. */
export function label(frame: CallFrame, sourceMaps: SourceMaps = new Map()): string {
  const mapped = original(frame, sourceMaps);
  if (mapped) return `${frame.functionName || '(anonymous)'} ${mapped}`;
  const where = shortUrl(frame.url);
  return `${frame.functionName || '(anonymous)'}${where ? ` ${where}:${frame.lineNumber + 1}` : ''}`;
}

function top(map: Map<string, number>, n: number): [string, number][] {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
}

export function analyse(profile: CpuProfile, file: string): ThreadProfile {
  const sourceMaps: SourceMaps = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const categories = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const clientFrames = new Map<string, number>();
  const distPrefix = pathToFileURL(distDir()).href;
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, index) => {
    const dt = (profile.timeDeltas[index] ?? 0) / 1000;
    total += dt;
    const node = byId.get(id);
    if (!node) return;
    if (IDLE.has(node.callFrame.functionName) && !node.callFrame.url) {
      idle += dt;
      return;
    }
    const key = label(node.callFrame, sourceMaps);
    self.set(key, (self.get(key) ?? 0) + dt);
    const cat = category(node.callFrame);
    categories.set(cat, (categories.get(cat) ?? 0) + dt);
    for (
      let current: number | undefined = id;
      current !== undefined;
      current = parent.get(current)
    ) {
      const frame = byId.get(current)!.callFrame;
      if (frame.url.startsWith(distPrefix)) {
        const name = label(frame, sourceMaps);
        clientFrames.set(name, (clientFrames.get(name) ?? 0) + dt);
        break;
      }
    }
    const seen = new Set<string>();
    for (
      let current: number | undefined = id;
      current !== undefined;
      current = parent.get(current)
    ) {
      const frame = byId.get(current)!.callFrame;
      if (frame.functionName === '(root)') continue;
      const name = label(frame, sourceMaps);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
    }
  });
  return {
    file,
    totalMs: total,
    busyMs: total - idle,
    byCategory: top(categories, 12),
    bySelf: top(self, 15),
    byInclusive: top(inclusive, 25),
    byClientFrame: top(clientFrames, 15),
  };
}

export async function profile(
  scenario: string,
  apiUrl: string,
  count: number,
  keep = false,
): Promise<ProfileResult> {
  const directory = mkdtempSync(path.join(os.tmpdir(), `rickmorty-prof-${scenario}-`));
  try {
    const child = await runChild(
      [
        '--cpu-prof',
        `--cpu-prof-dir=${directory}`,
        '--cpu-prof-interval=100',
        childScript('profile-target.mjs'),
        scenario,
        apiUrl,
        String(count),
      ],
      150_000,
      { cwd: appDir() },
    );
    if (child.code !== 0) {
      throw new Error(
        `profile target ${scenario} exited with ${child.code}: ${child.stderr.slice(-500)}`,
      );
    }
    const out = child.stdout;
    const result = JSON.parse(out.trim().split('\n').pop()!) as { ms: number };
    const threads = readdirSync(directory)
      .filter((file) => file.endsWith('.cpuprofile'))
      .map((file) => analyse(JSON.parse(readFileSync(path.join(directory, file), 'utf8')), file))
      .sort((a, b) => b.busyMs - a.busyMs);
    return { scenario, count, workloadMs: result.ms, threads, ...(keep ? { directory } : {}) };
  } finally {
    if (!keep) rmSync(directory, { recursive: true, force: true });
  }
}

const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} %`;

/** A markdown summary of one profile: every thread that did work. */
export function describeProfile(
  result: ProfileResult,
  options: { functions?: number } = {},
): string {
  const functions = options.functions ?? 12;
  const lines = [
    `Profile \`${result.scenario}\` (${result.count} calls, workload ${result.workloadMs.toFixed(0)} ms):`,
  ];
  for (const [index, thread] of result.threads.entries()) {
    if (thread.busyMs < 5) continue;
    const name = index === 0 ? 'busiest thread' : `thread ${index + 1}`;
    lines.push(
      '',
      `${name} (\`${thread.file.replace(/^CPU\.\d+\.\d+\./, '')}\`): ${thread.busyMs.toFixed(0)} ms busy of ` +
        `${thread.totalMs.toFixed(0)} ms sampled, ${((thread.busyMs / result.count) * 1000).toFixed(0)} µs a call`,
      '',
      table(
        ['self time by package', 'ms', 'share of busy'],
        thread.byCategory.map(([cat, ms]) => [cat, ms.toFixed(0), pct(ms, thread.busyMs)]),
      ),
      '',
      table(
        ['inclusive time by function (callees included)', 'ms', 'share of busy'],
        thread.byInclusive
          .filter(([name]) => !name.startsWith('(program)') && !name.startsWith('(garbage'))
          .slice(0, functions)
          .map(([name, ms]) => [`\`${name}\``, ms.toFixed(0), pct(ms, thread.busyMs)]),
      ),
      '',
      ...(thread.byClientFrame.length
        ? [
            table(
              [
                'time under the innermost client function (self + callees, synchronous stacks only)',
                'ms',
                'share of busy',
              ],
              thread.byClientFrame
                .slice(0, functions)
                .map(([name, ms]) => [`\`${name}\``, ms.toFixed(0), pct(ms, thread.busyMs)]),
            ),
            '',
          ]
        : []),
      table(
        ['self time by function', 'ms', 'share of busy'],
        thread.bySelf
          .slice(0, functions)
          .map(([name, ms]) => [`\`${name}\``, ms.toFixed(0), pct(ms, thread.busyMs)]),
      ),
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const keep = args.includes('--keep');
  const scenarios = args.filter((arg) => !arg.startsWith('--'));
  const chosen = scenarios.length
    ? scenarios
    : ['throughput', 'fetch-throughput', 'blocking', 'async-serial'];
  const snapshot = installSnapshot();
  const replica = await startReplicaProcess([0]);
  try {
    for (const scenario of chosen) {
      const count = scenario === 'blocking' || scenario === 'async-serial' ? 1000 : 3000;
      const result = await profile(scenario, replica.urls[0]!, count, keep);
      console.log(`${describeProfile(result)}\n`);
      if (result.directory) console.log(`profiles kept in ${result.directory}\n`);
    }
  } finally {
    await replica.close();
    snapshot.remove();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
