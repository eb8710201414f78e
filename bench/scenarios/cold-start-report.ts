/**
 * Scenario 5's targets, findings and section, written from its data alone (pure).
 */
import { range } from '../lib/latency-table.js';
import { fmtBytes, fmtMs, fmtRatio, table } from '../lib/measure.js';
import type { Rendered, Target } from '../lib/scenario.js';
import {
  bucketTotal,
  busyBuckets,
  type ThreadFigures,
  threadGroups,
  WAITING_PARKED,
} from '../lib/startup-profile.js';
import type { ColdData, ColdProfile, ColdWay, ModeId } from './cold-start.js';

const MiB = 1024 * 1024;

/** The targets of issue 13 item 5. */
export const COLD_TARGETS = {
  async: { name: 'Cold start: async twin to first record vs raw fetch', ratio: 1.25 },
  blocking: { name: 'Cold start: blocking twin to first record vs raw fetch', ratio: 1.5 },
  'make-async': {
    name: 'Cold start: makeAsync(createBlockingTransport()), three ids at once, vs raw fetch',
    ratio: 1.8,
  },
  memory: { name: 'Cold start: makeAsync, three ids: peak memory (max RSS)', bytes: 120 * MiB },
  import: {
    name: "Cold start: import('rickmorty-client') over an empty Node process",
    ms: 50,
  },
} as const;

function way(data: ColdData, id: ModeId): ColdWay | undefined {
  return data.ways.find((entry) => entry.id === id);
}

/** Median ms to the first record (`done`: to every record), NaN when the mode failed. */
function ms(data: ColdData, id: ModeId, field: 'first' | 'done' = 'first'): number {
  const entry = way(data, id);
  return entry && !entry.error ? entry[field].median : Number.NaN;
}

function failed(data: ColdData, ids: readonly ModeId[]): string {
  const errors = ids.flatMap((id) => {
    const error = way(data, id)?.error;
    return error ? [`${id} failed: ${error.split('\n')[0]}`] : [];
  });
  return errors.length ? ` (${errors.join('; ')})` : '';
}

function ratioTarget(data: ColdData, id: 'async' | 'blocking' | 'make-async'): Target {
  const { name, ratio } = COLD_TARGETS[id];
  const field = id === 'make-async' ? 'done' : 'first';
  const ours = ms(data, id, field);
  const fetch = ms(data, 'fetch');
  return {
    name,
    goal: `<= ${ratio} x`,
    measured:
      `${fmtRatio(ours / fetch)} (${fmtMs(ours)} vs ${fmtMs(fetch)}` +
      `${id === 'make-async' ? ', to all three records' : ''})${failed(data, [id, 'fetch'])}`,
    met: ours / fetch <= ratio,
  };
}

export function coldTargets(data: ColdData): Target[] {
  const peak = way(data, 'make-async')?.peak.median ?? Number.NaN;
  const over = ms(data, 'import') - ms(data, 'empty');
  return [
    ratioTarget(data, 'async'),
    ratioTarget(data, 'blocking'),
    ratioTarget(data, 'make-async'),
    {
      name: COLD_TARGETS.memory.name,
      goal: `<= ${COLD_TARGETS.memory.bytes / MiB} MiB`,
      measured: `${fmtBytes(peak)}${failed(data, ['make-async'])}`,
      met: peak <= COLD_TARGETS.memory.bytes,
    },
    {
      name: COLD_TARGETS.import.name,
      goal: `<= ${COLD_TARGETS.import.ms} ms over`,
      measured: `${fmtMs(over)} over (${fmtMs(ms(data, 'import'))} vs ${fmtMs(ms(data, 'empty'))})${failed(data, ['import', 'empty'])}`,
      met: over <= COLD_TARGETS.import.ms,
    },
  ];
}

// --- Findings: what the time goes to, from the profiles and the import ladder -----------------

function profileOf(data: ColdData, mode: ModeId): ColdProfile | undefined {
  const profile = data.profiles.find((entry) => entry.mode === mode);
  return profile && !profile.error ? profile : undefined;
}

const msText = (value: number) => `${value.toFixed(0)} ms`;

/** The buckets where `mode` spends most over `base` (all threads, waiting left out). */
function differences(data: ColdData, mode: ModeId, base: ModeId, count = 4): string {
  const ours = profileOf(data, mode);
  const theirs = profileOf(data, base);
  if (!ours || !theirs) return 'no profile (see the profile table)';
  const rows = busyBuckets(ours.threads)
    .map(([bucket, value]): [string, number] => [
      bucket,
      value - bucketTotal(theirs.threads, bucket),
    ])
    .filter(([, value]) => value > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count);
  const busy = (threads: readonly ThreadFigures[]) =>
    threads.reduce((sum, thread) => sum + thread.busyMs, 0);
  return (
    `${msText(busy(ours.threads) - busy(theirs.threads))} more CPU than the ${base} process ` +
    `(profiled run, all threads), mostly ${rows.map(([bucket, value]) => `${bucket} +${msText(value)}`).join('; ')}`
  );
}

