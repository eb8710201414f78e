import * as z from 'zod/mini';
import { idSchema, timestampSchema } from './common.js';

/** An episode, e.g. `GET /episode/1` (Pilot). */
export const episodeSchema = z.object({
  id: idSchema,
  name: z.string(),
  /** As the API writes it, e.g. "December 2, 2013" (not ISO 8601). */
  air_date: z.string(),
  /** The code, e.g. "S01E01". */
  episode: z.string(),
  /** URLs of the characters in the episode. */
  characters: z.array(z.string()),
  url: z.string(),
  created: timestampSchema,
});

/** A record as the API serves it; the type is inferred from `episodeSchema`. */
export interface Episode extends z.infer<typeof episodeSchema> {}

/** Filters of `listEpisodes`; `episode` is a code such as `S01E01` (or a part of one, `S01`). */
export interface EpisodeFilter {
  name?: string;
  episode?: string;
}
