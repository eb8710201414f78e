/**
 * Issue 14: the client against a hostile or broken server, and odd input. Each row of the issue's
 * table is a `describe` here, run in both halves against a real HTTP server in a child process
 * (test/helpers/hostile-server-child.mjs), counting what the server received rather than timing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ArgumentRangeError,
  type ConnectionError,
  createBlockingTransport,
  createHttpTransport,
  InvalidArgumentError,
  isConnectionError,
  isRickMortyError,
  makeAsync,
  ResponseError,
  RickMortyClient,
  RickMortyError,
  TimeoutError,
  type Transport,
  ValidationError,
} from '../src/index.js';
import { collect, rejectionOf, thrownBy } from './helpers/client-fixtures.js';
import { type HostileServer, startHostileServer } from './helpers/hostile-server.js';

type Half = 'async' | 'blocking';
const HALVES: Half[] = ['async', 'blocking'];

let server: HostileServer;
const clients: RickMortyClient[] = [];
const closers: { close(): unknown }[] = [];

/**
 * One transport for both halves, shared by the clients of this file, so that each client does not
 * start a worker thread of its own: the blocking half's requests go through one worker.
 */
let shared: Transport;

beforeAll(async () => {
  server = await startHostileServer();
  const blocking = createBlockingTransport();
  closers.push(blocking);
  const http = createHttpTransport({ engine: 'fetch' });
  shared = {
    request: (request) => http.request(request),
    requestSync: (request) => blocking.requestSync(request),
  };
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(closers.map((closer) => closer.close()));
  await server?.close();
});

beforeEach(async () => {
  await server.reset();
});

/** A client for a scenario of the hostile server: no retries unless asked, quick backoff. */
function clientFor(
  scenario: Parameters<HostileServer['api']>[0],
  options: ConstructorParameters<typeof RickMortyClient>[0] = {},
): RickMortyClient {
  const client = new RickMortyClient({
    baseUrl: server.api(scenario),
    transport: shared,
    retries: 0,
    retry: { minDelay: 1, maxDelay: 2 },
    ...options,
  });
  clients.push(client);
  return client;
}

type Twins = Record<string, (...args: unknown[]) => unknown>;

/** Calls the blocking twin `method`, or its async twin, and settles with what it gave. */
async function call(client: RickMortyClient, half: Half, method: string, ...args: unknown[]) {
  const twins = client as unknown as Twins;
  if (half === 'async') return twins[`${method}Async`]!.apply(client, args);
  return twins[method]!.apply(client, args);
}

/** The error a call in either half ends with. */
async function failureOf(client: RickMortyClient, half: Half, method: string, ...args: unknown[]) {
  if (half === 'blocking') {
    return thrownBy(() => (client as unknown as Twins)[method]!.apply(client, args));
  }
  return rejectionOf(call(client, half, method, ...args) as Promise<unknown>);
}

