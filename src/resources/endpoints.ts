import * as z from 'zod/mini';
import { type CollectionName, RESOURCE_LIST } from './registry.js';

/** The root endpoint map, `GET /`: the URL of each resource's list, under its dataset key. */
export const endpointsSchema = z.object(
  Object.fromEntries(RESOURCE_LIST.map((resource) => [resource.collection, z.string()])) as Record<
    CollectionName,
    z.ZodMiniString
  >,
);

/** The root endpoint map, e.g. `{ characters: 'https://rickandmortyapi.com/api/character', … }`. */
export interface Endpoints extends z.infer<typeof endpointsSchema> {}
