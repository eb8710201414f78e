/**
 * The main job: the seed article's program (look up characters 1, 10 and 100 and print their
 * names with timestamped log lines), run four ways against the same server so that the cost of
 * each way shows in one table. Offline by default, against the replica server.
 */
import type { Writable } from 'node:stream';
import { RickMortyClient } from '../client.js';
import { DEFAULT_BASE_URL } from '../internal/constants.js';
import type { Logger } from '../operations/retry.js';
import type { ReplicaServer } from '../testing/replica-server.js';
import { createBlockingTransport } from '../transports/blocking.js';
import { makeAsync } from '../transports/make-async.js';

/** Options of `runMainJob`. */
export interface MainJobOptions {
  /** Read the real API (or `baseUrl`) instead of starting a replica. Default: false. */
  live?: boolean;
  /** The replica's delay before each answer, in milliseconds. Default: 150. Ignored when live. */
  latencyMs?: number;
  /** Where the log lines and the table go. Default: `process.stdout`. */
  out?: Writable;
  /** The API to read when `live`. Default: the public API. */
  baseUrl?: string;
  /** The characters to look up. Default: `[1, 10, 100]`, as in the article. */
  ids?: readonly number[];
  /**
   * Run each way once unlogged before the run that is timed, so that the table compares the ways
   * rather than thread and connection start-up. Default: true.
   */
  warmUp?: boolean;
}

/** Which way the characters were read. */
export type MainJobWayKey = 'blocking' | 'async' | 'makeAsync' | 'batch';

/** The figures of one way. */
export interface MainJobWay {
  readonly key: MainJobWayKey;
  /** The way as the table names it. */
  readonly label: string;
  /** The names read, in the order of the ids. */
  readonly names: readonly string[];
  /** Wall time of the timed run, in milliseconds. */
  readonly wallMs: number;
  /** Wall time of the warm-up run (threads and connections starting), or null without warm-up. */
  readonly coldMs: number | null;
  /**
   * Requests the timed run made: counted by the replica, or from the client's log when live
   * (the real API cannot be asked).
   */
  readonly requests: number;
  /** `wallMs` over `roundTripMs`: how many round trips the way cost. */
  readonly roundTrips: number;
}

/** What `runMainJob` found. */
export interface MainJobResult {
  /** The names, in the order of the ids (the same for every way). */
  readonly names: readonly string[];
  /** The four ways, in the order they ran. */
  readonly ways: readonly MainJobWay[];
  /** One request's wall time, measured on its own with the async twin. */
  readonly roundTripMs: number;
  /** The API that was read. */
  readonly baseUrl: string;
  readonly live: boolean;
}

const DEFAULT_IDS = [1, 10, 100] as const;
const DEFAULT_LATENCY = 150;

/** Wall-clock time in microseconds since the epoch; `Date.now()` stops at milliseconds. */
function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/**
 * Formats a time as the article's `%M:%S:%f`: minutes, seconds and microseconds of local time.
 *
 * @example
 * ```ts
 * formatTimestamp(Date.UTC(2022, 3, 2, 10, 24, 58) * 1000 + 472159); // '24:58:472159'
 * ```
 */
export function formatTimestamp(micros: number): string {
  const date = new Date(Math.floor(micros / 1000));
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}:${pad(micros % 1_000_000, 6)}`;
}

/**
 * Prints a list of strings the way Python prints one, as the article's last line does:
 * `['Rick Sanchez', 'Alan Rails', 'Bubonic Plague']`.
 */
export function formatPythonList(items: readonly string[]): string {
  const quote = (item: string) => `'${item.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  return `[${items.map(quote).join(', ')}]`;
}

