import * as z from 'zod/mini';
import { idSchema, linkSchema, timestampSchema } from './common.js';

export const characterStatuses = ['Alive', 'Dead', 'unknown'] as const;
export const characterGenders = ['Female', 'Male', 'Genderless', 'unknown'] as const;

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

export type Character = z.infer<typeof characterSchema>;
export type CharacterStatus = (typeof characterStatuses)[number];
export type CharacterGender = (typeof characterGenders)[number];
