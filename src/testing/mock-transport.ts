import { ResponseError, TimeoutError } from '../errors/classes.js';
import { raceAbort } from '../internal/async.js';
import { assertOptionsObject, functionOption, millisecondsOption } from '../internal/checks.js';
import type {
  AsyncTransport,
  BlockingTransport,
  TransportRequest,
  TransportResponse,
} from '../transports/types.js';
import type { Dataset } from './dataset.js';
import { createFakeApi, type FakeApi } from './fake-api.js';

/**
 * One request the mock transport received, and which half of the client sent it.
 *
 * @example
 * ```ts
 * transport.requestSync({ method: 'GET', url: 'https://rickandmortyapi.com/api/character/1' });
 * transport.calls[0]; // { url: 'https://rickandmortyapi.com/api/character/1', method: 'GET', mode: 'blocking' }
 * ```
 */
export interface MockCall {
  readonly url: string;
  readonly method: string;
  readonly mode: 'async' | 'blocking';
}

/**
 * What a `respond` override is told besides the request.
 *
 * @example
 * ```ts
 * // Only the async half sees the outage.
 * const respond: MockResponder = (request, next, { mode }) =>
 *   mode === 'async' ? { status: 502, statusText: 'Bad Gateway', headers: {}, body: '' } : next(request);
 * ```
 */
export interface MockRespondContext {
  /** Which half of the client sent the request. */
  readonly mode: 'async' | 'blocking';
  /** The request's position among all calls since the last `reset()`, from 0. */
  readonly index: number;
}

/**
 * Overrides an answer of the mock transport. Call `next(request)` for what the fake API would
 * answer; return anything else to replace it, or throw to make the request fail (the error is
 * thrown by `requestSync` and rejected by `request` as is).
 *
 * @example
 * ```ts
 * // Every third request is rate limited; the others get the fake API's answer.
 * const respond: MockResponder = (request, next, { index }) =>
 *   index % 3 === 2
 *     ? { status: 429, statusText: 'Too Many Requests', headers: { 'retry-after': '0' }, body: '' }
 *     : next(request);
 * const transport = createMockTransport({ respond });
 * ```
 */
export type MockResponder = (
  request: TransportRequest,
  next: (request: TransportRequest) => TransportResponse,
  context: MockRespondContext,
) => TransportResponse;

/**
 * Options of `createMockTransport`.
 *
 * @example
 * ```ts
 * const options: MockTransportOptions = {
 *   data: generateDataset({ counts: { characters: 40 } }),
 *   latencyMs: 10,
 * };
 * const transport = createMockTransport(options);
 * ```
 */
export interface MockTransportOptions {
  /** The records to serve; defaults to `generateDataset()`. */
  data?: Dataset;
  /** Where the fake API lives; `https://rickandmortyapi.com/api` by default. */
  baseUrl?: string;
  /** Delay before each answer of the async half, in milliseconds. The blocking half never waits. */
  latencyMs?: number;
  /** Replaces or alters answers; see `MockResponder`. */
  respond?: MockResponder;
}

/**
 * A transport for both halves of the client that answers from the fake API in memory, and
 * records what it was asked.
 *
 * @example
 * ```ts
 * const transport: MockTransport = createMockTransport({ latencyMs: 5 });
 * await Promise.all([1, 2, 3].map((id) =>
 *   transport.request({ method: 'GET', url: `https://rickandmortyapi.com/api/character/${id}` }),
 * ));
 * transport.maxInFlight; // 3
 * transport.reset();
 * ```
 */
export interface MockTransport extends AsyncTransport, BlockingTransport {
  /** Every request received since the last `reset()`, oldest first. */
  readonly calls: readonly MockCall[];
  /** How many requests were received since the last `reset()`. */
  readonly requestCount: number;
  /** How many async requests are being answered right now. */
  readonly inFlight: number;
  /** The most async requests that were in flight at once since the last `reset()`. */
  readonly maxInFlight: number;
  /** The fake API answering the requests. */
  readonly api: FakeApi;
  /** Forgets the recorded calls and the in-flight high-water mark. */
  reset(): void;
}

function utf8Length(text: string): number {
  // Counting in UTF-16 code units first is exact for ASCII, which is nearly every answer.
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      length += 1;
      i++;
    } else if (code >= 0x800) length += 2;
    else if (code >= 0x80) length += 1;
  }
  return length;
}

