import type * as WorkerThreads from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { httpErrorFor } from '../src/errors/http-status.js';
import {
  AbortError,
  BlockingUnavailableError,
  ConnectionError,
  NotFoundError,
  ResponseError,
  TimeoutError,
  WorkerError,
} from '../src/errors/index.js';
import { isPermanentError } from '../src/operations/retry.js';
import { type BlockingHttpTransport, createBlockingTransport } from '../src/transports/blocking.js';
import { createHttpTransport } from '../src/transports/http.js';
import { loopbackTimeoutNote } from '../src/transports/loopback.js';
import type { TransportRequest } from '../src/transports/types.js';
import { CELL, startWorker } from '../src/transports/worker-thread.js';
import { startTestServer, type TestServer } from './helpers/http-server.js';
import { runScript } from './helpers/run-script.js';
import { countWorkers, restoreWorker } from './helpers/worker-count.js';

/** The module object the transports take `Worker` from at run time. */
const threads = process.getBuiltinModule('node:worker_threads') as typeof WorkerThreads;

let server: TestServer;
const opened: BlockingHttpTransport[] = [];

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

beforeEach(async () => {
  await server.reset();
});

afterEach(async () => {
  restoreWorker();
  await Promise.all(opened.splice(0).map((transport) => transport.close()));
});

function open(options?: Parameters<typeof createBlockingTransport>[0]): BlockingHttpTransport {
  const transport = createBlockingTransport(options);
  opened.push(transport);
  return transport;
}

function get(path: string, extra: Partial<TransportRequest> = {}): TransportRequest {
  return { method: 'GET', url: `${server.url}${path}`, ...extra };
}

function thrown(run: () => unknown): Error & Record<string, unknown> {
  try {
    run();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('Expected a throw');
}

describe('answers', () => {
  test('returns what the async transport returns', async () => {
    const blocking = open();
    const sync = blocking.requestSync(get('/status/404?message=Character%20not%20found'));
    const async = await createHttpTransport().request(
      get('/status/404?message=Character%20not%20found'),
    );
    const withoutDate = (headers: Readonly<Record<string, string>>) => {
      const { date: _date, ...rest } = headers;
      return rest;
    };
    expect({ ...sync, headers: withoutDate(sync.headers) }).toEqual({
      ...async,
      headers: withoutDate(async.headers),
    });
    expect(sync.status).toBe(404);
    expect(JSON.parse(sync.body)).toEqual({ error: 'Character not found' });
  });

  test("sends the request's headers and returns lower-case headers", () => {
    const response = open().requestSync(get('/headers', { headers: { 'X-Custom': 'blocking' } }));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ 'x-custom': 'blocking' });
    for (const name of Object.keys(response.headers)) expect(name).toBe(name.toLowerCase());
  });

  test('a 404 becomes a NotFoundError with a ky-like message on the calling side', () => {
    const request = get('/status/404?message=Character%20not%20found');
    const response = open().requestSync(request);
    const error = httpErrorFor(request, response);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe(
      `Request failed with status 404 Not Found: GET ${request.url} (Character not found)`,
    );
  });

  test('does not follow redirects: the client does', () => {
    const response = open().requestSync(get('/redirect?to=/json'));
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/json');
  });

  test('serves many requests in a row on one worker', () => {
    const transport = open();
    const bodies = [1, 2, 3].map((i) =>
      JSON.parse(transport.requestSync(get(`/json?i=${i}`)).body),
    );
    expect(bodies.map((body) => body.url)).toEqual(['/json?i=1', '/json?i=2', '/json?i=3']);
  });

  test('names how makeAsync can rebuild it', () => {
    // The options as checked, defaults filled in: not the object given, read again.
    expect(open({ timeout: 1234 }).rebuild).toEqual({
      builtin: 'http',
      options: { timeout: 1234, maxResponseBytes: 5 * 1024 * 1024 },
    });
  });
});

