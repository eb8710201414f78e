/**
 * Your own transport in both halves (issue 16): a factory named by module and export, which this
 * thread, the blocking transport's worker thread and each makeAsync pool thread build alike. Each
 * test sees its transport at the server: the header a custom `fetch` or a ky instance adds, or the
 * absolute-form request line of an undici `ProxyAgent` dispatcher.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { RickMortyClient } from '../src/client.js';
import { InvalidArgumentError } from '../src/errors/index.js';
import { createBlockingTransport } from '../src/transports/blocking.js';
import { createHttpTransport } from '../src/transports/http.js';
import { makeAsync } from '../src/transports/make-async.js';
import { createModuleTransport } from '../src/transports/module-transport.js';
import type { TransportModule } from '../src/transports/recipe.js';
import { startTestServer, type TestServer } from './helpers/http-server.js';

const TRANSPORTS = new URL('./fixtures/transports.ts', import.meta.url);

let server: TestServer;
const closers: (() => Promise<void>)[] = [];

function track<T extends { close(): Promise<void> }>(closable: T): T {
  closers.push(() => closable.close());
  return closable;
}

function named(exportName: string, args: unknown[] = []): TransportModule {
  return { module: TRANSPORTS, export: exportName, args };
}

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
  await Promise.all(closers.splice(0).map((close) => close()));
});

/**
 * Calls the blocking twin, the async twin, and the async twin over `makeAsync(transport)` (the
 * pool), each for another id (the cache would answer a repeated one), and returns the names.
 */
async function everyHalf(
  transport: ReturnType<typeof createModuleTransport>,
  baseUrl = `${server.url}/api`,
): Promise<string[]> {
  const client = track(new RickMortyClient({ baseUrl, transport, retries: 0 }));
  const pooled = track(makeAsync(transport));
  const onPool = track(new RickMortyClient({ baseUrl, transport: pooled, retries: 0 }));
  return [
    client.getCharacter(1).name,
    (await client.getCharacterAsync(2)).name,
    (await onPool.getCharacterAsync(3)).name,
  ];
}

const NAMES = ['Rick Sanchez', 'Character 2', 'Character 3'];

describe('createModuleTransport: one transport for every half', () => {
  test('a custom fetch: the server sees its mark on the blocking, the async and the pooled request', async () => {
    const transport = track(createModuleTransport(named('createTaggedTransport', ['mine'])));
    expect(await everyHalf(transport)).toEqual(NAMES);
    const requests = await server.requests();
    expect(requests.map((r) => r.url)).toEqual([
      '/api/character/1',
      '/api/character/2',
      '/api/character/3',
    ]);
    for (const request of requests) expect(request.headers['x-transport-tag']).toBe('mine');
  });

  test('an undici ProxyAgent dispatcher: every half goes through the proxy', async () => {
    // The test server is the proxy; the API's host does not even resolve. Only requests sent
    // through the proxy, in absolute form, can reach anything.
    const transport = track(createModuleTransport(named('createProxiedTransport', [server.url])));
    expect(await everyHalf(transport, 'http://rickmorty.invalid/api')).toEqual(NAMES);
    expect((await server.requests()).map((r) => r.url)).toEqual([
      'http://rickmorty.invalid/api/character/1',
      'http://rickmorty.invalid/api/character/2',
      'http://rickmorty.invalid/api/character/3',
    ]);
  });

  test('a configured ky instance: its headers and hooks in every half, its retries off', async () => {
    const transport = track(createModuleTransport(named('createKyTransport', ['ky-user'])));
    expect(await everyHalf(transport)).toEqual(NAMES);
    const requests = await server.requests();
    expect(requests).toHaveLength(3);
    for (const request of requests) {
      expect(request.headers['x-ky-tag']).toBe('ky-user');
      expect(request.headers['x-ky-hook']).toBe('ran');
    }
    // The instance asks for five retries (ky retries a connection reset); the client's own policy
    // (here none) is the only one.
    await server.reset();
    const client = track(
      new RickMortyClient({ baseUrl: `${server.url}/reset`, transport, retries: 0 }),
    );
    await expect(client.getCharacterAsync(1)).rejects.toMatchObject({ name: 'ConnectionError' });
    expect((await server.stats()).requests).toBe(1);
  });

  test('a factory that returns a promise of its transport', async () => {
    const transport = track(createModuleTransport(named('createTaggedLater', ['later'])));
    expect(await everyHalf(transport)).toEqual(NAMES);
    for (const request of await server.requests()) {
      expect(request.headers['x-transport-tag']).toBe('later');
    }
  });

  test('names its recipe, so that makeAsync builds the same transport', () => {
    const transport = track(createModuleTransport(named('createTaggedTransport', ['x'])));
    expect(transport.rebuild).toEqual({
      module: TRANSPORTS.href,
      export: 'createTaggedTransport',
      args: ['x'],
    });
  });
});

