/**
 * `make-async.ts` in the browser build (`dist/browser.js`, tsup.config.ts): there are no worker
 * threads to run blocking work on, so `makeAsync` there is only its refusal.
 *
 * @module
 */
import { BlockingUnavailableError } from '../errors/classes.js';
import type * as Real from './make-async.js';

export type {
  MakeAsyncOptions,
  ModuleFunction,
  PooledFunction,
  PooledTransport,
  RebuildableTransport,
} from './make-async.js';

/** `makeAsync` where there are no worker threads. */
export const makeAsync = (() => {
  throw new BlockingUnavailableError(
    'makeAsync needs Node.js worker threads, which this environment lacks',
  );
}) as typeof Real.makeAsync;