describe('the worker thread', () => {
  test('starts on the first request, not before, and serves later ones', () => {
    const workers = countWorkers();
    const transport = open();
    expect(workers.started).toBe(0);
    transport.requestSync(get('/json'));
    expect(workers.started).toBe(1);
    transport.requestSync(get('/json'));
    expect(workers.started).toBe(1);
  });

  test('close() before any use resolves at once', async () => {
    const workers = countWorkers();
    await open().close();
    expect(workers.started).toBe(0);
  });

  test('can be used again after close(): a new worker starts', async () => {
    const workers = countWorkers();
    const transport = open();
    expect(transport.requestSync(get('/json?round=1')).status).toBe(200);
    await transport.close();
    expect(JSON.parse(transport.requestSync(get('/json?round=2')).body).url).toBe('/json?round=2');
    expect(workers.started).toBe(2);
  });

  test('a worker module that fails to load says so at once, on the port and the cell the caller waits on', async () => {
    const { port1, port2 } = new threads.MessageChannel();
    const cell = new Int32Array(new SharedArrayBuffer(4 * CELL.LENGTH));
    const missing = new URL('./fixtures/missing.mjs', import.meta.url);
    const worker = startWorker(threads, {
      entry: missing,
      workerData: { port: port2, cell },
      transferList: [port2],
    });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    // Blocks as the blocking transport's caller does; the guard only keeps a failure from hanging.
    expect(Atomics.wait(cell, CELL.WAKE, 0, 15_000)).not.toBe('timed-out');
    const reply = threads.receiveMessageOnPort(port1)?.message as {
      fatal?: boolean;
      error?: { message: string };
    };
    expect(reply).toMatchObject({ id: 0, fatal: true });
    expect(reply.error?.message).toContain(`Could not load the worker module ${missing.href}`);
    expect(await exited).toBe(1);
    // The exit is on the cell too, for a caller that finds no message.
    expect(Atomics.load(cell, CELL.EXITED)).toBe(1);
    expect(Atomics.load(cell, CELL.EXIT_CODE)).toBe(1);
    port1.close();
  });

  test('a worker that does not start in time is a WorkerError', () => {
    // No thread loads TypeScript through tsx within 1 ms.
    const error = thrown(() => open({ startupTimeout: 1 }).requestSync(get('/json')));
    expect(error).toBeInstanceOf(WorkerError);
    expect(error.message).toBe("The blocking transport's worker thread did not start within 1 ms");
  });
});

