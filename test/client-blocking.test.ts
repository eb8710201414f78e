/**
 * The blocking twins of RickMortyClient with its DEFAULT transports, against the replica server
 * (which runs in a worker thread, so the caller's Atomics.wait does not starve it): the same
 * answers as the async twins, errors, timeouts, the transports a client is given, and releasing
 * the worker threads.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BlockingUnavailableError,
  createBlockingTransport,
  createHttpTransport,
  NotFoundError,
  RickMortyClient,
  TimeoutError,
} from '../src/index.js';
import { generateDataset, type ReplicaServer, startReplicaServer } from '../src/testing/index.js';
import { collect, idsOf, REPO_ROOT, thrownBy } from './helpers/client-fixtures.js';
import { TSX_LAUNCHER } from './helpers/run-script.js';

const data = generateDataset();
const HANGING_ID = 7;

let replica: ReplicaServer;
let hanging: ReplicaServer;
let client: RickMortyClient;

beforeAll(async () => {
  [replica, hanging] = await Promise.all([
    startReplicaServer(),
    startReplicaServer({ faults: { hang: 1, paths: new RegExp(`/character/${HANGING_ID}$`) } }),
  ]);
  client = new RickMortyClient({ baseUrl: replica.url });
});

afterAll(async () => {
  await client?.close();
  await Promise.all([replica?.close(), hanging?.close()]);
});

beforeEach(async () => {
  await replica.resetStats();
});

describe('blocking twins with the default transports', () => {
  it('getCharacter(1) blocks and returns what getCharacterAsync(1) returns', async () => {
    const rick = client.getCharacter(1);
    expect(rick).toEqual(data.characters[0]);
    expect(rick).toEqual(await client.getCharacterAsync(1));
    expect((await replica.stats()).requests).toBe(2);
  });

  it('getCharacters([1, 10, 100]) returns the three in order from one batch request', async () => {
    const trio = client.getCharacters([1, 10, 100]);
    expect(trio.map((c) => c.name)).toEqual(['Rick Sanchez', 'Alan Rails', 'Bubonic Plague']);
    const stats = await replica.stats();
    expect(stats.requests).toBe(1);
    expect(stats.byPath).toEqual({ '/api/character/1,10,100': 1 });
    expect(idsOf(client.getCharacters([100, 1, 10, 1]))).toEqual([100, 1, 10, 1]);
  });

  it.each([
    ['getLocation', [1]],
    ['getEpisode', [1]],
    ['getEpisodes', [[3, 1, 2]]],
    ['listCharacters', [{ status: 'dead', page: 2 }]],
    ['listLocations', [{ type: 'planet' }]],
    ['getAllEpisodes', []],
    ['getAllLocations', [{ dimension: 'unknown' }]],
    ['getEndpoints', []],
  ] as const)('%s gives the same answer in both halves', async (name, args) => {
    const twins = client as unknown as Record<string, (...a: unknown[]) => unknown>;
    const blocking = twins[name]!.apply(client, [...args]);
    const async = await twins[`${name}Async`]!.apply(client, [...args]);
    expect(blocking).toEqual(async);
  });

  it('iterates pages and items in the blocking half as in the async half', async () => {
    const blockingPages = [...client.iterateEpisodePages()];
    const asyncPages = await collect(client.iterateEpisodePagesAsync());
    expect(blockingPages).toEqual(asyncPages);
    expect(blockingPages).toHaveLength(3);
    const dead = [...client.iterateCharacters({ status: 'Dead', species: 'alien' })];
    expect(dead).toEqual(
      await collect(client.iterateCharactersAsync({ status: 'Dead', species: 'alien' })),
    );
    expect(dead.every((c) => c.status === 'Dead')).toBe(true);
  });

  it('names the missing ids in a NotFoundError', async () => {
    const error = thrownBy(() => client.getCharacters([1, 9999, 2, 9998]));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).ids).toEqual([9999, 9998]);

    const one = thrownBy(() => client.getCharacter(9999));
    expect(one).toBeInstanceOf(NotFoundError);
    expect((one as NotFoundError).status).toBe(404);
    expect((one as NotFoundError).message).toBe(
      `Request failed with status 404 Not Found: GET ${replica.url}/character/9999 (Character not found)`,
    );
  });

  it('times out on a server that does not answer (timeout: 300), and the next call works', async () => {
    const slowClient = new RickMortyClient({ baseUrl: hanging.url, timeout: 300, retries: 0 });
    try {
      const error = thrownBy(() => slowClient.getCharacter(HANGING_ID));
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).timeout).toBe(300);
      expect((error as TimeoutError).url).toBe(`${hanging.url}/character/${HANGING_ID}`);
      expect(slowClient.getCharacter(1).name).toBe('Rick Sanchez');

      // A per-call timeout overrides the client's.
      const again = thrownBy(() => slowClient.getCharacter(HANGING_ID, { timeout: 200 }));
      expect(again).toBeInstanceOf(TimeoutError);
      expect((again as TimeoutError).timeout).toBe(200);
      expect(slowClient.getCharacter(2).name).toBe('Morty Smith');
      expect((await hanging.stats()).faults.hang).toBe(2);
    } finally {
      await slowClient.close();
    }
  });
});

describe('the transports a client is given', () => {
  it('given only an async transport, a blocking twin throws BlockingUnavailableError naming its async twin', async () => {
    const asyncOnly = new RickMortyClient({
      baseUrl: replica.url,
      transport: createHttpTransport(),
    });
    const error = thrownBy(() => asyncOnly.getCharacter(1));
    expect(error).toBeInstanceOf(BlockingUnavailableError);
    expect((error as Error).message).toContain('getCharacterAsync');

    const listing = thrownBy(() => asyncOnly.listEpisodes());
    expect(listing).toBeInstanceOf(BlockingUnavailableError);
    expect((listing as Error).message).toContain('listEpisodesAsync');

    expect((await replica.stats()).requests).toBe(0);
    expect((await asyncOnly.getCharacterAsync(1)).name).toBe('Rick Sanchez');
    expect((await replica.stats()).requests).toBe(1);
  });

  it('given only createBlockingTransport(), the async twins work through makeAsync', async () => {
    const transport = createBlockingTransport();
    const blockingOnly = new RickMortyClient({ baseUrl: replica.url, transport });
    try {
      expect(await blockingOnly.getCharacterAsync(1)).toEqual(data.characters[0]);
      const trio = await blockingOnly.getCharactersAsync([100, 10, 1]);
      expect(trio.map((c) => c.name)).toEqual(['Bubonic Plague', 'Alan Rails', 'Rick Sanchez']);
      expect(blockingOnly.getCharacter(2).name).toBe('Morty Smith');
      expect((await replica.stats()).requests).toBe(3);
    } finally {
      await blockingOnly.close();
      await transport.close();
    }
  });

  it('can be used again after close()', async () => {
    const reused = new RickMortyClient({ baseUrl: replica.url });
    expect(reused.getCharacter(1).name).toBe('Rick Sanchez');
    await reused.close();
    expect(reused.getCharacter(2).name).toBe('Morty Smith');
    expect((await reused.getCharacterAsync(10)).name).toBe('Alan Rails');
    await reused.close();
  });
});

describe('releasing worker threads', () => {
  it('a program that uses both halves, then close() and `await using`, exits by itself with code 0', {
    timeout: 90_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rickmorty-close-'));
    const script = join(dir, 'uses-both-halves.mts');
    const src = pathToFileURL(join(REPO_ROOT, 'src/index.ts')).href;
    writeFileSync(
      script,
      `import { createBlockingTransport, RickMortyClient } from ${JSON.stringify(src)};

// Counts the worker threads alive, through the module the library creates them from:
// each close must end every thread it started.
const workerThreads = process.getBuiltinModule('node:worker_threads');
let live = 0;
const Original = workerThreads.Worker;
workerThreads.Worker = class CountedWorker extends Original {
  constructor(...args: ConstructorParameters<typeof Original>) {
    super(...args);
    live++;
    this.once('exit', () => live--);
  }
};
async function released(what: string) {
  // A bounded poll: 'exit' comes a moment after terminate() resolves.
  for (let i = 0; i < 500 && live > 0; i++) await new Promise((r) => setTimeout(r, 10));
  if (live > 0) throw new Error(what + ' left ' + live + ' worker thread(s) running');
}

const baseUrl = process.argv[2]!;
{
  await using client = new RickMortyClient({ baseUrl });
  const blocking = client.getCharacter(1);
  const async = await client.getCharacterAsync(1);
  if (blocking.name !== 'Rick Sanchez' || async.name !== blocking.name) throw new Error('twins disagree');
  if (live === 0) throw new Error('expected a blocking worker thread');
}
await released('await using');

const client = new RickMortyClient({ baseUrl });
client.getCharacters([1, 2]);
await client.getCharactersAsync([1, 2]);
await client.close();
await released('close()');

const transport = createBlockingTransport();
const pooled = new RickMortyClient({ baseUrl, transport });
await pooled.getCharacterAsync(10);
pooled.getCharacter(10);
await pooled.close();
await transport.close();
await released('close() of a client on makeAsync');
console.log('done');
`,
    );
    try {
      const child = spawn(process.execPath, [TSX_LAUNCHER, script, replica.url], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        // A hang guard only: a program that does not exit is killed and fails the test.
        timeout: 80_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
        (resolve, reject) => {
          child.once('error', reject);
          child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
        },
      );
      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
      expect(stdout.trim()).toBe('done');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