describe('row 1: a list whose info claims a huge count, then getAll and the iterators', () => {
  it.each(HALVES)('fails at once with TOO_MANY_RECORDS, after one request (%s)', async (half) => {
    const client = clientFor('huge');
    for (const filter of [undefined, { name: 'a' }]) {
      await server.reset();
      const error = await failureOf(client, half, 'getAllCharacters', filter);
      expect(error).toBeInstanceOf(ResponseError);
      expect((error as ResponseError).code).toBe('TOO_MANY_RECORDS');
      expect((error as Error).message).toContain('maxRecords');
      expect(await server.count()).toBe(1);
    }
  });

  it.each(HALVES)('maxRecords is the limit: one record more than it fails (%s)', async (half) => {
    // The `ok` lists hold 60 records.
    expect(await call(clientFor('ok', { maxRecords: 60 }), half, 'getAllLocations')).toHaveLength(
      60,
    );
    const error = await failureOf(clientFor('ok', { maxRecords: 59 }), half, 'getAllLocations');
    expect((error as ResponseError).code).toBe('TOO_MANY_RECORDS');
  });

  it.each(HALVES)(
    'a page count that does not match the count is a ValidationError (%s)',
    async (half) => {
      const error = await failureOf(clientFor('pages-lie'), half, 'getAllEpisodes', { name: 'e' });
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(/60 records on 50000000 pages/);
      expect(await server.count()).toBe(1);
    },
  );

  it('an iterator stops at the pages the first page claims, though `next` goes on (blocking)', () => {
    const client = clientFor('endless');
    const pages = [];
    for (const page of client.iterateCharacterPages({ name: 'c' })) {
      pages.push(page);
      if (pages.length > 10) break;
    }
    expect(pages).toHaveLength(3);
    expect([...client.iterateCharacters({ name: 'c' })].slice(0, 100)).toHaveLength(60);
  });

  it('an iterator stops at the pages the first page claims, though `next` goes on (async)', async () => {
    const client = clientFor('endless');
    const pages = [];
    for await (const page of client.iterateCharacterPagesAsync({ name: 'c' })) {
      pages.push(page);
      if (pages.length > 10) break;
    }
    expect(pages).toHaveLength(3);
    expect(await server.count()).toBe(3);
    expect(await collect(client.iterateCharactersAsync({ name: 'c' }))).toHaveLength(60);
  });

  it.each(HALVES)('getAll reads the claimed pages, not the endless `next` (%s)', async (half) => {
    expect(await call(clientFor('endless'), half, 'getAllCharacters', { name: 'c' })).toHaveLength(
      60,
    );
    expect(await server.count()).toBe(3);
  });

  it.each(HALVES)(
    'a record that comes twice in one walk is a ValidationError (%s)',
    async (half) => {
      const client = clientFor('repeats');
      const walked = await failureOf(client, half, 'getAllCharacters', { name: 'c' });
      expect((walked as Error).message).toMatch(/record 1 came twice in one walk/);
      const iterated =
        half === 'async'
          ? await rejectionOf(collect(client.iterateCharactersAsync({ name: 'c' })))
          : thrownBy(() => [...client.iterateCharacters({ name: 'c' })]);
      expect(iterated).toBeInstanceOf(ValidationError);
      expect((iterated as Error).message).toMatch(/record 1 came twice in one walk/);
    },
  );

  it.each(HALVES)('an iterator of a huge list fails on its first page (%s)', async (half) => {
    const client = clientFor('huge');
    const error =
      half === 'async'
        ? await rejectionOf(collect(client.iterateCharactersAsync()))
        : thrownBy(() => [...client.iterateCharacters()]);
    expect((error as ResponseError).code).toBe('TOO_MANY_RECORDS');
    expect(await server.count()).toBe(1);
  });
});

describe('row 2: per-call settings under dedupe', () => {
  it('calls with different timeouts for the same URL do not share a request', async () => {
    const client = clientFor('slow-600');
    for (const order of [
      [200, 5000],
      [5000, 200],
    ]) {
      await server.reset();
      const results = await Promise.allSettled(
        order.map((timeout) => client.getCharacterAsync(1, { timeout })),
      );
      const byTimeout = new Map(order.map((timeout, index) => [timeout, results[index]!]));
      expect(byTimeout.get(5000)).toMatchObject({ status: 'fulfilled', value: { id: 1 } });
      const short = byTimeout.get(200) as PromiseRejectedResult;
      expect(short.reason).toBeInstanceOf(TimeoutError);
      expect((short.reason as TimeoutError).timeout).toBe(200);
      expect(await server.count()).toBe(2);
    }
  });

  it('calls with different size caps do not share a request', async () => {
    const client = clientFor('big');
    const [small, large] = await Promise.allSettled([
      client.getCharacterAsync(1, { maxResponseBytes: 1000 }),
      client.getCharacterAsync(1),
    ]);
    expect((small as PromiseRejectedResult).reason).toMatchObject({ code: 'TOO_LARGE' });
    expect(large).toMatchObject({ status: 'fulfilled', value: { id: 1 } });
  });

  it('calls with the same settings still share one request', async () => {
    const client = clientFor('slow-100');
    await Promise.all([client.getCharacterAsync(1), client.getCharacterAsync(1)]);
    expect(await server.count()).toBe(1);
  });

  it('the blocking half keeps each call to its own timeout and size cap', () => {
    const slow = clientFor('slow-600');
    const error = thrownBy(() => slow.getCharacter(1, { timeout: 200 }));
    expect((error as TimeoutError).timeout).toBe(200);
    expect(slow.getCharacter(1, { timeout: 5000 }).id).toBe(1);
    const big = clientFor('big');
    expect(thrownBy(() => big.getCharacter(1, { maxResponseBytes: 1000 }))).toMatchObject({
      code: 'TOO_LARGE',
    });
  });
});

