/**
 * The async twins of RickMortyClient, against the mock transport and against the replica server:
 * batching, ordering, concurrency, errors, retries, aborts, timeouts, in-flight sharing, the
 * cache and the logger. Requests are counted at the server, never timed.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AsyncTransport, BlockingTransport } from '../src/index.js';
import {
  AbortError,
  BlockingUnavailableError,
  type ClientOptions,
  HttpError,
  isAbortError,
  isHttpError,
  isTimeoutError,
  NotFoundError,
  RickMortyClient,
  TimeoutError,
  ValidationError,
} from '../src/index.js';
import type { CacheStore } from '../src/operations/cache.js';
import {
  createMockTransport,
  generateDataset,
  type ReplicaServer,
  startReplicaServer,
} from '../src/testing/index.js';
import {
  idsOf,
  mockCounter,
  nextTick,
  type RequestCounter,
  rejectionOf,
  replicaCounter,
  thrownBy,
  until,
} from './helpers/client-fixtures.js';

const data = generateDataset();
const MOCK_BASE = 'https://rickandmortyapi.com/api';
/** A path the hanging replica never answers; every other path is answered. */
const HANGING_ID = 7;

const mock = createMockTransport();
/** Answers after 20 ms: enough for concurrent requests to overlap. */
const slowMock = createMockTransport({ latencyMs: 20 });
/** Answers after 400 ms: a window wide enough to abort one caller while the request is out. */
const slowerMock = createMockTransport({ latencyMs: 400 });
/**
 * Like the hanging replica: `/character/7` is answered after a minute (a request still out
 * whenever the test aborts it or times it out), everything else at once.
 */
const stuckMock = createMockTransport({ latencyMs: 60_000 });
const answeringMock = createMockTransport();
const hangingMock: AsyncTransport & BlockingTransport = {
  request: (request) =>
    (request.url.endsWith(`/character/${HANGING_ID}`) ? stuckMock : answeringMock).request(request),
  requestSync: (request) => answeringMock.requestSync(request),
};
const hangingMockCounter: RequestCounter = {
  requests: async () => stuckMock.calls.length + answeringMock.calls.length,
  paths: async () =>
    [...stuckMock.calls, ...answeringMock.calls].map((call) => new URL(call.url).pathname),
  maxInFlight: async () => Math.max(stuckMock.maxInFlight, answeringMock.maxInFlight),
  inFlight: async () => stuckMock.inFlight + answeringMock.inFlight,
  reset: async () => {
    stuckMock.reset();
    answeringMock.reset();
  },
};

let replica: ReplicaServer;
let slowReplica: ReplicaServer;
let slowerReplica: ReplicaServer;
let hangingReplica: ReplicaServer;

