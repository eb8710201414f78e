/**
 * 1. Characters [1, 10, 100] at latency L: every way of reading them, the client's (blocking,
 * async, batched, through makeAsync) beside the peer client's and raw `fetch`.
 */
import { expectTrio, getJson, TRIO } from '../lib/checks.js';
import {
  type LatencyRow,
  type LatencyWay,
  latencyRows,
  latencyTable,
  medianOf,
  xL,
} from '../lib/latency-table.js';
import { fmtMs } from '../lib/measure.js';
import { PEER_NOTES, peer, peerData, withPeerFetch } from '../lib/peer.js';
import { type BenchContext, defineScenario, type Lib, type Target } from '../lib/scenario.js';
import { runWays } from '../lib/suite.js';

type Client = InstanceType<Lib['RickMortyClient']>;

interface TrioData {
  readonly latency: number;
  readonly reps: number;
  readonly rows: readonly LatencyRow[];
}

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

function clientWays(clients: Clients): LatencyWay[] {
  const { byDefault, noBatch } = clients;
  const ids = [...TRIO];
  return [
    {
      id: 'blocking-serial',
      label: '`getCharacter(id)` x 3, one after another (blocking)',
      run: () => ids.map((id) => byDefault.getCharacter(id)),
      fetchRef: 'fetch-serial',
      peerRef: 'peer-serial',
    },
    {
      id: 'blocking-batch',
      label: '`getCharacters([1, 10, 100])` (blocking, batched)',
      run: () => byDefault.getCharacters(ids),
      fetchRef: 'fetch-all',
      peerRef: 'peer-array',
    },
    {
      id: 'async-all',
      label: '`Promise.all` of `getCharacterAsync(id)`',
      run: () => Promise.all(ids.map((id) => byDefault.getCharacterAsync(id))),
      fetchRef: 'fetch-all',
      peerRef: 'peer-all',
    },
    {
      id: 'async-nobatch',
      label: '`getCharactersAsync(ids)`, `batch: false` (per id)',
      run: () => noBatch.getCharactersAsync(ids),
      fetchRef: 'fetch-all',
      peerRef: 'peer-all',
    },
    {
      id: 'async-batch',
      label: '`getCharactersAsync([1, 10, 100])` (batched)',
      run: () => byDefault.getCharactersAsync(ids),
      fetchRef: 'fetch-all',
      peerRef: 'peer-array',
    },
  ];
}

function poolWays(lib: Lib, baseUrl: string, clients: Clients): LatencyWay[] {
  const { pooled, pooledBatch } = clients;
  const ids = [...TRIO];
  let cold: { client: Client; transport: { close(): Promise<void> } } | undefined;
  return [
    {
      id: 'pool-nobatch',
      label: '`makeAsync(createBlockingTransport())`, per id, warm pool',
      // Two warm-ups of three at once: every pool thread the run uses (and its worker) is started.
      warmup: async () => {
        await pooled.getCharactersAsync(ids);
        return pooled.getCharactersAsync(ids);
      },
      run: () => pooled.getCharactersAsync(ids),
      fetchRef: 'fetch-all',
      peerRef: 'peer-all',
    },
    {
      id: 'pool-batch',
      label: '`makeAsync(createBlockingTransport())`, batched, warm pool',
      run: () => pooledBatch.getCharactersAsync(ids),
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
      run: () => cold!.client.getCharactersAsync(ids),
      teardown: async () => {
        await cold?.transport.close();
        cold = undefined;
      },
      fetchRef: 'fetch-all',
      peerRef: 'peer-all',
    },
  ];
}

function baselineWays(baseUrl: string): LatencyWay[] {
  const ids = [...TRIO];
  const one = (id: number) => getJson(`${baseUrl}/character/${id}`);
  return [
    {
      id: 'peer-serial',
      label: 'peer `getCharacter(id)` x 3, one after another',
      run: () =>
        withPeerFetch(baseUrl, async () => {
          const records: unknown[] = [];
          for (const id of ids) records.push(peerData(await peer.getCharacter(id)));
          return records;
        }),
    },
    {
      id: 'peer-all',
      label: 'peer `Promise.all` of `getCharacter(id)`',
      run: () =>
        withPeerFetch(baseUrl, async () =>
          (await Promise.all(ids.map((id) => peer.getCharacter(id)))).map(peerData),
        ),
    },
    {
      id: 'peer-array',
      label: 'peer `getCharacter([1, 10, 100])` (batched)',
      run: () => withPeerFetch(baseUrl, async () => peerData(await peer.getCharacter(ids))),
    },
    {
      id: 'fetch-serial',
      label: '`fetch` + `JSON.parse` x 3, one after another',
      run: async () => {
        const records: unknown[] = [];
        for (const id of ids) records.push(await one(id));
        return records;
      },
    },
    {
      id: 'fetch-all',
      label: '`Promise.all` of `fetch` + `JSON.parse`',
      run: () => Promise.all(ids.map(one)),
    },
  ];
}

