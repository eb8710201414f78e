/**
 * Issue 8, "faults": against a replica server that fails half of its answers (5xx, 429 with
 * Retry-After: 0, connection resets, truncated bodies) from a fixed seed, both halves still return
 * exactly the right records when they may retry; when they may not, the error says which request
 * failed and why, and keeps the earlier attempts. No promise is left rejected and unhandled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionError,
  isHttpError,
  isRickMortyError,
  ResponseError,
  RickMortyClient,
  type RickMortyError,
  ServerError,
} from '../src/index.js';
import { generateDataset, type ReplicaServer, startReplicaServer } from '../src/testing/index.js';
import { nextTick, rejectionOf, thrownBy } from './helpers/client-fixtures.js';

const data = generateDataset();
const SEED = 8;
const FAULTS = {
  serverError: 0.3,
  rateLimit: 0.1,
  retryAfterSeconds: 0,
  reset: 0.05,
  truncate: 0.05,
} as const;
/**
 * Half of all answers fail, so an id needs n + 1 failures in a row (2^-(n+1)) to exhaust n
 * retries. With 10 retries one id in 2048 would, so one run in ten of 200 ids would fail: the
 * budget here is 20 (about one id in two million).
 */
const ENOUGH_RETRIES = 20;
const TINY_BACKOFF = { minDelay: 1, maxDelay: 5 } as const;

/** 200 distinct ids spread over the whole range, in no particular order (37 and 826 are coprime). */
const IDS = Array.from({ length: 200 }, (_, index) => ((index * 37) % data.characters.length) + 1);
const EXPECTED = IDS.map((id) => data.characters[id - 1]);

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => {
  unhandled.push(reason);
};

let faulty: ReplicaServer;
let failing: ReplicaServer;
let resetting: ReplicaServer;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  [faulty, failing, resetting] = await Promise.all([
    startReplicaServer({ faults: FAULTS, seed: SEED }),
    startReplicaServer({ faults: { serverError: 1, paths: /\/character\/13$/ }, seed: SEED }),
    startReplicaServer({ faults: { reset: 1, paths: /\/character\/13$/ }, seed: SEED }),
  ]);
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await Promise.all([faulty, failing, resetting].map((server) => server?.close()));
});

/** The URL in a message: `GET http://127.0.0.1:port/api/character/42`. */
function requestIn(message: string): string | undefined {
  return /GET (http:\/\/\S+\/api\/character\/\d+)/.exec(message)?.[1];
}

/** Checks that an error names its request (method and URL) and why it failed. */
function expectExplained(error: unknown, server: ReplicaServer): void {
  expect(isRickMortyError(error), String(error)).toBe(true);
  const failure = error as RickMortyError & { url?: string; method?: string };
  const url = requestIn(failure.message);
  expect(url, failure.message).toMatch(new RegExp(`^${server.url}/character/\\d+$`));
  expect(failure.url).toBe(url);
  expect(failure.method).toBe('GET');
  if (isHttpError(error)) {
    expect([429, 500, 502, 503]).toContain(error.status);
    expect(error.message).toMatch(new RegExp(`^Request failed with status ${error.status} \\w`));
  } else if (error instanceof ConnectionError) {
    expect(error.message).toMatch(/^Request failed \([^)]+\): GET /);
  } else {
    expect(error).toBeInstanceOf(ResponseError);
    expect((error as ResponseError).code).toBe('INVALID_JSON');
    expect((error as Error).message).toMatch(/not valid JSON/);
  }
}

