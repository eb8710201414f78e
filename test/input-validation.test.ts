/**
 * Bad input never reaches the server. For every bad argument the blocking twin throws a typed
 * error at once, the async twin returns a promise that rejects with the same class (it does not
 * throw), and neither the mock transport nor a replica server sees a request. Bad client options
 * fail the constructor. Every message quotes the option it is about.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ArgumentRangeError,
  type ClientOptions,
  InvalidArgumentError,
  RickMortyClient,
} from '../src/index.js';
import {
  createMockTransport,
  generateDataset,
  type ReplicaServer,
  startReplicaServer,
} from '../src/testing/index.js';
import { collect, rejectionOf, thrownBy } from './helpers/client-fixtures.js';

type ErrorClass = typeof InvalidArgumentError | typeof ArgumentRangeError;
const TYPE = InvalidArgumentError;
const RANGE = ArgumentRangeError;

const data = generateDataset();
const rick = data.characters[0]!;

interface MethodCase {
  /** The blocking twin; the async twin is the same name with `Async`. */
  readonly method: string;
  readonly args: readonly unknown[];
  readonly error: ErrorClass;
  readonly message: RegExp;
}

const ID = /Expected `id` to be a positive integer/;

const METHOD_CASES: Record<string, MethodCase> = {
  'id 0': { method: 'getCharacter', args: [0], error: RANGE, message: /`id`.*got 0$/ },
  'id -1': { method: 'getCharacter', args: [-1], error: RANGE, message: ID },
  'id 1.5': { method: 'getCharacter', args: [1.5], error: RANGE, message: ID },
  'id NaN': { method: 'getCharacter', args: [Number.NaN], error: RANGE, message: /`id`.*NaN/ },
  'id Infinity': { method: 'getCharacter', args: [Infinity], error: RANGE, message: ID },
  'id 2**53': { method: 'getLocation', args: [2 ** 53], error: RANGE, message: ID },
  "id '1'": { method: 'getCharacter', args: ['1'], error: TYPE, message: /`id`.*got "1"/ },
  "id '1/../x'": { method: 'getEpisode', args: ['1/../x'], error: TYPE, message: ID },
  'id null': { method: 'getCharacter', args: [null], error: TYPE, message: /`id`.*null/ },
  'id undefined': { method: 'getCharacter', args: [], error: TYPE, message: /`id`.*undefined/ },
  'id {}': { method: 'getCharacter', args: [{}], error: TYPE, message: ID },
  'id []': { method: 'getCharacter', args: [[]], error: TYPE, message: ID },
  'id 1n': { method: 'getCharacter', args: [1n], error: TYPE, message: ID },
  "ids [1, 'a']": {
    method: 'getCharacters',
    args: [[1, 'a']],
    error: TYPE,
    message: /`ids\[1\]` to be a positive integer/,
  },
  'ids [1, 0]': { method: 'getEpisodes', args: [[1, 0]], error: RANGE, message: /`ids\[1\]`/ },
  'ids []': { method: 'getCharacters', args: [[]], error: RANGE, message: /`ids`.*non-empty/ },
  '10001 ids': {
    method: 'getCharacters',
    args: [Array.from({ length: 10_001 }, (_, index) => index + 1)],
    error: RANGE,
    message: /`ids`.*at most 10000/,
  },
  "ids '1,2'": { method: 'getLocations', args: ['1,2'], error: TYPE, message: /`ids`/ },
  'ids null': { method: 'getCharacters', args: [null], error: TYPE, message: /`ids`/ },
  'page 0': { method: 'listCharacters', args: [{ page: 0 }], error: RANGE, message: /`page`/ },
  'page 1.5': { method: 'listEpisodes', args: [{ page: 1.5 }], error: RANGE, message: /`page`/ },
  "page '2'": { method: 'listLocations', args: [{ page: '2' }], error: TYPE, message: /`page`/ },
  "status 'alive?'": {
    method: 'listCharacters',
    args: [{ status: 'alive?' }],
    error: RANGE,
    message: /filter `status` to be one of 'Alive', 'Dead', 'unknown'/,
  },
  "gender 'robot'": {
    method: 'listCharacters',
    args: [{ gender: 'robot' }],
    error: RANGE,
    message: /filter `gender`/,
  },
  'unknown filter key': {
    method: 'listCharacters',
    args: [{ color: 'red' }],
    error: TYPE,
    message: /Unknown character filter `color`/,
  },
  'a character filter on locations': {
    method: 'listLocations',
    args: [{ status: 'Dead' }],
    error: TYPE,
    message: /Unknown location filter `status`/,
  },
  'filter value not a string': {
    method: 'listCharacters',
    args: [{ name: 5 }],
    error: TYPE,
    message: /filter `name` to be a string/,
  },
  'a 201-character name': {
    method: 'listCharacters',
    args: [{ name: 'x'.repeat(201) }],
    error: RANGE,
    message: /filter `name` to be at most 200 characters/,
  },
  'filter not an object': {
    method: 'listCharacters',
    args: ['rick'],
    error: TYPE,
    message: /character filter to be an object/,
  },
  'getAll with a page': {
    method: 'getAllCharacters',
    args: [{ page: 2 }],
    error: TYPE,
    message: /no `page`/,
  },
  'getAll with a bad status': {
    method: 'getAllCharacters',
    args: [{ status: 'zombie' }],
    error: RANGE,
    message: /filter `status`/,
  },
  'onProgress not a function': {
    method: 'getAllEpisodes',
    args: [undefined, { onProgress: 'log' }],
    error: TYPE,
    message: /`onProgress` to be a function/,
  },
  'negative timeout': {
    method: 'getCharacter',
    args: [1, { timeout: -1 }],
    error: RANGE,
    message: /`timeout`/,
  },
  'timeout 1.5': {
    method: 'getCharacter',
    args: [1, { timeout: 1.5 }],
    error: RANGE,
    message: /`timeout`/,
  },
  "timeout '5'": {
    method: 'getCharacters',
    args: [[1], { timeout: '5' }],
    error: TYPE,
    message: /`timeout`/,
  },
  'timeout 0': {
    method: 'getEndpoints',
    args: [{ timeout: 0 }],
    error: RANGE,
    message: /`timeout`/,
  },
  'call options not an object': {
    method: 'getCharacter',
    args: [1, 'fast'],
    error: TYPE,
    message: /`options` to be an object/,
  },
  'call options null': {
    method: 'listCharacters',
    args: [undefined, null],
    error: TYPE,
    message: /`options`/,
  },
  'unknown call option': {
    method: 'getCharacter',
    args: [1, { retries: 3 }],
    error: TYPE,
    message: /Unknown option `retries` in `options`/,
  },
  'signal not a signal': {
    method: 'getCharacter',
    args: [1, { signal: {} }],
    error: TYPE,
    message: /`options\.signal` to be an AbortSignal/,
  },
  'relation given a number': {
    method: 'getCharacterEpisodes',
    args: [1],
    error: TYPE,
    message: /`episode` list of URLs/,
  },
  'relation given the wrong record': {
    method: 'getLocationResidents',
    args: [rick],
    error: TYPE,
    message: /`residents` list of URLs/,
  },
  'relation given a list with a bad record': {
    method: 'getEpisodeCharacters',
    args: [[data.episodes[0], { characters: 'x' }]],
    error: TYPE,
    message: /`characters` list of URLs/,
  },
  'origin of null': {
    method: 'getCharacterOrigin',
    args: [null],
    error: TYPE,
    message: /`origin` link/,
  },
  'location of a number': {
    method: 'getCharacterLocation',
    args: [42],
    error: TYPE,
    message: /`location` link/,
  },
};