describe('row 3: settings given to a transport are honoured', () => {
  function transports(options: { timeout?: number; maxResponseBytes?: number }) {
    const http = createHttpTransport(options);
    const blocking = createBlockingTransport(options);
    closers.push(blocking);
    return { async: http, blocking } as const;
  }

  it.each(HALVES)(
    "the transport's timeout applies when the client sets none (%s)",
    async (half) => {
      const transport = transports({ timeout: 200 })[half];
      const error = await failureOf(clientFor('slow-600', { transport }), half, 'getCharacter', 1);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).timeout).toBe(200);
    },
  );

  it.each(HALVES)(
    "the transport's size cap applies when the client sets none (%s)",
    async (half) => {
      const transport = transports({ maxResponseBytes: 1000 })[half];
      const error = await failureOf(clientFor('big', { transport }), half, 'getCharacter', 1);
      expect(error).toMatchObject({ code: 'TOO_LARGE' });
    },
  );

  it.each(HALVES)(
    "the client's setting wins over the transport's, the call's over both (%s)",
    async (half) => {
      const transport = transports({ timeout: 200 })[half];
      const client = clientFor('slow-400', { transport, timeout: 5000 });
      expect(await call(client, half, 'getCharacter', 1)).toMatchObject({ id: 1 });
      const error = await failureOf(client, half, 'getCharacter', 1, { timeout: 100 });
      expect((error as TimeoutError).timeout).toBe(100);
    },
  );
});

describe('row 3: where the caller set nothing', () => {
  it('a transport that declares no settings of its own gets the library defaults', async () => {
    const seen: (number | undefined)[][] = [];
    const http = createHttpTransport();
    const plain: Transport = {
      request: (request) => {
        seen.push([request.timeout, request.maxResponseBytes]);
        return http.request(request);
      },
    };
    await clientFor('ok', { transport: plain }).getCharacterAsync(1);
    await clientFor('ok', { transport: plain, timeout: 700 }).getCharacterAsync(1);
    expect(seen).toEqual([
      [10_000, 5 * 1024 * 1024],
      [700, 5 * 1024 * 1024],
    ]);
  });

  it("makeAsync over a blocking transport keeps that transport's settings", async () => {
    const pooled = makeAsync(createBlockingTransport({ timeout: 200 }));
    closers.push(pooled);
    const error = await rejectionOf(
      clientFor('slow-600', { transport: pooled }).getCharacterAsync(1),
    );
    expect((error as TimeoutError).timeout).toBe(200);
  });
});

describe('row 4: a batch answer with a duplicate record and one nobody asked for', () => {
  it.each(HALVES)('is a ValidationError, and nothing of it is cached (%s)', async (half) => {
    const client = clientFor('batch-dup', { cache: true });
    const error = await failureOf(client, half, 'getCharacters', [1, 2, 3]);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/999 was not asked for/);
    expect((error as Error).message).toMatch(/1 came twice/);
    await server.reset();
    // Record 999 came in the refused answer: it is fetched, not served from the cache.
    expect(await call(client, half, 'getCharacter', 999)).toMatchObject({ id: 999 });
    expect(await call(client, half, 'getCharacter', 2)).toMatchObject({ id: 2 });
    expect(await server.count()).toBe(2);
  });

  it.each(HALVES)('the linked records of a batch are checked the same way (%s)', async (half) => {
    const client = clientFor('batch-dup');
    const episode = { characters: ['https://x/api/character/1', 'https://x/api/character/2'] };
    const error = await failureOf(client, half, 'getEpisodeCharacters', episode);
    expect(error).toBeInstanceOf(ValidationError);
  });
});

describe('row 5: /character/1 answering the record of another id', () => {
  it.each(HALVES)('is a ValidationError, never cached (%s)', async (half) => {
    const client = clientFor('wrong-id', { cache: true });
    for (const attempt of [1, 2]) {
      const error = await failureOf(client, half, 'getCharacter', 1);
      expect(error, `attempt ${attempt}`).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain('id: expected 1, got 2');
    }
    expect(await server.count()).toBe(2);
    // A batch that answers other ids finds none of those asked, and says which it got.
    const batch = await failureOf(client, half, 'getCharacters', [1, 2]);
    expect((batch as Error).message).toMatch(/1001 was not asked for/);
  });
});

