import { InvalidArgumentError } from '../errors/classes.js';
import { describeValue } from '../internal/checks.js';
import {
  type Identified,
  type LinkField,
  type LinkListField,
  RESOURCES,
  type Resource,
} from '../resources/registry.js';
import type { Handler } from './effects.js';
import type { RequestContext } from './request.js';
import { getMany, getOne } from './resources.js';

export type { LinkField, LinkListField };

/** A record URL of any resource: `…/character/1`, with an optional trailing slash. */
const RECORD_URL = new RegExp(`/(?:${Object.keys(RESOURCES).join('|')})/(\\d+)/?$`);

/**
 * The id at the end of an API URL (`https://rickandmortyapi.com/api/episode/28` gives 28), or
 * undefined for an empty or foreign URL (a character's origin is `""` when it is unknown).
 *
 * @example
 * ```ts
 * idFromUrl('https://rickandmortyapi.com/api/location/20'); //=> 20
 * idFromUrl(''); //=> undefined
 * ```
 */
export function idFromUrl(url: string): number | undefined {
  const match = RECORD_URL.exec(url);
  if (!match) return undefined;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** The distinct ids behind a list of URLs, in first-seen order. */
export function idsFromUrls(urls: Iterable<string>): number[] {
  const ids = new Set<number>();
  for (const url of urls) {
    const id = idFromUrl(url);
    if (id !== undefined) ids.add(id);
  }
  return [...ids];
}

/**
 * Checks that `sources` is one record or an array of records with a `field` list of URLs, and
 * returns the URLs: each read once, so a list that changes after the check changes nothing.
 */
function linksOf(sources: unknown, field: LinkListField): string[] {
  const records: unknown[] = Array.isArray(sources) ? Array.from(sources) : [sources];
  const urls: string[] = [];
  for (const record of records) {
    const links =
      typeof record === 'object' ? (record as Record<string, unknown> | null)?.[field] : undefined;
    const copy: unknown[] = Array.isArray(links) ? Array.from(links) : [];
    if (!Array.isArray(links) || copy.some((link) => typeof link !== 'string')) {
      throw new InvalidArgumentError(
        `Expected records with a \`${field}\` list of URLs, got ${describeValue(record)}`,
      );
    }
    for (const url of copy as string[]) urls.push(url);
  }
  return urls;
}

/**
 * Reads the records linked from one or many records, each linked record once, through the batch
 * endpoint whatever the client's `batch` setting: resolving links together is the point. Returns
 * them in the order they are first linked.
 */
export function* getLinked<T extends Identified>(
  context: RequestContext,
  target: Resource<T, unknown>,
  sources: unknown,
  field: LinkListField,
): Handler<T[]> {
  const ids = idsFromUrls(linksOf(sources, field));
  if (ids.length === 0) return [];
  const batch = { enabled: true, size: context.batch.size };
  return yield* getMany({ ...context, batch }, target, ids);
}

/** Reads the location a character's `field` link points at, or null when it is empty ("unknown"). */
export function* getLinkedOne<T extends Identified>(
  context: RequestContext,
  target: Resource<T, unknown>,
  source: unknown,
  field: LinkField,
): Handler<T | null> {
  const url = (source as Partial<Record<LinkField, { url?: unknown }>> | null)?.[field]?.url;
  if (typeof url !== 'string') {
    throw new InvalidArgumentError(
      `Expected a character with an \`${field}\` link, got ${describeValue(source)}`,
    );
  }
  const id = idFromUrl(url);
  return id === undefined ? null : yield* getOne(context, target, id);
}
