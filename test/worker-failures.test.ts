/**
 * Worker threads that fail, in both halves: the blocking transport (whose caller is parked in
 * `Atomics.wait` and learns of a failure only through the shared cell and its port) and the
 * makeAsync pool. A thread that cannot start, crashes or exits is a typed error at once, never a
 * wait for a timeout: each transport here is given timeouts far beyond the test's own 30 s, so a
 * failure noticed only by a timeout fails the test. Then where blocking is impossible: nothing is
 * started, nothing is left behind, and the error says why and what to call instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { RickMortyClient } from '../src/client.js';
import {
  BlockingUnavailableError,
  InvalidArgumentError,
  TimeoutError,
  WorkerError,
} from '../src/errors/index.js';
import { createBlockingTransport } from '../src/transports/blocking.js';
import { loopbackTimeoutNote } from '../src/transports/loopback.js';
import { makeAsync } from '../src/transports/make-async.js';
import { createModuleTransport } from '../src/transports/module-transport.js';
import type { TransportModule } from '../src/transports/recipe.js';
import type { TransportRequest } from '../src/transports/types.js';
import { rejectionOf, thrownBy } from './helpers/client-fixtures.js';
import { startTestServer, type TestServer } from './helpers/http-server.js';
import { reported, runNode } from './helpers/run-node.js';
import { countWorkers, restoreWorker } from './helpers/worker-count.js';

type Fixtures = typeof import('./fixtures/pool-functions.mjs');

/** Far beyond the test's own timeout: a failure noticed only by a timeout fails the test. */
const NEVER = 120_000;
const TRANSPORTS = new URL('./fixtures/transports.ts', import.meta.url);
const POOL_FUNCTIONS = new URL('./fixtures/pool-functions.mjs', import.meta.url);
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

let server: TestServer;
const closers: (() => Promise<void> | void)[] = [];

function track<T extends { close(): Promise<void> | void }>(closable: T): T {
  closers.push(() => closable.close());
  return closable;
}

function get(path: string): TransportRequest {
  return { method: 'GET', url: `${server.url}${path}` };
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

afterEach(async () => {
  restoreWorker();
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe('a transport factory that cannot build its transport', () => {
  const cases: [string, TransportModule, RegExp][] = [
    [
      'a module that does not load',
      { module: new URL('./fixtures/missing.mjs', import.meta.url) },
      /Could not build the transport that `default` of .*missing\.mjs makes: Cannot find module/,
    ],
    [
      'a factory that throws',
      named('refuseToCreate'),
      /Could not build the transport that `refuseToCreate` of .*transports\.ts makes: no transport today/,
    ],
    [
      'a factory that returns no transport',
      named('createNothing'),
      /`createNothing` of .*transports\.ts makes: it returned no transport/,
    ],
  ];

  test.each(cases)(
    '%s: the same InvalidArgumentError in the blocking half, at once',
    (_l, target, message) => {
      const transport = track(
        createBlockingTransport({ transport: target, startupTimeout: NEVER, timeout: NEVER }),
      );
      const error = thrownBy(() => transport.requestSync(get('/json')));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(message);
    },
  );

  test.each(cases)(
    '%s: the same in the async half and on the pool',
    async (_l, target, message) => {
      const both = track(createModuleTransport(target));
      const asyncError = await rejectionOf(both.request(get('/json')));
      expect(asyncError).toBeInstanceOf(InvalidArgumentError);
      expect((asyncError as Error).message).toMatch(message);
      const pooled = track(makeAsync(both));
      const poolError = await rejectionOf(pooled.request(get('/json')));
      expect(poolError).toBeInstanceOf(InvalidArgumentError);
      expect((poolError as Error).message).toMatch(message);
    },
  );
});

describe('a thread that crashes or exits while it serves a call', () => {
  test('blocking: an exit is a WorkerError naming the code, and the next call starts a new thread', () => {
    const workers = countWorkers();
    const transport = track(
      createBlockingTransport({
        transport: named('createExitingTransport', [3]),
        startupTimeout: NEVER,
        timeout: NEVER,
      }),
    );
    for (const round of [1, 2]) {
      const error = thrownBy(() => transport.requestSync(get(`/json?round=${round}`)));
      expect(error).toBeInstanceOf(WorkerError);
      expect((error as Error).message).toBe(
        `The blocking transport's worker thread exited with code 3 and did not answer GET ${server.url}/json?round=${round}`,
      );
    }
    expect(workers.started).toBe(2);
  });

  test('blocking: an uncaught exception is a WorkerError with its message', () => {
    const transport = track(
      createBlockingTransport({
        transport: named('createCrashingTransport'),
        startupTimeout: NEVER,
        timeout: NEVER,
      }),
    );
    const error = thrownBy(() => transport.requestSync(get('/json')));
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as Error).message).toBe(
      `The blocking transport's worker thread failed (crashed while sending ${server.url}/json) and did not answer GET ${server.url}/json`,
    );
  });

  test('pool: a call that ends its thread is a WorkerError naming the code, and the pool goes on', async () => {
    const exitWith = track(
      makeAsync<Fixtures['exitWith']>({ module: POOL_FUNCTIONS, export: 'exitWith' }),
    );
    const error = await rejectionOf(exitWith(3));
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as Error).message).toBe(
      'makeAsync: the worker thread exited with code 3 during the call',
    );
    const add = track(makeAsync<Fixtures['add']>({ module: POOL_FUNCTIONS, export: 'add' }));
    await expect(add(2, 3)).resolves.toBe(5);
  });

  test('pool: a transport whose thread exits is a WorkerError', async () => {
    const pooled = track(makeAsync(createModuleTransport(named('createExitingTransport', [4]))));
    const error = await rejectionOf(pooled.request(get('/json')));
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as Error).message).toBe(
      'makeAsync: the worker thread exited with code 4 during the call',
    );
  });

  test('pool: an uncaught exception is a WorkerError with its message', async () => {
    const crashLater = track(
      makeAsync<Fixtures['crashLater']>({ module: POOL_FUNCTIONS, export: 'crashLater' }),
    );
    const error = await rejectionOf(crashLater(NEVER));
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as Error).message).toBe(
      'makeAsync: the worker thread crashed (crashed in a timer) during the call',
    );
  });
});

