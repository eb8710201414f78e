/**
 * The HTTP transport's work, whatever sends the request: the timeout over the whole exchange, the
 * abort, the capped body read in its charset, the headers, and the mapping of failures. `http.ts`
 * puts it over ky or `fetch`; a worker thread's built-in transport over `fetch` alone, so that the
 * worker's file carries no ky (`recipe.ts`).
 *
 * @internal
 * @module
 */
import { ResponseError, TimeoutError } from '../errors/classes.js';
import { onAbort, throwIfAborted } from '../internal/async.js';
import { MAX_TIMER_DELAY } from '../internal/constants.js';
import { transportFailure } from './failures.js';
import type { AsyncTransport, TransportRequest, TransportResponse } from './types.js';

/** Sends one request: ky or `fetch`. */
export type Send = (request: TransportRequest, signal: AbortSignal) => Promise<Response>;

const noop = () => {};

export function isNode(): boolean {
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

export function viaFetch(
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

/** The transport over `send`, with these defaults for a request that names none. */
export function httpTransport(
  send: Send,
  defaultTimeout: number,
  defaultMax: number,
): AsyncTransport {
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
