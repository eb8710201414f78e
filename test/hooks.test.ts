/**
 * The client's hooks (`beforeRequest`, `afterResponse`, `beforeRetry`) run by both halves, on the
 * one operation path: what they see, what they may change, what they may not, and how each half
 * treats a hook that returns a promise. Every case runs the blocking twin and the async twin
 * against the mock transport, which records what was sent; the redirect and User-Agent cases that
 * need real HTTP are in observability.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  type AfterResponseHook,
  type BeforeRequestHook,
  type BeforeRetryHook,
  BlockingUnavailableError,
  type ClientOptions,
  InvalidArgumentError,
  NotFoundError,
  RickMortyClient,
  ServerError,
  type TransportRequest,
  ValidationError,
} from '../src/index.js';
import { createMockTransport, type MockResponder } from '../src/testing/index.js';
import { rejectionOf, thrownBy } from './helpers/client-fixtures.js';

const API = 'https://rickandmortyapi.com/api';

/** A client on the mock transport, and every request the transport was handed. */
function setup(options: ClientOptions = {}, respond?: MockResponder) {
  const sent: TransportRequest[] = [];
  const transport = createMockTransport({
    respond: (request, next, context) => {
      sent.push(request);
      return respond ? respond(request, next, context) : next(request);
    },
  });
  const client = new RickMortyClient({
    transport,
    retry: { minDelay: 0, maxDelay: 0 },
    ...options,
  });
  return { client, sent, transport };
}

type Half = 'blocking' | 'async';
const HALVES: Half[] = ['blocking', 'async'];

/** `getCharacter(id)` in the given half, as a promise either way. */
function getCharacter(client: RickMortyClient, half: Half, id: number) {
  return half === 'blocking'
    ? new Promise((resolve) => resolve(client.getCharacter(id)))
    : client.getCharacterAsync(id);
}

const failing =
  (times: number, status = 503): MockResponder =>
  (request, next, { index }) =>
    index < times
      ? { status, statusText: 'Service Unavailable', headers: {}, body: '{"error":"down"}' }
      : next(request);

