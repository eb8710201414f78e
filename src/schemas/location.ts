import * as z from 'zod/mini';
import { idSchema, timestampSchema } from './common.js';

/** A location, e.g. `GET /location/1` (Earth (C-137)). */
export const locationSchema = z.object({
  id: idSchema,
  name: z.string(),
  type: z.string(),
  /** Often "unknown". */
  dimension: z.string(),
  /** URLs of the characters last seen here; may be empty. */
  residents: z.array(z.string()),
  url: z.string(),
  created: timestampSchema,
});

/** A record as the API serves it; the type is inferred from `locationSchema`. */
export interface Location extends z.infer<typeof locationSchema> {}
