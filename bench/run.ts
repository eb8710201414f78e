/**
 * The benchmark suite: `npm run bench` (node --import tsx bench/run.ts).
 *
 * Builds the package (`npm run build`; `--no-build` skips it), starts the API replica in a child
 * process (bench/replica-process.ts: one server with L = 100 ms of latency, one with none), and
 * measures the BUILT client (dist/) against the peer client `rickmortyapi` and raw `fetch`:
 *
 *   1. characters [1, 10, 100] at latency L, every way of reading them;
 *   2. many ids (all 826, and 100 seeded random ids) at latency L;
 *   3. zero-latency throughput and per-call cost;
 *   4. peak memory, cold import time and the browser bundle of the async path;
 *
 * plus the makeAsync demo (bench/make-async-demo.ts). Each way runs round-robin with the others of
 * its scenario, medians are quoted with min and max, and the report goes to stdout and to
 * docs/benchmarks.md (`--quick`: fewer repetitions, stdout only).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { runChild } from './lib/child.js';
import { distDir, distUrl, snapshotDist } from './lib/dist.js';
import { startHandoff } from './lib/handoff.js';
import { measureLayers } from './lib/layers.js';
import {
  fmtBytes,
  fmtMs,
  fmtRatio,
  randomIds,
  runPool,
  type Summary,
  summarize,
  table,
} from './lib/measure.js';
import { type MicroStep, measureInMemoryStack, measureMicro } from './lib/micro.js';
import { PEER_BASE, peer, peerData, withPeerFetch } from './lib/peer.js';
import { type ReplicaProcess, startReplicaProcess } from './lib/replica.js';
import { runWays, type Way, type WayResult } from './lib/suite.js';
import { describeDemo, type MakeAsyncDemoResult, makeAsyncDemo } from './make-async-demo.js';
import { describeProfile, profile } from './profile.js';

type Lib = typeof import('../src/index.js');
type Client = InstanceType<Lib['RickMortyClient']>;
type Named = { readonly id: number; readonly name: string };

// --- Settings ----------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const BUILD = !argv.includes('--no-build');
const WRITE_DOC = !QUICK && !argv.includes('--no-doc');
const COMMAND = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;

const L = 100; // ms of server latency: the physical limit of one round trip
const REPS_S1 = QUICK ? 2 : 7; // [1, 10, 100]
const REPS_S2 = QUICK ? 1 : 5; // many ids, fast ways
const REPS_S2_SLOW = QUICK ? 1 : 3; // many ids, ways that take seconds
const REPS_THROUGHPUT = QUICK ? 2 : 5;
const THROUGHPUT_REQUESTS = QUICK ? 1000 : 3000;
const CONCURRENCY = 10;
const REPS_PER_CALL = QUICK ? 3 : 9;
const PER_CALL_REQUESTS = QUICK ? 100 : 300;
/** Calls before the timed ones: the JIT needs a few hundred to settle (the blocking path most). */
const PER_CALL_WARMUP = QUICK ? 100 : 500;
const REPS_MEMORY = QUICK ? 1 : 3;
const REPS_IMPORT = QUICK ? 3 : 15;
const REPS_LAYERS = QUICK ? 2 : 5;
const LAYER_REQUESTS = QUICK ? 500 : 1500;
const REPS_MICRO = QUICK ? 3 : 7;
const MICRO_ITERATIONS = QUICK ? 1000 : 3000;
const RANDOM_SEED = 42;
const RUN_DEADLINE_MS = 10 * 60_000;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PEER_PATH = createRequire(import.meta.url).resolve('rickmortyapi');
const PEER_URL = pathToFileURL(PEER_PATH).href;
const DOC = path.join(ROOT, 'docs/benchmarks.md');

const deadline = setTimeout(() => {
  console.error(`bench: gave up after ${RUN_DEADLINE_MS / 60_000} minutes`);
  process.exit(1);
}, RUN_DEADLINE_MS);
deadline.unref();

const progress = (line: string) => process.stderr.write(`${line}\n`);

// --- Checks of what each way returned -------------------------------------------------------------

const TRIO = [1, 10, 100];
const TRIO_NAMES = ['Rick Sanchez', 'Alan Rails', 'Bubonic Plague'];

function expectIds(expected: readonly number[], ordered = true) {
  return (result: unknown) => {
    const records = result as readonly Named[];
    if (!Array.isArray(records) || records.length !== expected.length) {
      throw new Error(
        `expected ${expected.length} records, got ${Array.isArray(records) ? records.length : typeof records}`,
      );
    }
    const got = records.map((record) => record.id);
    const want = ordered ? expected : [...expected].sort((a, b) => a - b);
    const have = ordered ? got : [...got].sort((a, b) => a - b);
    if (have.some((id, index) => id !== want[index])) throw new Error('wrong records returned');
  };
}

function expectTrio(result: unknown) {
  const names = (result as readonly Named[]).map((record) => record.name);
  if (names.join('|') !== TRIO_NAMES.join('|')) throw new Error(`wrong names: ${names.join(', ')}`);
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  const text = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  return JSON.parse(text);
}

// --- Report helpers ----------------------------------------------------------------------------

interface BenchWay extends Way {
  /** The peer's way to compare with, by id. */
  readonly peerRef?: string;
  /** The raw-fetch way to compare with, by id. */
  readonly fetchRef?: string;
  /** Records or requests one run handles, for the notes. */
  readonly note?: string;
}

interface Target {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | undefined;
  readonly why?: string;
}

const targets: Target[] = [];
const sections: string[] = [];
/** Minified + gzip bytes of each async-path dependency bundled alone. */
const dependencySizes = new Map<string, number>();
/** Profiles of missed targets, at the end of the doc. */
const appendix: string[] = [];
/** Process warnings seen during the run (e.g. MaxListenersExceededWarning). */
const warnings = new Map<string, number>();
process.on('warning', (warning) => {
  const key = `${warning.name}: ${warning.message}`;
  warnings.set(key, (warnings.get(key) ?? 0) + 1);
});

function range(summary: Summary): string {
  return summary.n > 1 ? `${fmtMs(summary.min)} – ${fmtMs(summary.max)}` : '–';
}

function latencyTable(results: readonly WayResult<BenchWay>[]): string {
  const byId = new Map(results.map((result) => [result.way.id, result]));
  const ratio = (result: WayResult<BenchWay>, ref: string | undefined) => {
    const other = ref ? byId.get(ref) : undefined;
    return other && other.ms.n > 0 ? fmtRatio(result.ms.median / other.ms.median) : '–';
  };
  return table(
    ['way', 'requests', 'median', 'min – max', 'n', 'x L', 'x peer', 'x fetch'],
    results.map((result) => [
      result.way.label + (result.error ? ` (failed: ${result.error})` : ''),
      result.requests === undefined ? '–' : String(result.requests),
      fmtMs(result.ms.median),
      range(result.ms),
      String(result.ms.n),
      fmtRatio(result.ms.median / L),
      ratio(result, result.way.peerRef),
      ratio(result, result.way.fetchRef),
    ]),
  );
}

function median(results: readonly WayResult<BenchWay>[], id: string): number {
  return results.find((result) => result.way.id === id)?.ms.median ?? NaN;
}

function xL(ms: number): string {
  return `${fmtMs(ms)} = ${(ms / L).toFixed(2)} x L`;
}

// --- Child processes ---------------------------------------------------------------------------

function lastJsonLine<T>(stdout: string): T {
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as T;
}

// --- 0. Build ----------------------------------------------------------------------------------