interface OptionsCase {
  readonly options: (base: ClientOptions) => unknown;
  readonly error: ErrorClass;
  readonly message: RegExp;
}

const OPTION_CASES: Record<string, OptionsCase> = {
  "baseUrl 'ftp://x'": {
    options: (base) => ({ ...base, baseUrl: 'ftp://x' }),
    error: TYPE,
    message: /`baseUrl` to be an http\(s\) URL/,
  },
  "baseUrl 'not a url'": {
    options: (base) => ({ ...base, baseUrl: 'not a url' }),
    error: TYPE,
    message: /`baseUrl`/,
  },
  'baseUrl with a query': {
    options: (base) => ({ ...base, baseUrl: 'https://rickandmortyapi.com/api?key=1' }),
    error: TYPE,
    message: /`baseUrl` to have no query/,
  },
  'baseUrl with credentials': {
    options: (base) => ({ ...base, baseUrl: 'https://user:pw@rickandmortyapi.com/api' }),
    error: TYPE,
    message: /`baseUrl`/,
  },
  'baseUrl a number': {
    options: (base) => ({ ...base, baseUrl: 42 }),
    error: TYPE,
    message: /`baseUrl`/,
  },
  'negative timeout': {
    options: (base) => ({ ...base, timeout: -1 }),
    error: RANGE,
    message: /`timeout`/,
  },
  'timeout 1.5': {
    options: (base) => ({ ...base, timeout: 1.5 }),
    error: RANGE,
    message: /`timeout`/,
  },
  'concurrency 0': {
    options: (base) => ({ ...base, concurrency: 0 }),
    error: RANGE,
    message: /`concurrency` to be a positive integer/,
  },
  "concurrency '2'": {
    options: (base) => ({ ...base, concurrency: '2' }),
    error: TYPE,
    message: /`concurrency`/,
  },
  'batch size 0': {
    options: (base) => ({ ...base, batch: { size: 0 } }),
    error: RANGE,
    message: /`batch\.size`/,
  },
  'batch size 1001': {
    options: (base) => ({ ...base, batch: { size: 1001 } }),
    error: RANGE,
    message: /`batch\.size`/,
  },
  "batch 'yes'": {
    options: (base) => ({ ...base, batch: 'yes' }),
    error: TYPE,
    message: /`batch`/,
  },
  'retries -1': {
    options: (base) => ({ ...base, retries: -1 }),
    error: RANGE,
    message: /`retries` to be a non-negative integer/,
  },
  'maxRedirects 21': {
    options: (base) => ({ ...base, maxRedirects: 21 }),
    error: RANGE,
    message: /`maxRedirects`/,
  },
  'unknown client option': {
    options: (base) => ({ ...base, retryCount: 3 }),
    error: TYPE,
    message: /Unknown option `retryCount` in `options`/,
  },
  'transport {} (no methods)': {
    options: (base) => ({ ...base, transport: {} }),
    error: TYPE,
    message: /`transport`/,
  },
  'cache { store: {} }': {
    options: (base) => ({ ...base, cache: { store: {} } }),
    error: TYPE,
    message: /`cache\.store`/,
  },
  'cache ttl 0': {
    options: (base) => ({ ...base, cache: { ttl: 0 } }),
    error: RANGE,
    message: /`cache\.ttl`/,
  },
  "cache 'yes'": {
    options: (base) => ({ ...base, cache: 'yes' }),
    error: TYPE,
    message: /`cache`/,
  },
  'options not an object': { options: () => 'fast', error: TYPE, message: /`options`/ },
  'options null': { options: () => null, error: TYPE, message: /`options`/ },
  "dedupe 'no'": {
    options: (base) => ({ ...base, dedupe: 'no' }),
    error: TYPE,
    message: /`dedupe`/,
  },
  'a header that is not a string': {
    options: (base) => ({ ...base, headers: { 'x-count': 1 } }),
    error: TYPE,
    message: /header `x-count`/,
  },
  'logger a string': {
    options: (base) => ({ ...base, logger: 'console' }),
    error: TYPE,
    message: /`logger`/,
  },
  'retry.minDelay -1': {
    options: (base) => ({ ...base, retry: { minDelay: -1 } }),
    error: RANGE,
    message: /`minDelay`/,
  },
  'unknown retry option': {
    options: (base) => ({ ...base, retry: { retries: 3 } }),
    error: TYPE,
    message: /Unknown option `retries` in `retry`/,
  },
  'retry.factor 0.5': {
    options: (base) => ({ ...base, retry: { factor: 0.5 } }),
    error: RANGE,
    message: /`factor`/,
  },
  'retry.maxDelay below retry.minDelay': {
    options: (base) => ({ ...base, retry: { minDelay: 100, maxDelay: 10 } }),
    error: RANGE,
    message: /`maxDelay`/,
  },
};

