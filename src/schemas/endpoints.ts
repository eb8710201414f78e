import * as z from 'zod/mini';

/** The root endpoint map, `GET /`. */
export const endpointsSchema = z.object({
  characters: z.string(),
  locations: z.string(),
  episodes: z.string(),
});

export type Endpoints = z.infer<typeof endpointsSchema>;