describe('createBlockingTransport({ transport })', () => {
  test("the worker thread sends with the named transport, and makeAsync's threads too", async () => {
    const blocking = track(
      createBlockingTransport({ transport: named('createTaggedTransport', ['worker']) }),
    );
    const url = `${server.url}/json?half=blocking`;
    expect(blocking.requestSync({ method: 'GET', url }).status).toBe(200);
    const pooled = track(makeAsync(blocking));
    expect(
      (await pooled.request({ method: 'GET', url: `${server.url}/json?half=pool` })).status,
    ).toBe(200);
    const requests = await server.requests();
    expect(requests.map((r) => r.headers['x-transport-tag'])).toEqual(['worker', 'worker']);
  });

  test('without one, the worker and the pool send with the built-in HTTP transport', async () => {
    const blocking = track(createBlockingTransport());
    expect(blocking.rebuild).toEqual({
      builtin: 'http',
      options: { timeout: 10_000, maxResponseBytes: 5 * 1024 * 1024 },
    });
    blocking.requestSync({ method: 'GET', url: `${server.url}/json` });
    expect((await server.requests())[0]?.headers['x-transport-tag']).toBeUndefined();
  });
});

describe('createHttpTransport({ ky })', () => {
  test('refuses what is not a ky instance, and ky with engine fetch', () => {
    expect(() => createHttpTransport({ ky: {} as never })).toThrow(
      'Expected `ky` to be a ky instance (ky.create() or ky.extend())',
    );
    expect(() =>
      createHttpTransport({ ky: { get: () => Promise.reject() }, engine: 'fetch' }),
    ).toThrow("`ky` and `engine: 'fetch'` contradict each other; give one of them");
  });
});

describe('what a transport named by module refuses, before any thread starts', () => {
  test.each([
    [
      'a relative path',
      { module: './fixtures/transports.ts' },
      'Expected `target.module` to be a file: URL or an absolute path, got the relative path "./fixtures/transports.ts"; use new URL("./fixtures/transports.ts", import.meta.url)',
    ],
    [
      'an https URL',
      { module: 'https://example.com/t.js' },
      'Expected `target.module` to be a file: URL or an absolute path, got "https://example.com/t.js"',
    ],
    [
      'an empty export',
      { module: TRANSPORTS, export: '' },
      'Expected `target.export` to be the name of an export',
    ],
    [
      'args that are not an array',
      { module: TRANSPORTS, args: 'x' },
      'Expected `target.args` to be an array',
    ],
    ['not an object', 'transport.js', 'Expected `target` to be { module, export?, args? }'],
  ])('%s', (_label, target, message) => {
    expect(() => createModuleTransport(target as never)).toThrow(new InvalidArgumentError(message));
  });

  test('args that cannot be copied to another thread', () => {
    const make = () => createModuleTransport({ module: TRANSPORTS, args: [() => 1] });
    expect(make).toThrow(InvalidArgumentError);
    expect(make).toThrow(
      /Expected `target.args` to be plain data that can be copied to another thread/,
    );
  });

  test("createBlockingTransport's `transport` option is checked the same way", () => {
    expect(() => createBlockingTransport({ transport: { module: 'relative.js' } })).toThrow(
      /^Expected `transport.module` to be a file: URL or an absolute path, got the relative path/,
    );
  });

  test('an unknown option', () => {
    expect(() =>
      createModuleTransport(named('createTaggedTransport'), { fetch: 1 } as never),
    ).toThrow('Unknown option `fetch`');
  });
});