const mock = createMockTransport();
let replica: ReplicaServer;
let mockClient: RickMortyClient;
let replicaClient: RickMortyClient;

beforeAll(async () => {
  replica = await startReplicaServer();
  mockClient = new RickMortyClient({ transport: mock });
  replicaClient = new RickMortyClient({ baseUrl: replica.url });
});

afterAll(async () => {
  await replicaClient?.close();
  await replica?.close();
});

beforeEach(async () => {
  mock.reset();
  await replica.resetStats();
});

async function expectNoRequests(): Promise<void> {
  expect(mock.calls, 'requests at the mock transport').toHaveLength(0);
  expect((await replica.stats()).requests, 'requests at the replica server').toBe(0);
}

function expectTyped(error: unknown, expected: ErrorClass, message: RegExp): void {
  expect(error).toBeInstanceOf(expected);
  expect(error).toBeInstanceOf(expected === TYPE ? TypeError : RangeError);
  expect((error as Error).name).toBe(expected.name);
  expect((error as Error).message).toMatch(message);
}

type Methods = Record<string, (...args: unknown[]) => unknown>;

describe('the tables', () => {
  it('hold at least 30 bad inputs, each naming a real twin pair', () => {
    expect(Object.keys(METHOD_CASES).length + Object.keys(OPTION_CASES).length).toBeGreaterThan(30);
    const proto = RickMortyClient.prototype as unknown as Methods;
    for (const { method } of Object.values(METHOD_CASES)) {
      expect(typeof proto[method], method).toBe('function');
      expect(typeof proto[`${method}Async`], `${method}Async`).toBe('function');
    }
  });
});

