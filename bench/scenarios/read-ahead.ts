/**
 * 7. Read-ahead at latency L (issue 16 item 6): `for await` over every character, a page at a time
 * and with `prefetch: 8`, beside the pages read ahead and `getAllCharactersAsync()` (the floor:
 * everything together); and what leaving such a loop early costs, counted at the server.
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
import { type BenchContext, defineScenario, type Lib } from '../lib/scenario.js';
import { runWays } from '../lib/suite.js';

type Client = InstanceType<Lib['RickMortyClient']>;

const PREFETCH = 8;

interface ReadAheadData {
  readonly latency: number;
  readonly total: number;
  readonly reps: number;
  readonly slowReps: number;
  readonly rows: readonly LatencyRow[];
  /** What a loop that breaks after its first record cost, at the server. */
  readonly earlyExit: { readonly requests: number; readonly aborted: number | undefined };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function ways(client: Client, slowReps: number): LatencyWay[] {
  return [
    {
      id: 'iterate',
      label: '`for await` over `iterateCharactersAsync()` (a page at a time)',
      run: () => collect(client.iterateCharactersAsync()),
      reps: slowReps,
    },
    {
      id: 'iterate-prefetch',
      label: `\`for await\` over \`iterateCharactersAsync({}, { prefetch: ${PREFETCH} })\` (by id, batches of 100 ahead)`,
      run: () => collect(client.iterateCharactersAsync({}, { prefetch: PREFETCH })),
    },
    {
      id: 'pages-prefetch',
      label: `\`for await\` over \`iterateCharacterPagesAsync({}, { prefetch: ${PREFETCH} })\` (pages ahead)`,
      run: async () => {
        const records: Named[] = [];
        for await (const page of client.iterateCharacterPagesAsync({}, { prefetch: PREFETCH })) {
          records.push(...page.results);
        }
        return records;
      },
    },
    {
      id: 'getall',
      label: '`getAllCharactersAsync()` (everything together: the floor)',
      run: () => client.getAllCharactersAsync(),
    },
  ];
}

/** Breaks out of a `prefetch: 8` loop at its first record; the server's counts once it settles. */
async function earlyExit(client: Client, context: BenchContext) {
  const { replica, latency } = context;
  await replica.resetStats();
  for await (const _ of client.iterateCharacterPagesAsync({}, { prefetch: PREFETCH })) break;
  for (let waited = 0; waited < 50 * latency; waited += 10) {
    const stats = await replica.stats(latency);
    if (stats && stats.inFlight === 0) return { requests: stats.requests, aborted: stats.aborted };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('requests read ahead were still in flight long after the loop ended');
}

async function measure(context: BenchContext) {
  const { lib, latency, latencyUrl: baseUrl, replica, log } = context;
  log(`bench: 7. read-ahead at L = ${latency} ms`);
  const reps = context.quick ? 1 : 5;
  const slowReps = context.quick ? 1 : 2;
  const total = ((await getJson(`${baseUrl}/character`)) as { info: { count: number } }).info.count;
  const all = Array.from({ length: total }, (_, index) => index + 1);
  const client = new lib.RickMortyClient({ baseUrl });
  try {
    const list = ways(client, slowReps).map((way) => ({ ...way, check: expectIds(all) }));
    const rows = latencyRows(await runWays(list, { reps, replica, latency, log }), list);
    const ahead = medianOf(rows, 'iterate-prefetch');
    return {
      data: {
        latency,
        total,
        reps,
        slowReps,
        rows,
        earlyExit: await earlyExit(client, context),
      } satisfies ReadAheadData,
      targets: [
        {
          name: `for await over all ${total} characters, prefetch: ${PREFETCH}`,
          goal: '<= 5 x L',
          measured: `${xL(ahead, latency)} (a page at a time: ${xL(medianOf(rows, 'iterate'), latency)})`,
          met: ahead <= 5 * latency,
        },
      ],
    };
  } finally {
    await client.close();
  }
}

function render(data: ReadAheadData) {
  const { requests, aborted } = data.earlyExit;
  return {
    section:
      `## 7. Read-ahead at L = ${data.latency} ms\n\n` +
      `Every character (${data.total}) through the async iterators, a page at a time and with ` +
      `\`prefetch: ${PREFETCH}\` (docs/pagination.md), beside \`getAllCharactersAsync()\`. ` +
      `Fast ways run ${data.reps} times, the page-at-a-time walk ${data.slowReps} times.\n\n` +
      latencyTable(data.rows, data.latency) +
      `\n\nA loop over \`iterateCharacterPagesAsync({}, { prefetch: ${PREFETCH} })\` that breaks ` +
      `at its first page: ${requests} requests reached the server, ` +
      `${aborted === undefined ? 'an unknown number' : aborted} of them aborted when the loop ended.`,
  };
}

export const readAhead = defineScenario<ReadAheadData>({
  id: 'read-ahead',
  title: '7. Read-ahead',
  measure,
  render,
});
