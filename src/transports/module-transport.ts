import { InvalidArgumentError } from '../errors/classes.js';
import { assertOptionsObject } from '../internal/checks.js';
import {
  type BlockingHttpTransport,
  type BlockingTransportOptions,
  createBlockingTransport,
} from './blocking.js';
import { buildTransport, moduleRecipe, type TransportModule } from './recipe.js';
import type {
  AsyncTransport,
  BlockingTransport,
  TransportRequest,
  TransportResponse,
} from './types.js';

/** Options of `createModuleTransport`: those of the blocking half's worker thread. */
export type ModuleTransportOptions = Omit<BlockingTransportOptions, 'transport'>;

/** A transport for both halves, built from a factory named by module and export. */
export interface ModuleTransport extends AsyncTransport, BlockingHttpTransport {
  /** Stops the blocking half's worker thread and closes the transport the async half built. */
  close(): Promise<void>;
}

const KEYS = ['timeout', 'maxResponseBytes', 'timeoutMargin', 'startupTimeout'] as const;

/**
 * Creates a transport for both halves from a factory of your own, named by module and export, so
 * that the blocking twins, the async twins and `makeAsync` all send with the same transport: a
 * custom `fetch`, an undici `Agent` or `ProxyAgent` dispatcher, a configured ky instance. Functions
 * and sockets cannot cross threads, so each thread imports the module and calls the factory: this
 * thread on the first async request, the blocking half's worker thread when it starts, and each
 * pool thread of `makeAsync(transport)`.
 *
 * @example
 * ```ts
 * // transport.js: every thread that imports it builds its own agent.
 * import { fetch, ProxyAgent } from 'undici';
 * import { createHttpTransport } from 'rickmorty-client';
 * export function createTransport(proxy) {
 *   const dispatcher = new ProxyAgent(proxy);
 *   return createHttpTransport({ fetch: (input, init) => fetch(input, { ...init, dispatcher }) });
 * }
 *
 * // app.js
 * const transport = createModuleTransport({
 *   module: new URL('./transport.js', import.meta.url),
 *   export: 'createTransport',
 *   args: ['http://proxy.internal:3128'],
 * });
 * const client = new RickMortyClient({ transport });
 * client.getCharacter(1); // through the proxy, from the worker thread
 * await client.getCharacterAsync(1); // through the proxy, from this thread
 * await transport.close();
 * ```
 *
 * Note: the factory runs once per thread, and `args` are copied to each (plain data only). It may
 * return the transport or a promise of it; the async half needs one with `request`.
 */
export function createModuleTransport(
  target: TransportModule,
  options: ModuleTransportOptions = {},
): ModuleTransport {
  const recipe = moduleRecipe(target, 'target');
  const blockingOptions = assertOptionsObject(options, 'options', KEYS);
  const blocking = createBlockingTransport({ ...blockingOptions, transport: target });
  let built: Promise<AsyncTransport | BlockingTransport> | undefined;

  async function asyncTransport(): Promise<AsyncTransport> {
    built ??= buildTransport(recipe);
    // A factory that failed is asked again by the next request, not remembered as failed.
    built.catch(() => {
      built = undefined;
    });
    const transport = await built;
    if (!('request' in transport)) {
      throw new InvalidArgumentError(
        `Could not build the transport that \`${recipe.export}\` of ${recipe.module} makes: it has no \`request\`, which the async twins need (createHttpTransport() has it)`,
      );
    }
    return transport;
  }

  return {
    rebuild: recipe,
    async request(request: TransportRequest): Promise<TransportResponse> {
      return (await asyncTransport()).request(request);
    },
    requestSync(request: TransportRequest): TransportResponse {
      return blocking.requestSync(request);
    },
    async close(): Promise<void> {
      const pending = built;
      built = undefined;
      const transport = await pending?.catch(() => undefined);
      await Promise.all([blocking.close(), transport?.close?.()]);
    },
  };
}