describe.each([
  { name: 'mock transport', client: () => mockClient },
  { name: 'replica server', client: () => replicaClient },
])('bad arguments against the $name', ({ client }) => {
  it.each(Object.entries(METHOD_CASES))(
    '%s: blocking throws, async rejects, nothing is sent',
    async (_label, { method, args, error: expected, message }) => {
      const methods = client() as unknown as Methods;
      const blocking = thrownBy(() => methods[method]!.apply(client(), [...args]));
      expectTyped(blocking, expected, message);

      let result: unknown;
      let thrownAtOnce: unknown;
      try {
        result = methods[`${method}Async`]!.apply(client(), [...args]);
      } catch (error) {
        thrownAtOnce = error;
      }
      expect(
        thrownAtOnce,
        `${method}Async threw at once instead of returning a rejected promise`,
      ).toBeUndefined();
      expect(result).toBeInstanceOf(Promise);
      expectTyped(await rejectionOf(result as Promise<unknown>), expected, message);
      await expectNoRequests();
    },
  );

  it.each([
    ['iterateCharacters', [{ status: 'zombie' }], RANGE, /filter `status`/],
    ['iterateLocationPages', [{ page: 2 }], TYPE, /no `page`/],
    ['iterateEpisodes', [undefined, { timeout: -5 }], RANGE, /`timeout`/],
  ] as const)(
    '%s refuses %j in both halves before any request',
    async (method, args, expected, message) => {
      const methods = client() as unknown as Methods;
      const blocking = thrownBy(() => [
        ...(methods[method]!.apply(client(), [...args]) as Iterable<unknown>),
      ]);
      expectTyped(blocking, expected, message);
      // An async iterator may refuse when it is made or when it is first read; either way nothing
      // is sent.
      const failure = await rejectionOf(
        (async () =>
          collect(
            methods[`${method}Async`]!.apply(client(), [...args]) as AsyncIterable<unknown>,
          ))(),
      );
      expectTyped(failure, expected, message);
      await expectNoRequests();
    },
  );
});

describe.each([
  { name: 'mock transport', base: (): ClientOptions => ({ transport: mock }) },
  { name: 'replica server', base: (): ClientOptions => ({ baseUrl: replica.url }) },
])('bad client options against the $name', ({ base }) => {
  it.each(Object.entries(OPTION_CASES))(
    '%s: the constructor throws, nothing is sent',
    async (_label, { options, error: expected, message }) => {
      const error = thrownBy(() => new RickMortyClient(options(base()) as ClientOptions));
      expectTyped(error, expected, message);
      await expectNoRequests();
    },
  );
});
