/**
 * The bottom layer: the error classes, their guards, what an HTTP status means, and the form in
 * which errors cross threads. Nothing here imports from any other folder of `src/`.
 *
 * @module
 */
export * from './classes.js';
export * from './guards.js';
export { type HttpAnswer, httpErrorFor, parseRetryAfter, serverMessageOf } from './http-status.js';
export { deserializeError, type SerializedError, serializeError } from './wire.js';
