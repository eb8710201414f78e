/**
 * The replica server's worker thread: a `node:http` server answering through the fake API, with
 * latency and fault injection. Started by `startReplicaServer`; does nothing on the main thread.
 *
 * @internal
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  createRandom,
  type Dataset,
  generateDataset,
  loadDatasetFromDirectory,
} from './dataset.js';
import { createFakeApi, type FakeApi } from './fake-api.js';
import type {
  FaultOptions,
  ReplicaReply,
  ReplicaRequest,
  ReplicaStats,
  ReplicaWorkerData,
} from './replica-server.js';

type Fault = 'hang' | 'reset' | 'truncate' | 'rateLimit' | 'serverError';

/** Checked in this order, so that a draw below the running sum picks at most one fault. */
const FAULT_ORDER: readonly Fault[] = ['hang', 'reset', 'truncate', 'rateLimit', 'serverError'];

const SERVER_ERRORS = [
  [500, 'Internal Server Error'],
  [502, 'Bad Gateway'],
  [503, 'Service Unavailable'],
] as const;

const CORS = {
  'access-control-allow-origin': '*',
  // A browser only shows a client the headers it is told it may read; retries need Retry-After.
  'access-control-expose-headers': 'Retry-After',
} as const;

const JSON_TYPE = 'application/json; charset=utf-8';

function formatHost(address: AddressInfo): string {
  // A wildcard address is not something a client can connect to; loopback is.
  if (address.address === '0.0.0.0') return '127.0.0.1';
  if (address.address === '::') return '[::1]';
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}

function pathMatcher(paths: FaultOptions['paths']): (url: string) => boolean {
  if (paths === undefined) return () => true;
  if (typeof paths === 'string') return (url) => url.includes(paths);
  // A copy without the g/y flags, whose `lastIndex` would make `test` alternate.
  const pattern = new RegExp(paths.source, paths.flags.replace(/[gy]/g, ''));
  return (url) => pattern.test(url);
}

/** Draws the fault, if any, for each request, from the seeded generator. */
function faultDrawer(
  faults: FaultOptions,
  seed: number,
): (url: string) => { kind: Fault; roll: number } | undefined {
  const random = createRandom(seed);
  const faultsApply = pathMatcher(faults.paths);
  const anyFault = FAULT_ORDER.some((kind) => (faults[kind] ?? 0) > 0);
  return (url) => {
    if (!anyFault || !faultsApply(url)) return undefined;
    // Two draws for every request that faults may hit, whatever they decide, so that a seed
    // replays the same sequence.
    const draw = random();
    const roll = random();
    let sum = 0;
    for (const kind of FAULT_ORDER) {
      sum += faults[kind] ?? 0;
      if (draw < sum) return { kind, roll };
    }
    return undefined;
  };
}

function send(res: ServerResponse, status: number, statusText: string, body: string, extra = {}) {
  res.writeHead(status, statusText, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(body),
    ...CORS,
    ...extra,
  });
  res.end(body);
}

/** Answers with a fault that replaces the answer; false for none (or one that alters it). */
function answerWithFault(
  req: IncomingMessage,
  res: ServerResponse,
  fault: Fault | undefined,
  roll: number,
  retryAfter: string,
): boolean {
  switch (fault) {
    case 'hang':
      return true;
    case 'reset':
      req.socket.resetAndDestroy();
      return true;
    case 'rateLimit':
      send(res, 429, 'Too Many Requests', '{"error":"Too many requests"}', {
        'retry-after': retryAfter,
      });
      return true;
    case 'serverError': {
      const [status, text] =
        SERVER_ERRORS[Math.floor(roll * SERVER_ERRORS.length)] ?? SERVER_ERRORS[0];
      send(res, status, text, JSON.stringify({ error: text }));
      return true;
    }
    default:
      return false;
  }
}

