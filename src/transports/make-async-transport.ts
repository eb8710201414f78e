import {
  type MakeAsyncOptions,
  makeAsync,
  type PooledTransport,
  type RebuildableTransport,
} from './make-async.js';

export type { MakeAsyncOptions, PooledTransport, RebuildableTransport };

/**
 * Lifts a blocking transport into an async one that runs on a pool of worker threads: N blocking
 * requests overlap, and the event loop keeps ticking meanwhile. This is Python's
 * `loop.run_in_executor` for this library. The root entry's `makeAsync` takes transports; the
 * general form, which also runs a blocking function of your own named by module and export, is
 * `makeAsync` from `rickmorty-client/make-async`.
 *
 * @example
 * ```ts
 * const transport = makeAsync(createBlockingTransport());
 * const client = new RickMortyClient({ transport });
 * const [rick, alan] = await Promise.all([client.getCharacterAsync(1), client.getCharacterAsync(10)]);
 * await transport.close();
 * ```
 *
 * Note: the transport must be able to rebuild itself on a worker thread (`rebuild`), as
 * `createBlockingTransport()` can: functions and sockets do not cross threads.
 */
export function makeAsyncTransport(
  transport: RebuildableTransport,
  options?: MakeAsyncOptions,
): PooledTransport {
  return makeAsync(transport, options);
}
