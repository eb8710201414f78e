/**
 * Every async method of RickMortyClient has a blocking twin that answers the same. The list of
 * methods is read from the prototype and checked against the client's table of twin pairs
 * (src/client/twins.ts), so a new `...Async` method without a twin, without a row in that table,
 * or without an entry in the table of arguments below, fails this file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BlockingTwin, TWINS } from '../src/client/twins.js';
import { RickMortyClient } from '../src/index.js';
import {
  createMockTransport,
  type Dataset,
  generateDataset,
  type ReplicaServer,
  startReplicaServer,
} from '../src/testing/index.js';
import { collect, isIterator, REPO_ROOT } from './helpers/client-fixtures.js';

const data = generateDataset();

/** Representative argument lists for each twin pair, by the blocking twin's name. */
const ARGS: Record<BlockingTwin, (data: Dataset) => unknown[][]> = {
  getCharacter: () => [[1], [100]],
  getCharacters: () => [[[1, 10, 100]], [[42, 7, 7, 300]]],
  listCharacters: () => [[], [{ status: 'dead', page: 2 }], [{ name: 'no such name at all' }]],
  iterateCharacters: () => [[{ name: 'rick' }], [{ gender: 'genderless', status: 'alive' }]],
  iterateCharacterPages: () => [[{ species: 'human', status: 'unknown' }]],
  getAllCharacters: () => [[], [{ status: 'Dead', gender: 'female' }]],

  getLocation: () => [[1]],
  getLocations: () => [[[20, 1, 3]]],
  listLocations: () => [[], [{ type: 'planet', page: 2 }]],
  iterateLocations: () => [[{ dimension: 'unknown' }]],
  iterateLocationPages: () => [[]],
  getAllLocations: () => [[], [{ type: 'space' }]],

  getEpisode: () => [[1]],
  getEpisodes: () => [[[3, 2, 1]]],
  listEpisodes: () => [[], [{ episode: 'S02' }]],
  iterateEpisodes: () => [[]],
  iterateEpisodePages: () => [[{ name: 'rick' }]],
  getAllEpisodes: () => [[], [{ episode: 's01' }]],

  getCharacterEpisodes: (d) => [[d.characters[9]], [d.characters.slice(0, 20)]],
  getEpisodeCharacters: (d) => [[d.episodes[0]], [d.episodes.slice(1, 3)]],
  getLocationResidents: (d) => [[d.locations[19]], [d.locations.slice(0, 5)]],
  getCharacterOrigin: (d) => [[d.characters[0]], [d.characters[1]]],
  getCharacterLocation: (d) => [[d.characters[0]], [d.characters[99]]],

  getEndpoints: () => [[]],
};

/** The public methods of the prototype whose name ends in `Async`. */
const asyncMethods = Object.getOwnPropertyNames(RickMortyClient.prototype)
  .filter((name) => name.endsWith('Async'))
  .filter(
    (name) =>
      typeof Object.getOwnPropertyDescriptor(RickMortyClient.prototype, name)?.value === 'function',
  )
  .sort();

/** The twin pairs, from the client's table: [blocking, async]. */
const pairs = Object.entries(TWINS) as [BlockingTwin, string][];

type Methods = Record<string, (...args: unknown[]) => unknown>;

/** A plain value to compare: an iterator's items, or the awaited answer. */
async function settle(value: unknown): Promise<unknown> {
  if (isIterator(value)) return collect(value);
  return await value;
}

describe('the twin table', () => {
  it('finds the async methods on the prototype', () => {
    expect(asyncMethods.length).toBeGreaterThanOrEqual(24);
    expect(asyncMethods).toContain('getCharacterAsync');
  });

  it("names every async method of the prototype in the client's table of twin pairs", () => {
    expect(Object.values(TWINS).sort()).toEqual(asyncMethods);
  });

  it('has an argument entry for every async method, and none for a method that is gone', () => {
    expect(Object.keys(ARGS).sort()).toEqual(Object.keys(TWINS).sort());
  });

  it.each(pairs)('%s is the blocking twin of %s', (twin, name) => {
    const proto = RickMortyClient.prototype as unknown as Methods;
    expect(typeof proto[twin], `${twin} should be a method`).toBe('function');
    expect(typeof proto[name], `${name} should be a method`).toBe('function');
  });
});

let replica: ReplicaServer;
const mock = createMockTransport();
/** `rickmorty serve` in a child process: the blocking twins against a server in another process. */
let served: { url: string; child: ChildProcess };

function serveInChildProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/index.ts', 'serve', '--port', '0'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    child.once('exit', (code) =>
      reject(new Error(`rickmorty serve exited with ${code}: ${output}`)),
    );
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const url = /http:\/\/127\.0\.0\.1:\d+\/api/.exec(output)?.[0];
      if (url) resolve({ url, child });
    });
  });
}

beforeAll(async () => {
  [replica, served] = await Promise.all([startReplicaServer(), serveInChildProcess()]);
});

afterAll(async () => {
  await replica?.close();
  if (served && served.child.exitCode === null) {
    const exited = new Promise((resolve) => served.child.once('exit', resolve));
    served.child.kill('SIGTERM');
    await exited;
  }
});

const backends = [
  { name: 'mock transport', client: () => new RickMortyClient({ transport: mock }) },
  {
    name: 'replica server (worker thread)',
    client: () => new RickMortyClient({ baseUrl: replica.url }),
  },
  {
    name: 'replica server (child process)',
    client: () => new RickMortyClient({ baseUrl: served.url }),
  },
];

describe.each(backends)('twins answer alike against the $name', (backend) => {
  let client: RickMortyClient;
  beforeAll(() => {
    client = backend.client();
  });
  afterAll(async () => {
    await client?.close();
  });

  it.each(pairs)('%s and its async twin %s', async (twin, name) => {
    const argLists = ARGS[twin]?.(data);
    expect(argLists, `no arguments for ${twin} in the table`).toBeDefined();
    const methods = client as unknown as Methods;
    for (const args of argLists ?? []) {
      const blockingResult = methods[twin]!.apply(client, args);
      // A blocking twin never hands back a promise; an iterator of it is a sync one.
      expect(blockingResult).not.toBeInstanceOf(Promise);
      if (isIterator(blockingResult)) expect(Symbol.iterator in blockingResult).toBe(true);
      const blocking = await settle(blockingResult);
      const async = await settle(methods[name]!.apply(client, args));
      expect(blocking, `${twin}(${JSON.stringify(args).slice(0, 80)})`).toEqual(async);
    }
  });
});
