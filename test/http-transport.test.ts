import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { AbortError, ConnectionError, ResponseError, TimeoutError } from '../src/errors/index.js';
import { isPermanentError } from '../src/operations/retry.js';
import { createHttpTransport } from '../src/transports/http.js';
import type { TransportRequest } from '../src/transports/types.js';
import { startTestServer, type TestServer } from './helpers/http-server.js';

let server: TestServer;
/** A second server: another origin, for redirects that leave the first. */
let other: TestServer;

beforeAll(async () => {
  [server, other] = await Promise.all([startTestServer(), startTestServer()]);
});

afterAll(async () => {
  await Promise.all([server?.close(), other?.close()]);
});

beforeEach(async () => {
  await Promise.all([server.reset(), other.reset()]);
});

function get(path: string, extra: Partial<TransportRequest> = {}): TransportRequest {
  return { method: 'GET', url: `${server.url}${path}`, ...extra };
}

/** Resolves once the server has a request in flight, so that a test can act while it hangs. */
async function untilInFlight(target: TestServer, count = 1): Promise<void> {
  await vi.waitFor(
    async () => {
      expect((await target.stats()).inFlight).toBeGreaterThanOrEqual(count);
    },
    { timeout: 10_000, interval: 5 },
  );
}

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('Expected the request to fail');
}

describe('answers', () => {
  test('returns status, status text, lower-case headers and the body', async () => {
    const transport = createHttpTransport();
    const response = await transport.request(get('/json'));
    expect(response.status).toBe(200);
    expect(response.statusText).toBe('OK');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    for (const name of Object.keys(response.headers)) expect(name).toBe(name.toLowerCase());
    expect(JSON.parse(response.body)).toEqual({ ok: true, url: '/json', n: 1 });
  });

  test('returns an error status as an answer, not an exception', async () => {
    const transport = createHttpTransport();
    const response = await transport.request(get('/status/429?retryAfter=3&message=Slow%20down'));
    expect(response.status).toBe(429);
    expect(response.statusText).toBe('Too Many Requests');
    expect(response.headers['retry-after']).toBe('3');
    expect(JSON.parse(response.body)).toEqual({ error: 'Slow down' });
  });

  test("sends the request's headers", async () => {
    const transport = createHttpTransport();
    const response = await transport.request(get('/headers', { headers: { 'X-Custom': 'yes' } }));
    expect(JSON.parse(response.body)).toMatchObject({ 'x-custom': 'yes' });
    const [recorded] = await server.requests();
    expect(recorded).toMatchObject({
      method: 'GET',
      path: '/headers',
      headers: { 'x-custom': 'yes' },
    });
  });

  test('reads a large body in full, with or without content-length', async () => {
    const transport = createHttpTransport();
    for (const path of ['/big?bytes=300000', '/big?bytes=300000&chunked=1']) {
      const response = await transport.request(get(path));
      expect(response.body).toHaveLength(300_000);
    }
  });

  test('sends with an injected fetch', async () => {
    const fetch = vi.fn((input: RequestInfo | URL, init?: RequestInit) =>
      globalThis.fetch(input, init),
    );
    const transport = createHttpTransport({ fetch });
    const response = await transport.request(get('/json'));
    expect(response.status).toBe(200);
    expect(fetch).toHaveBeenCalledTimes(1);
    const input = fetch.mock.calls[0]?.[0];
    expect(input instanceof Request ? input.url : String(input)).toBe(`${server.url}/json`);
    expect((await server.stats()).requests).toBe(1);
  });

  test('a failure inside an injected fetch is a ConnectionError', async () => {
    const transport = createHttpTransport({
      fetch: () => Promise.reject(new TypeError('proxy refused')),
    });
    const error = await rejection(transport.request(get('/json')));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain('proxy refused');
  });
});