describe('errors cross the thread with their class and fields', () => {
  test('a server that hangs is a TimeoutError within the timeout, and the next call succeeds', async () => {
    const workers = countWorkers();
    const transport = open({ timeout: 300 });
    const error = thrown(() => transport.requestSync(get('/hang')));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ method: 'GET', url: `${server.url}/hang`, timeout: 300 });
    expect(error.message).toBe(
      `Request timed out after 300 ms: GET ${server.url}/hang. ${loopbackTimeoutNote()}`,
    );
    // Its own timeout is generous, so that a slow machine cannot fail it.
    const next = transport.requestSync(get('/json?after=hang', { timeout: 10_000 }));
    expect(JSON.parse(next.body).url).toBe('/json?after=hang');
    // The worker timed the request out itself, so it was kept.
    expect(workers.started).toBe(1);
    expect((await server.requests()).map((r) => r.url)).toEqual(['/hang', '/json?after=hang']);
  });

  test('a reset is a ConnectionError with its code', () => {
    const error = thrown(() => open().requestSync(get('/reset')));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe('ECONNRESET');
    // The root cause's own words, with its code: `read ECONNRESET`.
    expect(error.message).toBe(`Request failed (read ECONNRESET): GET ${server.url}/reset`);
    expect(isPermanentError(error)).toBe(false);
  });

  test('a truncated body is a retryable ConnectionError', () => {
    const error = thrown(() => open().requestSync(get('/truncate')));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(isPermanentError(error)).toBe(false);
  });

  test.each(['/big?bytes=50000', '/big?bytes=50000&chunked=1'])(
    'a body over maxResponseBytes is a ResponseError TOO_LARGE (%s)',
    (path) => {
      const error = thrown(() => open().requestSync(get(path, { maxResponseBytes: 1000 })));
      expect(error).toBeInstanceOf(ResponseError);
      expect(error).toMatchObject({ code: 'TOO_LARGE', status: 200 });
      expect(error.message).toMatch(/^Response body is larger than 1000 bytes/);
    },
  );

  test('a stale answer to a request the caller gave up on is not taken for the next one', () => {
    // With no margin, the caller stops waiting when the worker's own timeout fires, so either side
    // may end the first request. Whichever does, the second request, which is still waiting when
    // the first one's late reply would come (its answer is delayed past that), must get its own
    // answer. Note: today a caller-side timeout replaces the worker and its port, so the late reply
    // cannot even reach the next request; the test holds the contract, whatever the mechanism.
    const transport = open({ timeout: 300, timeoutMargin: 0 });
    const first = thrown(() => transport.requestSync(get('/json?delay=400&tag=first')));
    expect(first).toBeInstanceOf(TimeoutError);
    expect(first.url).toBe(`${server.url}/json?delay=400&tag=first`);
    const second = transport.requestSync(get('/json?delay=300&tag=second', { timeout: 10_000 }));
    expect(JSON.parse(second.body).url).toBe('/json?delay=300&tag=second');
    const third = transport.requestSync(get('/json?tag=third', { timeout: 10_000 }));
    expect(JSON.parse(third.body).url).toBe('/json?tag=third');
  });

  test('an aborted signal is an AbortError, and nothing is sent or started', async () => {
    const workers = countWorkers();
    const error = thrown(() =>
      open().requestSync(get('/json', { signal: AbortSignal.abort('no') })),
    );
    expect(error).toBeInstanceOf(AbortError);
    expect(error.message).toBe('The operation was aborted: no');
    expect(workers.started).toBe(0);
    expect((await server.stats()).requests).toBe(0);
  });
});

describe('options', () => {
  test.each([
    ['not an object', 5, TypeError, 'Expected `options` to be an object'],
    ['an unknown option', { fetch: globalThis.fetch }, TypeError, 'Unknown option `fetch`'],
    ['timeout 0', { timeout: 0 }, RangeError, 'Expected `timeout` to be a positive integer, got 0'],
    ['timeoutMargin -1', { timeoutMargin: -1 }, RangeError, 'Expected `timeoutMargin`'],
    ['startupTimeout "1s"', { startupTimeout: '1s' }, TypeError, 'Expected `startupTimeout`'],
  ])('refuses %s', (_label, options, type, message) => {
    expect(() => createBlockingTransport(options as never)).toThrow(type);
    expect(() => createBlockingTransport(options as never)).toThrow(message);
  });
});

describe('in a program of its own', () => {
  test('a script that uses the blocking transport and returns exits by itself', async () => {
    const result = await runScript(new URL('./fixtures/blocking-script.ts', import.meta.url), [
      `${server.url}/json?from=script`,
    ]);
    expect(result.hung, `the script did not exit by itself; stderr: ${result.stderr}`).toBe(false);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      status: 200,
      body: { ok: true, url: '/json?from=script', n: expect.any(Number) },
    });
  });

  test('without worker threads (a browser bundle) it is a BlockingUnavailableError', async () => {
    const result = await runScript(new URL('./fixtures/no-worker-threads.ts', import.meta.url));
    expect(result.code, result.stderr).toBe(0);
    const outcome = JSON.parse(result.stdout) as { ok: boolean; name?: string; message?: string };
    expect(outcome).toMatchObject({ ok: false, name: BlockingUnavailableError.name });
    expect(outcome.name).toBe('BlockingUnavailableError');
    expect(outcome.message).toContain('use the async twin');
  });
});