function build(): string {
  if (!BUILD) return 'skipped (`--no-build`): measured the dist/ already there';
  progress('bench: npm run build');
  const result = spawnSync('npm', ['run', 'build'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (result.status === 0) {
    return '`npm run build` just before the run, then copied to a temporary snapshot that the run measures';
  }
  progress(result.stdout?.slice(-2000) ?? '');
  progress(result.stderr?.slice(-2000) ?? '');
  throw new Error('npm run build failed; rerun with --no-build to measure the existing dist/');
}

// --- 1. Characters [1, 10, 100] at latency L ----------------------------------------------------

interface Clients {
  readonly byDefault: Client;
  readonly noBatch: Client;
  readonly pooled: Client;
  readonly pooledBatch: Client;
  close(): Promise<void>;
}

function makeClients(lib: Lib, baseUrl: string): Clients {
  const byDefault = new lib.RickMortyClient({ baseUrl });
  const noBatch = new lib.RickMortyClient({ baseUrl, batch: false });
  // A warm pool must stay warm while the other ways run between its repetitions: the default
  // idleTimeout (1 s) would let its threads exit and every repetition would be a cold start.
  const transport = lib.makeAsync(lib.createBlockingTransport(), { idleTimeout: 120_000 });
  const pooled = new lib.RickMortyClient({ baseUrl, transport, batch: false });
  const pooledBatch = new lib.RickMortyClient({ baseUrl, transport });
  return {
    byDefault,
    noBatch,
    pooled,
    pooledBatch,
    async close() {
      await Promise.all([byDefault.close(), noBatch.close(), transport.close()]);
    },
  };
}

async function scenarioTrio(lib: Lib, baseUrl: string, replica: ReplicaProcess, clients: Clients) {
  progress(`bench: 1. characters [1, 10, 100] at L = ${L} ms`);
  const { byDefault, noBatch, pooled, pooledBatch } = clients;
  let cold: { client: Client; transport: { close(): Promise<void> } } | undefined;
  const ways: BenchWay[] = [
    {
      id: 'blocking-serial',
      label: '`getCharacter(id)` x 3, one after another (blocking)',
      run: () => TRIO.map((id) => byDefault.getCharacter(id)),
      check: expectTrio,
      fetchRef: 'fetch-serial',
      peerRef: 'peer-serial',
    },
    {
      id: 'blocking-batch',
      label: '`getCharacters([1, 10, 100])` (blocking, batched)',
      run: () => byDefault.getCharacters(TRIO),
      check: expectTrio,
      fetchRef: 'fetch-all',
      peerRef: 'peer-array',
    },
    {
      id: 'async-all',
      label: '`Promise.all` of `getCharacterAsync(id)`',
      run: () => Promise.all(TRIO.map((id) => byDefault.getCharacterAsync(id))),
      check: expectTrio,
      fetchRef: 'fetch-all',
      peerRef: 'peer-all',
    },
    {
      id: 'async-nobatch',
      label: '`getCharactersAsync(ids)`, `batch: false` (per id)',
      run: () => noBatch.getCharactersAsync(TRIO),
      check: expectTrio,
      fetchRef: 'fetch-all',
      peerRef: 'peer-all',
    },
    {
      id: 'async-batch',
      label: '`getCharactersAsync([1, 10, 100])` (batched)',
      run: () => byDefault.getCharactersAsync(TRIO),
      check: expectTrio,
      fetchRef: 'fetch-all',
      peerRef: 'peer-array',
    },
    {
      id: 'pool-nobatch',
      label: '`makeAsync(createBlockingTransport())`, per id, warm pool',
      // Two warm-ups of three at once: every pool thread the run uses (and its worker) is started.
      warmup: async () => {
        await pooled.getCharactersAsync(TRIO);
        return pooled.getCharactersAsync(TRIO);
      },
      run: () => pooled.getCharactersAsync(TRIO),
      check: expectTrio,
      fetchRef: 'fetch-all',
      peerRef: 'peer-all',
    },
    {
      id: 'pool-batch',
      label: '`makeAsync(createBlockingTransport())`, batched, warm pool',
      run: () => pooledBatch.getCharactersAsync(TRIO),
      check: expectTrio,
      fetchRef: 'fetch-all',
      peerRef: 'peer-array',
    },
    {
      id: 'pool-cold',
      label: '`makeAsync(createBlockingTransport())`, per id, cold (new pool each time)',
      setup: () => {
        const transport = lib.makeAsync(lib.createBlockingTransport());
        cold = {
          transport,
          client: new lib.RickMortyClient({ baseUrl, transport, batch: false }),
        };
      },
      run: () => cold!.client.getCharactersAsync(TRIO),
      teardown: async () => {
        await cold?.transport.close();
        cold = undefined;
      },
      check: expectTrio,
      fetchRef: 'fetch-all',
      peerRef: 'peer-all',
    },
    {
      id: 'peer-serial',
      label: 'peer `getCharacter(id)` x 3, one after another',
      run: () =>
        withPeerFetch(baseUrl, async () => {
          const records: unknown[] = [];
          for (const id of TRIO) records.push(peerData(await peer.getCharacter(id)));
          return records;
        }),
      check: expectTrio,
    },
    {
      id: 'peer-all',
      label: 'peer `Promise.all` of `getCharacter(id)`',
      run: () =>
        withPeerFetch(baseUrl, async () =>
          (await Promise.all(TRIO.map((id) => peer.getCharacter(id)))).map(peerData),
        ),
      check: expectTrio,
    },
    {
      id: 'peer-array',
      label: 'peer `getCharacter([1, 10, 100])` (batched)',
      run: () => withPeerFetch(baseUrl, async () => peerData(await peer.getCharacter(TRIO))),
      check: expectTrio,
    },
    {
      id: 'fetch-serial',
      label: '`fetch` + `JSON.parse` x 3, one after another',
      run: async () => {
        const records: unknown[] = [];
        for (const id of TRIO) records.push(await getJson(`${baseUrl}/character/${id}`));
        return records;
      },
      check: expectTrio,
    },
    {
      id: 'fetch-all',
      label: '`Promise.all` of `fetch` + `JSON.parse`',
      run: () => Promise.all(TRIO.map((id) => getJson(`${baseUrl}/character/${id}`))),
      check: expectTrio,
    },
  ];
  const results = await runWays(ways, { reps: REPS_S1, replica, latency: L, log: progress });
  const m = (id: string) => median(results, id);

  const concurrent = ['blocking-batch', 'async-all', 'async-nobatch', 'async-batch'];
  const worst = concurrent.reduce((a, b) => (m(a) >= m(b) ? a : b));
  targets.push({
    name: '[1, 10, 100]: every concurrent or batched way of the client',
    goal: '<= 1.2 x L',
    measured: `worst ${xL(m(worst))} (${ways.find((way) => way.id === worst)!.label})`,
    met: m(worst) <= 1.2 * L,
  });
  const poolWorst = m('pool-nobatch') >= m('pool-batch') ? 'pool-nobatch' : 'pool-batch';
  targets.push({
    name: '[1, 10, 100]: makeAsync over the blocking transport (warm pool)',
    goal: '<= 1.3 x L',
    measured: `per id ${xL(m('pool-nobatch'))}; batched ${xL(m('pool-batch'))}; cold pool ${xL(m('pool-cold'))} (no target)`,
    met: m(poolWorst) <= 1.3 * L,
  });
  FINDINGS.set(
    '[1, 10, 100]: makeAsync over the blocking transport (warm pool)',
    `the async client does the same three requests in ${fmtMs(m('async-nobatch'))}, so the pool adds ` +
      `${fmtMs(m('pool-nobatch') - m('async-nobatch'))}: each request is a piscina task (a structured ` +
      'clone to a pool thread and back) that parks its pool thread in `Atomics.wait` while that ' +
      "thread's own blocking-transport worker makes the request: two thread hops each way, on 2 " +
      'shared cores with 6 threads awake. Compare the min of the row with its median: the spread ' +
      'is scheduling noise.',
  );
  targets.push({
    name: '[1, 10, 100]: blocking, one after another',
    goal: 'about 3 x L (<= 3.3 x L)',
    measured: xL(m('blocking-serial')),
    met: m('blocking-serial') <= 3.3 * L,
  });

  sections.push(
    `## 1. Characters [1, 10, 100] at L = ${L} ms\n\n` +
      `Each way runs ${REPS_S1} times, round-robin with the others, after one untimed warm-up ` +
      '(`requests` is what the replica saw during that warm-up). `x peer` compares with the peer ' +
      "client's matching way (one after another, per id together, or batched); `x fetch` with " +
      'raw `fetch` done the same way (serial or `Promise.all`).\n\n' +
      latencyTable(results),
  );
  return results;
}

// --- 2. Many ids at latency L -------------------------------------------------------------------

async function scenarioMany(baseUrl: string, replica: ReplicaProcess, clients: Clients) {
  progress(`bench: 2. many ids at L = ${L} ms`);
  const { byDefault, noBatch } = clients;
  const total = ((await getJson(`${baseUrl}/character`)) as { info: { count: number } }).info.count;
  const all = Array.from({ length: total }, (_, index) => index + 1);
  const random = randomIds(100, total, RANDOM_SEED);
  const chunks = (ids: readonly number[], size: number) =>
    Array.from({ length: Math.ceil(ids.length / size) }, (_, i) =>
      ids.slice(i * size, i * size + size),
    );
  const warmSmall = () => noBatch.getCharactersAsync([1, 2]);

  const allWays: BenchWay[] = [
    {
      id: 'all-nobatch',
      label: `\`getCharactersAsync(1..${total})\`, \`batch: false\` (per id, concurrency ${CONCURRENCY})`,
      run: () => noBatch.getCharactersAsync(all),
      warmup: null,
      reps: REPS_S2_SLOW,
      check: expectIds(all),
      fetchRef: 'all-fetch-c10',
    },
    {
      id: 'all-batch',
      label: `\`getCharactersAsync(1..${total})\` (batched, 100 ids a request)`,
      run: () => byDefault.getCharactersAsync(all),
      check: expectIds(all),
      peerRef: 'all-peer-array',
      fetchRef: 'all-fetch-batch',
    },
    {
      id: 'all-getall',
      label: '`getAllCharactersAsync()` (page 1, then batches)',
      run: () => byDefault.getAllCharactersAsync(),
      check: expectIds(all),
      peerRef: 'all-peer-pages',
      fetchRef: 'all-fetch-pages',
    },
    {
      id: 'all-getall-pages',
      label: '`getAllCharactersAsync()`, `batch: false` (page 1, then the pages together)',
      run: () => noBatch.getAllCharactersAsync(),
      check: expectIds(all),
      peerRef: 'all-peer-pages',
      fetchRef: 'all-fetch-pages',
    },
    {
      id: 'all-iterate',
      label: '`for await` over `iterateCharacterPagesAsync()` (one page after another)',
      run: async () => {
        const records: Named[] = [];
        for await (const page of byDefault.iterateCharacterPagesAsync())
          records.push(...page.results);
        return records;
      },
      warmup: warmSmall,
      reps: REPS_S2_SLOW,
      check: expectIds(all),
    },
    {
      id: 'all-peer-array',
      label: `peer \`getCharacter([1..${total}])\` (one request)`,
      run: () => withPeerFetch(baseUrl, async () => peerData(await peer.getCharacter(all))),
      check: expectIds(all),
    },
    {
      id: 'all-peer-pages',
      label: 'peer `getCharacters()` page 1, then `Promise.all` of the other pages',
      run: () =>
        withPeerFetch(baseUrl, async () => {
          const first = peerData(await peer.getCharacters());
          const rest = await Promise.all(
            Array.from({ length: first.info!.pages - 1 }, (_, i) =>
              peer.getCharacters({ page: i + 2 }),
            ),
          );
          return [...first.results!, ...rest.flatMap((page) => peerData(page).results!)];
        }),
      check: expectIds(all),
    },
    {
      id: 'all-fetch-c10',
      label: `\`fetch\` per id, concurrency ${CONCURRENCY}`,
      run: async () => {
        const records: unknown[] = new Array(all.length);
        await runPool(all.length, CONCURRENCY, async (i) => {
          records[i] = await getJson(`${baseUrl}/character/${all[i]}`);
        });
        return records;
      },
      warmup: null,
      reps: REPS_S2_SLOW,
      check: expectIds(all),
    },
    {
      id: 'all-fetch-batch',
      label: '`Promise.all` of `fetch` of batches of 100 ids',
      run: async () =>
        (
          await Promise.all(
            chunks(all, 100).map((ids) => getJson(`${baseUrl}/character/${ids.join(',')}`)),
          )
        ).flat(),
      check: expectIds(all),
    },
    {
      id: 'all-fetch-pages',
      label: '`fetch` page 1, then `Promise.all` of the other pages',
      run: async () => {
        type P = { info: { pages: number }; results: Named[] };
        const first = (await getJson(`${baseUrl}/character`)) as P;
        const rest = (await Promise.all(
          Array.from({ length: first.info.pages - 1 }, (_, i) =>
            getJson(`${baseUrl}/character?page=${i + 2}`),
          ),
        )) as P[];
        return [...first.results, ...rest.flatMap((page) => page.results)];
      },
      check: expectIds(all),
    },
  ];
  const randomWays: BenchWay[] = [
    {
      id: 'rnd-nobatch',
      label: `\`getCharactersAsync(100 ids)\`, \`batch: false\` (per id, concurrency ${CONCURRENCY})`,
      run: () => noBatch.getCharactersAsync(random),
      check: expectIds(random),
      peerRef: 'rnd-peer-all',
      fetchRef: 'rnd-fetch-c10',
    },
    {
      id: 'rnd-batch',
      label: '`getCharactersAsync(100 ids)` (batched)',
      run: () => byDefault.getCharactersAsync(random),
      check: expectIds(random),
      peerRef: 'rnd-peer-array',
      fetchRef: 'rnd-fetch-batch',
    },
    {
      id: 'rnd-peer-array',
      label: 'peer `getCharacter(100 ids)` (one request; records in server order)',
      run: () => withPeerFetch(baseUrl, async () => peerData(await peer.getCharacter(random))),
      check: expectIds(random, false),
    },
    {
      id: 'rnd-peer-all',
      label: 'peer `Promise.all` of `getCharacter(id)` (100 at once, no limit)',
      run: () =>
        withPeerFetch(baseUrl, async () =>
          (await Promise.all(random.map((id) => peer.getCharacter(id)))).map(peerData),
        ),
      check: expectIds(random),
    },
    {
      id: 'rnd-fetch-c10',
      label: `\`fetch\` per id, concurrency ${CONCURRENCY}`,
      run: async () => {
        const records: unknown[] = new Array(random.length);
        await runPool(random.length, CONCURRENCY, async (i) => {
          records[i] = await getJson(`${baseUrl}/character/${random[i]}`);
        });
        return records;
      },
      check: expectIds(random),
    },
    {
      id: 'rnd-fetch-batch',
      label: '`fetch` of the 100 ids in one batch (server order)',
      run: () => getJson(`${baseUrl}/character/${random.join(',')}`),
      check: expectIds(random, false),
    },
  ];

  const allResults = await runWays(allWays, { reps: REPS_S2, replica, latency: L, log: progress });
  const randomResults = await runWays(randomWays, {
    reps: REPS_S2,
    replica,
    latency: L,
    log: progress,
  });
  const m = (id: string) => median(allResults, id);
  const worst = m('all-batch') >= m('all-getall') ? 'all-batch' : 'all-getall';
  targets.push({
    name: `All ${total} characters: batched and via getAll`,
    goal: '<= 3 x L in total',
    measured: `batched ${xL(m('all-batch'))}; getAllCharactersAsync ${xL(m('all-getall'))}`,
    met: m(worst) <= 3 * L,
  });

  const shownRandom = random.slice(0, 8).join(', ');
  sections.push(
    `## 2. Many ids at L = ${L} ms\n\n` +
      `### All ${total} characters\n\n` +
      `Fast ways run ${REPS_S2} times, the ones that take seconds ${REPS_S2_SLOW} times. ` +
      'The slow per-id ways get no warm-up (their clients are warm from scenario 1), so their ' +
      '`requests` column is empty.\n\n' +
      latencyTable(allResults) +
      `\n\n### 100 random ids (seed ${RANDOM_SEED}: ${shownRandom}, …)\n\n` +
      latencyTable(randomResults),
  );
  return { allResults, randomResults, total };
}

// --- 3. Zero latency: throughput and per-call cost ---------------------------------------------

async function scenarioZero(lib: Lib, baseUrl: string, total: number) {
  progress('bench: 3. zero latency');
  // Cache off (the default) and dedupe off; distinct ids cycling 1..total anyway.
  const client = new lib.RickMortyClient({ baseUrl, batch: false, dedupe: false });
  // The same client with the transport's `engine: 'fetch'`: what ky itself costs.
  const leanClient = new lib.RickMortyClient({
    baseUrl,
    batch: false,
    dedupe: false,
    transport: lib.createHttpTransport({ engine: 'fetch' }),
  });
  const N = THROUGHPUT_REQUESTS;
  const idAt = (i: number) => (i % total) + 1;
  const checkOne = (record: Named, i: number) => {
    if (record.id !== idAt(i)) throw new Error(`wrong record ${record.id} for ${idAt(i)}`);
  };
  const throughputWays: BenchWay[] = [
    {
      id: 'thr-client',
      label: `client \`getCharacterAsync(id)\`, concurrency ${CONCURRENCY}`,
      run: () =>
        runPool(N, CONCURRENCY, async (i) => checkOne(await client.getCharacterAsync(idAt(i)), i)),
      warmup: () => runPool(500, CONCURRENCY, (i) => client.getCharacterAsync(idAt(i))),
      reps: REPS_THROUGHPUT,
    },
    {
      id: 'thr-client-fetch',
      label: `client \`getCharacterAsync(id)\` with \`createHttpTransport({ engine: 'fetch' })\`, concurrency ${CONCURRENCY}`,
      run: () =>
        runPool(N, CONCURRENCY, async (i) =>
          checkOne(await leanClient.getCharacterAsync(idAt(i)), i),
        ),
      warmup: () => runPool(500, CONCURRENCY, (i) => leanClient.getCharacterAsync(idAt(i))),
      reps: REPS_THROUGHPUT,
    },
    {
      id: 'thr-fetch',
      label: `raw \`fetch\` + \`JSON.parse\`, concurrency ${CONCURRENCY}`,
      run: () =>
        runPool(N, CONCURRENCY, async (i) =>
          checkOne((await getJson(`${baseUrl}/character/${idAt(i)}`)) as Named, i),
        ),
      warmup: () => runPool(500, CONCURRENCY, (i) => getJson(`${baseUrl}/character/${idAt(i)}`)),
      reps: REPS_THROUGHPUT,
    },
    {
      id: 'thr-peer',
      label: `peer \`getCharacter(id)\`, concurrency ${CONCURRENCY} (through the rewriting \`fetch\`)`,
      run: () =>
        withPeerFetch(baseUrl, () =>
          runPool(N, CONCURRENCY, async (i) =>
            checkOne(peerData(await peer.getCharacter(idAt(i))) as Named, i),
          ),
        ),
      warmup: () =>
        withPeerFetch(baseUrl, () => runPool(500, CONCURRENCY, (i) => peer.getCharacter(idAt(i)))),
      reps: REPS_THROUGHPUT,
    },
  ];
  const P = PER_CALL_REQUESTS;
  const httpTransport = lib.createHttpTransport();
  const blockingTransport = lib.createBlockingTransport();
  const handoff = startHandoff();
  const record = JSON.stringify(await getJson(`${baseUrl}/character/1`));
  const requestAt = (i: number) => ({
    method: 'GET' as const,
    url: `${baseUrl}/character/${idAt(i)}`,
  });
  const perCallWays: BenchWay[] = [
    {
      id: 'seq-blocking',
      label: '`getCharacter(id)` (blocking), one after another',
      run: () => {
        for (let i = 0; i < P; i++) checkOne(client.getCharacter(idAt(i)), i);
      },
      warmup: () => {
        for (let i = 0; i < PER_CALL_WARMUP; i++) client.getCharacter(idAt(i));
      },
    },
    {
      id: 'seq-async',
      label: '`await getCharacterAsync(id)`, one after another',
      run: async () => {
        for (let i = 0; i < P; i++) checkOne(await client.getCharacterAsync(idAt(i)), i);
      },
      warmup: async () => {
        for (let i = 0; i < PER_CALL_WARMUP; i++) await client.getCharacterAsync(idAt(i));
      },
    },
    {
      id: 'seq-fetch',
      label: '`await fetch` + `JSON.parse`, one after another',
      run: async () => {
        for (let i = 0; i < P; i++)
          checkOne((await getJson(`${baseUrl}/character/${idAt(i)}`)) as Named, i);
      },
      warmup: async () => {
        for (let i = 0; i < PER_CALL_WARMUP; i++) await getJson(`${baseUrl}/character/${idAt(i)}`);
      },
    },
    {
      id: 'seq-blocking-transport',
      label: 'transport only: `createBlockingTransport().requestSync()`, one after another',
      run: () => {
        for (let i = 0; i < P; i++) blockingTransport.requestSync(requestAt(i));
      },
      warmup: () => {
        for (let i = 0; i < PER_CALL_WARMUP; i++) blockingTransport.requestSync(requestAt(i));
      },
    },
    {
      id: 'seq-http-transport',
      label: 'transport only: `await createHttpTransport().request()`, one after another',
      run: async () => {
        for (let i = 0; i < P; i++) await httpTransport.request(requestAt(i));
      },
      warmup: async () => {
        for (let i = 0; i < PER_CALL_WARMUP; i++) await httpTransport.request(requestAt(i));
      },
    },
    {
      id: 'seq-handoff',
      label: `thread handoff alone, no HTTP (postMessage a ${record.length}-byte body, \`Atomics.wait\`, echo, \`Atomics.notify\`)`,
      run: () => {
        for (let i = 0; i < P; i++) handoff.call(record);
      },
      warmup: () => {
        for (let i = 0; i < 100; i++) handoff.call(record);
      },
    },
    {
      id: 'seq-peer',
      label: 'peer `await getCharacter(id)`, one after another',
      run: () =>
        withPeerFetch(baseUrl, async () => {
          for (let i = 0; i < P; i++)
            checkOne(peerData(await peer.getCharacter(idAt(i))) as Named, i);
        }),
      warmup: () =>
        withPeerFetch(baseUrl, async () => {
          for (let i = 0; i < PER_CALL_WARMUP; i++) await peer.getCharacter(idAt(i));
        }),
    },
  ];
  let throughput: WayResult<BenchWay>[];
  let perCall: WayResult<BenchWay>[];
  try {
    throughput = await runWays(throughputWays, { reps: REPS_THROUGHPUT, log: progress });
    perCall = await runWays(perCallWays, { reps: REPS_PER_CALL, log: progress });
  } finally {
    await Promise.all([client.close(), blockingTransport.close(), handoff.close()]);
  }
  const rps = (_result: WayResult<BenchWay>, value: number) => (N / value) * 1000;
  const byId = (results: readonly WayResult<BenchWay>[], id: string) =>
    results.find((result) => result.way.id === id)!;
  const fetchRps = rps(byId(throughput, 'thr-fetch'), byId(throughput, 'thr-fetch').ms.median);
  const thrRows = throughput.map((result) => {
    const s = result.ms;
    const r = rps(result, s.median);
    return [
      result.way.label + (result.error ? ` (failed: ${result.error})` : ''),
      `${r.toFixed(0)}/s`,
      `${rps(result, s.max).toFixed(0)} – ${rps(result, s.min).toFixed(0)}`,
      String(s.n),
      fmtRatio(r / fetchRps),
      `${((result.cpuMs.median / N) * 1000).toFixed(0)} µs`,
    ];
  });
  const perCallUs = (_result: WayResult<BenchWay>, ms: number) => (ms / P) * 1000;
  const seqAsync = byId(perCall, 'seq-async');
  const seqBlocking = byId(perCall, 'seq-blocking');
  const seqFetch = byId(perCall, 'seq-fetch');
  const callRows = perCall.map((result) => [
    result.way.label + (result.error ? ` (failed: ${result.error})` : ''),
    `${perCallUs(result, result.ms.median).toFixed(0)} µs`,
    `${perCallUs(result, result.ms.min).toFixed(0)} – ${perCallUs(result, result.ms.max).toFixed(0)} µs`,
    String(result.ms.n),
    `${(perCallUs(result, result.ms.median) - perCallUs(seqAsync, seqAsync.ms.median)).toFixed(0)} µs`,
    `${(perCallUs(result, result.ms.median) - perCallUs(seqFetch, seqFetch.ms.median)).toFixed(0)} µs`,
    `${((result.cpuMs.median / P) * 1000).toFixed(0)} µs`,
  ]);

  const clientRatio =
    rps(byId(throughput, 'thr-client'), byId(throughput, 'thr-client').ms.median) / fetchRps;
  const leanRatio =
    rps(byId(throughput, 'thr-client-fetch'), byId(throughput, 'thr-client-fetch').ms.median) /
    fetchRps;
  targets.push({
    name: 'Zero latency: client throughput vs raw fetch + JSON.parse',
    goal: '>= 0.8 x',
    measured: `${fmtRatio(clientRatio)} with the default transport (ky); ${fmtRatio(leanRatio)} with \`engine: 'fetch'\``,
    // The default is what users get; the lean engine is reported beside it.
    met: clientRatio >= 0.8,
  });
  const extraMs =
    (perCallUs(seqBlocking, seqBlocking.ms.median) - perCallUs(seqAsync, seqAsync.ms.median)) /
    1000;
  targets.push({
    name: 'Zero latency: blocking per-call cost above the async one',
    goal: '<= 0.5 ms',
    measured: `${extraMs.toFixed(3)} ms (${callRows[0]![1]} vs ${callRows[1]![1]} a call)`,
    met: extraMs <= 0.5,
  });

  progress('bench: 3b. layers');
  const layers = await measureLayers(lib, baseUrl, {
    requests: LAYER_REQUESTS,
    concurrency: CONCURRENCY,
    reps: REPS_LAYERS,
    total,
    log: progress,
  });
  const layerRows = layers.map((layer, index) => {
    const before = index === 0 ? undefined : layers[index - 1]!;
    return [
      layer.layer.label + (layer.result.error ? ` (failed: ${layer.result.error})` : ''),
      `${layer.rps.toFixed(0)}/s`,
      `${layer.cpuUs.toFixed(0)} µs`,
      before ? `${(layer.cpuUs - before.cpuUs).toFixed(0)} µs` : '–',
      layer.layer.adds,
    ];
  });
  const layerText =
    `### Where the client's cost goes: layer by layer (${LAYER_REQUESTS} requests, ${CONCURRENCY} in flight, median of ${REPS_LAYERS})\n\n` +
    'The same requests through ever more of the stack, from raw `fetch` to `getCharacterAsync`; ' +
    '`added` is the CPU a request this layer adds to the one above it. Over a socket, on shared ' +
    'cores, differences of a few tens of µs are within noise; the in-memory table below isolates ' +
    'the layers without it.\n\n' +
    table(['stack', 'requests/s', 'CPU a request', 'added', 'what the layer adds'], layerRows);

  const layer = (id: string) => layers.find((entry) => entry.layer.id === id)?.cpuUs ?? NaN;
  const us = (value: number) => `${value.toFixed(0)} µs`;
  progress('bench: 3c. in-memory stack and single steps');
  const body = JSON.stringify(await getJson(`${baseUrl}/character/1`));
  const stack = await measureInMemoryStack(lib, body, baseUrl, {
    iterations: MICRO_ITERATIONS,
    reps: REPS_MICRO,
  });
  const steps = measureMicro(lib, body, `${baseUrl}/character/1`, {
    iterations: MICRO_ITERATIONS,
    reps: REPS_MICRO,
  });
  const stepUs = (id: string) =>
    [...stack, ...steps].find((step) => step.id === id)?.us ?? Number.NaN;
  const microRow = (step: MicroStep, before?: MicroStep) => [
    step.label,
    `${step.us.toFixed(1)} µs`,
    `${step.minUs.toFixed(1)} – ${step.maxUs.toFixed(1)}`,
    before ? `${(step.us - before.us).toFixed(1)} µs` : '–',
    step.where,
  ];
  const stackOrder = ['mem-fetch', 'mem-ky', 'mem-transport', 'mem-client'];
  const microText =
    `### The stack without the network (in-memory \`fetch\`, ${MICRO_ITERATIONS} calls one after another, median of ${REPS_MICRO})\n\n` +
    'Each layer over an in-memory `fetch` that answers with a ready `Response`: no socket, no ' +
    'server, so these figures are stable. `added` is over the row above it.\n\n' +
    table(
      ['stack', 'a call', 'min – max', 'added', 'what'],
      stack.map((step) => {
        const index = stackOrder.indexOf(step.id);
        return microRow(
          step,
          index > 0 ? stack.find((other) => other.id === stackOrder[index - 1]) : undefined,
        );
      }),
    ) +
    `\n\n### Single steps the profiles point at (${MICRO_ITERATIONS} in a tight loop, median of ${REPS_MICRO})\n\n` +
    table(
      ['step', 'each', 'min – max', '', 'where the client does it'],
      steps.map((step) => microRow(step)),
    );

  FINDINGS.set(
    'Zero latency: client throughput vs raw fetch + JSON.parse',
    () =>
      `the client is CPU-bound on its own thread: ${us(layer('client'))} of CPU a request against ` +
      `${us(layer('fetch-text'))} for \`fetch\` + \`JSON.parse\` (layer table). Without the network ` +
      `(in-memory table) the whole stack costs ${us(stepUs('mem-client'))} a call against ` +
      `${us(stepUs('mem-fetch'))} for making and reading a \`Response\`; of the difference, ` +
      `**ky takes ${us(stepUs('mem-ky') - stepUs('mem-fetch'))}**, the rest of the HTTP transport ` +
      `${us(stepUs('mem-transport') - stepUs('mem-ky'))} and the client layer ` +
      `${us(stepUs('mem-client') - stepUs('mem-transport'))}: these are floors. Over a real socket, ` +
      `10 in flight, the layer table puts ky at +${us(layer('ky') - layer('fetch-signal'))} and the ` +
      `client layer at +${us(layer('client') - layer('transport-zod'))}` +
      (layer('ky') - layer('fetch-signal') > 1.2 * (stepUs('mem-ky') - stepUs('mem-fetch'))
        ? " (undici's `fetch` copies the `Request` ky built once more and follows its signal; and " +
          'with 10 calls in flight more of what each layer allocates lives long enough to cost GC' +
          (gcShares.ours !== undefined && gcShares.fetch !== undefined
            ? `: GC is ${gcShares.ours.toFixed(0)} % of the client's profile against ` +
              `${gcShares.fetch.toFixed(0)} % of fetch's, appendix)`
            : ')')
        : '') +
      '. Per request ky builds a ' +
      '`Request` and joins two signals with `AbortSignal.any`, then `clone()`s it for retries it ' +
      `never makes (${us(stepUs('request'))} for that step alone, single-steps table). Configured ` +
      'with `retry: 0, throwHttpErrors: false, timeout: false`, ky does nothing here that ' +
      'src/transports/http.ts does not do itself (timeout, body cap, error mapping): **calling ' +
      '`fetch` directly there is the fix**, and it also removes ky from the bundle and its ' +
      "import-time probe (`new Request(…, { body: new ReadableStream() })` in ky's constants.js " +
      'loads undici and web streams when the client is imported). In the transport, `readCapped` ' +
      'reads the body chunk by chunk with a `TextDecoder`; in the client layer, the steps the ' +
      'profile shows are `controller.abort()` at the end of every call (`#async` in src/client.ts, ' +
      `\`.finally(() => controller.abort())\`: ${us(stepUs('abort'))}, half of it the ` +
      `\`DOMException\` made as the default reason; ${us(stepUs('abort-shared'))} with a shared reason), ` +
      `\`allowManyListeners\` on every call (${us(stepUs('max-listeners'))}) and zod ` +
      `(${us(stepUs('zod'))}); the rest is promise and generator machinery (gensync, p-limit, ` +
      'retry, redirects: the async twin costs ' +
      `${us(stepUs('mem-client-canned'))} over a ready answer, the blocking twin ` +
      `${us(stepUs('mem-client-sync'))}) and the garbage it leaves.`,
  );
  const seqUs = (id: string) => {
    const result = byId(perCall, id);
    return result ? perCallUs(result, result.ms.median) : NaN;
  };
  FINDINGS.set(
    'Zero latency: blocking per-call cost above the async one',
    `the thread handoff alone (post, \`Atomics.wait\`, echo, notify) costs ${us(seqUs('seq-handoff'))} ` +
      'a call, and at the transport level the blocking transport takes ' +
      `${us(seqUs('seq-blocking-transport'))} against ${us(seqUs('seq-http-transport'))} for the ` +
      'HTTP transport. A blocking call needs two more thread wake-ups than an async one (the ' +
      "worker's event loop, then the caller's futex); on 2 cores shared with the replica and " +
      'other work each can wait for a time slice, which is why the min – max spread of the ' +
      'blocking rows is wide. The blocking path also warms up slowly: its first few hundred calls ' +
      `cost about twice the settled figure (hence ${PER_CALL_WARMUP} warm-up calls).`,
  );

  if (targets.some((target) => target.name.startsWith('Zero latency') && target.met === false)) {
    progress('bench: profiling the missed zero-latency targets');
    const missedThroughput =
      targets.find((target) => target.name.includes('throughput'))?.met === false;
    const missedBlocking =
      targets.find((target) => target.name.includes('blocking per-call'))?.met === false;
    if (missedThroughput) {
      const ours = await profile('throughput', baseUrl, 3000);
      const theirs = await profile('fetch-throughput', baseUrl, 3000);
      const gcShare = (result: typeof ours) => {
        const thread = result.threads[0];
        const gc = thread?.byCategory.find(([name]) => name === '(garbage collector)')?.[1];
        return thread && gc !== undefined ? (gc / thread.busyMs) * 100 : undefined;
      };
      gcShares.ours = gcShare(ours);
      gcShares.fetch = gcShare(theirs);
      appendix.push(
        describeProfile(ours, { functions: 12 }),
        describeProfile(theirs, { functions: 8 }),
      );
    }
    if (missedBlocking) {
      appendix.push(describeProfile(await profile('blocking', baseUrl, 1000), { functions: 12 }));
      appendix.push(
        describeProfile(await profile('async-serial', baseUrl, 1000), { functions: 8 }),
      );
    }
  }

  sections.push(
    '## 3. Zero latency: throughput and per-call cost\n\n' +
      `### Throughput: ${N} requests for distinct ids cycling 1..${total}, ${CONCURRENCY} in flight\n\n` +
      'Client: `batch: false`, cache off (the default), dedupe off. The replica runs in another ' +
      'process, but on the same 2 cores, so every way is also bounded by the server: the `CPU a ' +
      "request` column (this process's user + system CPU time, all threads, divided by the " +
      'requests) shows what each way costs on the client itself.\n\n' +
      table(['way', 'requests/s (median)', 'min – max', 'n', 'x fetch', 'CPU a request'], thrRows) +
      `\n\n### Per call: ${P} calls one after another\n\n` +
      table(
        ['way', 'a call (median)', 'min – max', 'n', 'above async', 'above fetch', 'CPU a call'],
        callRows,
      ) +
      '\n\n`CPU a call` is process-wide: for the blocking ways it includes the worker thread.\n\n' +
      layerText +
      '\n\n' +
      microText,
  );
  return { throughput, perCall };
}

// --- 4. Memory, import time, bundle ------------------------------------------------------------

async function scenarioFootprint(apiUrl: string) {
  progress('bench: 4. memory, import time, bundle');
  const memoryScript = fileURLToPath(new URL('./child/memory.mjs', import.meta.url));
  const modes = [
    ['import', 'client: import only (baseline)'],
    ['client', 'client: `getAllCharactersAsync()`'],
    ['client-blocking', 'client: `getAllCharacters()` (blocking)'],
    ['peer-import', 'peer: import only (baseline)'],
    ['peer', 'peer: `getCharacter([1..826])` (one request)'],
    ['fetch', 'raw `fetch`: page 1, then the other pages together'],
  ] as const;
  const rss = new Map<string, number[]>(modes.map(([mode]) => [mode, []]));
  const counts = new Map<string, number>();
  for (let rep = 0; rep < REPS_MEMORY; rep++) {
    for (const [mode] of modes) {
      const child = await runChild([memoryScript, mode, apiUrl, distUrl('index.js'), PEER_URL]);
      if (child.code !== 0)
        throw new Error(`memory child ${mode} failed: ${child.stderr.slice(-500)}`);
      const out = lastJsonLine<{ maxRssKiB: number; count: number }>(child.stdout);
      rss.get(mode)!.push(out.maxRssKiB * 1024);
      counts.set(mode, out.count);
    }
  }
  const rssOf = (mode: string) => summarize(rss.get(mode)!);
  const above = (mode: string) =>
    rssOf(mode).median - rssOf(mode.startsWith('peer') ? 'peer-import' : 'import').median;
  const memoryRows = modes.map(([mode, label]) => {
    const s = rssOf(mode);
    return [
      label,
      String(counts.get(mode) ?? 0),
      fmtBytes(s.median),
      s.n > 1 ? `${fmtBytes(s.min)} – ${fmtBytes(s.max)}` : '–',
      mode.endsWith('import') ? '–' : fmtBytes(above(mode)),
      mode.endsWith('import')
        ? fmtRatio(s.median / rssOf('peer-import').median)
        : fmtRatio(above(mode) / above('peer')),
    ];
  });

  // Cold import: a fresh process each time, ours and the peer's interleaved.
  const importScript = (url: string | undefined) =>
    `const t0 = performance.now(); ${url ? `await import(${JSON.stringify(url)});` : ''} ` +
    'const t1 = performance.now(); process.stdout.write(JSON.stringify({ importMs: t1 - t0, readyMs: t1 }));';
  const importModes = [
    ['node', 'node alone (`node -e ""`)', undefined],
    ['ours', "client: `import('./dist/index.js')`", distUrl('index.js')],
    ['peer', "peer: `import('rickmortyapi')`", PEER_URL],
    // The client's dependencies alone, to show which part of the import is whose.
    ...(['zod/mini', 'ky', 'piscina', 'gensync', 'p-limit'] as const).map(
      (name) => [name, `dependency alone: \`import('${name}')\``, name] as const,
    ),
  ] as const;
  const importMs = new Map<string, number[]>(importModes.map(([id]) => [id, []]));
  const wallMs = new Map<string, number[]>(importModes.map(([id]) => [id, []]));
  for (let rep = 0; rep < REPS_IMPORT; rep++) {
    for (const [id, , url] of importModes) {
      const child = await runChild(['--input-type=module', '-e', importScript(url)]);
      if (child.code !== 0)
        throw new Error(`import child ${id} failed: ${child.stderr.slice(-500)}`);
      importMs.get(id)!.push(lastJsonLine<{ importMs: number }>(child.stdout).importMs);
      wallMs.get(id)!.push(child.wallMs);
    }
  }
  const oursImport = summarize(importMs.get('ours')!);
  const peerImport = summarize(importMs.get('peer')!);
  const importRows = importModes.map(([id, label]) => {
    const s = summarize(importMs.get(id)!);
    const w = summarize(wallMs.get(id)!);
    return [
      label,
      fmtMs(s.median),
      range(s),
      fmtMs(w.median),
      range(w),
      id === 'node' ? '–' : fmtRatio(s.median / peerImport.median),
    ];
  });

  const bundle = await bundles();
  targets.push({
    name: 'Async-path browser bundle (entry chunk, minified + gzip)',
    goal: '<= 20 KB (20,000 bytes)',
    measured: `${fmtBytes(bundle.ours.entryGzip)} (${bundle.ours.entryGzip} B); everything it loads statically ${fmtBytes(bundle.ours.staticGzip)}`,
    met: bundle.ours.entryGzip <= 20_000,
  });
  const eagerPiscina = bundle.ours.topInputs.find(([input]) => input === 'piscina')?.[1][1] ?? 0;
  const entryParts = bundle.ours.topInputs
    .filter(([, [entry]]) => entry > 0)
    .sort((a, b) => b[1][0] - a[1][0])
    .map(
      ([input, [entry]]) =>
        `${input.startsWith('dist/') ? `client code${distSources(input)}` : `\`${input}\``} ${fmtBytes(entry)}`,
    );
  FINDINGS.set(
    'Async-path browser bundle (entry chunk, minified + gzip)',
    `${bundle.ours.entryGzip - 20_000} B over. The entry chunk holds (minified, before gzip): ` +
      `${entryParts.join('; ')}. The client code is a class, whose methods all stay (every ` +
      'blocking twin, relation and iterator, used or not), with what it reaches statically: ' +
      'the blocking detector and `createBlockingTransport` (from `#pickBlocking`), which this ' +
      `path never runs. ky alone is ${fmtBytes(dependencySizes.get('ky') ?? Number.NaN)} minified + ` +
      'gzip and buys nothing on this path (see the throughput finding): with ky swapped for a ' +
      `one-line \`fetch\` shim (what-if row) the entry is ${fmtBytes(bundle.noKy.entryGzip)} ` +
      `(${bundle.noKy.entryGzip} B)${bundle.noKy.entryGzip <= 20_000 ? ', under the target' : ''}.` +
      (eagerPiscina > 0
        ? ' Beyond the entry chunk, the page also loads at once a shared chunk with piscina ' +
          `(${fmtBytes(eagerPiscina)} minified, with Node-only \`require\`s of worker_threads, os, ` +
          "url…): `dist/index.js` re-exports `makeAsync` statically and the client's lazy " +
          "`import('./make-async.js')` shares that module, so esbuild puts it in a common chunk " +
          'that the entry imports statically. Keeping `makeAsync` out of the main entry (a ' +
          'subpath export) would leave it lazy.'
        : ''),
  );

  sections.push(
    '## 4. Footprint\n\n' +
      `### Peak memory fetching everything (max RSS of a fresh process, median of ${REPS_MEMORY})\n\n` +
      'Each process is plain `node bench/child/memory.mjs <mode>` (no TypeScript loader) against the ' +
      "zero-latency replica; `above import` subtracts the same package's import-only baseline; " +
      '`x peer` compares `above import` with the peer fetching everything (for the baselines: ' +
      "max RSS against the peer's).\n\n" +
      table(['process', 'records', 'max RSS', 'min – max', 'above import', 'x peer'], memoryRows) +
      `\n\n### Cold import (fresh \`node --input-type=module -e\` processes, median of ${REPS_IMPORT})\n\n` +
      '`import` is the time of the `await import(…)` itself; `process` is spawn to exit.\n\n' +
      table(['what', 'import', 'min – max', 'process', 'min – max', 'x peer'], importRows) +
      '\n\n### Browser bundle of the async path\n\n' +
      bundle.text,
  );
  return { oursImport, peerImport, bundle };
}

interface BundleFigures {
  entryMin: number;
  entryGzip: number;
  staticMin: number;
  staticGzip: number;
  allMin: number;
  allGzip: number;
  chunks: number;
  topInputs: [string, [number, number]][];
}

async function bundles(): Promise<{
  ours: BundleFigures;
  noKy: BundleFigures;
  peer: BundleFigures;
  text: string;
}> {
  const esbuild = await import('esbuild');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rickmorty-bench-'));
  const distIndex = path.join(distDir(), 'index.js');
  try {
    const client =
      `import { RickMortyClient } from ${JSON.stringify(distIndex)};\n` +
      'new RickMortyClient().getCharactersAsync([1, 10, 100]).then(console.log);\n';
    // What-if: ky swapped for the few lines of `fetch` the transport needs from it.
    const kyShim = path.join(dir, 'ky-shim.js');
    writeFileSync(
      kyShim,
      'export default { create: (defaults) => ({ get: (url, options) => ' +
        "(defaults.fetch ?? fetch)(url, { redirect: defaults.redirect, ...options, method: 'GET' }) }) };\n",
    );
    const sources = {
      ours: client,
      noKy: client,
      peer:
        `import { getCharacter } from ${JSON.stringify(PEER_PATH)};\n` +
        'getCharacter([1, 10, 100]).then(console.log);\n',
    };
    const figures = {} as Record<'ours' | 'noKy' | 'peer', BundleFigures>;
    for (const [name, source] of Object.entries(sources) as ['ours' | 'noKy' | 'peer', string][]) {
      const entry = path.join(dir, `${name}.js`);
      writeFileSync(entry, source);
      const result = await esbuild.build({
        entryPoints: [entry],
        bundle: true,
        minify: true,
        splitting: true,
        format: 'esm',
        platform: 'browser',
        outdir: path.join(dir, `out-${name}`),
        // tsup writes Node built-ins without the `node:` prefix ('os', 'url'), so both spellings.
        external: ['node:*', ...builtinModules],
        ...(name === 'noKy' ? { alias: { ky: kyShim } } : {}),
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const outputs = result.metafile.outputs;
      const files = new Map(result.outputFiles.map((file) => [file.path, file.contents]));
      const gz = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;
      const entryPath = Object.keys(outputs).find((key) => outputs[key]!.entryPoint)!;
      const abs = (key: string) => path.resolve(key);
      // The entry chunk plus every chunk it imports statically (what loads before any code runs).
      const closure = new Set<string>();
      const visit = (key: string) => {
        if (closure.has(key)) return;
        closure.add(key);
        for (const imported of outputs[key]!.imports) {
          if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
        }
      };
      visit(entryPath);
      const jsKeys = Object.keys(outputs).filter((key) => key.endsWith('.js'));
      const sum = (keys: Iterable<string>, f: (bytes: Uint8Array) => number) =>
        [...keys].reduce((acc, key) => acc + f(files.get(abs(key)) ?? new Uint8Array()), 0);
      // Minified bytes by package: in the entry chunk, and in the chunks it imports statically.
      const inputs = new Map<string, [number, number]>();
      for (const key of closure) {
        const slot = key === entryPath ? 0 : 1;
        for (const [input, info] of Object.entries(outputs[key]!.inputs)) {
          const pkg =
            input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ??
            input.replace(/^.*?dist\//, 'dist/');
          const sizes = inputs.get(pkg) ?? [0, 0];
          sizes[slot] += info.bytesInOutput;
          inputs.set(pkg, sizes);
        }
      }
      figures[name] = {
        entryMin: files.get(abs(entryPath))?.length ?? NaN,
        entryGzip: gz(files.get(abs(entryPath)) ?? new Uint8Array()),
        staticMin: sum(closure, (bytes) => bytes.length),
        staticGzip: sum(closure, gz),
        allMin: sum(jsKeys, (bytes) => bytes.length),
        allGzip: sum(jsKeys, gz),
        chunks: jsKeys.length,
        topInputs: [...inputs]
          .sort((a, b) => b[1][0] + b[1][1] - (a[1][0] + a[1][1]))
          .filter(([, [entry, eager]]) => entry + eager >= 200),
      };
    }
    const row = (label: string, f: BundleFigures) => [
      label,
      `${fmtBytes(f.entryMin)} / ${fmtBytes(f.entryGzip)}`,
      `${fmtBytes(f.staticMin)} / ${fmtBytes(f.staticGzip)}`,
      `${fmtBytes(f.allMin)} / ${fmtBytes(f.allGzip)} (${f.chunks} files)`,
      fmtRatio(f.entryGzip / figures.peer.entryGzip),
    ];
    const text =
      "esbuild (`bundle`, `minify`, `splitting`, `format: 'esm'`, `platform: 'browser'`, " +
      "`external: ['node:*']` plus the bare built-in names, since tsup strips the `node:` prefix in " +
      "dist/ (`'os'`, `'url'`): Node built-ins stay imports, they are only reached on Node) of " +
      '`new RickMortyClient().getCharactersAsync([1, 10, 100]).then(console.log)` importing ' +
      "`dist/index.js`, against the peer's `getCharacter([1, 10, 100])`; gzip is node:zlib level 9. " +
      'Sizes are minified / minified + gzip.\n\n' +
      table(
        [
          'bundle',
          'entry chunk',
          'entry + static imports',
          'all chunks (incl. lazy)',
          'entry x peer',
        ],
        [
          row('client', figures.ours),
          row('what-if: the client with ky swapped for a one-line `fetch` shim', figures.noKy),
          row('peer (`rickmortyapi`)', figures.peer),
        ],
      ) +
      "\n\nWhat the client's entry chunk and the chunks it imports statically hold (minified bytes " +
      'before gzip, by package; `dist/…` files are the client itself, inputs under 200 B left out):\n\n' +
      table(
        ['input', 'entry chunk', 'static imports'],
        figures.ours.topInputs.map(([input, [entry, eager]]) => [
          `\`${input}\`${distSources(input)}`,
          entry ? fmtBytes(entry) : '–',
          eager ? fmtBytes(eager) : '–',
        ]),
      );
    // Each dependency of the async path alone, bundled the same way (no splitting), for scale.
    const alone: [string, string][] = [
      ['ky', "import ky from 'ky'; ky.create({ retry: 0 }).get('x').then(console.log);"],
      [
        'zod/mini',
        "import * as z from 'zod/mini'; console.log(z.object({ a: z.string(), b: z.array(z.string()), c: z.enum(['x']) }).safeParse({}));",
      ],
      [
        'gensync',
        "import gensync from 'gensync'; console.log(gensync({ sync() {}, async() {} }));",
      ],
      ['p-limit', "import pLimit from 'p-limit'; console.log(pLimit(2));"],
    ];
    const aloneRows: string[][] = [];
    for (const [name, contents] of alone) {
      const result = await esbuild.build({
        stdin: { contents, resolveDir: ROOT, loader: 'js' },
        bundle: true,
        minify: true,
        format: 'esm',
        platform: 'browser',
        write: false,
        logLevel: 'silent',
      });
      const bytes = result.outputFiles[0]!.contents;
      const gzip = gzipSync(bytes, { level: 9 }).length;
      dependencySizes.set(name, gzip);
      aloneRows.push([`\`${name}\``, fmtBytes(bytes.length), fmtBytes(gzip)]);
    }
    const fullText = `${text}\n\nThe dependencies of the async path, each bundled alone the same way (a typical use):\n\n${table(['dependency', 'minified', 'minified + gzip'], aloneRows)}`;
    return { ours: figures.ours, noKy: figures.noKy, peer: figures.peer, text: fullText };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** ` (src/client.ts, …)`: the sources a dist/ chunk was built from, read from its source map. */
function distSources(input: string): string {
  if (!input.startsWith('dist/')) return '';
  try {
    const map = JSON.parse(
      readFileSync(path.join(distDir(), `${input.slice('dist/'.length)}.map`), 'utf8'),
    ) as {
      sources: string[];
    };
    const sources = map.sources
      .map((source) => source.replace(/^.*?(src\/)/, '$1'))
      .filter((source) => source.startsWith('src/'));
    if (sources.length === 0) return '';
    const shown = sources.slice(0, 4).join(', ');
    return ` (${shown}${sources.length > 4 ? `, +${sources.length - 4}` : ''})`;
  } catch {
    return '';
  }
}

// --- Report ------------------------------------------------------------------------------------

function machine(): string {
  const cpus = os.cpus();
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return table(
    ['', ''],
    [
      [
        'CPU',
        `${cpus[0]?.model ?? 'unknown'} (${cpus.length} cores, availableParallelism ${os.availableParallelism()})`,
      ],
      ['memory', `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`],
      ['OS', `${os.type()} ${os.release()} ${os.arch()}`],
      ['Node.js', process.version],
      ['date', new Date().toISOString()],
      ['command', `\`${COMMAND}\``],
      [
        'commit',
        `${git.stdout.trim() || 'unknown'}${dirty.stdout.trim() ? ' (src/ has uncommitted changes)' : ''}`,
      ],
      ['load average at start', loadAtStart],
      [
        'load average at end',
        os
          .loadavg()
          .map((value) => value.toFixed(2))
          .join(', '),
      ],
    ],
  );
}

const loadAtStart = os
  .loadavg()
  .map((value) => value.toFixed(2))
  .join(', ');

function report(
  buildNote: string,
  demo: MakeAsyncDemoResult | undefined,
  elapsedMs: number,
): string {
  const targetRows = targets.map((target) => [
    target.name,
    target.goal,
    target.measured,
    target.met === undefined ? 'n/a' : target.met ? '**met**' : '**not met**',
  ]);
  return [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (bench/run.ts). Do not edit by hand: rerun it. -->',
    '',
    `Generated by \`${COMMAND}\` in ${(elapsedMs / 1000).toFixed(0)} s. The API replica ` +
      '(`startReplicaServer` from the built `dist/testing.js`) runs in a separate process ' +
      '(bench/replica-process.ts), so its CPU never competes on the measured event loop; one ' +
      `server answers after L = ${L} ms, one at once. The measured client is the built package ` +
      `(\`dist/\`, ${buildNote}). L = ${L} ms is the physical limit of any way that needs one round trip.`,
    '',
    machine(),
    '',
    'The machine is shared (2 cores, other work running): every figure is a median, with min and ' +
      'max, of ways run round-robin side by side in the same run.',
    '',
    '## Targets',
    '',
    table(['target', 'goal', 'measured (median)', 'status'], targetRows),
    '',
    ...sections.flatMap((section) => [section, '']),
    '## makeAsync demo (issue 3)',
    '',
    demo
      ? `\`node --import tsx bench/make-async-demo.ts\` prints the same on its own, at the transport level.\n\n${describeDemo(demo)}`
      : 'not run',
    '',
    '## Notes',
    '',
    `- The peer \`rickmortyapi\` has its base URL hard-coded (\`${PEER_BASE}\`) and calls the global ` +
      '`fetch`; during its runs `globalThis.fetch` is replaced by one that rewrites that prefix to the ' +
      "replica (and refuses any other URL). The peer also asks for `/character//1`; the replica's " +
      'router refuses the empty segment, so the doubled slash is collapsed. The wrapper costs the peer ' +
      'a string rewrite per request.',
    "- The peer's batched answers come in the server's storage order (it does not re-order); the " +
      'client returns records in the order asked.',
    '- The warm makeAsync pool is created with `idleTimeout: 120000`: with the default (1 s) its ' +
      'threads would exit between repetitions and every run would be a cold start.',
    "- Browser bundle: `external: ['node:*', ...builtinModules]` keeps Node built-ins out of the " +
      'bundle (dist/ imports them as bare `os`, `url`); the client looks up `node:worker_threads` ' +
      'at run time only on Node.',
    '- Scenario 3 shares the 2 cores with the replica process; `CPU a request` isolates the client.',
    '- Peak memory is `VmHWM` from /proc/self/status, read by the child itself: on Linux ' +
      "`process.resourceUsage().maxRSS` (getrusage) of a spawned child starts at the parent's " +
      'high-water mark (it survives fork + exec), so every child of the benchmark reported the ' +
      "benchmark's own peak. Elsewhere the child falls back to maxRSS.",
    ...[...warnings].map(
      ([warning, count]) => `- Warning printed during the run (${count}x): \`${warning}\``,
    ),
    ...findings(),
    ...(appendix.length
      ? [
          '',
          '## Appendix: CPU profiles of the missed targets',
          '',
          'Made by `bench/profile.ts` (`node --cpu-prof`, 100 µs sampling, a fresh process against the zero-latency replica). A thread parked in `Atomics.wait` shows as self time of the waiting function.',
          '',
          ...appendix.flatMap((text) => [text, '']),
        ]
      : []),
    '',
  ].join('\n');
}

/** Notes on targets that are not met, from profiling (bench/profile.ts), shown only while missed. */
function findings(): string[] {
  const missed = targets.filter((target) => target.met === false);
  if (missed.length === 0) return [];
  return [
    '',
    '## Missed targets',
    '',
    ...missed.map(
      (target) => `- **${target.name}** (${target.measured}): ${findingText(target.name)}`,
    ),
  ];
}

function findingText(name: string): string {
  const finding = FINDINGS.get(name);
  if (finding === undefined) {
    return 'see the tables above; profile with `node --import tsx bench/profile.ts`.';
  }
  return typeof finding === 'function' ? finding() : finding;
}

/**
 * Causes of missed targets, keyed by target name: the figures come from this run; the attributions
 * were found with `node --cpu-prof` (bench/profile.ts) and are shown only while a target is missed.
 */
const FINDINGS = new Map<string, string | (() => string)>();
/** Share of busy time spent in GC in the throughput profiles (client, raw fetch), when run. */
const gcShares: { ours?: number | undefined; fetch?: number | undefined } = {};

/** Runs a scenario; a failure is reported in the doc instead of losing the whole run. */
async function guarded(name: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    process.exitCode = 1;
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    progress(`bench: ${name} failed: ${message}`);
    sections.push(`## ${name}\n\nFailed: \`${message.split('\n')[0]}\``);
  }
}

// --- Main --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const buildNote = build();
  // Measure a private copy: a rebuild by someone else mid-run must not change or break it.
  const snapshot = snapshotDist();
  let replica: ReplicaProcess | undefined;
  let demo: MakeAsyncDemoResult | undefined;
  try {
    const server = await startReplicaProcess([L, 0]);
    replica = server;
    const lib = (await import(distUrl('index.js'))) as Lib;
    const urlL = server.urls[L]!;
    const url0 = server.urls[0]!;
    const clients = makeClients(lib, urlL);
    let total = 826;
    try {
      await guarded('1. Characters [1, 10, 100]', () => scenarioTrio(lib, urlL, server, clients));
      await guarded('2. Many ids', async () => {
        ({ total } = await scenarioMany(urlL, server, clients));
      });
    } finally {
      await clients.close();
    }
    await guarded('3. Zero latency', () => scenarioZero(lib, url0, total));
    await guarded('makeAsync demo', async () => {
      progress('bench: makeAsync demo');
      demo = await makeAsyncDemo(lib, urlL, L, QUICK ? 2 : 5);
    });
    await guarded('4. Footprint', () => scenarioFootprint(url0));
  } finally {
    await replica?.close();
    snapshot.remove();
  }
  const text = report(buildNote, demo, performance.now() - started);
  console.log(text);
  if (WRITE_DOC) {
    writeFileSync(DOC, text);
    progress(`bench: wrote ${path.relative(ROOT, DOC)}`);
  }
}

await main();
