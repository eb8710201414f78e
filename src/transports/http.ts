import { InvalidArgumentError } from '../errors/classes.js';
import { assertOptionsObject, functionOption, transportLimits } from '../internal/checks.js';
import { httpTransport, isNode, type Send, viaFetch } from './http-core.js';
import type { AsyncTransport } from './types.js';

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
  /**
   * A ky instance of your own (`ky.create(…)` or `ky.extend(…)`) to send with: its hooks,
   * headers and other settings apply. Three are set for each request, because the client does
   * that work itself for both halves: `retry: 0`, `timeout: false` and `throwHttpErrors: false`
   * (and `prefixUrl: ''`, as the client sends absolute URLs). Default: ky's default instance.
   */
  ky?: KyLike;
}

/** The options the transport gives a ky instance's `get` for each request. */
export interface KyGetOptions {
  readonly signal: AbortSignal;
  readonly headers?: Readonly<Record<string, string>>;
  readonly redirect: 'manual' | 'follow';
  readonly retry: 0;
  readonly timeout: false;
  readonly throwHttpErrors: false;
  readonly prefixUrl: '';
  /** The `fetch` the transport was given, if any; ky's own otherwise. */
  readonly fetch?: typeof globalThis.fetch;
}

/** What the transport uses of a ky instance: `get`. Any `KyInstance` fits. */
export interface KyLike {
  /** Sends a GET request for `url`; the transport reads the status and body itself. */
  get(url: string, options: KyGetOptions): PromiseLike<Response>;
}

const KEYS = ['fetch', 'timeout', 'maxResponseBytes', 'redirect', 'engine', 'ky'] as const;

/** ky's default instance, loaded on the first request that needs it, not when the package is. */
let defaultKy: Promise<KyLike> | undefined;

function loadKy(): Promise<KyLike> {
  defaultKy ??= import('./ky-default.js').then((module) => module.defaultKy);
  return defaultKy;
}

function viaKy(
  given: KyLike | undefined,
  fetchFn: typeof globalThis.fetch | undefined,
  redirect: 'manual' | 'follow',
): Send {
  // ky reads `Request` when it loads, which makes Node load its whole fetch implementation: a cost
  // for programs that import the package and never make an async request.
  const instance = () => (given ? Promise.resolve(given) : loadKy());
  return async (request, signal) =>
    (await instance()).get(request.url, {
      signal,
      redirect,
      retry: 0,
      // The transport's own timer covers the body too; ky's would stop at the headers.
      timeout: false,
      throwHttpErrors: false,
      prefixUrl: '',
      ...(fetchFn ? { fetch: fetchFn } : {}),
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
  const limits = transportLimits(o);
  if (o.redirect !== undefined && o.redirect !== 'manual' && o.redirect !== 'follow') {
    throw new InvalidArgumentError("Expected `redirect` to be 'manual' or 'follow'");
  }
  const redirect =
    (o.redirect as 'manual' | 'follow' | undefined) ?? (isNode() ? 'manual' : 'follow');
  if (o.engine !== undefined && o.engine !== 'ky' && o.engine !== 'fetch') {
    throw new InvalidArgumentError("Expected `engine` to be 'ky' or 'fetch'");
  }
  const kyInstance = o.ky as KyLike | undefined;
  if (kyInstance !== undefined && typeof kyInstance?.get !== 'function') {
    throw new InvalidArgumentError(
      'Expected `ky` to be a ky instance (ky.create() or ky.extend())',
    );
  }
  if (kyInstance !== undefined && o.engine === 'fetch') {
    throw new InvalidArgumentError(
      "`ky` and `engine: 'fetch'` contradict each other; give one of them",
    );
  }
  const send =
    o.engine === 'fetch' ? viaFetch(fetchFn, redirect) : viaKy(kyInstance, fetchFn, redirect);

  return httpTransport(send, limits.timeout, limits.maxResponseBytes);
}
