/**
 * Values more than one module needs, each defined once. Defaults of a single module's own options
 * stay beside those options.
 *
 * @module
 */

/** The public API's address. */
export const DEFAULT_BASE_URL = 'https://rickandmortyapi.com/api';

/** The default timeout of one request, in milliseconds. */
export const DEFAULT_TIMEOUT = 10_000;

/** The default cap on a response body: 5 MiB, about twenty times the largest real answer. */
export const DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

/**
 * How many requests a client has in flight at once by default, and so how many threads a
 * `makeAsync` pool runs by default: a blocking call on a pool thread mostly waits.
 */
export const DEFAULT_CONCURRENCY = 10;

/** The longest delay `setTimeout` honours (about 24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** How many records the API puts on one page of a list. */
export const PAGE_SIZE = 20;
