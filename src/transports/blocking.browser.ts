/**
 * `blocking.ts` in the browser build (`dist/browser.js`, tsup.config.ts): a browser's main thread
 * cannot block, so the blocking transport there is only its refusal, without the worker plumbing.
 * The real module behaves the same in a browser (it finds no worker threads); this one ships none
 * of its code.
 *
 * @module
 */
import { BlockingUnavailableError } from '../errors/classes.js';
import type * as Real from './blocking.js';
import type { TransportRequest } from './types.js';

export type { BlockingHttpTransport, BlockingTransportOptions, RebuildRecipe } from './blocking.js';

/** `createBlockingTransport` where nothing can block: every request is refused. */
export const createBlockingTransport: typeof Real.createBlockingTransport = (options = {}) => ({
  rebuild: { builtin: 'blocking', options: { ...options } },
  requestSync(_request: TransportRequest): never {
    throw new BlockingUnavailableError(
      'Blocking requests need Node.js worker threads, which this environment lacks; use the async twin',
    );
  },
  close: async () => {},
});