describe('row 6: ids and links that change after they are checked', () => {
  /** An array that answers its ids the first time each is read, and a path after that. */
  function shifty(ids: number[]): number[] {
    const reads = new Map<PropertyKey, number>();
    return new Proxy(ids, {
      get(target, key, receiver) {
        const seen = reads.get(key) ?? 0;
        reads.set(key, seen + 1);
        if (typeof key === 'string' && /^\d+$/.test(key) && seen > 0) return '../../../etc/passwd';
        return Reflect.get(target, key, receiver);
      },
    });
  }

  it.each(HALVES)('requests use the ids as they were checked (%s)', async (half) => {
    for (const batch of [true, false]) {
      await server.reset();
      const client = clientFor('ok', { batch });
      const records = (await call(client, half, 'getCharacters', shifty([1, 2, 3]))) as {
        id: number;
      }[];
      expect(records.map((record) => record.id)).toEqual([1, 2, 3]);
      for (const url of await server.urls()) expect(url).toMatch(/^\/ok\/api\/character\/[\d,]+$/);
    }
  });

  it.each(HALVES)('an id behind a getter is read once (%s)', async (half) => {
    let reads = 0;
    const ids = [1];
    Object.defineProperty(ids, 0, {
      get: () => (reads++ === 0 ? 2 : '..'),
      enumerable: true,
    });
    const records = (await call(clientFor('ok'), half, 'getCharacters', ids)) as { id: number }[];
    expect(records.map((record) => record.id)).toEqual([2]);
    expect(reads).toBe(1);
  });

  it.each(HALVES)('linked URLs are read once (%s)', async (half) => {
    const urls = ['https://x/api/episode/1', 'https://x/api/episode/2'];
    let reads = 0;
    const links = new Proxy(urls, {
      get(target, key, receiver) {
        if (key === '0' && reads++ > 0) return 'https://x/api/episode/../../../admin';
        return Reflect.get(target, key, receiver);
      },
    });
    const records = (await call(clientFor('ok'), half, 'getCharacterEpisodes', {
      episode: links,
    })) as { id: number }[];
    expect(records.map((record) => record.id)).toEqual([1, 2]);
    for (const url of await server.urls()) expect(url).toMatch(/^\/ok\/api\/episode\/[\d,]+$/);
  });

  it('the options of an iterator are read once, not once a page (blocking)', () => {
    let reads = 0;
    const options = {
      get timeout() {
        reads++;
        return reads === 1 ? 5000 : -1;
      },
    };
    expect([...clientFor('ok').iterateCharacterPages({}, options)]).toHaveLength(3);
    expect(reads).toBe(1);
  });

  it('the options of an iterator are read once, not once a page (async)', async () => {
    let reads = 0;
    const options = {
      get timeout() {
        reads++;
        return reads === 1 ? 5000 : -1;
      },
    };
    expect(await collect(clientFor('ok').iterateCharacterPagesAsync({}, options))).toHaveLength(3);
    expect(reads).toBe(1);
  });

  it.each(HALVES)('a header value behind a getter is read once (%s)', async (half) => {
    let reads = 0;
    const headers = {
      get 'x-trace'() {
        reads++;
        return reads === 1 ? 'checked' : 'a\r\nx-evil: 1';
      },
    };
    const client = clientFor('ok', { headers });
    expect(await call(client, half, 'getCharacter', 1)).toMatchObject({ id: 1 });
    expect(reads).toBe(1);
    const [request] = await server.requests();
    expect(request?.headers['x-trace']).toBe('checked');
  });
});

