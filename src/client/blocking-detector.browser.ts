/**
 * `blocking-detector.ts` in the browser build (`dist/browser.js`, tsup.config.ts): a blocking twin
 * never runs in a browser (it throws a `BlockingUnavailableError` naming the async twin at once),
 * so `detectBlocking` has nothing to report there, and the detector is one that only runs the call.
 *
 * @module
 */
import type * as Real from './blocking-detector.js';

export type {
  BlockingCallSite,
  BlockingDetector,
  BlockingDetectorOptions,
  BlockingReport,
} from './blocking-detector.js';

/** `createBlockingDetector` where nothing can block: the detector runs each call as it is. */
export const createBlockingDetector: typeof Real.createBlockingDetector = () => ({
  run: (_method, _asyncTwin, call) => call(),
});
