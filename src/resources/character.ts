import * as z from 'zod/mini';
import { idSchema, linkSchema, timestampSchema } from './common.js';
import { characterGenders, characterStatuses } from './registry.js';

export { characterGenders, characterStatuses };

/** A character, e.g. `GET /character/1` (Rick Sanchez). */
export const characterSchema = z.object({
  id: idSchema,
  name: z.string(),
  status: z.enum(characterStatuses),
  /** Free text: the real data has typos such as "Mytholog". */
  species: z.string(),
  /** Often `""`. */
  type: z.string(),
  gender: z.enum(characterGenders),
  origin: linkSchema,
  location: linkSchema,
  image: z.string(),
  /** URLs of the episodes the character appears in. */
  episode: z.array(z.string()),
  url: z.string(),
  created: timestampSchema,
});

/** A record as the API serves it; the type is inferred from `characterSchema`. */
export interface Character extends z.infer<typeof characterSchema> {}
/** `'Alive' | 'Dead' | 'unknown'`. */
export type CharacterStatus = (typeof characterStatuses)[number];
/** `'Female' | 'Male' | 'Genderless' | 'unknown'`. */
export type CharacterGender = (typeof characterGenders)[number];

/** Filters of `listCharacters`; every text filter is a case-insensitive substring match. */
export interface CharacterFilter {
  name?: string;
  status?: CharacterStatus | Lowercase<CharacterStatus>;
  species?: string;
  type?: string;
  gender?: CharacterGender | Lowercase<CharacterGender>;
}
