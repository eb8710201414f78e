/**
 * What the client needs from I/O, and nothing more: send one request descriptor, get back the
 * status, the headers and the body text. Everything else (URLs, retries, redirects, parsing,
 * validation) happens once, above the transport, for both the blocking and the async half.
 */

/** A request for a transport to send. */
export interface TransportRequest {
  /** Always `GET` today; kept explicit so that error messages and logs can name it. */
  readonly method: 'GET';
  /** An absolute `http:` or `https:` URL. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Milliseconds before the transport gives up and throws a `TimeoutError`. */
  readonly timeout?: number;
  /** Largest body to accept, in bytes; a larger one is a `ResponseError` with code `TOO_LARGE`. */
  readonly maxResponseBytes?: number;
  /** Aborts the request. Note: a blocking transport can only see it before the call starts. */
  readonly signal?: AbortSignal;
}

/** What came back. Redirects are not followed by transports; the client follows them. */
export interface TransportResponse {
  readonly status: number;
  readonly statusText: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * What a transport applies to a request that names no timeout or size cap: the settings it was
 * made with. A client given a transport that declares them leaves those settings to it where the
 * client's options and the call's say nothing; for one that does not, the client names the
 * library's defaults (10 s, 5 MiB) in every request.
 */
export interface TransportDefaults {
  readonly timeout?: number | undefined;
  readonly maxResponseBytes?: number | undefined;
}

/** A transport for the async half: `getCharacterAsync` and its kin. */
export interface AsyncTransport {
  /** Sends one request and resolves with the answer, whatever its status. */
  request(request: TransportRequest): Promise<TransportResponse>;
  /** The timeout and size cap it applies to a request that names none, if it has its own. */
  readonly defaults?: TransportDefaults | undefined;
  /** Releases sockets or workers. */
  close?(): void | Promise<void>;
}

/** A transport for the blocking half: `getCharacter` and its kin. */
export interface BlockingTransport {
  /** Sends one request and returns the answer, whatever its status, blocking until it arrives. */
  requestSync(request: TransportRequest): TransportResponse;
  /** The timeout and size cap it applies to a request that names none, if it has its own. */
  readonly defaults?: TransportDefaults | undefined;
  /** Releases sockets or workers. */
  close?(): void | Promise<void>;
}

/** A transport for either half; the mock transport serves both. */
export type Transport = AsyncTransport | BlockingTransport | (AsyncTransport & BlockingTransport);

/** @internal */
export function isAsyncTransport(value: unknown): value is AsyncTransport {
  return typeof (value as AsyncTransport | undefined)?.request === 'function';
}

/** @internal */
export function isBlockingTransport(value: unknown): value is BlockingTransport {
  return typeof (value as BlockingTransport | undefined)?.requestSync === 'function';
}
