/**
 * Read-ahead in the async iterators (`prefetch`): what it reads, how far ahead (counted as
 * requests in flight at the mock transport and at a replica server), that the loop sees the same
 * records as without it, and that leaving the loop early aborts what was read ahead, seen at the
 * server as requests whose client went away. The blocking iterators refuse it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AbortError,
  ArgumentRangeError,
  type Character,
  InvalidArgumentError,
  RickMortyClient,
} from '../src/index.js';
import {
  createMockTransport,
  generateDataset,
  type ReplicaServer,
  startReplicaServer,
} from '../src/testing/index.js';
import { collect, idsOf, rejectionOf, thrownBy, until } from './helpers/client-fixtures.js';

const data = generateDataset();
const TOTAL = data.characters.length;
const PAGES = Math.ceil(TOTAL / 20);
const ALL_IDS = idsOf(data.characters);
const BASE = 'https://rickandmortyapi.com/api';

function mockClient(options: ConstructorParameters<typeof RickMortyClient>[0] = {}) {
  const transport = createMockTransport({ latencyMs: 5 });
  return { transport, client: new RickMortyClient({ transport, ...options }) };
}

const pageOf = (url: string) => new URL(url).searchParams.get('page');

describe('prefetch with the mock transport', () => {
  it('reads the same pages with prefetch as without, keeping at most `prefetch` in flight', async () => {
    const plain = mockClient();
    const expected = await collect(plain.client.iterateCharacterPagesAsync());
    expect(plain.transport.maxInFlight).toBe(1);

    const ahead = mockClient();
    const pages = await collect(ahead.client.iterateCharacterPagesAsync({}, { prefetch: 4 }));
    expect(pages).toEqual(expected);
    expect(pages).toHaveLength(PAGES);
    expect(ahead.transport.calls.map((call) => pageOf(call.url))).toEqual(
      Array.from({ length: PAGES }, (_, index) => String(index + 1)),
    );
    expect(ahead.transport.maxInFlight).toBe(4);
  });

  it('a filtered walk of records reads pages ahead, and sees what the walk without it sees', async () => {
    const plain = mockClient();
    const expected = await collect(plain.client.iterateCharactersAsync({ status: 'Alive' }));
    const ahead = mockClient();
    const records = await collect(
      ahead.client.iterateCharactersAsync({ status: 'Alive' }, { prefetch: 3 }),
    );
    expect(records).toEqual(expected);
    expect(ahead.transport.calls.length).toBe(plain.transport.calls.length);
    expect(ahead.transport.maxInFlight).toBe(3);
  });

  it('an unfiltered walk of records reads ahead by id through the batch endpoint', async () => {
    const { client, transport } = mockClient({ batch: { size: 100 } });
    const records = await collect(client.iterateCharactersAsync({}, { prefetch: 8 }));
    expect(idsOf(records)).toEqual(ALL_IDS);
    expect(records).toEqual(data.characters);
    const batches = Math.ceil((TOTAL - 20) / 100);
    expect(transport.calls).toHaveLength(1 + batches);
    expect(transport.calls[0]!.url).toBe(`${BASE}/character?page=1`);
    expect(new URL(transport.calls[1]!.url).pathname).toMatch(/^\/api\/character\/21,22,/);
    expect(transport.maxInFlight).toBe(Math.min(8, batches));
  });

  it('an unfiltered walk with batch: false reads pages ahead instead', async () => {
    const { client, transport } = mockClient({ batch: false });
    expect(idsOf(await collect(client.iterateCharactersAsync({}, { prefetch: 2 })))).toEqual(
      ALL_IDS,
    );
    expect(transport.calls).toHaveLength(PAGES);
  });

  it('a gap in the ids sends the rest of the walk through the pages, without losing or repeating a record', async () => {
    const gappy = { ...data, characters: data.characters.filter((c) => c.id !== 150) };
    const transport = createMockTransport({ data: gappy });
    const client = new RickMortyClient({ transport, batch: { size: 50 } });
    const records = await collect(client.iterateCharactersAsync({}, { prefetch: 4 }));
    expect(idsOf(records)).toEqual(ALL_IDS.filter((id) => id !== 150));
    const paths = transport.calls.map((call) => new URL(call.url));
    // Page 1, batches of 21-70, 71-120, 121-170 (the gap), …; then page 6 (ids 101-120 sit on
    // pages 6: the batches before the gap gave 120 records), to the end.
    expect(
      paths.filter((url) => url.searchParams.has('page')).map((url) => pageOf(url.href))[1],
    ).toBe('7');
  });

  it('a page that fails is reported when the loop reaches it, after the pages before it', async () => {
    const transport = createMockTransport({
      respond: (request, next) =>
        pageOf(request.url) === '3'
          ? { status: 400, statusText: 'Bad Request', headers: {}, body: '{"error":"no"}' }
          : next(request),
    });
    const client = new RickMortyClient({ transport });
    const seen: number[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const page of client.iterateCharacterPagesAsync({}, { prefetch: 5 })) {
          seen.push(page.results[0]!.id);
        }
      })(),
    );
    expect((error as Error).name).toBe('HttpError');
    expect(seen).toEqual([1, 21]);
  });

  it('reads nothing ahead of a first page that claims more records than maxRecords', async () => {
    const transport = createMockTransport({
      respond: (request, next) => {
        const answer = next(request);
        if (pageOf(request.url) !== '1') return answer;
        const page = JSON.parse(answer.body) as { info: Record<string, unknown> };
        page.info = { ...page.info, count: 10_000_000, pages: 500_000 };
        return { ...answer, body: JSON.stringify(page) };
      },
    });
    const client = new RickMortyClient({ transport });
    const walks: AsyncIterable<unknown>[] = [
      client.iterateCharacterPagesAsync({}, { prefetch: 8 }),
      client.iterateCharactersAsync({}, { prefetch: 8 }),
    ];
    for (const walk of walks) {
      transport.reset();
      const error = await rejectionOf(collect(walk));
      expect((error as { code?: string }).code).toBe('TOO_MANY_RECORDS');
      expect(transport.calls).toHaveLength(1);
    }
  });

  it('a record that comes twice ends the walk read ahead too, and is never given twice', async () => {
    const transport = createMockTransport({
      latencyMs: 5,
      respond: (request, next) => {
        const answer = next(request);
        if (pageOf(request.url) !== '3') return answer;
        // Page 3 repeats the first record of page 2.
        const page = JSON.parse(answer.body) as { results: unknown[] };
        page.results[0] = data.characters[20];
        return { ...answer, body: JSON.stringify(page) };
      },
    });
    const client = new RickMortyClient({ transport });
    const seen: number[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const page of client.iterateCharacterPagesAsync({}, { prefetch: 4 })) {
          seen.push(...idsOf(page.results));
        }
      })(),
    );
    expect((error as Error).name).toBe('ValidationError');
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("checks prefetch: an integer from 0 to the client's concurrency, refused on the first step", async () => {
    const { client, transport } = mockClient({ concurrency: 4 });
    const first = (options: object) =>
      rejectionOf(client.iterateCharactersAsync({}, options as never).next());
    const tooMany = await first({ prefetch: 5 });
    expect(tooMany).toBeInstanceOf(ArgumentRangeError);
    expect((tooMany as Error).message).toBe(
      "Expected `prefetch` to be at most the client's `concurrency` (4), got 5",
    );
    expect(await first({ prefetch: -1 })).toBeInstanceOf(ArgumentRangeError);
    expect(await first({ prefetch: 1.5 })).toBeInstanceOf(ArgumentRangeError);
    expect(await first({ prefetch: '2' })).toBeInstanceOf(InvalidArgumentError);
    expect(
      await rejectionOf(client.iterateEpisodePagesAsync({}, { prefetch: 9 }).next()),
    ).toBeInstanceOf(ArgumentRangeError);
    expect(transport.calls).toHaveLength(0);
  });

  it('the blocking iterators refuse prefetch, naming the async twin', () => {
    const { client, transport } = mockClient();
    const options = { prefetch: 2 } as never;
    for (const [iterator, twin] of [
      [client.iterateCharacters({}, options), 'iterateCharactersAsync'],
      [client.iterateLocationPages({}, options), 'iterateLocationPagesAsync'],
    ] as const) {
      const error = thrownBy(() => iterator.next());
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toContain('reads ahead in the async iterators only');
      expect((error as Error).message).toContain(`use ${twin}()`);
    }
    expect(transport.calls).toHaveLength(0);
  });
});

describe('leaving the loop early, at a replica server with latency', () => {
  let replica: ReplicaServer;
  let client: RickMortyClient;

  beforeAll(async () => {
    replica = await startReplicaServer({ latencyMs: 300 });
    client = new RickMortyClient({ baseUrl: replica.url });
  });

  afterAll(async () => {
    await client?.close();
    await replica?.close();
  });

  beforeEach(async () => {
    await until(async () => (await replica.stats()).inFlight === 0);
    await replica.resetStats();
  });

  /** The server's counts once nothing is in flight any more. */
  const settled = async () => {
    await until(async () => (await replica.stats()).inFlight === 0);
    return replica.stats();
  };

  it('a break after the first page aborts the pages read ahead', async () => {
    for await (const page of client.iterateCharacterPagesAsync({}, { prefetch: 4 })) {
      expect(page.info.next).not.toBeNull();
      // When the loop gets page 1, pages 2 to 5 are already on their way.
      await until(async () => (await replica.stats()).inFlight === 4);
      break;
    }
    const stats = await settled();
    expect(stats.requests).toBe(5);
    expect(stats.aborted).toBe(4);
    expect(stats.maxInFlight).toBe(4);
  });

  it('a return from a walk of records by id aborts the batches read ahead', async () => {
    const taken: Character[] = [];
    const walk = async () => {
      for await (const character of client.iterateCharactersAsync({}, { prefetch: 3 })) {
        taken.push(character);
        if (taken.length < 20) continue;
        // The end of page 1: batches 21-120, 121-220 and 221-320 are on their way.
        await until(async () => (await replica.stats()).inFlight === 3);
        return;
      }
    };
    await walk();
    expect(idsOf(taken)).toEqual(ALL_IDS.slice(0, 20));
    const stats = await settled();
    expect(stats.requests).toBe(4);
    expect(stats.aborted).toBe(3);
  });

  it('without prefetch, a break costs no request beyond the page the loop read', async () => {
    for await (const _ of client.iterateCharactersAsync()) break;
    const stats = await settled();
    expect(stats).toMatchObject({ requests: 1, aborted: 0 });
  });

  it("the caller's signal ends the walk and what it read ahead, with an AbortError", async () => {
    const controller = new AbortController();
    const error = await rejectionOf(
      (async () => {
        for await (const page of client.iterateCharacterPagesAsync(
          {},
          { prefetch: 3, signal: controller.signal },
        )) {
          if (page.info.prev !== null) continue;
          await until(async () => (await replica.stats()).inFlight === 3);
          controller.abort();
        }
      })(),
    );
    expect(error).toBeInstanceOf(AbortError);
    const stats = await settled();
    expect(stats.requests).toBe(4);
    expect(stats.aborted).toBe(3);
  });

  it('a filter that matches nothing ends the walk after one request', async () => {
    const found = await collect(
      client.iterateCharactersAsync({ name: 'no such name' }, { prefetch: 2 }),
    );
    expect(found).toEqual([]);
    expect((await settled()).requests).toBe(1);
  });
});
