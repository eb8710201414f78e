import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRickMortyError } from '../src/errors/guards.js';
import { generateDataset } from '../src/testing/dataset.js';
import {
  type ReplicaServer,
  type ReplicaStats,
  startReplicaServer,
} from '../src/testing/replica-server.js';

const SNAPSHOT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../shared/data/rickandmorty-2018',
);
const hasSnapshot = existsSync(join(SNAPSHOT, 'characters.json'));
if (!hasSnapshot) {
  console.warn(
    `[replica-server.test] 2018 snapshot not found at ${SNAPSHOT}: its tests are skipped`,
  );
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls the server's stats until `check` holds (the test's timeout bounds the wait). */
async function statsWhen(server: ReplicaServer, check: (stats: ReplicaStats) => boolean) {
  for (;;) {
    const stats = await server.stats();
    if (check(stats)) return stats;
    await sleep(10);
  }
}

/** Tracks whether a promise has settled, without a timer. */
function track<T>(promise: Promise<T>) {
  const state = { settled: false, promise };
  promise.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}

describe('startReplicaServer: routes', () => {
  let server: ReplicaServer;
  beforeAll(async () => {
    server = await startReplicaServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('listens on 127.0.0.1 and serves the API under /api', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    const root = await fetch(server.url);
    expect(await root.json()).toEqual({
      characters: `${server.url}/character`,
      locations: `${server.url}/location`,
      episodes: `${server.url}/episode`,
    });
  });

  it('answers records, pages with links on its own URL, and the error bodies', async () => {
    const rick = await fetch(`${server.url}/character/1`);
    expect(rick.status).toBe(200);
    expect(rick.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = await rick.text();
    expect(Number(rick.headers.get('content-length'))).toBe(Buffer.byteLength(body));
    expect(JSON.parse(body)).toEqual(generateDataset().characters[0]);

    const page = await (await fetch(`${server.url}/character?page=2&name=rick`)).json();
    expect(page.info.prev).toBe(`${server.url}/character?page=1&name=rick`);

    const batch = await (await fetch(`${server.url}/character/[3,1]`)).json();
    expect(batch.map((c: { id: number }) => c.id)).toEqual([1, 3]);

    const cases = [
      ['/character/9999', 404, 'Character not found'],
      ['/character/abc', 500, 'Hey! you must provide an id'],
      ['/character/[1,2,]', 500, 'Bad... bad array :/'],
      ['/character/,', 500, 'Hey! you must provide an id'],
      [
        '/character/1,x',
        500,
        'Cast to number failed for value "NaN" at path "id" for model "Character"',
      ],
      ['/character//?page=2', 404, 'There is nothing here.'],
      ['/character?page=0.5', 500, "BSON field 'skip' value must be >= 0, actual value '-10'"],
      ['/character?page=999', 404, 'There is nothing here'],
      ['/nowhere', 404, 'There is nothing here.'],
    ] as const;
    for (const [path, status, error] of cases) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(status);
      expect(await response.json(), path).toEqual({ error });
    }
  });

  it('allows any origin, and answers a CORS preflight', async () => {
    const response = await fetch(`${server.url}/episode/1`, {
      headers: { origin: 'http://example.test' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    await response.arrayBuffer();
    const preflight = await fetch(`${server.url}/episode/1`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://example.test',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-trace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('*');
  });

  it('answers 404 to methods other than GET', async () => {
    const response = await fetch(`${server.url}/character/1`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'There is nothing here.' });
  });

  it('counts requests by path, and resets the counts', async () => {
    await server.resetStats();
    await (await fetch(`${server.url}/location/1`)).arrayBuffer();
    await (await fetch(`${server.url}/location/1`)).arrayBuffer();
    await (await fetch(`${server.url}/episode?page=2`)).arrayBuffer();
    const stats = await statsWhen(server, (s) => s.inFlight === 0);
    expect(stats).toEqual({
      requests: 3,
      maxInFlight: 1,
      inFlight: 0,
      aborted: 0,
      byPath: { '/api/location/1': 2, '/api/episode': 1 },
      faults: {},
    });
    await server.resetStats();
    expect(await server.stats()).toEqual({
      requests: 0,
      maxInFlight: 0,
      inFlight: 0,
      aborted: 0,
      byPath: {},
      faults: {},
    });
  });

  it('counts requests whose client went away before the answer as aborted', async () => {
    const slow = await startReplicaServer({ latencyMs: 5_000 });
    try {
      const controller = new AbortController();
      const request = fetch(`${slow.url}/character/1`, { signal: controller.signal });
      await statsWhen(slow, (s) => s.inFlight === 1);
      controller.abort();
      await request.catch(() => {});
      const stats = await statsWhen(slow, (s) => s.inFlight === 0);
      expect(stats).toMatchObject({ requests: 1, aborted: 1 });
    } finally {
      await slow.close();
    }
  });

  it('keeps serving while this thread is blocked, because it runs in a worker thread', () => {
    // execFileSync blocks this thread as Atomics.wait would; a server on it could not answer.
    const script = `fetch(${JSON.stringify(`${server.url}/character/2`)}).then((r) => r.json()).then((c) => process.stdout.write(c.name))`;
    const output = execFileSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(output).toBe('Morty Smith');
  });
});

describe('startReplicaServer: data', () => {
  it('serves a dataset passed as an object', async () => {
    const data = generateDataset({
      seed: 4,
      counts: { characters: 30, locations: 3, episodes: 2 },
    });
    const server = await startReplicaServer({ data });
    try {
      const page = await (await fetch(`${server.url}/character`)).json();
      expect(page.info).toEqual({
        count: 30,
        pages: 2,
        next: `${server.url}/character?page=2`,
        prev: null,
      });
      expect(page.results).toEqual(data.characters.slice(0, 20));
    } finally {
      await server.close();
    }
  });

  describe.skipIf(!hasSnapshot)('the 2018 snapshot', () => {
    it('is served from { directory }, loaded inside the worker', async () => {
      const server = await startReplicaServer({ data: { directory: SNAPSHOT } });
      try {
        const counts = await Promise.all(
          ['character', 'location', 'episode'].map(async (kind) => {
            const page = await (await fetch(`${server.url}/${kind}`)).json();
            return page.info.count;
          }),
        );
        expect(counts).toEqual([493, 76, 31]);
        const characters = JSON.parse(readFileSync(join(SNAPSHOT, 'characters.json'), 'utf8'));
        expect(await (await fetch(`${server.url}/character/493`)).json()).toEqual(characters[492]);
        expect((await fetch(`${server.url}/character/494`)).status).toBe(404);
      } finally {
        await server.close();
      }
    });
  });

  it('fails to start, and says why, when the directory does not exist', async () => {
    await expect(
      startReplicaServer({ data: { directory: join(SNAPSHOT, 'missing') } }),
    ).rejects.toThrow(/failed to start.*ENOENT/);
  });

  it('rejects options out of range', async () => {
    await expect(startReplicaServer({ faults: { hang: 2 } })).rejects.toThrow(RangeError);
    await expect(startReplicaServer({ faults: { retryAfterSeconds: -1 } })).rejects.toThrow(
      RangeError,
    );
    await expect(startReplicaServer({ latencyMs: -5 })).rejects.toThrow(RangeError);
  });

  it('checks its options from plain JavaScript, naming the option, before any thread starts', async () => {
    const cases: [unknown, RegExp][] = [
      [
        { faults: { paths: ['/character'] } },
        /`faults\.paths` to be a string or a RegExp, got an array/,
      ],
      [{ faults: { serverError: '0.5' } }, /`faults\.serverError` to be a probability/],
      [{ faults: { nope: 1 } }, /Unknown option `nope` in `faults`/],
      [{ faults: 'all' }, /`faults` to be an object/],
      [{ latencyMs: '50' }, /`latencyMs` to be a number of milliseconds/],
      [{ port: 70_000 }, /`port`/],
      [{ host: 5 }, /`host` to be an address/],
      [{ seed: 'x' }, /`seed`/],
      [{ data: [] }, /`data` to be a dataset/],
      [{ data: { directory: 5 } }, /`data\.directory`/],
      [{ constructor: 1 }, /Unknown option `constructor`/],
      ['fast', /`options` to be an object/],
    ];
    for (const [options, message] of cases) {
      const error = await startReplicaServer(options as never).then(
        (server) => server.close().then(() => undefined),
        (failure: unknown) => failure,
      );
      expect(error, JSON.stringify(options)).toBeInstanceOf(Error);
      expect(isRickMortyError(error), JSON.stringify(options)).toBe(true);
      expect((error as Error).message, JSON.stringify(options)).toMatch(message);
    }
  });
});

describe('startReplicaServer: latency', () => {
  it('holds every answer for the latency, so concurrent requests overlap', async () => {
    const server = await startReplicaServer({ latencyMs: 1_500 });
    try {
      const requests = [1, 2, 3, 4, 5].map((id) =>
        track(fetch(`${server.url}/character/${id}`).then((r) => r.json())),
      );
      const during = await statsWhen(server, (s) => s.requests === 5);
      expect(during.inFlight).toBe(5);
      expect(requests.some((r) => r.settled)).toBe(false);
      const bodies = await Promise.all(requests.map((r) => r.promise));
      expect(bodies.map((c: { id: number }) => c.id)).toEqual([1, 2, 3, 4, 5]);
      const after = await statsWhen(server, (s) => s.inFlight === 0);
      expect(after.maxInFlight).toBe(5);
    } finally {
      await server.close();
    }
  });
});

describe('startReplicaServer: faults', () => {
  it('answers 500, 502 or 503 with a JSON error body', async () => {
    const server = await startReplicaServer({ faults: { serverError: 1 } });
    try {
      const statuses = new Set<number>();
      for (let i = 0; i < 12; i++) {
        const response = await fetch(`${server.url}/character/1`);
        statuses.add(response.status);
        expect(await response.json()).toEqual({ error: expect.any(String) });
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
      }
      expect([...statuses].every((status) => [500, 502, 503].includes(status))).toBe(true);
      expect(statuses.size).toBeGreaterThan(1);
      expect((await server.stats()).faults).toEqual({ serverError: 12 });
    } finally {
      await server.close();
    }
  });

  it('answers 429 with Retry-After, 1 s by default', async () => {
    const server = await startReplicaServer({ faults: { rateLimit: 1 } });
    try {
      const response = await fetch(`${server.url}/episode`);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.headers.get('access-control-expose-headers')).toMatch(/retry-after/i);
      expect(await response.json()).toEqual({ error: 'Too many requests' });
    } finally {
      await server.close();
    }
  });

  it('sends the Retry-After it is given, 0 included', async () => {
    const server = await startReplicaServer({ faults: { rateLimit: 1, retryAfterSeconds: 0 } });
    try {
      const response = await fetch(`${server.url}/episode`);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('0');
      await response.arrayBuffer();
    } finally {
      await server.close();
    }
  });

  it('resets the connection', async () => {
    const server = await startReplicaServer({ faults: { reset: 1 } });
    try {
      await expect(fetch(`${server.url}/character/1`)).rejects.toThrow();
      expect((await server.stats()).faults).toEqual({ reset: 1 });
    } finally {
      await server.close();
    }
  });

  it('truncates the body below its content-length', async () => {
    const server = await startReplicaServer({ faults: { truncate: 1 } });
    try {
      const response = await fetch(`${server.url}/character`);
      const declared = Number(response.headers.get('content-length'));
      expect(declared).toBeGreaterThan(1000);
      const text = await response.text().catch(() => undefined);
      // Either the client notices the early end (undici does), or it hands over a short body.
      if (text !== undefined) expect(Buffer.byteLength(text)).toBeLessThan(declared);
    } finally {
      await server.close();
    }
  });

  it('hangs until the client gives up', async () => {
    const server = await startReplicaServer({ faults: { hang: 1 } });
    try {
      const error = await fetch(`${server.url}/character/1`, {
        signal: AbortSignal.timeout(200),
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'TimeoutError' });
      expect((await server.stats()).faults).toEqual({ hang: 1 });
      await statsWhen(server, (s) => s.inFlight === 0);
    } finally {
      await server.close();
    }
  });

  it('injects faults only on the paths that match', async () => {
    const server = await startReplicaServer({ faults: { serverError: 1, paths: /\/episode/ } });
    const byString = await startReplicaServer({ faults: { rateLimit: 1, paths: 'page=2' } });
    try {
      expect((await fetch(`${server.url}/character/1`)).status).toBe(200);
      expect((await fetch(`${server.url}/episode/1`)).status).toBeGreaterThanOrEqual(500);
      expect((await fetch(`${byString.url}/episode?page=1`)).status).toBe(200);
      expect((await fetch(`${byString.url}/episode?page=2`)).status).toBe(429);
    } finally {
      await Promise.all([server.close(), byString.close()]);
    }
  });

  it('replays the same faults for the same seed', async () => {
    const faults = { serverError: 0.3, rateLimit: 0.2 };
    async function statuses(seed: number) {
      const server = await startReplicaServer({ faults, seed });
      try {
        const seen: number[] = [];
        for (let i = 0; i < 30; i++) {
          const response = await fetch(`${server.url}/character/${(i % 5) + 1}`);
          await response.arrayBuffer();
          seen.push(response.status);
        }
        return seen;
      } finally {
        await server.close();
      }
    }
    const first = await statuses(42);
    expect(await statuses(42)).toEqual(first);
    expect(first).toContain(200);
    expect(first.some((status) => status !== 200)).toBe(true);
  });
});

describe('startReplicaServer: closing', () => {
  it('closes promptly while a request hangs, and the request fails', async () => {
    const server = await startReplicaServer({ faults: { hang: 1 } });
    // The outcome is taken at once: the rejection comes while close() is awaited.
    const hanging = fetch(`${server.url}/character/1`).then(
      () => 'answered',
      (error: unknown) => error,
    );
    await statsWhen(server, (s) => s.inFlight === 1);
    await server.close();
    expect(await hanging).toBeInstanceOf(Error);
  });

  it('closes promptly while answers wait out their latency', async () => {
    const server = await startReplicaServer({ latencyMs: 60_000 });
    // The outcome is taken at once: the rejection comes while close() is awaited.
    const waiting = fetch(`${server.url}/character/1`).then(
      () => 'answered',
      (error: unknown) => error,
    );
    await statsWhen(server, (s) => s.inFlight === 1);
    await server[Symbol.asyncDispose]();
    expect(await waiting).toBeInstanceOf(Error);
  });

  it('can be closed twice, and refuses questions afterwards', async () => {
    const server = await startReplicaServer();
    await Promise.all([server.close(), server.close()]);
    await server.close();
    await expect(server.stats()).rejects.toThrow(/closed/);
    await expect(fetch(`${server.url}/character/1`)).rejects.toThrow();
  });
});
