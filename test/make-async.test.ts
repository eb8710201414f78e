import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { RickMortyClient } from '../src/client.js';
import {
  AbortError,
  ConnectionError,
  InvalidArgumentError,
  TimeoutError,
  WorkerError,
} from '../src/errors/index.js';
import { createBlockingTransport } from '../src/transports/blocking.js';
import { makeAsync, type PooledTransport } from '../src/transports/make-async.js';
import type { TransportRequest } from '../src/transports/types.js';
import { startTestServer, type TestServer } from './helpers/http-server.js';
import { runScript } from './helpers/run-script.js';
import { countWorkers, restoreWorker } from './helpers/worker-count.js';

type Fixtures = typeof import('./fixtures/pool-functions.mjs');

const FIXTURES = new URL('./fixtures/pool-functions.mjs', import.meta.url);
/** How long a fixture blocks at most before it gives up: a hang guard, not a timing assertion. */
const GUARD_MS = 15_000;

let server: TestServer;
/** One pooled blocking transport for the tests that only send requests (threads are slow to start). */
let pooled: PooledTransport;
const closers: (() => Promise<void>)[] = [];

function get(path: string, extra: Partial<TransportRequest> = {}): TransportRequest {
  return { method: 'GET', url: `${server.url}${path}`, ...extra };
}

function track<T extends { close(): Promise<void> }>(closable: T): T {
  closers.push(() => closable.close());
  return closable;
}

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('Expected a rejection');
}

beforeAll(async () => {
  server = await startTestServer();
  // Idle threads live long enough that the tests after the first find them warm.
  pooled = makeAsync(createBlockingTransport({ timeout: GUARD_MS }), {
    maxThreads: 3,
    idleTimeout: 60_000,
  });
});

afterAll(async () => {
  await pooled?.close();
  await server?.close();
});

beforeEach(async () => {
  await server.reset();
});