beforeAll(async () => {
  [replica, slowReplica, slowerReplica, hangingReplica] = await Promise.all([
    startReplicaServer(),
    startReplicaServer({ latencyMs: 50 }),
    startReplicaServer({ latencyMs: 400 }),
    startReplicaServer({
      faults: { hang: 1, paths: new RegExp(`/character/${HANGING_ID}$`) },
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([replica, slowReplica, slowerReplica, hangingReplica].map((s) => s?.close()));
});

/** Every client a test makes, closed after it so that no blocking worker is left behind. */
const clients: RickMortyClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

interface Server {
  /** The base URL of the records' own links and of the requests. */
  readonly base: () => string;
  readonly client: (options?: ClientOptions) => RickMortyClient;
  readonly counter: () => RequestCounter;
}

interface Backend {
  readonly name: string;
  readonly fast: Server;
  /** 20 ms (mock) or 50 ms (replica) a request. */
  readonly slow: Server;
  /** 400 ms a request. */
  readonly slower: Server;
  /** Never answers `/character/7` (the replica) or anything (the mock). */
  readonly hanging: Server;
}

function onMock(transport: AsyncTransport & BlockingTransport, counter: RequestCounter): Server {
  return {
    base: () => MOCK_BASE,
    client: (options) => {
      const client = new RickMortyClient({ transport, ...options });
      clients.push(client);
      return client;
    },
    counter: () => counter,
  };
}

function onReplica(server: () => ReplicaServer): Server {
  return {
    base: () => server().url,
    client: (options) => {
      const client = new RickMortyClient({ baseUrl: server().url, ...options });
      clients.push(client);
      return client;
    },
    counter: () => replicaCounter(server()),
  };
}

const backends: Backend[] = [
  {
    name: 'mock transport',
    fast: onMock(mock, mockCounter(mock)),
    slow: onMock(slowMock, mockCounter(slowMock)),
    slower: onMock(slowerMock, mockCounter(slowerMock)),
    hanging: onMock(hangingMock, hangingMockCounter),
  },
  {
    name: 'replica server',
    fast: onReplica(() => replica),
    slow: onReplica(() => slowReplica),
    slower: onReplica(() => slowerReplica),
    hanging: onReplica(() => hangingReplica),
  },
];

const character = (id: number) => data.characters[id - 1];

describe.each(backends)('async twins against the $name', (backend) => {
  const { fast, slow, slower, hanging } = backend;

  beforeEach(async () => {
    await Promise.all([fast, slow, slower, hanging].map((server) => server.counter().reset()));
  });

  describe('reading', () => {
    it('getCharacterAsync reads one character with one request', async () => {
      const client = fast.client();
      const rick = await client.getCharacterAsync(1);
      expect(rick).toEqual(character(1));
      expect(rick.name).toBe('Rick Sanchez');
      expect(await fast.counter().requests()).toBe(1);
    });

    it('getCharactersAsync([1, 10, 100]) reads the three in order, in ONE batch request', async () => {
      const client = fast.client();
      const trio = await client.getCharactersAsync([1, 10, 100]);
      expect(trio.map((c) => c.name)).toEqual(['Rick Sanchez', 'Alan Rails', 'Bubonic Plague']);
      expect(trio).toEqual([character(1), character(10), character(100)]);
      expect(await fast.counter().requests()).toBe(1);
      expect(await fast.counter().paths()).toEqual(['/api/character/1,10,100']);
    });

    it('returns records in request order whatever order the ids come in', async () => {
      const client = fast.client();
      expect(idsOf(await client.getCharactersAsync([100, 1, 10]))).toEqual([100, 1, 10]);
      const shuffled = [17, 3, 29, 1, 26, 8, 14, 30, 2, 21];
      const records = await client.getCharactersAsync(shuffled);
      expect(idsOf(records)).toEqual(shuffled);
      expect(records).toEqual(shuffled.map(character));
    });

    it('repeats duplicates in the answer but fetches each distinct id once', async () => {
      const client = fast.client();
      const records = await client.getCharactersAsync([1, 1, 2]);
      expect(idsOf(records)).toEqual([1, 1, 2]);
      expect(records[0]).toEqual(records[1]);
      expect(await fast.counter().paths()).toEqual(['/api/character/1,2']);

      await fast.counter().reset();
      const unbatched = fast.client({ batch: false });
      expect(idsOf(await unbatched.getCharactersAsync([1, 1, 2]))).toEqual([1, 1, 2]);
      expect((await fast.counter().paths()).sort()).toEqual([
        '/api/character/1',
        '/api/character/2',
      ]);
    });

    it('splits ids into chunks of batch.size (5 ids, size 2 -> 3 requests)', async () => {
      const client = fast.client({ batch: { size: 2 } });
      const records = await client.getCharactersAsync([5, 4, 3, 2, 1]);
      expect(idsOf(records)).toEqual([5, 4, 3, 2, 1]);
      expect(await fast.counter().requests()).toBe(3);
      // A chunk of one id goes to the single-record URL.
      expect((await fast.counter().paths()).sort()).toEqual([
        '/api/character/1',
        '/api/character/3,2',
        '/api/character/5,4',
      ]);
    });

    it('sends one request per distinct id with batch: false', async () => {
      const client = fast.client({ batch: false });
      const records = await client.getCharactersAsync([3, 1, 3, 2, 10]);
      expect(idsOf(records)).toEqual([3, 1, 3, 2, 10]);
      expect(await fast.counter().requests()).toBe(4);
      expect((await fast.counter().paths()).sort()).toEqual(
        ['/api/character/1', '/api/character/10', '/api/character/2', '/api/character/3'].sort(),
      );
    });

    it('keeps at most `concurrency` requests in flight, and more than one', async () => {
      const client = slow.client({ concurrency: 3, batch: false });
      const ids = Array.from({ length: 20 }, (_, index) => index + 1);
      expect(idsOf(await client.getCharactersAsync(ids))).toEqual(ids);
      const counter = slow.counter();
      expect(await counter.requests()).toBe(20);
      const most = await counter.maxInFlight();
      expect(most).toBeLessThanOrEqual(3);
      expect(most).toBeGreaterThan(1);
    });
  });

  describe('errors', () => {
    it('names the missing ids of a batch in one NotFoundError', async () => {
      const client = fast.client();
      const error = await rejectionOf(client.getCharactersAsync([1, 9998, 2, 9999]));
      expect(error).toBeInstanceOf(NotFoundError);
      const notFound = error as NotFoundError;
      expect(notFound.ids).toEqual([9998, 9999]);
      expect(notFound.status).toBe(404);
      expect(notFound.message).toContain('9998, 9999');
      expect(notFound.message).toContain(`GET ${fast.base()}/character/`);
    });

    it('turns a 404 for one id into a NotFoundError that names the request, and does not retry it', async () => {
      const client = fast.client();
      const error = await rejectionOf(client.getCharacterAsync(9999));
      expect(error).toBeInstanceOf(NotFoundError);
      const notFound = error as NotFoundError;
      const url = `${fast.base()}/character/9999`;
      expect(notFound.status).toBe(404);
      expect(notFound.method).toBe('GET');
      expect(notFound.url).toBe(url);
      expect(notFound.ids).toEqual([9999]);
      expect(notFound.message).toBe(
        `Request failed with status 404 Not Found: GET ${url} (Character not found)`,
      );
      expect(await fast.counter().requests()).toBe(1);
    });

    it('fails with a TimeoutError when a request outlives the per-call timeout, and the client keeps working', async () => {
      const client = hanging.client({ retries: 0 });
      const error = await rejectionOf(client.getCharacterAsync(HANGING_ID, { timeout: 200 }));
      expect(error).toBeInstanceOf(TimeoutError);
      expect(isTimeoutError(error)).toBe(true);
      const timeout = error as TimeoutError;
      expect(timeout.timeout).toBe(200);
      expect(timeout.url).toBe(`${hanging.base()}/character/${HANGING_ID}`);
      expect(timeout.message).toContain(`GET ${hanging.base()}/character/${HANGING_ID}`);
      // The same client, a request that is answered.
      expect((await client.getCharacterAsync(1, { timeout: 200 })).name).toBe('Rick Sanchez');
    });
  });

  describe('aborting', () => {
    it('an AbortSignal aborts a request in flight with an AbortError', async () => {
      const client = hanging.client({ retries: 0 });
      const controller = new AbortController();
      const call = client.getCharacterAsync(HANGING_ID, { signal: controller.signal });
      const settled = rejectionOf(call);
      await until(async () => (await hanging.counter().requests()) === 1);
      controller.abort(new Error('user gave up'));
      const error = await settled;
      expect(error).toBeInstanceOf(AbortError);
      expect(isAbortError(error)).toBe(true);
      expect((error as Error).message).toContain('user gave up');
      expect(await hanging.counter().requests()).toBe(1);
    });

    it('a signal that already fired sends nothing', async () => {
      const client = fast.client();
      const error = await rejectionOf(
        client.getCharacterAsync(1, { signal: AbortSignal.abort('too late') }),
      );
      expect(error).toBeInstanceOf(AbortError);
      expect(await fast.counter().requests()).toBe(0);
    });
  });

  describe('sharing requests in flight', () => {
    it('two concurrent getCharacterAsync(1) make one request', async () => {
      const client = slow.client();
      const [a, b] = await Promise.all([client.getCharacterAsync(1), client.getCharacterAsync(1)]);
      expect(a).toEqual(character(1));
      expect(b).toEqual(a);
      expect(await slow.counter().requests()).toBe(1);
    });

    it('dedupe: false makes one request each', async () => {
      const client = slow.client({ dedupe: false });
      await Promise.all([client.getCharacterAsync(1), client.getCharacterAsync(1)]);
      expect(await slow.counter().requests()).toBe(2);
    });

    it('each caller gets its own copy of a shared answer', async () => {
      const client = slow.client();
      const [a, b] = await Promise.all([client.getCharacterAsync(2), client.getCharacterAsync(2)]);
      expect(a).not.toBe(b);
      a.name = 'changed';
      expect(b.name).toBe('Morty Smith');
    });

    it('one caller aborting does not fail the other caller sharing the request', async () => {
      const client = slower.client();
      const controller = new AbortController();
      const leaving = rejectionOf(client.getCharacterAsync(1, { signal: controller.signal }));
      const staying = client.getCharacterAsync(1);
      await until(async () => (await slower.counter().requests()) === 1);
      controller.abort();
      expect(await leaving).toBeInstanceOf(AbortError);
      expect(await staying).toEqual(character(1));
      expect(await slower.counter().requests()).toBe(1);
    });
  });

  describe('cache', () => {
    it('cache: true serves getCharacter(2) from what getCharactersAsync([1, 2, 3]) read, in both halves', async () => {
      const client = fast.client({ cache: true });
      await client.getCharactersAsync([1, 2, 3]);
      expect(await fast.counter().requests()).toBe(1);
      expect(client.getCharacter(2)).toEqual(character(2));
      expect(await client.getCharacterAsync(3)).toEqual(character(3));
      expect(await fast.counter().requests()).toBe(1);

      // And the other way round: the blocking half fills what the async half reads.
      expect(idsOf(client.getCharacters([4, 5]))).toEqual([4, 5]);
      expect(await fast.counter().requests()).toBe(2);
      expect(await client.getCharacterAsync(5)).toEqual(character(5));
      expect(idsOf(await client.getCharactersAsync([5, 1, 4]))).toEqual([5, 1, 4]);
      expect(await fast.counter().requests()).toBe(2);
    });

    it('the cache keeps its own copy: changing a record the caller got does not change what the cache serves later', async () => {
      const client = fast.client({ cache: true });
      const first = await client.getCharacterAsync(1);
      first.name = 'changed';
      expect((await client.getCharacterAsync(1)).name).toBe('Rick Sanchez');
      expect(await fast.counter().requests()).toBe(1);
    });

    it('reads again once an entry has outlived its ttl', async () => {
      const client = fast.client({ cache: { ttl: 1 } });
      await client.getCharacterAsync(1);
      await nextTick(5);
      await client.getCharacterAsync(1);
      expect(await fast.counter().requests()).toBe(2);
    });

    it('evicts the least recently used entry beyond maxEntries', async () => {
      const client = fast.client({ cache: { maxEntries: 2 } });
      await client.getCharacterAsync(1);
      await client.getCharacterAsync(2);
      await client.getCharacterAsync(3); // evicts 1
      expect(await fast.counter().requests()).toBe(3);
      await client.getCharacterAsync(1); // read again; evicts 2
      expect(await fast.counter().requests()).toBe(4);
      await client.getCharacterAsync(3); // still kept
      expect(await fast.counter().requests()).toBe(4);
      await client.getCharacterAsync(2);
      expect(await fast.counter().requests()).toBe(5);
    });

    it('a custom async store serves the async twins; a blocking twin refuses it', async () => {
      const entries = new Map<string, unknown>();
      const store: CacheStore = {
        get: async (key) => entries.get(key),
        set: async (key, value) => {
          entries.set(key, value);
        },
      };
      const client = fast.client({ cache: { store } });
      expect(await client.getCharacterAsync(1)).toEqual(character(1));
      expect(await client.getCharacterAsync(1)).toEqual(character(1));
      expect(await fast.counter().requests()).toBe(1);
      expect([...entries.keys()]).toEqual([`${fast.base()}/character/1`]);

      const error = thrownBy(() => client.getCharacter(1));
      expect(error).toBeInstanceOf(BlockingUnavailableError);
      expect((error as Error).message).toMatch(/promise/);
      expect(await fast.counter().requests()).toBe(1);
    });
  });
});

describe('async twins against the mock transport: scripted answers', () => {
  const rickUrl = `${MOCK_BASE}/character/1`;

  it('a record of the wrong shape is a ValidationError with issues and the URL, not an HttpError', async () => {
    const transport = createMockTransport({
      respond: (request, next) => {
        const response = next(request);
        const record = JSON.parse(response.body) as Record<string, unknown>;
        return { ...response, body: JSON.stringify({ ...record, name: 42 }) };
      },
    });
    const client = new RickMortyClient({ transport });
    const error = await rejectionOf(client.getCharacterAsync(1));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).not.toBeInstanceOf(HttpError);
    expect(isHttpError(error)).toBe(false);
    const invalid = error as ValidationError;
    expect(invalid.url).toBe(rickUrl);
    expect(invalid.message).toContain(rickUrl);
    expect(invalid.issues.length).toBeGreaterThan(0);
    expect(invalid.issues[0]?.path).toEqual(['name']);
    expect(invalid.message).toMatch(/name: expected string/);
    // A record of the wrong shape will not change on a second try.
    expect(transport.calls).toHaveLength(1);
  });

  it('retries a 503 twice and then succeeds: three requests, in both halves', async () => {
    let failures = 0;
    const transport = createMockTransport({
      respond: (request, next) => {
        if (failures < 2) {
          failures++;
          return {
            status: 503,
            statusText: 'Service Unavailable',
            headers: {},
            body: '{"error":"busy"}',
          };
        }
        return next(request);
      },
    });
    const client = new RickMortyClient({ transport, retry: { minDelay: 1, jitter: false } });
    expect(await client.getCharacterAsync(1)).toEqual(character(1));
    expect(transport.calls).toHaveLength(3);

    failures = 0;
    transport.reset();
    expect(client.getCharacter(1)).toEqual(character(1));
    expect(transport.calls.map((call) => call.mode)).toEqual(['blocking', 'blocking', 'blocking']);
  });

  it('does not retry a 404', async () => {
    const transport = createMockTransport();
    const client = new RickMortyClient({ transport, retries: 5, retry: { minDelay: 1 } });
    expect(await rejectionOf(client.getCharacterAsync(9999))).toBeInstanceOf(NotFoundError);
    expect(transport.calls).toHaveLength(1);
  });

  it('an AbortSignal ends a pending backoff with an AbortError', async () => {
    const transport = createMockTransport({
      respond: () => ({
        status: 503,
        statusText: 'Service Unavailable',
        headers: {},
        body: '{"error":"busy"}',
      }),
    });
    let waiting = false;
    const client = new RickMortyClient({
      transport,
      retries: 5,
      // A minute between attempts: the test can only end by aborting the wait.
      retry: {
        minDelay: 60_000,
        maxDelay: 60_000,
        onRetry: () => {
          waiting = true;
        },
      },
    });
    const controller = new AbortController();
    const settled = rejectionOf(client.getCharacterAsync(1, { signal: controller.signal }));
    await until(() => waiting);
    controller.abort();
    expect(await settled).toBeInstanceOf(AbortError);
    expect(transport.calls).toHaveLength(1);
  });

  it('a call with more than ten requests out at once raises no process warning (MaxListenersExceededWarning)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const client = new RickMortyClient({
        transport: createMockTransport({ latencyMs: 5 }),
        batch: false,
      });
      const ids = Array.from({ length: 30 }, (_, index) => index + 1);
      expect(idsOf(await client.getCharactersAsync(ids))).toEqual(ids);
      const controller = new AbortController();
      await client.getAllCharactersAsync({ status: 'dead' }, { signal: controller.signal });
      // Warnings are emitted on a later tick.
      await nextTick(5);
      await nextTick(5);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('the logger gets a debug line for each request and a warning for each retry', async () => {
    const debug: string[] = [];
    const warn: string[] = [];
    let failed = false;
    const transport = createMockTransport({
      respond: (request, next) => {
        if (failed) return next(request);
        failed = true;
        return { status: 502, statusText: 'Bad Gateway', headers: {}, body: '{"error":"oops"}' };
      },
    });
    const client = new RickMortyClient({
      transport,
      retry: { minDelay: 1 },
      logger: {
        debug: (message) => debug.push(message),
        warn: (message) => warn.push(message),
      },
    });
    await client.getCharacterAsync(1);
    expect(transport.calls).toHaveLength(2);
    expect(debug.filter((line) => line.includes(rickUrl)).length).toBeGreaterThanOrEqual(2);
    expect(debug.some((line) => line.startsWith('fetching'))).toBe(true);
    expect(warn).toHaveLength(1);
    expect(warn[0]).toMatch(/Attempt 1 failed/);
    expect(warn[0]).toContain('502');
    expect(warn[0]).toContain(rickUrl);
  });
});
