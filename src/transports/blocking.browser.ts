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

export type { BlockingHttpTransport, BlockingTransportOptions } from './blocking.js';

/** `createBlockingTransport` where nothing can block: every request is refused. */
export const createBlockingTransport: typeof Real.createBlockingTransport = () => ({
  // Never rebuilt (there are no threads to rebuild it on); the shape of the real one's.
  rebuild: { builtin: 'http', options: {} },
  requestSync(_request: TransportRequest): never {
    throw new BlockingUnavailableError(
      'Blocking requests need Node.js worker threads, which this environment lacks; use the async twin',
    );
  },
  close: async () => {},
});