describe('with enough retries', () => {
  it('getCharactersAsync of 200 ids returns exactly the right records', async () => {
    const client = new RickMortyClient({
      baseUrl: faulty.url,
      batch: false,
      retries: ENOUGH_RETRIES,
      retry: TINY_BACKOFF,
    });
    await faulty.resetStats();
    const records = await client.getCharactersAsync(IDS);
    expect(records).toEqual(EXPECTED);
    const stats = await faulty.stats();
    // The faults did happen, and were retried through.
    expect(stats.requests).toBeGreaterThan(IDS.length);
    expect(Object.keys(stats.faults).sort()).toEqual(
      ['rateLimit', 'reset', 'serverError', 'truncate'].sort(),
    );
  });

  it('getCharacters (blocking) of 200 ids returns exactly the right records', async () => {
    const client = new RickMortyClient({
      baseUrl: faulty.url,
      batch: false,
      retries: ENOUGH_RETRIES,
      retry: TINY_BACKOFF,
    });
    try {
      await faulty.resetStats();
      expect(client.getCharacters(IDS)).toEqual(EXPECTED);
      expect((await faulty.stats()).requests).toBeGreaterThan(IDS.length);
    } finally {
      await client.close();
    }
  });
});

describe('without retries, the error says which request failed and why', () => {
  it('in the async half', async () => {
    const client = new RickMortyClient({ baseUrl: faulty.url, batch: false, retries: 0 });
    const error = await rejectionOf(client.getCharactersAsync(IDS));
    expectExplained(error, faulty);
    expect((error as RickMortyError).attempts).toBe(1);
  });

  it('in the blocking half', async () => {
    const client = new RickMortyClient({ baseUrl: faulty.url, batch: false, retries: 0 });
    try {
      const error = thrownBy(() => client.getCharacters(IDS));
      expectExplained(error, faulty);
    } finally {
      await client.close();
    }
  });

  it('a 5xx names its status, the request and the server message', async () => {
    const client = new RickMortyClient({ baseUrl: failing.url, batch: false, retries: 0 });
    const error = await rejectionOf(client.getCharactersAsync([12, 13, 14]));
    expect(error).toBeInstanceOf(ServerError);
    const status = (error as ServerError).status;
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Request failed with status ${status} [A-Za-z ]+: GET ${failing.url}/character/13 \\([A-Za-z ]+\\)$`,
      ),
    );
  });

  it('a reset connection names the system code and the request', async () => {
    const client = new RickMortyClient({ baseUrl: resetting.url, batch: false, retries: 0 });
    const error = await rejectionOf(client.getCharactersAsync([12, 13, 14]));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBeDefined();
    // The root cause's own words (`read ECONNRESET`), which hold the code.
    const { code, message } = error as ConnectionError;
    expect(message).toMatch(
      new RegExp(`^Request failed \\([^)]*${code}[^)]*\\): GET ${resetting.url}/character/13$`),
    );
  });
});

describe('with 2 retries, the last error keeps the earlier attempts', () => {
  function expectHistory(error: unknown): void {
    expectExplained(error, faulty);
    const failure = error as RickMortyError & { url: string };
    expect(failure.attempts).toBe(3);
    expect(failure.previousErrors).toHaveLength(2);
    for (const previous of failure.previousErrors ?? []) {
      expectExplained(previous, faulty);
      // The same request, tried again.
      expect((previous as { url: string }).url).toBe(failure.url);
    }
  }

  it('in the async half', async () => {
    const client = new RickMortyClient({
      baseUrl: faulty.url,
      batch: false,
      retries: 2,
      retry: TINY_BACKOFF,
    });
    expectHistory(await rejectionOf(client.getCharactersAsync(IDS)));
  });

  it('in the blocking half', async () => {
    const client = new RickMortyClient({
      baseUrl: faulty.url,
      batch: false,
      retries: 2,
      retry: TINY_BACKOFF,
    });
    try {
      expectHistory(thrownBy(() => client.getCharacters(IDS)));
    } finally {
      await client.close();
    }
  });
});

describe('afterwards', () => {
  it('no promise was rejected without a handler', async () => {
    // Give late rejections (requests aborted when their call failed) a few turns to surface.
    for (let turn = 0; turn < 5; turn++) await nextTick(10);
    expect(unhandled).toEqual([]);
  });
});