describe('row 7: prototype keys are unknown keys like any other', () => {
  const KEYS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

  it.each(HALVES)('in a filter, before any request (%s)', async (half) => {
    const client = clientFor('ok');
    for (const key of KEYS) {
      const filter = JSON.parse(`{"${key}": "x"}`) as object;
      for (const method of ['listCharacters', 'getAllCharacters']) {
        const error = await failureOf(client, half, method, filter);
        expect(error, `${method} ${key}`).toBeInstanceOf(InvalidArgumentError);
        expect((error as Error).message, key).toContain(`Unknown character filter \`${key}\``);
      }
    }
    expect(await server.count()).toBe(0);
  });

  it.each(HALVES)('in call options (%s)', async (half) => {
    for (const key of KEYS) {
      const options = JSON.parse(`{"${key}": 1}`) as object;
      const error = await failureOf(clientFor('ok'), half, 'getCharacter', 1, options);
      expect(error, key).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toContain(`Unknown option \`${key}\``);
    }
    expect(await server.count()).toBe(0);
  });

  it('in the options of the client, its parts, and the transports', () => {
    for (const key of KEYS) {
      const value = JSON.parse(`{"${key}": 1}`) as object;
      for (const make of [
        () => new RickMortyClient(value),
        () => new RickMortyClient({ retry: value }),
        () => new RickMortyClient({ batch: value }),
        () => new RickMortyClient({ cache: value }),
        () => new RickMortyClient({ detectBlocking: value }),
        () => createHttpTransport(value),
        () => createBlockingTransport(value),
      ]) {
        expect(thrownBy(make), `${key}: ${make}`).toBeInstanceOf(InvalidArgumentError);
      }
    }
  });
});

describe('row 8: headers that fetch would refuse on every request', () => {
  const BAD: Record<string, string>[] = [
    { 'x-injected': 'a\r\nx-evil: 1' },
    { 'x-newline': 'a\nb' },
    { 'x-nul': 'a\0b' },
    { 'bad name': 'x' },
    { 'x:colon': 'x' },
    { '': 'x' },
    { 'x-emoji': 'rick 🥒' },
    { 'x-cyrillic': 'Рик' },
  ];

  it('are refused when the client is made, naming the header', async () => {
    for (const headers of BAD) {
      const error = thrownBy(() => new RickMortyClient({ baseUrl: server.api('ok'), headers }));
      expect(error, JSON.stringify(headers)).toBeInstanceOf(InvalidArgumentError);
      expect(isRickMortyError(error)).toBe(true);
    }
    expect(await server.count()).toBe(0);
  });

  it.each(HALVES)('good ones, Latin-1 included, reach the server (%s)', async (half) => {
    const client = clientFor('ok', { headers: { 'x-token': 'caf\u00e9 ok', 'X-Trace-Id': 'abc' } });
    await call(client, half, 'getCharacter', 1);
    const [request] = await server.requests();
    expect(request?.headers['x-trace-id']).toBe('abc');
    expect(Buffer.from(String(request?.headers['x-token']), 'latin1').toString('latin1')).toBe(
      'caf\u00e9 ok',
    );
  });
});

describe('row 9: redirects that cannot be followed', () => {
  it.each(HALVES)(
    'a 3xx without Location, a 304 and a 300 fail at once, unretried (%s)',
    async (half) => {
      for (const scenario of ['redirect-bare', 'not-modified', 'multiple-choices'] as const) {
        await server.reset();
        const client = clientFor(scenario, { retries: 2 });
        const error = await failureOf(client, half, 'getCharacter', 1);
        expect(error, scenario).toBeInstanceOf(ResponseError);
        expect((error as ResponseError).code, scenario).toBe('BAD_REDIRECT');
        expect(await server.count(), scenario).toBe(1);
      }
    },
  );

  it.each(HALVES)(
    'a redirect to a URL with credentials is refused, and never shows them (%s)',
    async (half) => {
      const client = clientFor('redirect-secret', { retries: 2 });
      const error = await failureOf(client, half, 'getCharacter', 1);
      expect((error as ResponseError).code).toBe('BAD_REDIRECT');
      const shown = `${(error as Error).message} ${(error as ResponseError).url} ${(error as Error).stack}`;
      expect(shown).not.toContain('s3cret');
      expect(shown).not.toContain('user:');
      expect(await server.count()).toBe(1);
    },
  );
});