describe.each(HALVES)('hooks in the %s half', (half) => {
  it('beforeRequest changes the headers and the query of what is sent', async () => {
    const seen: { url: string; attempt: number }[] = [];
    const hook: BeforeRequestHook = (request, options) => {
      seen.push({ url: request.url, attempt: options.attempt });
      request.headers.set('X-Request-Id', 'abc');
      const url = new URL(request.url);
      url.searchParams.set('trace', '1');
      request.url = url.href;
    };
    const { client, sent } = setup({ hooks: { beforeRequest: [hook] } });
    const rick = (await getCharacter(client, half, 1)) as { name: string };
    expect(rick.name).toBe('Rick Sanchez');
    expect(seen).toEqual([{ url: `${API}/character/1`, attempt: 1 }]);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe(`${API}/character/1?trace=1`);
    expect(sent[0]!.headers?.['x-request-id']).toBe('abc');
  });

  it('beforeRequest may return a request instead, as a fetch Request', async () => {
    const hook: BeforeRequestHook = (request) =>
      new Request(`${request.url}?lang=en`, { headers: { 'x-from': 'hook' } });
    const { client, sent } = setup({ hooks: { beforeRequest: [hook] } });
    await getCharacter(client, half, 2);
    expect(sent[0]!.url).toBe(`${API}/character/2?lang=en`);
    expect(sent[0]!.headers).toEqual({ 'x-from': 'hook' });
  });

  it.each([
    ['origin', 'https://evil.example/api/character/1'],
    ['path', `${API}/location/1`],
  ])(
    'beforeRequest may not change the %s: an InvalidArgumentError, nothing sent',
    async (_what, to) => {
      const hook: BeforeRequestHook = (request) => {
        request.url = to;
      };
      const { client, sent } = setup({ hooks: { beforeRequest: [hook] } });
      const error = await rejectionOf(getCharacter(client, half, 1));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(/beforeRequest\[0\] hook changed the request from/);
      expect((error as Error).message).toContain('query and the headers only');
      expect(sent).toHaveLength(0);
    },
  );

  it('hooks run in order, each on what the one before left', async () => {
    const order: string[] = [];
    const { client, sent } = setup({
      hooks: {
        beforeRequest: [
          (request) => {
            order.push('first');
            request.headers.set('x-step', '1');
          },
          (request) => {
            order.push(`second saw ${request.headers.get('x-step')}`);
            request.headers.set('x-step', '2');
          },
        ],
      },
    });
    await getCharacter(client, half, 1);
    expect(order).toEqual(['first', 'second saw 1']);
    expect(sent[0]!.headers?.['x-step']).toBe('2');
  });

  it('afterResponse sees the status, headers and body before validation, and may replace them', async () => {
    const seen: { status: number; type: string | null; body: string }[] = [];
    const hook: AfterResponseHook = (_request, _options, response) => {
      seen.push({
        status: response.status,
        type: response.headers.get('content-type'),
        body: response.body,
      });
      // A record the schema refuses (`name` must be a string), then repaired by the next hook.
      const record = JSON.parse(response.body) as Record<string, unknown>;
      return { status: 200, body: JSON.stringify({ ...record, name: 42 }) };
    };
    let typeAfterReplace: string | null = null;
    const repair: AfterResponseHook = (_request, _options, response) => {
      // A returned answer without headers keeps the ones it replaced.
      typeAfterReplace = response.headers.get('content-type');
      response.body = response.body.replace('"name":42', '"name":"Renamed"');
    };
    const broken = setup({ hooks: { afterResponse: [hook] } });
    const error = await rejectionOf(getCharacter(broken.client, half, 1));
    expect(error).toBeInstanceOf(ValidationError);
    expect(seen[0]!.status).toBe(200);
    expect(seen[0]!.type).toMatch(/json/);
    expect(JSON.parse(seen[0]!.body)).toMatchObject({ id: 1, name: 'Rick Sanchez' });

    const repaired = setup({ hooks: { afterResponse: [hook, repair] } });
    expect(await getCharacter(repaired.client, half, 1)).toMatchObject({ name: 'Renamed' });
    expect(typeAfterReplace).toMatch(/json/);
  });

  it('afterResponse sees failed answers too, before they become errors', async () => {
    const statuses: number[] = [];
    const { client } = setup({
      hooks: {
        afterResponse: [(_request, _options, response) => void statuses.push(response.status)],
      },
    });
    expect(await rejectionOf(getCharacter(client, half, 99_999))).toBeInstanceOf(NotFoundError);
    expect(statuses).toEqual([404]);
  });

  it('an afterResponse hook that returns something unreadable is an InvalidArgumentError', async () => {
    const { client } = setup({
      hooks: { afterResponse: [() => ({ status: 200, body: { not: 'text' } }) as never] },
    });
    const error = await rejectionOf(getCharacter(client, half, 1));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/afterResponse\[0\] hook to return nothing or/);
  });

  it('every attempt runs the hooks again; beforeRetry runs before each retry, after onRetry', async () => {
    const events: string[] = [];
    const beforeRetry: BeforeRetryHook = ({ request, options, error, retryCount }) => {
      events.push(
        `beforeRetry ${retryCount} after attempt ${options.attempt} (${(error as Error).name}) ${request.headers.get('x-attempt')}`,
      );
    };
    const { client, sent } = setup(
      {
        retries: 3,
        retry: {
          minDelay: 0,
          maxDelay: 0,
          onRetry: ({ attempt }) => events.push(`onRetry ${attempt}`),
        },
        hooks: {
          beforeRequest: [
            (request, { attempt }) => {
              events.push(`beforeRequest ${attempt}`);
              request.headers.set('x-attempt', String(attempt));
            },
          ],
          beforeRetry: [beforeRetry],
        },
      },
      failing(2),
    );
    expect(await getCharacter(client, half, 1)).toMatchObject({ id: 1 });
    expect(events).toEqual([
      'beforeRequest 1',
      'onRetry 1',
      'beforeRetry 1 after attempt 1 (ServerError) 1',
      'beforeRequest 2',
      'onRetry 2',
      'beforeRetry 2 after attempt 2 (ServerError) 2',
      'beforeRequest 3',
    ]);
    expect(sent.map((request) => request.headers?.['x-attempt'])).toEqual(['1', '2', '3']);
  });

  it('a beforeRetry hook that throws ends the retries with what it threw', async () => {
    const stop = new Error('stop retrying');
    const { client, sent } = setup(
      {
        retries: 5,
        hooks: {
          beforeRetry: [
            ({ error }) => {
              if (error instanceof ServerError) throw stop;
            },
          ],
        },
      },
      failing(10),
    );
    expect(await rejectionOf(getCharacter(client, half, 1))).toBe(stop);
    expect(sent).toHaveLength(1);
  });

  it('what a hook throws ends the call at once: it is not retried', async () => {
    const broken = new Error('hook bug');
    let calls = 0;
    const { client, sent } = setup({
      retries: 5,
      hooks: {
        beforeRequest: [
          () => {
            calls++;
            throw broken;
          },
        ],
      },
    });
    expect(await rejectionOf(getCharacter(client, half, 1))).toBe(broken);
    expect(calls).toBe(1);
    expect(sent).toHaveLength(0);
  });

  it('a redirect runs no hook again: a hop to another origin gets none of what they added', async () => {
    const MIRROR = 'https://mirror.example/api/character/1';
    const calls: string[] = [];
    const { client, sent } = setup(
      {
        hooks: {
          beforeRequest: [
            (request) => {
              calls.push(`before ${request.url}`);
              request.headers.set('authorization', 'Bearer secret');
            },
          ],
          afterResponse: [
            (request, _options, response) =>
              void calls.push(`after ${request.url} ${response.status}`),
          ],
        },
      },
      (request, next) =>
        request.url === MIRROR
          ? next({ ...request, url: `${API}/character/1` })
          : { status: 302, statusText: 'Found', headers: { location: MIRROR }, body: '' },
    );
    expect(await getCharacter(client, half, 1)).toMatchObject({ id: 1 });
    expect(calls).toEqual([`before ${API}/character/1`, `after ${MIRROR} 200`]);
    expect(sent.map((request) => [request.url, request.headers?.authorization])).toEqual([
      [`${API}/character/1`, 'Bearer secret'],
      [MIRROR, undefined],
    ]);
  });

  it('no hook runs for an answer the cache holds', async () => {
    let calls = 0;
    const { client, sent } = setup({
      cache: true,
      hooks: { beforeRequest: [() => void calls++], afterResponse: [() => void calls++] },
    });
    await getCharacter(client, half, 1);
    await getCharacter(client, half, 1);
    expect(calls).toBe(2);
    expect(sent).toHaveLength(1);
  });
});

