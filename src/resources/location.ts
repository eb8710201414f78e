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

/**
 * A location as the API serves it; the type is inferred from `locationSchema`. Named
 * `LocationRecord` so that importing it never hides the DOM's global `Location`.
 */
export interface LocationRecord extends z.infer<typeof locationSchema> {}

/**
 * The same as `LocationRecord`.
 *
 * Note: importing this name hides the DOM's global `Location` type in that module; prefer
 * `LocationRecord` where the DOM types are in scope.
 */
export type Location = LocationRecord;

/** Filters of `listLocations`. */
export interface LocationFilter {
  name?: string;
  type?: string;
  dimension?: string;
}