/** `1 x \`dist/blocking-worker.cjs\` (at +262 ms to +291 ms), each busy 180 ms (largest: …)` */
function threadsText(data: ColdData, mode: ModeId): string {
  const profile = profileOf(data, mode);
  if (!profile) return '';
  const workers = threadGroups(profile.threads).filter((group) => group[0]!.threadId !== 0);
  if (workers.length === 0) return ' It starts no worker thread.';
  const main = profile.threads.find((thread) => thread.threadId === 0);
  const parked = main ? bucketTotal([main], WAITING_PARKED) : 0;
  const groups = workers.map((group) => {
    const starts = group.map((thread) => thread.startMs);
    const busy = group.reduce((sum, thread) => sum + thread.busyMs, 0) / group.length;
    const top = busyBuckets(group)
      .slice(0, 3)
      .map(([bucket, value]) => `${bucket} ${msText(value / group.length)}`);
    return (
      `${group.length} x ${group[0]!.role} (at +${msText(Math.min(...starts))}` +
      `${group.length > 1 ? ` to +${msText(Math.max(...starts))}` : ''}), each busy ${msText(busy)} ` +
      `(largest: ${top.join('; ')})`
    );
  });
  return (
    ` Besides its main thread it starts ${groups.join(', and ')}` +
    `${parked > 1 ? `; the main thread is parked in \`Atomics.wait\` for ${msText(parked)}` : ''}.`
  );
}

function ladderText(data: ColdData): string {
  const atImport = data.ladder.filter((entry) => entry.loaded === 'at import');
  const parts = atImport.map((entry) => `${entry.label} ${fmtMs(entry.importMs.median)}`);
  const own = data.ladder.find((entry) => entry.id === 'rickmorty-client');
  return (
    `Importing the package takes ${fmtMs(own?.importMs.median ?? Number.NaN)} in a fresh process; ` +
    `what it loads at import, each imported alone: ${parts.join(', ')} (the import table; shared ` +
    'parts such as undici count in each).'
  );
}

export function coldFindings(data: ColdData): Record<string, string> {
  const memoryThreads = profileOf(data, 'make-async')?.threads.length ?? 0;
  return {
    [COLD_TARGETS.async.name]: `${differences(data, 'async', 'fetch')}. ${ladderText(data)}`,
    [COLD_TARGETS.blocking.name]:
      `${differences(data, 'blocking', 'fetch')}.${threadsText(data, 'blocking')} ` +
      ladderText(data),
    [COLD_TARGETS['make-async'].name]:
      `${differences(data, 'make-async', 'fetch')}.${threadsText(data, 'make-async')}`,
    [COLD_TARGETS.memory.name]:
      `the process runs ${memoryThreads} threads, each a V8 isolate with its own heap and its own ` +
      `copy of every module it loads.${threadsText(data, 'make-async')}`,
    [COLD_TARGETS.import.name]: `${differences(data, 'import', 'empty')}. ${ladderText(data)}`,
  };
}

// --- The section ---------------------------------------------------------------------------------

function waysTable(data: ColdData): string {
  const fetch = ms(data, 'fetch');
  return table(
    [
      'process',
      'first record (median)',
      'min – max',
      'x raw fetch',
      'all its records',
      'exit',
      'peak memory (max RSS)',
      'n',
    ],
    data.ways.map((entry) => [
      entry.label + (entry.error ? ` (failed: ${entry.error.split('\n')[0]})` : ''),
      fmtMs(entry.first.median),
      range(entry.first),
      entry.id === 'empty' || entry.id === 'import' ? '–' : fmtRatio(entry.first.median / fetch),
      fmtMs(entry.done.median),
      fmtMs(entry.exit.median),
      fmtBytes(entry.peak.median),
      String(entry.first.n),
    ]),
  );
}

function ladderTable(data: ColdData): string {
  return table(
    ['imported alone', 'loaded by the package', 'import (median)', 'min – max', 'process'],
    data.ladder.map((entry) => [
      entry.label,
      entry.loaded,
      fmtMs(entry.importMs.median),
      range(entry.importMs),
      fmtMs(entry.wallMs.median),
    ]),
  );
}

function bucketsTable(profiles: readonly ColdProfile[]): string {
  const shown = profiles.filter((profile) => !profile.error);
  const totals = new Map<string, number>();
  for (const profile of shown) {
    for (const [bucket, value] of busyBuckets(profile.threads)) {
      totals.set(bucket, Math.max(totals.get(bucket) ?? 0, value));
    }
  }
  const rows = [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 16)
    .map(([bucket]) => bucket);
  const busy = (threads: readonly ThreadFigures[]) =>
    threads.reduce((sum, thread) => sum + thread.busyMs, 0);
  return table(
    ['ms of CPU (all threads, waiting left out)', ...shown.map((profile) => profile.mode)],
    [
      ...rows.map((bucket) => [
        bucket,
        ...shown.map((profile) => msText(bucketTotal(profile.threads, bucket))),
      ]),
      ['**busy, all threads**', ...shown.map((profile) => msText(busy(profile.threads)))],
      ['threads', ...shown.map((profile) => String(profile.threads.length))],
      ['first record in this profiled run', ...shown.map((profile) => fmtMs(profile.firstMs))],
    ],
  );
}

function threadsTable(profiles: readonly ColdProfile[]): string {
  const rows = profiles.flatMap((profile) =>
    threadGroups(profile.threads).map((group) => {
      const starts = group.map((thread) => thread.startMs);
      const each = (value: number) => msText(value / group.length);
      const busy = group.reduce((sum, thread) => sum + thread.busyMs, 0);
      const sampled = group.reduce((sum, thread) => sum + thread.sampledMs, 0);
      return [
        profile.mode,
        `${group.length} x ${group[0]!.role}`,
        group[0]!.threadId === 0
          ? '–'
          : `+${msText(Math.min(...starts))}${group.length > 1 ? ` – ${msText(Math.max(...starts))}` : ''}`,
        `${each(busy)} of ${each(sampled)}`,
        busyBuckets(group)
          .slice(0, 3)
          .map(([bucket, value]) => `${bucket} ${each(value)}`)
          .join('; '),
      ];
    }),
  );
  return table(
    ['process', 'threads', 'started after main', 'busy of sampled (each)', 'largest (each)'],
    rows,
  );
}

export function renderColdStart(data: ColdData): Rendered {
  const failedProfiles = data.profiles.filter((profile) => profile.error);
  return {
    section:
      '## 5. Cold start: whole processes to the first record\n\n' +
      `Each process is started fresh, ${data.reps} times, round-robin with the others (the order ` +
      'rotated every round, after one untimed round), against the zero-latency replica in its own ' +
      'process. Times run from just before `spawn` to the moment the child reports its first ' +
      'validated record (the raw `fetch` process checks the id and name; the client validates ' +
      'with its schema as always); for `empty` and `import`, to the end of the script or of the ' +
      'import. `x raw fetch` divides by the raw `fetch` process; the makeAsync target is measured ' +
      'to all three records (`all its records`). `exit` is when the process ended by itself after ' +
      'closing what it opened. Peak memory is VmHWM when done.\n\n' +
      waysTable(data) +
      `\n\n### What the import loads, module by module (fresh \`node --input-type=module -e\` processes in the package's directory, median of ${data.ladderReps})\n\n` +
      'The modules the root entry imports statically are read from the build (esbuild metafile); ' +
      "the package's other dependencies are loaded later, if ever. Each is imported alone, so " +
      'what two of them share (Node built-ins such as undici) counts in both.\n\n' +
      ladderTable(data) +
      '\n\n### Where the time goes (one run of each under `node --cpu-prof`, 100 µs sampling)\n\n' +
      'Every sample of every thread is put in one bucket: who caused it (the innermost frame of a ' +
      "package, of the client's dist/, or of the child script) and what it was (its own code, " +
      'loading the modules it requires, Node built-ins it reached first); the ES module loader ' +
      'linking a static import graph runs on no package frame and is one bucket. Profiling ' +
      'slows every process, so read the proportions, not the totals; and the ' +
      'figures are sampled wall-clock time of each thread, so with more threads than cores a ' +
      'thread waiting for a core counts where it resumes.\n\n' +
      bucketsTable(data.profiles) +
      '\n\nThreads of each process (`started after main`: when its profile began; `busy`: not idle ' +
      'and not parked in `Atomics.wait`):\n\n' +
      threadsTable(data.profiles) +
      (failedProfiles.length
        ? `\n\nProfiles that failed: ${failedProfiles.map((profile) => `${profile.mode}: ${profile.error}`).join('; ')}`
        : ''),
  };
}
