import ky from 'ky';
import { InvalidArgumentError, ResponseError, TimeoutError } from '../errors/classes.js';
import { onAbort, throwIfAborted } from '../internal/async.js';
import { assertOptionsObject, functionOption, integerOption } from '../internal/checks.js';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT,
  MAX_TIMER_DELAY,
} from '../internal/constants.js';
import { transportFailure } from './failures.js';
import type { AsyncTransport, TransportRequest, TransportResponse } from './types.js';

/** Options of `createHttpTransport`. */
export interface HttpTransportOptions {
  /**
   * The `fetch` to send requests with. Default: the global `fetch`. Inject one to add a proxy
   * agent, to record requests in a test, or to route a client somewhere else.
   */
  fetch?: typeof globalThis.fetch;
  /** Milliseconds before a request is aborted, when the request itself names none. Default: 10000. */
  timeout?: number;
  /** The largest body to read, in bytes, when the request names none. Default: 5 MiB. */
  maxResponseBytes?: number;
  /**
   * Who follows redirects. `'manual'` (the default on Node) hands each redirect to the client,
   * which follows at most `maxRedirects` and drops headers when the origin changes; `'follow'`
   * (the default in browsers, where `fetch` hides redirects) lets `fetch` follow them.
   */
  redirect?: 'manual' | 'follow';
  /**
   * What sends the request: `'ky'` (the default) or `'fetch'` directly. Both read the body, time
   * out and report errors the same way, because that is done here, not by ky; with retries,
   * timeouts and error mapping all handled by the client, ky adds only its per-request cost
   * (it builds and clones a `Request` for each call). `'fetch'` skips that cost: about twice the
   * throughput when the server answers at once (see the benchmarks).
   */
  engine?: 'ky' | 'fetch';
}

const KEYS = ['fetch', 'timeout', 'maxResponseBytes', 'redirect', 'engine'] as const;

const noop = () => {};

function isNode(): boolean {
  return typeof globalThis.process?.versions?.node === 'string';
}

/** The `charset` of a `content-type`, or undefined when it names none. */
export function charsetOf(contentType: string | null): string | undefined {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  const label = (match?.[1] ?? match?.[2] ?? '').trim();
  return label === '' ? undefined : label;
}

/**
 * The decoder for the body's `charset` (UTF-8 when it names none): a server that says
 * `charset=latin1` is read as Latin-1, not as garbled UTF-8. A charset nobody can decode is a
 * `ResponseError` with code `BAD_CHARSET`.
 */
// No `TextDecoder` type annotations: without the DOM library (a Node-only tsconfig) the name is a
// value only, and a program that type-checks this file must not need it.
function decoderFor(response: Response, request: TransportRequest) {
  const charset = charsetOf(response.headers.get('content-type'));
  try {
    return new TextDecoder(charset ?? 'utf-8');
  } catch (error) {
    throw new ResponseError(
      {
        method: request.method,
        url: request.url,
        status: response.status,
        code: 'BAD_CHARSET',
        detail: `Response body is in a charset this client cannot decode (${JSON.stringify(charset)})`,
      },
      { cause: error },
    );
  }
}

