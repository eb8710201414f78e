/**
 * The request pipeline below the operations: which transport each half uses (chosen, created,
 * owned and closed here), in-flight de-duplication and the concurrency cap of the async half, and
 * the one mapping of transport failures. It provides the `send` effect that every operation's
 * requests go through, in both halves.
 *
 * @module
 */
import gensync from 'gensync';
import pLimit, { type LimitFunction } from 'p-limit';
import { BlockingUnavailableError } from '../errors/classes.js';
import { raceAbort, throwIfAborted } from '../internal/async.js';
import type { Send } from '../operations/request.js';
import { createBlockingTransport } from '../transports/blocking.js';
import { transportFailure } from '../transports/failures.js';
import { createHttpTransport } from '../transports/http.js';
import type { RebuildableTransport } from '../transports/make-async.js';
import {
  type AsyncTransport,
  type BlockingTransport,
  isAsyncTransport,
  isBlockingTransport,
  type TransportRequest,
  type TransportResponse,
} from '../transports/types.js';
import type { ClientSettings } from './options.js';

interface InFlight {
  readonly promise: Promise<TransportResponse>;
  readonly controller: AbortController;
  waiters: number;
}

/** Sends the client's requests through its transports, in either half. */
export class Dispatcher {
  readonly #settings: ClientSettings;
  readonly #limit: LimitFunction;
  readonly #owned = new Set<{ close?(): void | Promise<void> }>();
  readonly #inFlight = new Map<string, InFlight>();
  #asyncTransport: AsyncTransport | Promise<AsyncTransport> | undefined;
  #blockingTransport: BlockingTransport | undefined;

  constructor(settings: ClientSettings) {
    this.#settings = settings;
    this.#limit = pLimit(settings.concurrency);
  }

  /** The one transport call both halves make; gensync picks the side. */
  readonly send: Send = gensync({
    sync: (request: TransportRequest): TransportResponse => {
      const transport = this.blockingTransport();
      try {
        return transport.requestSync(request);
      } catch (error) {
        throw transportFailure(request, error);
      }
    },
    async: (request: TransportRequest): Promise<TransportResponse> =>
      this.#settings.dedupe ? this.#shared(request) : this.#sendAsync(request),
  });

  /**
   * The blocking half's transport: the one given, or a blocking transport created (and owned) on
   * first use. A `BlockingUnavailableError` when the client was given only an async transport.
   */
  blockingTransport(): BlockingTransport {
    this.#blockingTransport ??= this.#pickBlocking();
    return this.#blockingTransport;
  }

  /**
   * Releases what was created here: the blocking transport's worker thread and the worker pool
   * behind an async half that runs a blocking transport. Given transports are left open.
   */
  async close(): Promise<void> {
    const owned = [...this.#owned];
    this.#owned.clear();
    this.#asyncTransport = undefined;
    this.#blockingTransport = undefined;
    await Promise.all(owned.map((transport) => transport.close?.()));
  }

  #sendAsync(request: TransportRequest): Promise<TransportResponse> {
    return this.#limit(async () => {
      // A request that waited for a slot may no longer be wanted.
      throwIfAborted(request.signal);
      const transport = await this.#getAsyncTransport();
      try {
        return await transport.request(request);
      } catch (error) {
        throw transportFailure(request, error);
      }
    });
  }

  /**
   * Joins a request already in flight for the same URL with the same settings, or starts one.
   * Calls with another timeout or size cap do not share: one call's settings never decide another
   * call's answer. The shared request has its own signal, aborted only when every call waiting for
   * it has given up, so that one caller's abort never fails another's request.
   */
  #shared(request: TransportRequest): Promise<TransportResponse> {
    const key = JSON.stringify([
      request.url,
      request.timeout ?? null,
      request.maxResponseBytes ?? null,
      request.headers ?? {},
    ]);
    let entry = this.#inFlight.get(key);
    if (!entry) {
      const controller = new AbortController();
      const promise = this.#sendAsync({ ...request, signal: controller.signal }).finally(() => {
        if (this.#inFlight.get(key) === entry) this.#inFlight.delete(key);
      });
      entry = { promise, controller, waiters: 0 };
      this.#inFlight.set(key, entry);
    }
    const shared = entry;
    const signal = request.signal;
    shared.waiters++;
    let gaveUp = false;
    const leave = () => {
      gaveUp = true;
      if (--shared.waiters > 0) return;
      if (this.#inFlight.get(key) === shared) this.#inFlight.delete(key);
      shared.controller.abort(signal?.reason);
    };
    return raceAbort(shared.promise, signal, { onAbort: leave }).finally(() => {
      if (!gaveUp) shared.waiters--;
    });
  }

  #pickBlocking(): BlockingTransport {
    const given = this.#settings.transport;
    if (given === undefined) {
      // Its own defaults are the library's; every request names the client's settings anyway.
      const created = createBlockingTransport();
      this.#owned.add(created);
      return created;
    }
    if (isBlockingTransport(given)) return given;
    throw new BlockingUnavailableError(
      'this client was given only an async transport, so its blocking twins cannot run; give it a transport with requestSync (createBlockingTransport(), or the mock transport)',
    );
  }

  #getAsyncTransport(): AsyncTransport | Promise<AsyncTransport> {
    this.#asyncTransport ??= this.#pickAsync();
    return this.#asyncTransport;
  }

  #pickAsync(): AsyncTransport | Promise<AsyncTransport> {
    const given = this.#settings.transport;
    if (given === undefined) {
      return createHttpTransport();
    }
    if (isAsyncTransport(given)) return given;
    // Only a blocking transport: run it on a worker pool. Loaded on demand, so that programs that
    // never need the pool (and browser bundles) do not carry it.
    const blocking = given;
    return import('../transports/make-async.js').then(({ makeAsync }) => {
      if (!('rebuild' in blocking)) {
        throw new BlockingUnavailableError(
          'This client was given only a blocking transport that cannot rebuild itself on a worker thread, so its async twins cannot run it. Give it an async transport, or a blocking one from createBlockingTransport()',
        );
      }
      // As many threads as requests the client lets be in flight: each blocking call mostly waits.
      const pooled = makeAsync(blocking as RebuildableTransport, {
        maxThreads: this.#settings.concurrency,
      });
      this.#owned.add(pooled);
      return pooled;
    });
  }
}