describe('failures', () => {
  test('a server that never answers ends in a TimeoutError naming the request', async () => {
    const transport = createHttpTransport({ timeout: 200 });
    const error = await rejection(transport.request(get('/hang')));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ method: 'GET', url: `${server.url}/hang`, timeout: 200 });
    expect(error.message).toBe(`Request timed out after 200 ms: GET ${server.url}/hang`);
    expect(isPermanentError(error)).toBe(false);
  });

  test("the request's own timeout wins over the transport's", async () => {
    const transport = createHttpTransport({ timeout: 60_000 });
    const error = await rejection(transport.request(get('/hang', { timeout: 150 })));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.timeout).toBe(150);
  });

  test('the timeout covers the body: a body that stalls half-way ends in a TimeoutError', async () => {
    const transport = createHttpTransport({ timeout: 200 });
    const error = await rejection(transport.request(get('/stall')));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.timeout).toBe(200);
  });

  test('a reset connection is a retryable ConnectionError with a code', async () => {
    const transport = createHttpTransport();
    const error = await rejection(transport.request(get('/reset')));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe('ECONNRESET');
    // The root cause's own words, with its code: `read ECONNRESET`.
    expect(error.message).toBe(`Request failed (read ECONNRESET): GET ${server.url}/reset`);
    expect(error.cause).toBeDefined();
    expect(isPermanentError(error)).toBe(false);
  });

  test('a truncated body is a retryable ConnectionError', async () => {
    const transport = createHttpTransport();
    const error = await rejection(transport.request(get('/truncate')));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(typeof error.code).toBe('string');
    expect(isPermanentError(error)).toBe(false);
  });

  test('a refused connection is a ConnectionError', async () => {
    // A server that has closed leaves a port nobody listens on.
    const gone = await startTestServer();
    await gone.close();
    const transport = createHttpTransport();
    const error = await rejection(transport.request({ method: 'GET', url: `${gone.url}/json` }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe('ECONNREFUSED');
  });

  test.each([
    ['with content-length', '/big?bytes=200000'],
    ['chunked', '/big?bytes=200000&chunked=1'],
  ])(
    'a body over maxResponseBytes is a permanent ResponseError TOO_LARGE (%s)',
    async (_label, path) => {
      const transport = createHttpTransport({ maxResponseBytes: 100_000 });
      const error = await rejection(transport.request(get(path)));
      expect(error).toBeInstanceOf(ResponseError);
      expect(error).toMatchObject({
        code: 'TOO_LARGE',
        status: 200,
        method: 'GET',
        url: `${server.url}${path}`,
      });
      expect(error.message).toContain('larger than 100000 bytes');
      expect(isPermanentError(error)).toBe(true);
    },
  );

  test("the request's maxResponseBytes wins over the transport's", async () => {
    const transport = createHttpTransport({ maxResponseBytes: 10 });
    const response = await transport.request(get('/big?bytes=1000', { maxResponseBytes: 1000 }));
    expect(response.body).toHaveLength(1000);
    const error = await rejection(
      transport.request(get('/big?bytes=1001&chunked=1', { maxResponseBytes: 1000 })),
    );
    expect(error).toMatchObject({ name: 'ResponseError', code: 'TOO_LARGE' });
  });
});

describe('abort', () => {
  test('an abort while the server holds the request is an AbortError with the reason', async () => {
    const transport = createHttpTransport({ timeout: 60_000 });
    const controller = new AbortController();
    const pending = rejection(transport.request(get('/hang', { signal: controller.signal })));
    await untilInFlight(server);
    controller.abort(new Error('user left'));
    const error = await pending;
    expect(error).toBeInstanceOf(AbortError);
    expect(error.message).toBe('The operation was aborted: user left');
    expect(isPermanentError(error)).toBe(true);
  });

  test('an abort while the body arrives is an AbortError, not a timeout', async () => {
    const transport = createHttpTransport({ timeout: 60_000 });
    const controller = new AbortController();
    const pending = rejection(transport.request(get('/stall', { signal: controller.signal })));
    await untilInFlight(server);
    controller.abort();
    expect(await pending).toBeInstanceOf(AbortError);
  });

  test('an aborted signal sends nothing and leaves no timer behind', async () => {
    const transport = createHttpTransport({ timeout: 60_000 });
    const timers = () =>
      process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const error = await rejection(
      transport.request(get('/json', { signal: AbortSignal.abort('too late') })),
    );
    expect(error).toBeInstanceOf(AbortError);
    expect(error.message).toBe('The operation was aborted: too late');
    expect(timers()).toBe(before);
    expect((await server.stats()).requests).toBe(0);
  });
});