describe('row 10: a Retry-After of 0, negative, or in the past', () => {
  it.each(HALVES)('never shortens the backoff (%s)', async (half) => {
    for (const scenario of ['retry-after-zero', 'retry-after-neg', 'retry-after-past'] as const) {
      await server.reset();
      const delays: number[] = [];
      const client = clientFor(scenario, {
        retries: 2,
        retry: {
          minDelay: 20,
          factor: 2,
          jitter: false,
          onRetry: ({ delay }) => delays.push(delay),
        },
      });
      const error = await failureOf(client, half, 'getCharacter', 1);
      expect((error as { status?: number }).status, scenario).toBe(429);
      expect(delays, scenario).toEqual([20, 40]);
      expect(await server.count(), scenario).toBe(3);
      expect((error as Error).message).toContain('(after 3 attempts)');
    }
  });
});

describe('row 11: one call for 8,000 ids with batch: false', () => {
  /** The most 'abort' listeners any one AbortSignal held while `run` ran. */
  async function mostAbortListeners(run: () => Promise<unknown> | unknown): Promise<number> {
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    const counts = new Map<EventTarget, number>();
    let most = 0;
    EventTarget.prototype.addEventListener = function (this: EventTarget, type, ...rest) {
      if (type === 'abort' && this instanceof AbortSignal) {
        const count = (counts.get(this) ?? 0) + 1;
        counts.set(this, count);
        most = Math.max(most, count);
      }
      return add.call(this, type, ...rest);
    } as typeof add;
    EventTarget.prototype.removeEventListener = function (this: EventTarget, type, ...rest) {
      if (type === 'abort' && this instanceof AbortSignal) {
        counts.set(this, Math.max(0, (counts.get(this) ?? 0) - 1));
      }
      return remove.call(this, type, ...rest);
    } as typeof remove;
    try {
      await run();
    } finally {
      EventTarget.prototype.addEventListener = add;
      EventTarget.prototype.removeEventListener = remove;
    }
    return most;
  }

  it('holds a few abort listeners on a signal, not one per request (async)', async () => {
    const distinct = Array.from({ length: 8000 }, (_, index) => index + 1);
    const client = clientFor('ok', { batch: false, concurrency: 32 });
    const controller = new AbortController();
    const most = await mostAbortListeners(async () => {
      const pending = client.getCharactersAsync(distinct, { signal: controller.signal });
      // Every request is queued by now; a few hundred answered show the steady state too.
      while ((await server.count()) < 300) await new Promise((wake) => setTimeout(wake, 5));
      controller.abort();
      expect(await rejectionOf(pending)).toMatchObject({ name: 'AbortError' });
    });
    expect(most).toBeLessThan(50);
  });

  it('starts a few dozen of its requests in one turn of the event loop, not all 8,000 (async)', async () => {
    // Each request logs `fetching <url>` as it starts: count those before the loop turns once.
    let started = 0;
    const logger = {
      debug: (message: string) => {
        if (message.startsWith('fetching')) started++;
      },
    };
    const client = clientFor('slow-50', { batch: false, concurrency: 16, logger });
    const distinct = Array.from({ length: 8000 }, (_, index) => index + 1);
    const controller = new AbortController();
    const pending = client.getCharactersAsync(distinct, { signal: controller.signal });
    const inFirstTurn = await new Promise<number>((resolve) =>
      setImmediate(() => resolve(started)),
    );
    controller.abort();
    await rejectionOf(pending);
    // The window is twice the concurrency (32); without it, every request started at once.
    expect(inFirstTurn).toBeGreaterThan(0);
    expect(inFirstTurn).toBeLessThanOrEqual(64);
  });

  it('holds no listener per request in the blocking half either', async () => {
    const distinct = Array.from({ length: 300 }, (_, index) => index + 1);
    const client = clientFor('ok', { batch: false });
    const most = await mostAbortListeners(() =>
      thrownBy(() => client.getCharacters(distinct, { signal: new AbortController().signal })),
    );
    expect(most).toBeLessThan(5);
    expect(await server.count()).toBe(300);
  });
});

