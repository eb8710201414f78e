/**
 * `rickmorty-client`: the client, its options and the types its calls take and return; the
 * errors and their guards; the transports; the retry helpers; the cache. The record schemas, the
 * general form of `makeAsync` and the blocking detector have entries of their own (see
 * docs/architecture.md).
 *
 * @module
 */

export type { BlockingDetectorOptions, BlockingReport } from './client/blocking-detector.js';
export type { CallOptions, ClientOptions, RickMortyClientOptions } from './client/options.js';
export { RickMortyClient } from './client.js';
export {
  AbortError,
  ArgumentRangeError,
  type BlockingTwinDetails,
  BlockingUnavailableError,
  ConnectionError,
  HttpError,
  type HttpErrorDetails,
  InvalidArgumentError,
  isAbortError,
  isArgumentRangeError,
  isBlockingUnavailableError,
  isConnectionError,
  isHttpError,
  isInvalidArgumentError,
  isNotFoundError,
  isRateLimitError,
  isResponseError,
  isRickMortyError,
  isServerError,
  isTimeoutError,
  isValidationError,
  isWorkerError,
  NotFoundError,
  RateLimitError,
  type RequestDetails,
  type RequestInfo,
  ResponseError,
  type ResponseErrorCode,
  RickMortyError,
  ServerError,
  TimeoutError,
  ValidationError,
  type ValidationIssue,
  WorkerError,
} from './errors/index.js';
export { DEFAULT_BASE_URL } from './internal/constants.js';
export { type CacheStore, createMemoryCache, type MemoryCacheOptions } from './operations/cache.js';
export type {
  AfterResponseHook,
  BeforeRequestHook,
  BeforeRetryHook,
  BeforeRetryState,
  HookHeaders,
  HookOptions,
  HookRequest,
  HookRequestInit,
  HookResponse,
  HookResponseInit,
  Hooks,
} from './operations/hooks.js';
export type { GetAllOptions, IterateOptions, Progress } from './operations/pagination.js';
export { idFromUrl, idsFromUrls } from './operations/relations.js';
export type { ListQuery } from './operations/resources.js';
export {
  handleError,
  handleErrorAsync,
  isPermanentError,
  type Logger,
  type NotAPromise,
  type RetryContext,
  type RetryOptions,
} from './operations/retry.js';
export {
  REQUEST_CHANNELS,
  type RequestEndMessage,
  type RequestErrorMessage,
  type RequestStartMessage,
} from './operations/tracing.js';
export type {
  Character,
  CharacterFilter,
  CharacterGender,
  CharacterStatus,
} from './resources/character.js';
export type { Link } from './resources/common.js';
export type { Endpoints } from './resources/endpoints.js';
export type { Episode, EpisodeFilter } from './resources/episode.js';
export type { Location, LocationFilter, LocationRecord } from './resources/location.js';
export type { Page, PageInfo } from './resources/page.js';
export {
  type BlockingHttpTransport,
  type BlockingTransportOptions,
  createBlockingTransport,
} from './transports/blocking.js';
export {
  createHttpTransport,
  type HttpTransportOptions,
  type KyGetOptions,
  type KyLike,
} from './transports/http.js';
export {
  type MakeAsyncOptions,
  makeAsyncTransport as makeAsync,
  type PooledTransport,
  type RebuildableTransport,
} from './transports/make-async-transport.js';
export {
  createModuleTransport,
  type ModuleTransport,
  type ModuleTransportOptions,
} from './transports/module-transport.js';
export type { ModuleRecipe, RebuildRecipe, TransportModule } from './transports/recipe.js';
export type {
  AsyncTransport,
  BlockingTransport,
  Transport,
  TransportDefaults,
  TransportRequest,
  TransportResponse,
} from './transports/types.js';