describe('redirects', () => {
  test('are not followed by default on Node: the 302 and its location come back', async () => {
    const transport = createHttpTransport();
    const response = await transport.request(get('/redirect?to=/json&status=302'));
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/json');
    expect((await server.requests()).map((r) => r.path)).toEqual(['/redirect']);
  });

  test.each([301, 303, 307, 308])('a %i comes back unfollowed too', async (status) => {
    const transport = createHttpTransport();
    const response = await transport.request(get(`/redirect?to=/json&status=${status}`));
    expect(response.status).toBe(status);
  });

  test("a redirect to another origin is not followed, so the request's headers go nowhere else", async () => {
    const transport = createHttpTransport();
    const to = encodeURIComponent(`${other.url}/headers`);
    const response = await transport.request(
      get(`/redirect?to=${to}`, { headers: { 'x-secret': 's3' } }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe(`${other.url}/headers`);
    expect(await other.requests()).toEqual([]);
  });

  test("`redirect: 'follow'` lets fetch follow them", async () => {
    const transport = createHttpTransport({ redirect: 'follow' });
    const response = await transport.request(get('/redirect-chain/3'));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ ok: true, url: '/redirect-chain/0' });
    expect((await server.requests()).map((r) => r.path)).toEqual([
      '/redirect-chain/3',
      '/redirect-chain/2',
      '/redirect-chain/1',
      '/redirect-chain/0',
    ]);
  });
});

describe('options', () => {
  test.each([
    ['not an object', 'fast', TypeError, 'Expected `options` to be an object'],
    ['an unknown option', { retries: 2 }, TypeError, 'Unknown option `retries`'],
    [
      'fetch that is not a function',
      { fetch: 'node-fetch' },
      TypeError,
      'Expected `fetch` to be a function',
    ],
    ['timeout 0', { timeout: 0 }, RangeError, 'Expected `timeout` to be a positive integer, got 0'],
    [
      'timeout "5s"',
      { timeout: '5s' },
      TypeError,
      'Expected `timeout` to be a positive integer, got "5s"',
    ],
    [
      'maxResponseBytes -1',
      { maxResponseBytes: -1 },
      RangeError,
      'Expected `maxResponseBytes` to be a positive integer',
    ],
    [
      'redirect "error"',
      { redirect: 'error' },
      TypeError,
      "Expected `redirect` to be 'manual' or 'follow'",
    ],
  ])('refuses %s', (_label, options, type, message) => {
    expect(() => createHttpTransport(options as never)).toThrow(type);
    expect(() => createHttpTransport(options as never)).toThrow(message);
  });

  test('a timeout longer than a timer can hold is not an instant one', async () => {
    // setTimeout runs a delay over 2^31 - 1 ms after 1 ms; 2^32 ms is about 50 days.
    const transport = createHttpTransport({ timeout: 2 ** 32 });
    const response = await transport.request(get('/json?delay=20'));
    expect(response.status).toBe(200);
  });
});

describe('compressed bodies', () => {
  test('a small gzipped body that inflates past the cap is TOO_LARGE, not read whole', async () => {
    const transport = createHttpTransport();
    const error = await rejection(
      transport.request(get('/gzip?bytes=2000000', { maxResponseBytes: 100_000 })),
    );
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.code).toBe('TOO_LARGE');
  });

  test('a gzipped body within the cap is read inflated', async () => {
    const response = await createHttpTransport().request(get('/gzip?bytes=5000'));
    expect(response.body).toBe(' '.repeat(5000));
  });
});

describe("`engine: 'fetch'`: the same transport without ky", () => {
  const transport = () => createHttpTransport({ engine: 'fetch', timeout: 300 });

  test('answers, error statuses and headers as with ky', async () => {
    const viaKy = await createHttpTransport().request(get('/status/404?message=gone'));
    const viaFetch = await transport().request(get('/status/404?message=gone'));
    expect(viaFetch.status).toBe(viaKy.status);
    expect(viaFetch.body).toBe(viaKy.body);
    expect(viaFetch.headers['content-type']).toBe(viaKy.headers['content-type']);
  });

  test('the injected fetch sends the request', async () => {
    const spy = vi.fn(globalThis.fetch);
    const response = await createHttpTransport({ engine: 'fetch', fetch: spy }).request(
      get('/json'),
    );
    expect(response.status).toBe(200);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  test('timeouts, the size cap and manual redirects behave as with ky', async () => {
    expect(await rejection(transport().request(get('/hang')))).toBeInstanceOf(TimeoutError);
    const large = await rejection(
      transport().request(get('/big?bytes=5000', { maxResponseBytes: 1000 })),
    );
    expect(large).toBeInstanceOf(ResponseError);
    expect(large.code).toBe('TOO_LARGE');
    const redirect = await transport().request(get('/redirect?to=/json&status=302'));
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('/json');
  });

  test('an unknown engine is a TypeError that quotes the option', () => {
    expect(() => createHttpTransport({ engine: 'axios' as 'ky' })).toThrow(/`engine`/);
  });
});