describe('row 12: one error hierarchy', () => {
  it.each(HALVES)(
    'bad arguments are RickMortyErrors, still TypeError and RangeError (%s)',
    async (half) => {
      const client = clientFor('ok');
      const wrongType = await failureOf(client, half, 'getCharacter', 'abc');
      const outOfRange = await failureOf(client, half, 'getCharacter', 0);
      expect(wrongType).toBeInstanceOf(InvalidArgumentError);
      expect(wrongType).toBeInstanceOf(TypeError);
      expect(wrongType).toBeInstanceOf(RickMortyError);
      expect(outOfRange).toBeInstanceOf(ArgumentRangeError);
      expect(outOfRange).toBeInstanceOf(RangeError);
      expect(outOfRange).toBeInstanceOf(RickMortyError);
      expect(isRickMortyError(wrongType) && isRickMortyError(outOfRange)).toBe(true);
      expect(await server.count()).toBe(0);
    },
  );

  it('instanceof RickMortyError stays false for what is not ours', () => {
    expect(new TypeError('x')).not.toBeInstanceOf(RickMortyError);
    expect(new RangeError('x')).not.toBeInstanceOf(RickMortyError);
    expect({ name: 'InvalidArgumentError' }).not.toBeInstanceOf(RickMortyError);
    // Subclasses keep the ordinary check.
    expect(new InvalidArgumentError('x')).not.toBeInstanceOf(ValidationError);
  });

  it.each(HALVES)('a refused connection names its code, and the attempts (%s)', async (half) => {
    const refusing = await startHostileServer();
    const base = refusing.api('ok');
    await refusing.close();
    const client = clientFor('ok', { baseUrl: base, retries: 2 });
    const error = await failureOf(client, half, 'getCharacter', 1);
    expect(isConnectionError(error)).toBe(true);
    expect((error as ConnectionError).code).toBe('ECONNREFUSED');
    expect((error as Error).message).toMatch(
      /^Request failed \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)/,
    );
    expect((error as Error).message).toContain('(after 3 attempts)');
  });

  it.each(HALVES)("fetch's `bad port` is in the message (%s)", async (half) => {
    // Port 6000 (X11) is one fetch refuses to reach.
    const client = clientFor('ok', { baseUrl: 'http://127.0.0.1:6000/api' });
    const error = await failureOf(client, half, 'getCharacter', 1);
    expect(isConnectionError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^Request failed \(bad port\)/);
  });

  it.each(HALVES)('a timeout retried says how many attempts it took (%s)', async (half) => {
    const client = clientFor('slow-400', { timeout: 50, retries: 2 });
    const error = await failureOf(client, half, 'getCharacter', 1);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(
      /^Request timed out after 50 ms: GET .* \(after 3 attempts\)$/,
    );
    expect((error as Error).stack).toContain('(after 3 attempts)');
  });
});

describe('what a server says in an error body', () => {
  it.each(HALVES)('is shown without control characters, and cut short (%s)', async (half) => {
    const error = await failureOf(clientFor('evil-error'), half, 'getCharacter', 1);
    const { message, serverMessage } = error as { message: string; serverMessage: string };
    // biome-ignore lint/suspicious/noControlCharactersInRegex: they are what must not be there
    expect(message).not.toMatch(/[\u0000-\u001f]/);
    expect(serverMessage.startsWith('busy 2026-01-01 INFO all is well [2JAAA')).toBe(true);
    expect(serverMessage.length).toBeLessThanOrEqual(301);
  });
});

describe('row 13: charsets, iterators past the last page, an onReport that throws', () => {
  it.each(HALVES)(
    'a Latin-1 body is read as Latin-1, with a length or chunked (%s)',
    async (half) => {
      for (const scenario of ['latin1', 'latin1-chunked'] as const) {
        const record = await call(clientFor(scenario), half, 'getCharacter', 7);
        expect(record, scenario).toMatchObject({ name: 'Se\u00f1or M\u00fcller 7' });
      }
    },
  );

  it.each(HALVES)('a charset nobody can decode is a ResponseError (%s)', async (half) => {
    const error = await failureOf(
      clientFor('bad-charset', { retries: 2 }),
      half,
      'getCharacter',
      1,
    );
    expect((error as ResponseError).code).toBe('BAD_CHARSET');
    expect(await server.count()).toBe(1);
  });

  it('an onReport that throws does not cancel the blocking call', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const client = clientFor('ok', {
        detectBlocking: {
          thresholdMs: 0,
          onReport: () => {
            throw new Error('reporter broke');
          },
        },
      });
      expect(client.getCharacter(1).name).toBe('Rick Sanchez');
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((warning) => String(warning.cause))).toContain('Error: reporter broke');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