describe('threads that cannot start', () => {
  test('a preload that throws in worker threads: both halves say so at once, and the program exits', async () => {
    const run = await runNode([
      '--require',
      join(FIXTURES, 'fail-in-workers.cjs'),
      '--import',
      'tsx',
      join(FIXTURES, 'worker-start-failure.ts'),
      `${server.url}/json`,
    ]);
    expect(run.hung, run.stderr).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(reported(run)).toEqual({
      blocking: {
        name: 'WorkerError',
        message: expect.stringMatching(
          /^The blocking transport's worker thread failed \(Could not load the preloaded module .*fail-in-workers\.cjs \(--require\): this preload refuses worker threads\) and did not start$/,
        ),
      },
      transportOnThread: {
        name: 'WorkerError',
        message:
          'makeAsync: the worker thread crashed before it could start (this preload refuses worker threads)',
      },
      functionOnPool: {
        name: 'WorkerError',
        message: 'makeAsync: a worker thread could not start (this preload refuses worker threads)',
      },
    });
  });
});

describe('where blocking is impossible', () => {
  let bundleDir: string;
  let script: string;

  beforeAll(async () => {
    // Plain JavaScript: Node's module hooks (which tsx uses) need SharedArrayBuffer themselves.
    bundleDir = mkdtempSync(join(tmpdir(), 'rickmorty-impossible-'));
    script = join(bundleDir, 'blocking-impossible.mjs');
    await build({
      entryPoints: [join(FIXTURES, 'blocking-impossible.ts')],
      outfile: script,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'error',
    });
  });

  afterAll(() => {
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  interface Outcome {
    errors: Record<string, number>;
    example: { name: string; message: string };
    transportError: { name: string; message: string };
    started: number;
    handlesBefore: number;
    handlesAfter: number;
    asyncName: string;
  }

  // V8 dropped the flag after Node 20; the global is removed by hand on every version.
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  test.skipIf(nodeMajor !== 20)(
    'node --no-harmony-sharedarraybuffer: 100 calls, 100 BlockingUnavailableErrors, no thread',
    async () => {
      const run = await runNode([
        '--no-harmony-sharedarraybuffer',
        script,
        'no-sab',
        `${server.url}/api`,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const outcome = reported<Outcome>(run);
      expect(outcome.errors).toEqual({ BlockingUnavailableError: 100 });
      expect(outcome.example.message).toMatch(/SharedArrayBuffer is not available/);
      expect(outcome.started).toBe(0);
      expect(outcome.asyncName).toBe('Rick Sanchez');
    },
  );

  test.each([
    [
      'without SharedArrayBuffer (a page that is not cross-origin isolated)',
      'sab-removed',
      [],
      /SharedArrayBuffer is not available/,
    ],
    [
      'where Atomics.wait throws (an Electron renderer)',
      'atomics-refused',
      [],
      /Atomics\.wait is not allowed on this thread/,
    ],
  ])(
    '%s: 100 calls, 100 BlockingUnavailableErrors naming the async twin, no thread, nothing left open',
    async (_label, mode, flags, reason) => {
      const run = await runNode([...flags, script, mode, `${server.url}/api`]);
      expect(run.code, run.stderr).toBe(0);
      const outcome = reported<Outcome>(run);
      expect(outcome.errors).toEqual({ BlockingUnavailableError: 100 });
      expect(outcome.example.message).toMatch(/^getCharacter\(\) cannot block here: /);
      expect(outcome.example.message).toMatch(reason);
      expect(outcome.example.message).toMatch(/Call getCharacterAsync\(\) instead$/);
      expect(outcome.transportError.name).toBe('BlockingUnavailableError');
      expect(outcome.transportError.message).toMatch(reason);
      expect(outcome.started).toBe(0);
      expect(outcome.handlesAfter).toBe(outcome.handlesBefore);
      // The async twin works there.
      expect(outcome.asyncName).toBe('Rick Sanchez');
    },
  );
});

describe('a server on the calling thread', () => {
  let local: Server;
  let localUrl: string;

  beforeAll(async () => {
    local = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    const address = local.address() as { port: number };
    localUrl = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => local?.close(resolve));
  });

  test('is refused at once by the blocking transport, which starts no thread', () => {
    const workers = countWorkers();
    const transport = track(createBlockingTransport({ timeout: NEVER }));
    const error = thrownBy(() => transport.requestSync({ method: 'GET', url: `${localUrl}/x` }));
    expect(error).toBeInstanceOf(BlockingUnavailableError);
    expect((error as Error).message).toContain(
      `GET ${localUrl}/x goes to a server running on this thread (127.0.0.1:${localUrl.split(':')[2]})`,
    );
    expect(workers.started).toBe(0);
  });

  test("by the client's blocking twin, naming the async twin; the async twin reaches it", async () => {
    const client = track(new RickMortyClient({ baseUrl: `${localUrl}/api`, timeout: NEVER }));
    const error = thrownBy(() => client.getCharacter(1));
    expect(error).toBeInstanceOf(BlockingUnavailableError);
    expect((error as Error).message).toMatch(/^getCharacter\(\) cannot block here: GET /);
    expect((error as Error).message).toMatch(/Call getCharacterAsync\(\) instead$/);
    // The server answers `{}`: the async twin reaches it (and rejects the record as invalid).
    const asyncError = await rejectionOf(client.getCharacterAsync(1));
    expect((asyncError as Error).name).toBe('ValidationError');
  });
});

describe('a timeout of a blocking call to a loopback address', () => {
  test('says a server on the calling thread cannot answer, and names the async twin', () => {
    const client = track(
      new RickMortyClient({ baseUrl: `${server.url}/hang`, timeout: 200, retries: 0 }),
    );
    const error = thrownBy(() => client.getCharacter(1));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe(
      `Request timed out after 200 ms: GET ${server.url}/hang/character/1. ${loopbackTimeoutNote('getCharacterAsync')}`,
    );
    expect(loopbackTimeoutNote('getCharacterAsync')).toMatch(
      /server running on that thread can never answer it: .* call getCharacterAsync\(\) instead$/,
    );
  });
});