describe('hooks that return a promise', () => {
  const asyncHook: BeforeRequestHook = async (request) => {
    await Promise.resolve();
    request.headers.set('x-async', 'yes');
  };

  it('are awaited by the async twins', async () => {
    const { client, sent } = setup({
      hooks: {
        beforeRequest: [asyncHook],
        afterResponse: [
          async (_request, _options, response) => {
            await Promise.resolve();
            return { status: response.status, body: response.body.replace('Rick Sanchez', 'Rick') };
          },
        ],
      },
    });
    expect(await client.getCharacterAsync(1)).toMatchObject({ name: 'Rick' });
    expect(sent[0]!.headers?.['x-async']).toBe('yes');
  });

  it.each([
    ['beforeRequest', { beforeRequest: [asyncHook] }, 0],
    ['afterResponse', { afterResponse: [async () => undefined] }, 1],
    ['beforeRetry', { beforeRetry: [async () => undefined] }, 1],
  ] as const)(
    'refused by the blocking twins when %s returns one: a BlockingUnavailableError naming the async twin',
    (name, hooks, requests) => {
      const { client, sent } = setup(
        { hooks, retries: 1 },
        failing(name === 'beforeRetry' ? 1 : 0),
      );
      const error = thrownBy(() => client.getCharacter(1));
      expect(error).toBeInstanceOf(BlockingUnavailableError);
      const blocking = error as BlockingUnavailableError;
      expect(blocking.asyncTwin).toBe('getCharacterAsync');
      expect(blocking.message).toContain(`${name}[0] hook returned a promise`);
      expect(blocking.message).toContain('Call getCharacterAsync() instead');
      expect(sent).toHaveLength(requests);
    },
  );

  it('a rejected promise refused by a blocking twin does not become an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { client } = setup({
        hooks: { beforeRequest: [() => Promise.reject(new Error('late'))] },
      });
      expect(thrownBy(() => client.getCharacter(1))).toBeInstanceOf(BlockingUnavailableError);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('the hooks option', () => {
  it.each([
    [{ beforeRequest: 'not a list' }, /`hooks.beforeRequest` to be an array of functions/],
    [{ afterResponse: [() => {}, 42] }, /`hooks.afterResponse\[1\]` to be a function, got 42/],
    [{ beforeError: [] }, /Unknown option `beforeError` in `hooks`/],
    ['hooks', /Expected `hooks` to be an object/],
  ])('refuses %j before any request', (hooks, message) => {
    expect(() => new RickMortyClient({ hooks: hooks as never })).toThrow(InvalidArgumentError);
    expect(() => new RickMortyClient({ hooks: hooks as never })).toThrow(message);
  });

  it('copies the lists: a hook added to the array later does not run', async () => {
    const beforeRequest: BeforeRequestHook[] = [];
    const { client } = setup({ hooks: { beforeRequest } });
    let ran = false;
    beforeRequest.push(() => {
      ran = true;
    });
    await client.getCharacterAsync(1);
    expect(ran).toBe(false);
  });
});