function checkSize(request: TransportRequest, response: TransportResponse): TransportResponse {
  const limit = request.maxResponseBytes;
  if (limit !== undefined && utf8Length(response.body) > limit) {
    throw new ResponseError({
      method: request.method,
      url: request.url,
      code: 'TOO_LARGE',
      status: response.status,
      detail: `Response body is larger than ${limit} bytes`,
    });
  }
  return response;
}

/**
 * Waits `ms` milliseconds unless the signal aborts first (then rejects with its reason, as `fetch`
 * does) or the request's timeout runs out first (then rejects with a `TimeoutError`, as a real
 * transport would).
 */
function wait(ms: number, request: TransportRequest): Promise<void> {
  const { signal, timeout } = request;
  const timedOut = timeout !== undefined && timeout < ms;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const elapsed = new Promise<void>((resolve, reject) => {
    timer = setTimeout(
      () => {
        if (timedOut) {
          reject(new TimeoutError({ method: request.method, url: request.url, timeout }));
        } else resolve();
      },
      timedOut ? timeout : ms,
    );
  });
  return raceAbort(elapsed, signal, {
    onAbort: () => clearTimeout(timer),
    error: (aborted) => aborted.reason,
  });
}

/**
 * Creates a transport that serves both halves of the client (`request` for the async calls,
 * `requestSync` for the blocking ones) from the fake API in memory, with no network. It records
 * every request in `calls`, counts the async requests in flight, can delay the async half by
 * `latencyMs` (aborting with the request's signal, and failing with a `TimeoutError` when the
 * request's `timeout` is shorter), and lets a test replace any answer through `respond`.
 *
 * A request whose signal has already aborted is rejected (or thrown) with the signal's reason and
 * not recorded. A body larger than `maxResponseBytes` fails with a `ResponseError` `TOO_LARGE`.
 *
 * @example
 * ```ts
 * const transport = createMockTransport({
 *   latencyMs: 5,
 *   // The first request fails with a 503; the rest are answered by the fake API.
 *   respond: (request, next, { index }) =>
 *     index === 0
 *       ? { status: 503, statusText: 'Service Unavailable', headers: {}, body: '{"error":"busy"}' }
 *       : next(request),
 * });
 * const url = 'https://rickandmortyapi.com/api/character/1';
 * (await transport.request({ method: 'GET', url })).status; // 503
 * JSON.parse(transport.requestSync({ method: 'GET', url }).body).name; // 'Rick Sanchez'
 * transport.calls; // [{ url, method: 'GET', mode: 'async' }, { url, method: 'GET', mode: 'blocking' }]
 * ```
 */
export function createMockTransport(options?: MockTransportOptions): MockTransport {
  const o = assertOptionsObject(options, 'options', ['data', 'baseUrl', 'latencyMs', 'respond']);
  const apiOptions = {
    ...(o.data === undefined ? {} : { data: o.data as Dataset }),
    ...(o.baseUrl === undefined ? {} : { baseUrl: o.baseUrl as string }),
  };
  const api = createFakeApi(apiOptions);
  const latencyMs = millisecondsOption(o.latencyMs, 'latencyMs');
  const respondOverride = functionOption<MockResponder>(o.respond, 'respond');
  const next = (request: TransportRequest) => api.handle(request);

  let calls: MockCall[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  function record(request: TransportRequest, mode: MockCall['mode']): number {
    const index = calls.length;
    calls.push({ url: request.url, method: request.method, mode });
    return index;
  }

  function answer(request: TransportRequest, mode: MockCall['mode'], index: number) {
    const response = respondOverride
      ? respondOverride(request, next, { mode, index })
      : api.handle(request);
    return checkSize(request, response);
  }

  return {
    api,
    get calls() {
      return calls;
    },
    get requestCount() {
      return calls.length;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    reset() {
      calls = [];
      maxInFlight = inFlight;
    },
    async request(request) {
      if (request.signal?.aborted) throw request.signal.reason;
      const index = record(request, 'async');
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        // Always yield once, so requests started together are in flight together even with no
        // latency, as they would be on a network.
        if (latencyMs > 0) await wait(latencyMs, request);
        else await Promise.resolve();
        if (request.signal?.aborted) throw request.signal.reason;
        return answer(request, 'async', index);
      } finally {
        inFlight--;
      }
    },
    requestSync(request) {
      if (request.signal?.aborted) throw request.signal.reason;
      return answer(request, 'blocking', record(request, 'blocking'));
    },
  };
}
