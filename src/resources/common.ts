import * as z from 'zod/mini';

/**
 * Unknown extra fields are accepted and dropped (zod's default "strip" mode): the API may add a
 * field at any time, and a client that rejected it would break every caller overnight, while one
 * that passed it through would return values its types do not describe. A new field reaches users
 * when a release adds it to a schema here.
 */
export const idSchema = z.int().check(z.positive());

/** A link to another record: `url` is `""` when the name is "unknown". */
export const linkSchema = z.object({
  name: z.string(),
  url: z.string(),
});

/** ISO 8601 timestamp as the API sends it, e.g. `2017-11-04T18:48:46.250Z`. */
export const timestampSchema = z.string();

/** A link to another record; inferred from `linkSchema`. */
export interface Link extends z.infer<typeof linkSchema> {}
