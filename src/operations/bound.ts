/**
 * The operations bound to one resource, with its record type: what the client's twins run.
 * `gensync` would erase the generic record type of `getOne<T>` and its kin; binding the resource
 * first keeps it, so every twin's return type comes from here, not from a cast.
 *
 * @module
 */
import gensync from 'gensync';
import type * as z from 'zod/mini';
import { pageSchema } from '../resources/page.js';
import type {
  Identified,
  LinkField,
  LinkListField,
  Resource,
  ResourceDescription,
} from '../resources/registry.js';
import { type GetAllOptions, getAll, type WalkState, walkPage, walkQuery } from './pagination.js';
import { getLinked, getLinkedOne } from './relations.js';
import type { RequestContext } from './request.js';
import { getEndpoints, getMany, getOne, listPage } from './resources.js';

/**
 * An operation both twins run: `.sync(context, ...args)` blocks, `.async(context, ...args)`
 * returns a promise. Arguments are checked at run time by the operation itself.
 */
export type Operation<A extends unknown[], R> = gensync.Gensync<[RequestContext, ...A], R>;

/**
 * The operations of one resource, bound to its registry entry and the schema of its records.
 *
 * @example
 * ```ts
 * const character = resourceOperations<Character, CharacterFilter>(characters, characterSchema);
 * character.getOne.sync(context, 1); // a Character
 * ```
 */
export function resourceOperations<T extends Identified, F>(
  description: ResourceDescription<T, F>,
  schema: z.ZodMiniType<T>,
) {
  const resource: Resource<T, F> = { ...description, schema, pageSchema: pageSchema(schema) };
  return {
    resource,
    getOne: gensync((context: RequestContext, id: number) => getOne(context, resource, id)),
    getMany: gensync((context: RequestContext, ids: readonly number[]) =>
      getMany(context, resource, ids),
    ),
    listPage: gensync((context: RequestContext, query: object | undefined) =>
      listPage(context, resource, query),
    ),
    getAll: gensync(
      (context: RequestContext, filter: F | undefined, options: GetAllOptions | undefined) =>
        getAll(context, resource, filter, options),
    ),
    walkPage: gensync(
      (
        context: RequestContext,
        filter: Record<string, string | number>,
        number: number,
        state: WalkState | undefined,
      ) => walkPage(context, resource, filter, number, state),
    ),
    /** Checks a filter for a walk over every page, and returns it as query parameters. */
    walkQuery: (filter: F | undefined) => walkQuery(resource, filter),
  };
}

/** What `resourceOperations` gives for records `T` filtered by `F`. */
export type ResourceOperations<T extends Identified, F> = ReturnType<
  typeof resourceOperations<T, F>
>;

/** The records of `target` that a list of links in `field` points at, from one record or many. */
export function linkedRecords<T extends Identified>(
  target: Resource<T, unknown>,
  field: LinkListField,
): Operation<[sources: unknown], T[]> {
  return gensync((context: RequestContext, sources: unknown) =>
    getLinked(context, target, sources, field),
  );
}

/** The record of `target` that one link in `field` points at, or null when the link is empty. */
export function linkedRecord<T extends Identified>(
  target: Resource<T, unknown>,
  field: LinkField,
): Operation<[source: unknown], T | null> {
  return gensync((context: RequestContext, source: unknown) =>
    getLinkedOne(context, target, source, field),
  );
}

/** The root endpoint map. */
export const endpoints = gensync(getEndpoints);
