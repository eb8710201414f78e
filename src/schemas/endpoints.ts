import * as z from 'zod/mini';

/** The root endpoint map, `GET /`. */
export const endpointsSchema = z.object({
  characters: z.string(),
  locations: z.string(),
  episodes: z.string(),
});

/** A record as the API serves it; the type is inferred from `endpointsSchema`. */
export interface Endpoints extends z.infer<typeof endpointsSchema> {}
