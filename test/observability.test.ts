/**
 * What the client tells the outside world about its requests, from both halves: the
 * `rickmorty-client:request:*` diagnostics channels (published only when someone listens), and the
 * `User-Agent` header, seen at a real HTTP server in a child process (so that the blocking twin's
 * `Atomics.wait` does not starve it).
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConnectionError,
  REQUEST_CHANNELS,
  type RequestEndMessage,
  type RequestErrorMessage,
  type RequestStartMessage,
  RickMortyClient,
} from '../src/index.js';
import { createMockTransport } from '../src/testing/index.js';
import { REPO_ROOT, rejectionOf } from './helpers/client-fixtures.js';
import { startTestServer, type TestServer } from './helpers/http-server.js';

const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
};
const API = 'https://rickandmortyapi.com/api';

type Message = { channel: string } & Partial<RequestEndMessage & RequestErrorMessage>;

/** Subscribes to the three channels; `messages` collects what they publish, in order. */
function listen() {
  const messages: Message[] = [];
  const handlers = Object.values(REQUEST_CHANNELS).map((channel) => {
    const handler = (message: unknown) =>
      messages.push({ channel, ...(message as RequestStartMessage) });
    diagnostics_channel.subscribe(channel, handler);
    return [channel, handler] as const;
  });
  return {
    messages,
    stop: () => {
      for (const [channel, handler] of handlers) diagnostics_channel.unsubscribe(channel, handler);
    },
  };
}

let server: TestServer;
let listener: ReturnType<typeof listen> | undefined;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

beforeEach(async () => {
  await server.reset();
});

afterEach(() => {
  listener?.stop();
  listener = undefined;
  vi.restoreAllMocks();
});

describe('diagnostics channels', () => {
  it('names the channels as the docs say', () => {
    expect(REQUEST_CHANNELS).toEqual({
      start: 'rickmorty-client:request:start',
      end: 'rickmorty-client:request:end',
      error: 'rickmorty-client:request:error',
    });
  });

  it.each(['blocking', 'async'] as const)(
    'the %s twin publishes start and end of each request against a real server',
    async (half) => {
      const client = new RickMortyClient({ baseUrl: `${server.url}/api` });
      try {
        listener = listen();
        if (half === 'blocking') client.getCharacter(1);
        else await client.getCharacterAsync(1);
        const [start, end, ...rest] = listener.messages;
        expect(rest).toEqual([]);
        const url = `${server.url}/api/character/1`;
        expect(start).toEqual({
          channel: REQUEST_CHANNELS.start,
          id: expect.any(Number),
          method: 'GET',
          url,
          attempt: 1,
        });
        expect(end).toMatchObject({
          channel: REQUEST_CHANNELS.end,
          id: start!.id,
          url,
          status: 200,
        });
        expect(end!.duration).toBeGreaterThanOrEqual(0);
      } finally {
        await client.close();
      }
    },
  );

  it.each(['blocking', 'async'] as const)(
    'the %s twin publishes each attempt, failed statuses as end and failures as error',
    async (half) => {
      const transport = createMockTransport({
        respond: (request, next, { index }) => {
          if (index === 0) throw new ConnectionError({ method: 'GET', url: request.url }, {});
          if (index === 1) return { status: 503, statusText: '', headers: {}, body: '{}' };
          return next(request);
        },
      });
      const client = new RickMortyClient({
        transport,
        retries: 2,
        retry: { minDelay: 0, maxDelay: 0 },
      });
      listener = listen();
      if (half === 'blocking') client.getCharacter(2);
      else await client.getCharacterAsync(2);
      const seen = listener.messages.map((m) => [m.channel.split(':').at(-1), m.attempt, m.status]);
      expect(seen).toEqual([
        ['start', 1, undefined],
        ['error', 1, undefined],
        ['start', 2, undefined],
        ['end', 2, 503],
        ['start', 3, undefined],
        ['end', 3, 200],
      ]);
      const error = listener.messages[1]!;
      expect(error.error).toBeInstanceOf(ConnectionError);
      expect(error.url).toBe(`${API}/character/2`);
      // One id per request: a message's end has its start's id, and each request has its own.
      const ids = listener.messages.map((m) => m.id);
      expect(new Set(ids).size).toBe(3);
    },
  );

  it('publishes a rejected request as error, with the URL the hooks left', async () => {
    const client = new RickMortyClient({
      transport: createMockTransport(),
      retries: 0,
      hooks: {
        beforeRequest: [
          (request) => {
            request.url = `${request.url}?traced=1`;
          },
        ],
      },
    });
    listener = listen();
    await rejectionOf(client.getCharacterAsync(99_999));
    expect(listener.messages.map((m) => [m.channel, m.url, m.status])).toEqual([
      [REQUEST_CHANNELS.start, `${API}/character/99999?traced=1`, undefined],
      [REQUEST_CHANNELS.end, `${API}/character/99999?traced=1`, 404],
    ]);
  });

  it('costs nothing when nobody listens: no clock is read, no message built', async () => {
    const client = new RickMortyClient({ transport: createMockTransport() });
    const clock = vi.spyOn(performance, 'now');
    await client.getCharacterAsync(1);
    client.getCharacter(1);
    expect(clock).not.toHaveBeenCalled();

    listener = listen();
    await client.getCharacterAsync(1);
    expect(clock).toHaveBeenCalled();
    expect(listener.messages).toHaveLength(2);
  });
});

describe('User-Agent', () => {
  const agents = async () =>
    (await server.requests()).map((request) => request.headers['user-agent']);

  it('is rickmorty-client/<version of package.json> from both halves', async () => {
    const client = new RickMortyClient({ baseUrl: `${server.url}/api` });
    try {
      client.getCharacter(1);
      await client.getCharacterAsync(2);
      expect(await agents()).toEqual([
        `rickmorty-client/${version}`,
        `rickmorty-client/${version}`,
      ]);
    } finally {
      await client.close();
    }
  });

  it('gives way to a User-Agent of the headers option, in any case, from both halves', async () => {
    const client = new RickMortyClient({
      baseUrl: `${server.url}/api`,
      headers: { 'USER-agent': 'my-app/2.0' },
    });
    try {
      client.getCharacter(1);
      await client.getCharacterAsync(2);
      expect(await agents()).toEqual(['my-app/2.0', 'my-app/2.0']);
    } finally {
      await client.close();
    }
  });

  it('is not sent where no Node-like runtime runs (a browser)', async () => {
    const seen: (Readonly<Record<string, string>> | undefined)[] = [];
    const transport = createMockTransport({
      respond: (request, next) => {
        seen.push(request.headers);
        return next(request);
      },
    });
    const real = Object.getOwnPropertyDescriptor(process, 'versions')!;
    // What a browser looks like to the client: no `process.versions.node`.
    Object.defineProperty(process, 'versions', {
      ...real,
      value: { ...process.versions, node: undefined },
    });
    let client: RickMortyClient;
    try {
      client = new RickMortyClient({ transport, headers: { accept: 'application/json' } });
    } finally {
      Object.defineProperty(process, 'versions', real);
    }
    await client.getCharacterAsync(1);
    expect(seen).toEqual([{ accept: 'application/json' }]);
  });
});