function trioTargets(rows: readonly LatencyRow[], latency: number): Target[] {
  const m = (id: string) => medianOf(rows, id);
  const label = (id: string) => rows.find((row) => row.id === id)?.label ?? id;
  const concurrent = ['blocking-batch', 'async-all', 'async-nobatch', 'async-batch'];
  const worst = concurrent.reduce((a, b) => (m(a) >= m(b) ? a : b));
  const poolWorst = m('pool-nobatch') >= m('pool-batch') ? 'pool-nobatch' : 'pool-batch';
  return [
    {
      name: '[1, 10, 100]: every concurrent or batched way of the client',
      goal: '<= 1.2 x L',
      measured: `worst ${xL(m(worst), latency)} (${label(worst)})`,
      met: m(worst) <= 1.2 * latency,
    },
    {
      name: POOL_TARGET,
      goal: '<= 1.3 x L',
      measured: `per id ${xL(m('pool-nobatch'), latency)}; batched ${xL(m('pool-batch'), latency)}; cold pool ${xL(m('pool-cold'), latency)} (no target)`,
      met: m(poolWorst) <= 1.3 * latency,
    },
    {
      name: '[1, 10, 100]: blocking, one after another',
      goal: 'about 3 x L (<= 3.3 x L)',
      measured: xL(m('blocking-serial'), latency),
      met: m('blocking-serial') <= 3.3 * latency,
    },
  ];
}

const POOL_TARGET = '[1, 10, 100]: makeAsync over the blocking transport (warm pool)';

function poolFinding(rows: readonly LatencyRow[]): string {
  const m = (id: string) => medianOf(rows, id);
  return (
    `the async client does the same three requests in ${fmtMs(m('async-nobatch'))}, so the pool adds ` +
    `${fmtMs(m('pool-nobatch') - m('async-nobatch'))}: each request is a message to makeAsync's ` +
    'worker thread and its answer a message back (a structured clone each way), on 2 shared ' +
    'cores. Compare the min of the row with its median: the spread is scheduling noise.'
  );
}

async function measure(context: BenchContext) {
  const { lib, latency, latencyUrl: baseUrl, replica } = context;
  context.log(`bench: 1. characters [1, 10, 100] at L = ${latency} ms`);
  const reps = context.quick ? 2 : 7;
  const clients = makeClients(lib, baseUrl);
  try {
    const ways = [
      ...clientWays(clients),
      ...poolWays(lib, baseUrl, clients),
      ...baselineWays(baseUrl),
    ].map((way) => ({ ...way, check: expectTrio }));
    const results = await runWays(ways, { reps, replica, latency, log: context.log });
    const rows = latencyRows(results, ways);
    return {
      data: { latency, reps, rows } satisfies TrioData,
      targets: trioTargets(rows, latency),
      findings: { [POOL_TARGET]: poolFinding(rows) },
    };
  } finally {
    await clients.close();
  }
}

function render(data: TrioData) {
  return {
    section:
      `## 1. Characters [1, 10, 100] at L = ${data.latency} ms\n\n` +
      `Each way runs ${data.reps} times, round-robin with the others, after one untimed warm-up ` +
      '(`requests` is what the replica saw during that warm-up). `x peer` compares with the peer ' +
      "client's matching way (one after another, per id together, or batched); `x fetch` with " +
      'raw `fetch` done the same way (serial or `Promise.all`).\n\n' +
      latencyTable(data.rows, data.latency),
  };
}

export const trio = defineScenario<TrioData>({
  id: 'trio',
  title: '1. Characters [1, 10, 100]',
  notes: [
    ...PEER_NOTES,
    'The warm makeAsync pool is created with `idleTimeout: 120000`: with the default (1 s) its ' +
      'threads would exit between repetitions and every run would be a cold start.',
  ],
  measure,
  render,
});
