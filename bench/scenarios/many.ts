/**
 * 2. Many ids at latency L: all the characters, and 100 seeded random ids, every way of reading
 * them, beside the peer client and raw `fetch`.
 */
import { expectIds, getJson, type Named } from '../lib/checks.js';
import {
  type LatencyRow,
  type LatencyWay,
  latencyRows,
  latencyTable,
  medianOf,
  xL,
} from '../lib/latency-table.js';
import { randomIds, runPool } from '../lib/measure.js';
import { PEER_NOTES, peer, peerData, withPeerFetch } from '../lib/peer.js';
import { type BenchContext, defineScenario, type Lib } from '../lib/scenario.js';
import { runWays } from '../lib/suite.js';

type Client = InstanceType<Lib['RickMortyClient']>;

const CONCURRENCY = 10;
const RANDOM_SEED = 42;

interface ManyData {
  readonly latency: number;
  readonly total: number;
  readonly reps: number;
  readonly slowReps: number;
  readonly random: readonly number[];
  readonly allRows: readonly LatencyRow[];
  readonly randomRows: readonly LatencyRow[];
}

interface Setting {
  readonly baseUrl: string;
  readonly byDefault: Client;
  readonly noBatch: Client;
  readonly slowReps: number;
}

/** `fetch` of every id, `concurrency` at a time, records in the order asked. */
async function fetchEach(baseUrl: string, ids: readonly number[]): Promise<unknown[]> {
  const records: unknown[] = new Array(ids.length);
  await runPool(ids.length, CONCURRENCY, async (i) => {
    records[i] = await getJson(`${baseUrl}/character/${ids[i]}`);
  });
  return records;
}

function allClientWays(s: Setting, all: readonly number[]): LatencyWay[] {
  const { byDefault, noBatch } = s;
  const total = all.length;
  return [
    {
      id: 'all-nobatch',
      label: `\`getCharactersAsync(1..${total})\`, \`batch: false\` (per id, concurrency ${CONCURRENCY})`,
      run: () => noBatch.getCharactersAsync(all),
      warmup: null,
      reps: s.slowReps,
      fetchRef: 'all-fetch-c10',
    },
    {
      id: 'all-batch',
      label: `\`getCharactersAsync(1..${total})\` (batched, 100 ids a request)`,
      run: () => byDefault.getCharactersAsync(all),
      peerRef: 'all-peer-array',
      fetchRef: 'all-fetch-batch',
    },
    {
      id: 'all-getall',
      label: '`getAllCharactersAsync()` (page 1, then batches)',
      run: () => byDefault.getAllCharactersAsync(),
      peerRef: 'all-peer-pages',
      fetchRef: 'all-fetch-pages',
    },
    {
      id: 'all-getall-pages',
      label: '`getAllCharactersAsync()`, `batch: false` (page 1, then the pages together)',
      run: () => noBatch.getAllCharactersAsync(),
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
      warmup: () => noBatch.getCharactersAsync([1, 2]),
      reps: s.slowReps,
    },
  ];
}

function allBaselineWays(s: Setting, all: readonly number[]): LatencyWay[] {
  const { baseUrl } = s;
  type Page = { info: { pages: number }; results: Named[] };
  const chunks = Array.from({ length: Math.ceil(all.length / 100) }, (_, i) =>
    all.slice(i * 100, i * 100 + 100),
  );
  return [
    {
      id: 'all-peer-array',
      label: `peer \`getCharacter([1..${all.length}])\` (one request)`,
      run: () => withPeerFetch(baseUrl, async () => peerData(await peer.getCharacter([...all]))),
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
    },
    {
      id: 'all-fetch-c10',
      label: `\`fetch\` per id, concurrency ${CONCURRENCY}`,
      run: () => fetchEach(baseUrl, all),
      warmup: null,
      reps: s.slowReps,
    },
    {
      id: 'all-fetch-batch',
      label: '`Promise.all` of `fetch` of batches of 100 ids',
      run: async () =>
        (
          await Promise.all(chunks.map((ids) => getJson(`${baseUrl}/character/${ids.join(',')}`)))
        ).flat(),
    },
    {
      id: 'all-fetch-pages',
      label: '`fetch` page 1, then `Promise.all` of the other pages',
      run: async () => {
        const first = (await getJson(`${baseUrl}/character`)) as Page;
        const rest = (await Promise.all(
          Array.from({ length: first.info.pages - 1 }, (_, i) =>
            getJson(`${baseUrl}/character?page=${i + 2}`),
          ),
        )) as Page[];
        return [...first.results, ...rest.flatMap((page) => page.results)];
      },
    },
  ];
}

