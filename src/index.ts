export {
  type BlockingCallSite,
  type BlockingDetector,
  type BlockingDetectorOptions,
  type BlockingReport,
  createBlockingDetector,
} from './blocking-detector.js';
export { type CacheStore, createMemoryCache, type MemoryCacheOptions } from './cache.js';
export {
  type CallOptions,
  type ClientOptions,
  DEFAULT_BASE_URL,
  RickMortyClient,
} from './client.js';
export {
  AbortError,
  ArgumentRangeError,
  BlockingUnavailableError,
  ConnectionError,
  HttpError,
  type HttpErrorDetails,
  InvalidArgumentError,
  isAbortError,
  isHttpError,
  isNotFoundError,
  isRateLimitError,
  isRickMortyError,
  isTimeoutError,
  isValidationError,
  NotFoundError,
  RateLimitError,
  type RequestInfo,
  ResponseError,
  RickMortyError,
  ServerError,
  TimeoutError,
  ValidationError,
  type ValidationIssue,
  WorkerError,
} from './errors.js';
export {
  type MakeAsyncOptions,
  type ModuleFunction,
  makeAsync,
  type PooledFunction,
  type PooledTransport,
  type RebuildableTransport,
} from './make-async.js';
export type { GetAllOptions, Progress } from './operations/pagination.js';
export { idFromUrl, idsFromUrls } from './operations/relations.js';
export type {
  CharacterFilter,
  EpisodeFilter,
  ListQuery,
  LocationFilter,
} from './operations/resources.js';
export {
  handleError,
  handleErrorAsync,
  isPermanentError,
  type Logger,
  type RetryContext,
  type RetryOptions,
} from './retry.js';
export {
  type Character,
  type CharacterGender,
  type CharacterStatus,
  characterGenders,
  characterSchema,
  characterStatuses,
} from './schemas/character.js';
export { type Link, linkSchema } from './schemas/common.js';
export { type Endpoints, endpointsSchema } from './schemas/endpoints.js';
export { type Episode, episodeSchema } from './schemas/episode.js';
export { type ErrorBody, errorBodySchema } from './schemas/error-body.js';
export { type Location, locationSchema } from './schemas/location.js';
export { type Page, type PageInfo, pageInfoSchema, pageSchema } from './schemas/page.js';
export {
  type BlockingHttpTransport,
  type BlockingTransportOptions,
  createBlockingTransport,
  type RebuildRecipe,
} from './transports/blocking.js';
export { createHttpTransport, type HttpTransportOptions } from './transports/http.js';
export type {
  AsyncTransport,
  BlockingTransport,
  Transport,
  TransportRequest,
  TransportResponse,
} from './transports/types.js';