/** Renders the summary table, one row a way. */
export function formatSummaryTable(ways: readonly MainJobWay[]): string {
  const header = ['way', 'wall time (ms)', 'requests', 'x of one round trip'] as const;
  const rows = ways.map((way) => [
    way.label,
    way.wallMs.toFixed(1),
    String(way.requests),
    way.roundTrips.toFixed(2),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  // The first column is text, read from the left; the figures line up on the right.
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join(' | ');
  const rule = widths.map((width) => '-'.repeat(width)).join('-|-');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/**
 * Runs the main job: reads the characters four ways and prints the article's log lines for each,
 * then a table of wall times and request counts.
 *
 * 1. the blocking twin, one id after another (`getCharacter`), as the first program did;
 * 2. the async twin for each id, together (`getCharacterAsync` and `Promise.all`), as `asyncio`
 *    did;
 * 3. the blocking transport lifted onto worker threads (`makeAsync`), as `run_in_executor` did;
 * 4. the batch endpoint, one request for all ids (`getCharactersAsync`).
 *
 * Unless `live`, it starts a replica of the API with `latencyMs` of delay, and stops it at the
 * end; everything it starts is closed before it returns, so a program that calls it exits by
 * itself.
 *
 * @example
 * ```ts
 * const result = await runMainJob({ latencyMs: 20 });
 * result.names; // ['Rick Sanchez', 'Alan Rails', 'Bubonic Plague']
 * result.ways.map((way) => way.requests); // [3, 3, 3, 1]
 * ```
 */
export async function runMainJob(options: MainJobOptions = {}): Promise<MainJobResult> {
  const out = options.out ?? process.stdout;
  const ids = options.ids ?? DEFAULT_IDS;
  const live = options.live ?? false;
  const warmUp = options.warmUp ?? true;
  const latencyMs = options.latencyMs ?? DEFAULT_LATENCY;
  const write = (text: string) => out.write(`${text}\n`);
  const jobLog = createJobLog(write);

  let replica: ReplicaServer | undefined;
  const closers: (() => Promise<void> | void)[] = [];
  try {
    let baseUrl: string;
    if (live) {
      baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
    } else {
      // Loaded here so that a live run does not load the test helpers.
      const { startReplicaServer } = await import('../testing/replica-server.js');
      replica = await startReplicaServer({ latencyMs });
      baseUrl = replica.url;
    }
    const server = replica;
    const { logger } = jobLog;

    // The client makes its own HTTP transport for the async twins and a blocking transport (a
    // worker thread) for the blocking twins, and closes both.
    const client = new RickMortyClient({ baseUrl, logger });
    closers.push(() => client.close());
    // The article's `make_async`: the blocking transport, run on a pool of worker threads.
    const blocking = createBlockingTransport();
    const pooled = makeAsync(blocking);
    closers.push(
      () => pooled.close(),
      () => blocking.close(),
    );
    const pooledClient = new RickMortyClient({ baseUrl, logger, transport: pooled });
    closers.push(() => pooledClient.close());

    write(
      live
        ? `Reading ${baseUrl}`
        : `Reading a replica of the API at ${baseUrl}, ${latencyMs} ms latency per request`,
    );
    const roundTripMs = await measureRoundTrip(client, ids[0] ?? 1);
    const results: MainJobWay[] = [];
    for (const way of fourWays(ids, client, pooledClient, jobLog.log)) {
      results.push(await timeWay(way, { warmUp, server, jobLog, write, roundTripMs }));
    }
    writeSummary(write, results, roundTripMs, warmUp);
    return { names: results[0]?.names ?? [], ways: results, roundTripMs, baseUrl, live };
  } finally {
    // Closed in reverse order of creation: clients before the transports they use.
    for (const close of closers.reverse()) await close();
    await replica?.close();
  }
}

/** The job's log: the article's timestamped lines, written only while a timed run is on. */
interface JobLog {
  readonly logger: Logger;
  readonly log: (message: string) => void;
  /** Turns the log lines on (a timed run) or off (a warm-up run). */
  logging: boolean;
  /** Requests the client logged since the count was last reset. */
  fetches: number;
}

function createJobLog(write: (text: string) => void): JobLog {
  const jobLog: JobLog = {
    logging: false,
    fetches: 0,
    log: (message) => {
      if (jobLog.logging) write(`${formatTimestamp(nowMicros())} ${message}`);
    },
    logger: {
      debug(message) {
        if (message.startsWith('fetching ')) jobLog.fetches++;
        // The article's line is `fetched <url>`; the client adds the status, kept unless it is 200.
        jobLog.log(message.replace(/^(fetched \S+) \(200\)$/, '$1'));
      },
      warn(message) {
        jobLog.log(message);
      },
    },
  };
  return jobLog;
}

interface Way {
  readonly key: MainJobWayKey;
  readonly label: string;
  readonly run: () => Promise<string[]> | string[];
}

/** The four ways the job reads the characters, in the order they run. */
function fourWays(
  ids: readonly number[],
  client: RickMortyClient,
  pooledClient: RickMortyClient,
  log: (message: string) => void,
): Way[] {
  return [
    {
      key: 'blocking',
      label: '(a) blocking twin, one id after another',
      run: () =>
        ids.map((id) => {
          log(`getting character with id ${id}`);
          const { name } = client.getCharacter(id);
          log(`got ${name}`);
          return name;
        }),
    },
    {
      key: 'async',
      label: '(b) async twin per id, Promise.all',
      run: () => Promise.all(ids.map((id) => getNameAsync(client, id, log))),
    },
    {
      key: 'makeAsync',
      label: '(c) makeAsync(blocking transport), Promise.all',
      run: () => Promise.all(ids.map((id) => getNameAsync(pooledClient, id, log))),
    },
    {
      key: 'batch',
      label: '(d) batch endpoint, getCharactersAsync',
      run: async () => {
        log(`getting characters with ids ${ids.join(', ')}`);
        const records = await client.getCharactersAsync(ids);
        for (const { name } of records) log(`got ${name}`);
        return records.map(({ name }) => name);
      },
    },
  ];
}

/**
 * One round trip, measured alone: the unit of the table's last column. The first request also
 * opens the connection, so it is not counted.
 */
async function measureRoundTrip(client: RickMortyClient, id: number): Promise<number> {
  await client.getCharacterAsync(id);
  let roundTripMs = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = performance.now();
    await client.getCharacterAsync(id);
    roundTripMs = Math.min(roundTripMs, performance.now() - started);
  }
  return roundTripMs;
}

/** Runs one way: untimed and silent first (with warm-up), then timed with its log lines. */
async function timeWay(
  way: Way,
  job: {
    warmUp: boolean;
    server: ReplicaServer | undefined;
    jobLog: JobLog;
    write: (text: string) => void;
    roundTripMs: number;
  },
): Promise<MainJobWay> {
  const { jobLog, server, write } = job;
  let coldMs: number | null = null;
  if (job.warmUp) {
    const started = performance.now();
    await way.run();
    coldMs = performance.now() - started;
  }
  await server?.resetStats();
  jobLog.fetches = 0;
  write('');
  write(`${way.label}`);
  jobLog.logging = true;
  const started = performance.now();
  let names: string[];
  try {
    names = await way.run();
    jobLog.log(formatPythonList(names));
  } finally {
    jobLog.logging = false;
  }
  const wallMs = performance.now() - started;
  const requests = server ? (await server.stats()).requests : jobLog.fetches;
  const roundTrips = wallMs / job.roundTripMs;
  return { key: way.key, label: way.label, names, wallMs, coldMs, requests, roundTrips };
}

function writeSummary(
  write: (text: string) => void,
  results: readonly MainJobWay[],
  roundTripMs: number,
  warmUp: boolean,
): void {
  write('');
  write(formatSummaryTable(results));
  write(`one round trip: ${roundTripMs.toFixed(1)} ms (one getCharacterAsync, measured alone)`);
  if (warmUp) {
    const cold = results.map((way) => `${way.label.slice(0, 3)} ${way.coldMs?.toFixed(0)} ms`);
    write(`first, untimed runs (starting threads and connections): ${cold.join(', ')}`);
  }
}

async function getNameAsync(
  client: RickMortyClient,
  id: number,
  log: (message: string) => void,
): Promise<string> {
  log(`getting character with id ${id}`);
  const { name } = await client.getCharacterAsync(id);
  log(`got ${name}`);
  return name;
}
