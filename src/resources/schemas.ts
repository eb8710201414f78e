/**
 * `rickmorty-client/schemas`: the zod/mini schemas of the API's records, for code that validates
 * records it got some other way (a file, a cache of its own, a message queue). The client
 * validates every answer with these same schemas.
 *
 * @example
 * ```ts
 * import { characterSchema } from 'rickmorty-client/schemas';
 * const result = characterSchema.safeParse(JSON.parse(text));
 * ```
 *
 * @module schemas
 */
export {
  type Character,
  type CharacterGender,
  type CharacterStatus,
  characterGenders,
  characterSchema,
  characterStatuses,
} from './character.js';
export { type Link, linkSchema } from './common.js';
export { type Endpoints, endpointsSchema } from './endpoints.js';
export { type Episode, episodeSchema } from './episode.js';
export { type LocationRecord, locationSchema } from './location.js';