function randomWays(s: Setting, random: readonly number[]): LatencyWay[] {
  const { baseUrl, byDefault, noBatch } = s;
  const inOrder = expectIds(random);
  const anyOrder = expectIds(random, false);
  return [
    {
      id: 'rnd-nobatch',
      label: `\`getCharactersAsync(100 ids)\`, \`batch: false\` (per id, concurrency ${CONCURRENCY})`,
      run: () => noBatch.getCharactersAsync(random),
      check: inOrder,
      peerRef: 'rnd-peer-all',
      fetchRef: 'rnd-fetch-c10',
    },
    {
      id: 'rnd-batch',
      label: '`getCharactersAsync(100 ids)` (batched)',
      run: () => byDefault.getCharactersAsync(random),
      check: inOrder,
      peerRef: 'rnd-peer-array',
      fetchRef: 'rnd-fetch-batch',
    },
    {
      id: 'rnd-peer-array',
      label: 'peer `getCharacter(100 ids)` (one request; records in server order)',
      run: () => withPeerFetch(baseUrl, async () => peerData(await peer.getCharacter([...random]))),
      check: anyOrder,
    },
    {
      id: 'rnd-peer-all',
      label: 'peer `Promise.all` of `getCharacter(id)` (100 at once, no limit)',
      run: () =>
        withPeerFetch(baseUrl, async () =>
          (await Promise.all(random.map((id) => peer.getCharacter(id)))).map(peerData),
        ),
      check: inOrder,
    },
    {
      id: 'rnd-fetch-c10',
      label: `\`fetch\` per id, concurrency ${CONCURRENCY}`,
      run: () => fetchEach(baseUrl, random),
      check: inOrder,
    },
    {
      id: 'rnd-fetch-batch',
      label: '`fetch` of the 100 ids in one batch (server order)',
      run: () => getJson(`${baseUrl}/character/${random.join(',')}`),
      check: anyOrder,
    },
  ];
}

async function measure(context: BenchContext) {
  const { lib, latency, latencyUrl: baseUrl, replica, log } = context;
  log(`bench: 2. many ids at L = ${latency} ms`);
  const reps = context.quick ? 1 : 5;
  const slowReps = context.quick ? 1 : 3;
  const total = ((await getJson(`${baseUrl}/character`)) as { info: { count: number } }).info.count;
  const all = Array.from({ length: total }, (_, index) => index + 1);
  const random = randomIds(100, total, RANDOM_SEED);
  const byDefault = new lib.RickMortyClient({ baseUrl });
  const noBatch = new lib.RickMortyClient({ baseUrl, batch: false });
  const setting: Setting = { baseUrl, byDefault, noBatch, slowReps };
  try {
    // The slow per-id ways get no warm-up of their own: warm both clients with a small request.
    await Promise.all([byDefault.getCharactersAsync([1, 2]), noBatch.getCharactersAsync([1, 2])]);
    const allWays = [...allClientWays(setting, all), ...allBaselineWays(setting, all)].map(
      (way) => ({ ...way, check: expectIds(all) }),
    );
    const someWays = randomWays(setting, random);
    const options = { reps, replica, latency, log };
    const allRows = latencyRows(await runWays(allWays, options), allWays);
    const randomRows = latencyRows(await runWays(someWays, options), someWays);
    const m = (id: string) => medianOf(allRows, id);
    const worst = m('all-batch') >= m('all-getall') ? 'all-batch' : 'all-getall';
    return {
      data: { latency, total, reps, slowReps, random, allRows, randomRows } satisfies ManyData,
      targets: [
        {
          name: `All ${total} characters: batched and via getAll`,
          goal: '<= 3 x L in total',
          measured: `batched ${xL(m('all-batch'), latency)}; getAllCharactersAsync ${xL(m('all-getall'), latency)}`,
          met: m(worst) <= 3 * latency,
        },
      ],
    };
  } finally {
    await Promise.all([byDefault.close(), noBatch.close()]);
  }
}

function render(data: ManyData) {
  const shownRandom = data.random.slice(0, 8).join(', ');
  return {
    section:
      `## 2. Many ids at L = ${data.latency} ms\n\n` +
      `### All ${data.total} characters\n\n` +
      `Fast ways run ${data.reps} times, the ones that take seconds ${data.slowReps} times. ` +
      'The slow per-id ways get no warm-up of their own (their clients are warmed with a small ' +
      'request first), so their `requests` column is empty.\n\n' +
      latencyTable(data.allRows, data.latency) +
      `\n\n### 100 random ids (seed ${RANDOM_SEED}: ${shownRandom}, …)\n\n` +
      latencyTable(data.randomRows, data.latency),
  };
}

export const many = defineScenario<ManyData>({
  id: 'many',
  title: '2. Many ids',
  notes: PEER_NOTES,
  measure,
  render,
});
