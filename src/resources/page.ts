import * as z from 'zod/mini';

/** The `info` block of a page. `next`/`prev` are absolute URLs, or null at either end. */
export const pageInfoSchema = z.object({
  count: z.int().check(z.nonnegative()),
  pages: z.int().check(z.nonnegative()),
  next: z.nullable(z.string()),
  prev: z.nullable(z.string()),
});

/** A page of results (20 a page, fixed by the API) for the given record schema. */
export function pageSchema<T extends z.ZodMiniType>(item: T) {
  return z.object({ info: pageInfoSchema, results: z.array(item) });
}

/** The `info` block of a page; inferred from `pageInfoSchema`. */
export interface PageInfo extends z.infer<typeof pageInfoSchema> {}

/** One page of a list: what `listCharacters` and its kin return. */
export interface Page<T> {
  readonly info: PageInfo;
  readonly results: T[];
}