afterEach(async () => {
  restoreWorker();
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe('makeAsync(blocking transport)', () => {
  test('returns an async transport whose concurrent requests overlap at the server', async () => {
    // The server holds each /barrier request until three are held together: requests that ran one
    // after another would each wait alone until the transport's timeout.
    const responses = await Promise.all(
      [1, 2, 3].map(() => pooled.request(get('/barrier/overlap?n=3'))),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(responses.map((response) => JSON.parse(response.body).together)).toEqual([3, 3, 3]);
    const stats = await server.stats();
    expect(stats.requests).toBe(3);
    expect(stats.maxInFlight).toBe(3);
  });

  test('three delayed requests are in flight at the server together', async () => {
    // The same proof with plain delayed answers and the server's in-flight count. Three threads
    // must be running first (a barrier round makes sure), or their start-up would spread the
    // requests out further than the delay.
    await Promise.all([1, 2, 3].map(() => pooled.request(get('/barrier/warm-up?n=3'))));
    await server.reset();
    const responses = await Promise.all(
      [1, 2, 3].map((i) => pooled.request(get(`/json?delay=200&i=${i}`))),
    );
    expect(responses.map((response) => JSON.parse(response.body).url)).toEqual([
      '/json?delay=200&i=1',
      '/json?delay=200&i=2',
      '/json?delay=200&i=3',
    ]);
    expect((await server.stats()).maxInFlight).toBe(3);
  });

  test('returns status, headers and body as the blocking transport does', async () => {
    const response = await pooled.request(get('/status/404?message=Character%20not%20found'));
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(response.body)).toEqual({ error: 'Character not found' });
  });

  test('errors arrive with their class and fields', async () => {
    const timeout = await rejection(pooled.request(get('/hang', { timeout: 300 })));
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect(timeout).toMatchObject({ timeout: 300, url: `${server.url}/hang`, method: 'GET' });
    const reset = await rejection(pooled.request(get('/reset')));
    expect(reset).toBeInstanceOf(ConnectionError);
    expect(reset.code).toBe('ECONNRESET');
    const tooLarge = await rejection(
      pooled.request(get('/big?bytes=5000', { maxResponseBytes: 100 })),
    );
    expect(tooLarge).toMatchObject({ name: 'ResponseError', code: 'TOO_LARGE' });
  });

  test('an aborted signal is an AbortError, and nothing is sent', async () => {
    const error = await rejection(
      pooled.request(get('/json', { signal: AbortSignal.abort('stop') })),
    );
    expect(error).toBeInstanceOf(AbortError);
    expect((await server.stats()).requests).toBe(0);
  });

  test('an abort while the request is held is an AbortError', async () => {
    const own = track(makeAsync(createBlockingTransport({ timeout: GUARD_MS }), { maxThreads: 1 }));
    const controller = new AbortController();
    const pending = rejection(own.request(get('/hang', { signal: controller.signal })));
    await waitUntil(async () => (await server.stats()).inFlight === 1);
    controller.abort(new Error('changed my mind'));
    const error = await pending;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.message).toContain('changed my mind');
  });

  test('refuses a blocking transport that cannot rebuild itself', () => {
    const homemade = {
      requestSync: () => ({ status: 200, statusText: 'OK', headers: {}, body: '' }),
    };
    // @ts-expect-error: a transport without a `rebuild` recipe
    expect(() => makeAsync(homemade)).toThrow(InvalidArgumentError);
    // @ts-expect-error: a transport without a `rebuild` recipe
    expect(() => makeAsync(homemade)).toThrow(/rebuild/);
  });
});

describe('pool sizing, for calls that wait rather than compute', () => {
  test('a fresh makeAsync(transport) overlaps the first three concurrent calls at the server, every time, on one thread', async () => {
    for (const round of [1, 2, 3]) {
      const workers = countWorkers();
      const fresh = track(makeAsync(createBlockingTransport({ timeout: GUARD_MS })));
      await server.reset();
      // Held until three are held together: calls that did not overlap would wait out the guard.
      const responses = await Promise.all(
        [1, 2, 3].map(() => fresh.request(get(`/barrier/fresh-${round}?n=3`))),
      );
      expect(responses.map((r) => JSON.parse(r.body).together)).toEqual([3, 3, 3]);
      expect((await server.stats()).maxInFlight).toBe(3);
      // The requests wait on the network, not on the thread: one thread carries them all.
      expect(workers.started).toBe(1);
      await fresh.close();
    }
  });

  test('a fresh pool overlaps the first three concurrent blocking calls, every time', async () => {
    for (const _round of [1, 2, 3]) {
      const rendezvous = track(
        makeAsync<Fixtures['rendezvous']>({ module: FIXTURES, export: 'rendezvous' }),
      );
      const shared = new SharedArrayBuffer(4);
      const results = await Promise.all([1, 2, 3].map(() => rendezvous(shared, 3, GUARD_MS)));
      expect(results.map((r) => r.arrived)).toEqual([3, 3, 3]);
      await rendezvous.close();
    }
  });

  test('by default as many blocking calls overlap as a client lets be in flight (10)', async () => {
    const rendezvous = track(
      makeAsync<Fixtures['rendezvous']>({ module: FIXTURES, export: 'rendezvous' }),
    );
    const shared = new SharedArrayBuffer(4);
    const calls = Array.from({ length: 10 }, () => rendezvous(shared, 10, GUARD_MS));
    const results = await Promise.all(calls);
    expect(results.every((r) => r.arrived === 10 && !r.gaveUp)).toBe(true);
    expect(new Set(results.map((r) => r.threadId)).size).toBe(10);
  });

  test("a transport that can only block gets a thread per request, as many as the client's concurrency", async () => {
    // A blocking transport whose worker builds a transport that can only block: the client's
    // async half runs it through makeAsync, one pool thread per request, sized by `concurrency`.
    const blockingOnly = createBlockingTransport({
      transport: {
        module: new URL('./fixtures/transports.ts', import.meta.url),
        export: 'createBlockingOnly',
      },
    });
    // The server holds each request until four are held together.
    const client = track(
      new RickMortyClient({
        baseUrl: `${server.url}/barrier/client/4`,
        transport: blockingOnly,
        concurrency: 4,
        retries: 0,
        timeout: GUARD_MS,
      }),
    );
    const names = await Promise.all(
      [1, 2, 3, 4].map(async (id) => (await client.getCharacterAsync(id)).name),
    );
    expect(names).toEqual(['Rick Sanchez', 'Character 2', 'Character 3', 'Character 4']);
    expect((await server.stats()).maxInFlight).toBe(4);
  });
});

describe('makeAsync({ module, export })', () => {
  test('runs the function on the pool and returns its result', async () => {
    const add = track(makeAsync<Fixtures['add']>({ module: FIXTURES, export: 'add' }));
    await expect(add(2, 3)).resolves.toBe(5);
    const double = track(makeAsync<Fixtures['default']>({ module: FIXTURES.href }));
    await expect(double(21)).resolves.toBe(42);
    const byPath = track(
      makeAsync<Fixtures['add']>({ module: fileURLToPath(FIXTURES), export: 'add' }),
    );
    await expect(byPath(1, 1)).resolves.toBe(2);
  });

  test('concurrent calls run on threads of their own at the same time', async () => {
    const rendezvous = track(
      makeAsync<Fixtures['rendezvous']>(
        { module: FIXTURES, export: 'rendezvous' },
        { maxThreads: 3 },
      ),
    );
    // Each call blocks its thread until all three have arrived: calls that did not overlap would
    // each give up alone after the guard.
    const shared = new SharedArrayBuffer(4);
    const results = await Promise.all([1, 2, 3].map(() => rendezvous(shared, 3, GUARD_MS)));
    for (const result of results)
      expect(result).toEqual({ arrived: 3, threadId: expect.any(Number) });
    expect(new Set(results.map((result) => result.threadId)).size).toBe(3);
  });

  test('the event loop keeps ticking while a pooled call blocks its thread', async () => {
    const waitForRelease = track(
      makeAsync<Fixtures['waitForRelease']>({ module: FIXTURES, export: 'waitForRelease' }),
    );
    const shared = new SharedArrayBuffer(4);
    const cell = new Int32Array(shared);
    let ticks = 0;
    // Only a timer of this thread can release the pooled call, after it has ticked a few times.
    const interval = setInterval(() => {
      ticks++;
      if (ticks === 3) {
        Atomics.store(cell, 0, 1);
        Atomics.notify(cell, 0);
      }
    }, 1);
    try {
      const result = await waitForRelease(shared, GUARD_MS);
      expect(result.released).toBe(true);
      expect(ticks).toBeGreaterThanOrEqual(3);
    } finally {
      clearInterval(interval);
    }
  });

  test('errors thrown in the pool arrive with their class, name and fields', async () => {
    const throwRange = track(
      makeAsync<Fixtures['throwRange']>({ module: FIXTURES, export: 'throwRange' }),
    );
    const range = await rejection(throwRange('out of range'));
    expect(range).toBeInstanceOf(RangeError);
    expect(range.message).toBe('out of range');
    const throwCustom = track(
      makeAsync<Fixtures['throwCustom']>({ module: FIXTURES, export: 'throwCustom' }),
    );
    const custom = await rejection(throwCustom());
    expect(custom).toBeInstanceOf(Error);
    expect(custom.name).toBe('QuotaError');
    expect(custom.message).toBe('over quota');
    expect(custom.code).toBe('E_QUOTA');
  });

  test('an export that is not a function is a TypeError naming it', async () => {
    const missing = track(makeAsync({ module: FIXTURES, export: 'notAFunction' }));
    const error = await rejection(missing());
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('no function export named `notAFunction`');
  });

  test('a result that cannot cross threads is a TypeError, not a crash', async () => {
    const returnFunction = track(
      makeAsync<Fixtures['returnFunction']>({ module: FIXTURES, export: 'returnFunction' }),
    );
    const error = await rejection(returnFunction());
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('the result of `returnFunction` cannot be copied back');
  });

  test('arguments that cannot cross threads are a TypeError', async () => {
    const add = track(
      makeAsync<(a: unknown, b: unknown) => number>({ module: FIXTURES, export: 'add' }),
    );
    const error = await rejection(add(() => 1, 2));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toContain('the arguments cannot be copied to a worker thread');
  });

  test('close() while a call blocks ends it with a WorkerError', async () => {
    const workers = countWorkers();
    const rendezvous = makeAsync<Fixtures['rendezvous']>({
      module: FIXTURES,
      export: 'rendezvous',
    });
    const shared = new SharedArrayBuffer(4);
    // A party of two that only one call joins: it blocks until the guard, unless closed.
    const pending = rejection(rendezvous(shared, 2, GUARD_MS));
    await waitUntil(async () => Atomics.load(new Int32Array(shared), 0) === 1);
    await rendezvous.close();
    const error = await pending;
    expect(error).toBeInstanceOf(WorkerError);
    expect(workers.alive).toBe(0);
  });

  test('close() ends the threads, and the function works again afterwards', async () => {
    const workers = countWorkers();
    const add = makeAsync<Fixtures['add']>({ module: FIXTURES, export: 'add' });
    await expect(Promise.all([add(1, 1), add(2, 2)])).resolves.toEqual([2, 4]);
    expect(workers.alive).toBeGreaterThan(0);
    await add.close();
    expect(workers.alive).toBe(0);
    await expect(add(3, 3)).resolves.toBe(6);
    await add.close();
    expect(workers.alive).toBe(0);
  });

  test('threads start on the first call, not before', async () => {
    const workers = countWorkers();
    const add = track(makeAsync<Fixtures['add']>({ module: FIXTURES, export: 'add' }));
    expect(workers.started).toBe(0);
    await add(1, 2);
    expect(workers.started).toBeGreaterThan(0);
  });
});

describe('what makeAsync refuses', () => {
  test('a plain closure, with a message about closures and threads', () => {
    const closure = () => 42;
    // @ts-expect-error: a function is neither a transport nor { module, export }
    const call = () => makeAsync(closure);
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(/closures do not cross threads/);
    expect(call).toThrow(/module/);
  });

  test.each([
    ['null', null, 'Expected `target` to be a blocking transport or { module, export }'],
    ['a number', 7, 'Expected `target` to be a blocking transport or { module, export }'],
    [
      'a module that is a number',
      { module: 42 },
      'Expected `target.module` to be a file: URL or an absolute path',
    ],
    [
      'a relative path, which would depend on the working directory',
      { module: './fixtures/pool-functions.mjs' },
      'Expected `target.module` to be a file: URL or an absolute path, got the relative path "./fixtures/pool-functions.mjs"; use new URL("./fixtures/pool-functions.mjs", import.meta.url)',
    ],
    [
      'a URL that is not a file',
      { module: new URL('https://example.com/slow.js') },
      'Expected `target.module` to be a file: URL or an absolute path, got "https://example.com/slow.js"',
    ],
    [
      'an empty export name',
      { module: FIXTURES, export: '' },
      'Expected `target.export` to be the name of an export',
    ],
  ])('%s', (_label, target, message) => {
    expect(() => makeAsync(target as never)).toThrow(new InvalidArgumentError(message));
  });

  test.each([
    [
      'maxThreads 0',
      { maxThreads: 0 },
      RangeError,
      'Expected `maxThreads` to be a positive integer, got 0',
    ],
    ['idleTimeout "1s"', { idleTimeout: '1s' }, TypeError, 'Expected `idleTimeout`'],
    ['an unknown option', { threads: 2 }, TypeError, 'Unknown option `threads`'],
  ])('bad options: %s', (_label, options, type, message) => {
    const make = () => makeAsync({ module: FIXTURES, export: 'add' }, options as never);
    expect(make).toThrow(type);
    expect(make).toThrow(message);
  });
});

describe('in a program of its own', () => {
  test('a script that uses makeAsync and returns exits by itself', async () => {
    const result = await runScript(new URL('./fixtures/make-async-script.ts', import.meta.url), [
      `${server.url}/json?from=script`,
    ]);
    expect(result.hung, `the script did not exit by itself; stderr: ${result.stderr}`).toBe(false);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ sum: 5, status: 200 });
  });
});

/** Polls `check` until it holds (a hang guard of 10 s, not a timing assertion). */
async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('The condition never held');
}