/** Answers from the fake API: the whole answer, or half of its body then a hang-up. */
function answerFromApi(
  req: IncomingMessage,
  res: ServerResponse,
  api: FakeApi,
  origin: string,
  truncate: boolean,
): void {
  const response = api.handle({ method: req.method ?? 'GET', url: `${origin}${req.url ?? '/'}` });
  if (!truncate) {
    send(res, response.status, response.statusText, response.body, response.headers);
    return;
  }
  const body = Buffer.from(response.body);
  res.writeHead(response.status, response.statusText, {
    ...response.headers,
    'content-length': body.length,
    ...CORS,
  });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
}

function answerPreflight(res: ServerResponse): void {
  res.writeHead(204, {
    ...CORS,
    'access-control-allow-methods': 'GET',
    'access-control-allow-headers': '*',
    'access-control-max-age': '86400',
  });
  res.end();
}

function freshStats(): ReplicaStats {
  return {
    requests: 0,
    maxInFlight: 0,
    inFlight: 0,
    aborted: 0,
    // No prototype, so that a request for `/__proto__` is counted like any other path.
    byPath: Object.create(null) as Record<string, number>,
    faults: {},
  };
}

async function main(port: NonNullable<typeof parentPort>, init: ReplicaWorkerData) {
  const data: Dataset =
    init.data ?? (init.directory ? loadDatasetFromDirectory(init.directory) : generateDataset());
  const drawFault = faultDrawer(init.faults, init.seed);
  const retryAfter = String(init.faults.retryAfterSeconds ?? 1);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let stats = freshStats();

  // Made once the port is known (its links name it); no request can arrive before that.
  let api: FakeApi;
  let origin = '';

  function answer(req: IncomingMessage, res: ServerResponse, fault: Fault | undefined, roll = 0) {
    if (!answerWithFault(req, res, fault, roll, retryAfter)) {
      answerFromApi(req, res, api, origin, fault === 'truncate');
    }
  }

  const server = createServer((req, res) => {
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    // 'close' comes once, whether the answer was sent or the client went away.
    res.once('close', () => {
      stats.inFlight--;
      if (!res.writableFinished) stats.aborted++;
    });
    req.resume();
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;

    if (req.method === 'OPTIONS') return answerPreflight(res);
    const drawn = drawFault(url);
    if (drawn) stats.faults[drawn.kind] = (stats.faults[drawn.kind] ?? 0) + 1;
    if (init.latencyMs <= 0 || drawn?.kind === 'hang')
      return answer(req, res, drawn?.kind, drawn?.roll);
    const timer = setTimeout(() => {
      timers.delete(timer);
      answer(req, res, drawn?.kind, drawn?.roll);
    }, init.latencyMs);
    timers.add(timer);
    res.once('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(init.port, init.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  origin = `http://${formatHost(address)}:${address.port}`;
  const url = `${origin}/api`;
  api = createFakeApi({ data, baseUrl: url });

  function reply(message: ReplicaReply) {
    port.postMessage(message);
  }

  port.on('message', (message: ReplicaRequest) => {
    switch (message.type) {
      case 'stats':
        reply({ type: 'reply', id: message.id, stats });
        return;
      case 'resetStats': {
        const inFlight = stats.inFlight;
        // Requests already in flight still end, and count down the new `inFlight` when they do.
        stats = { ...freshStats(), inFlight, maxInFlight: inFlight };
        reply({ type: 'reply', id: message.id });
        return;
      }
      case 'close':
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => reply({ type: 'reply', id: message.id }));
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        return;
    }
  });
  reply({ type: 'ready', url });
}

if (!isMainThread && parentPort) {
  // No top-level await: the built worker may be CommonJS. A failure to start becomes an uncaught
  // exception, which the parent sees as the worker's 'error' event.
  main(parentPort, workerData as ReplicaWorkerData).catch((error: unknown) => {
    process.nextTick(() => {
      throw error;
    });
  });
}