async function readCapped(
  response: Response,
  limit: number,
  request: TransportRequest,
): Promise<string> {
  const tooLarge = (size: string) =>
    new ResponseError({
      method: request.method,
      url: request.url,
      status: response.status,
      code: 'TOO_LARGE',
      detail: `Response body is larger than ${limit} bytes (${size})`,
    });
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(`content-length ${declared}`);
  }
  let decoder: ReturnType<typeof decoderFor>;
  try {
    decoder = decoderFor(response, request);
  } catch (error) {
    await response.body?.cancel().catch(() => {});
    throw error;
  }
  if (!response.body) return '';
  // A declared length within the cap bounds the body, unless it is compressed (fetch inflates it,
  // and a small compressed body can inflate to any size): then the fast whole-body read is safe.
  const encoding = response.headers.get('content-encoding');
  if (response.headers.has('content-length') && (!encoding || encoding === 'identity')) {
    // `text()` reads UTF-8 whatever the charset; other charsets go through their decoder.
    return decoder.encoding === 'utf-8'
      ? response.text()
      : decoder.decode(await response.arrayBuffer());
  }
  const reader = response.body.getReader();
  let received = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(`more than ${received} bytes received`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

type Send = (request: TransportRequest, signal: AbortSignal) => Promise<Response>;

function viaKy(fetchFn: typeof globalThis.fetch | undefined, redirect: 'manual' | 'follow'): Send {
  const api = ky.create({
    retry: 0,
    throwHttpErrors: false,
    // The transport's own timer covers the body too; ky's would stop at the headers.
    timeout: false,
    redirect,
    ...(fetchFn ? { fetch: fetchFn } : {}),
  });
  return (request, signal) =>
    api.get(request.url, { signal, ...(request.headers ? { headers: request.headers } : {}) });
}

function viaFetch(
  fetchFn: typeof globalThis.fetch | undefined,
  redirect: 'manual' | 'follow',
): Send {
  return (request, signal) =>
    (fetchFn ?? globalThis.fetch)(request.url, {
      signal,
      redirect,
      ...(request.headers ? { headers: request.headers } : {}),
    });
}

/**
 * Creates the async HTTP transport, built on ky (or on `fetch` directly, with `engine: 'fetch'`). It sends one GET, reads the body (at most
 * `maxResponseBytes`), and reports failures as `TimeoutError`, `ConnectionError` or
 * `ResponseError`. It does not retry: the client's retry policy does that, once, for both halves.
 *
 * @example
 * ```ts
 * const client = new RickMortyClient({
 *   transport: createHttpTransport({ timeout: 5000, fetch: myFetch }),
 * });
 * ```
 *
 * Note: the timeout covers the whole exchange, body included, so a server that stalls half-way
 * through a body is caught too.
 */
export function createHttpTransport(options: HttpTransportOptions = {}): AsyncTransport {
  const o = assertOptionsObject(options, 'options', KEYS);
  const fetchFn = functionOption<typeof globalThis.fetch>(o.fetch, 'fetch');
  const defaultTimeout = integerOption(o.timeout, 'timeout', DEFAULT_TIMEOUT, { min: 1 });
  const defaultMax = integerOption(
    o.maxResponseBytes,
    'maxResponseBytes',
    DEFAULT_MAX_RESPONSE_BYTES,
    { min: 1 },
  );
  if (o.redirect !== undefined && o.redirect !== 'manual' && o.redirect !== 'follow') {
    throw new InvalidArgumentError("Expected `redirect` to be 'manual' or 'follow'");
  }
  const redirect =
    (o.redirect as 'manual' | 'follow' | undefined) ?? (isNode() ? 'manual' : 'follow');
  if (o.engine !== undefined && o.engine !== 'ky' && o.engine !== 'fetch') {
    throw new InvalidArgumentError("Expected `engine` to be 'ky' or 'fetch'");
  }
  const send = o.engine === 'fetch' ? viaFetch(fetchFn, redirect) : viaKy(fetchFn, redirect);

  return {
    defaults: { timeout: defaultTimeout, maxResponseBytes: defaultMax },
    async request(request: TransportRequest): Promise<TransportResponse> {
      const timeout = request.timeout ?? defaultTimeout;
      const limit = request.maxResponseBytes ?? defaultMax;
      // Checked before the timer starts: a refused request must not leave a timer behind that
      // keeps the program alive for `timeout` milliseconds.
      throwIfAborted(request.signal);
      const controller = new AbortController();
      let timedOut = false;
      // A timeout longer than a timer can hold (about 24.8 days, or Infinity) means no timer at
      // all: Node would run such a timer after 1 ms.
      const timer =
        timeout <= MAX_TIMER_DELAY
          ? setTimeout(() => {
              timedOut = true;
              controller.abort();
            }, timeout)
          : undefined;
      const signal = request.signal;
      const unsubscribe = signal ? onAbort(signal, () => controller.abort(signal.reason)) : noop;
      try {
        const response = await send(request, controller.signal);
        const body = await readCapped(response, limit, request);
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          headers[name.toLowerCase()] = value;
        });
        return { status: response.status, statusText: response.statusText, headers, body };
      } catch (error) {
        if (timedOut)
          throw new TimeoutError(
            { method: request.method, url: request.url, timeout },
            { cause: error },
          );
        throw transportFailure(request, error);
      } finally {
        clearTimeout(timer);
        unsubscribe();
      }
    },
  };
}
