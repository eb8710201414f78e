import type { Character } from '../schemas/character.js';
import type { Episode } from '../schemas/episode.js';
import type { Location } from '../schemas/location.js';
import type { Handler } from './effects.js';
import type { RequestContext } from './request.js';
import { type BatchSettings, getMany, getOne, type Resource } from './resources.js';

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
  const match = /\/(?:character|location|episode)\/(\d+)\/?$/.exec(url);
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

function asList<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/**
 * Reads the records linked from one or many records, each linked record once, with as few batch
 * requests as the batch size allows. Returns them in the order they are first linked.
 */
export function* getLinked<T extends { id: number }, S>(
  context: RequestContext,
  target: Resource<T, unknown>,
  sources: S | readonly S[],
  links: (source: S) => readonly string[],
  batch: BatchSettings,
): Handler<T[]> {
  const ids = idsFromUrls(asList(sources).flatMap(links));
  if (ids.length === 0) return [];
  // Relations always go through the batch endpoint: that is the point of resolving them together.
  return yield* getMany(context, target, ids, { enabled: true, size: batch.size });
}

/** Reads the location a link points at, or null when the link is empty ("unknown"). */
export function* getLinkedOne<T extends { id: number }>(
  context: RequestContext,
  target: Resource<T, unknown>,
  url: string,
): Handler<T | null> {
  const id = idFromUrl(url);
  return id === undefined ? null : yield* getOne(context, target, id);
}

export const characterEpisodeLinks = (character: Character): readonly string[] => character.episode;
export const episodeCharacterLinks = (episode: Episode): readonly string[] => episode.characters;
export const locationResidentLinks = (location: Location): readonly string[] => location.residents;
