/**
 * The data commands: `character`, `characters` and their location and episode kin. Each resource
 * is one row of a table, so that the three behave alike.
 */
import type { RickMortyClient } from '../client.js';
import type { Page } from '../schemas/page.js';
import type { CliIo } from './io.js';
import { createProgressBar } from './progress.js';

/** How a command reads one resource: each call picks the blocking or the async twin. */
interface ResourceCommands {
  /** Options that filter a list, as the API names them. */
  readonly filters: readonly string[];
  /** The line printed for one record. */
  readonly line: (record: never) => string;
  one(client: RickMortyClient, id: number, blocking: boolean): unknown;
  many(client: RickMortyClient, ids: number[], blocking: boolean): unknown;
  page(client: RickMortyClient, query: object, blocking: boolean): unknown;
  all(
    client: RickMortyClient,
    filter: object,
    blocking: boolean,
    onProgress: (progress: { loaded: number; total: number }) => void,
  ): unknown;
}

// The library checks every filter and id itself; its messages become the CLI's usage errors.
// The casts only hand it what the user typed.
type Any = never;

const RESOURCES = {
  character: {
    filters: ['name', 'status', 'species', 'type', 'gender'],
    line: (record: { name: string }) => record.name,
    one: (client, id, blocking) =>
      blocking ? client.getCharacter(id) : client.getCharacterAsync(id),
    many: (client, ids, blocking) =>
      blocking ? client.getCharacters(ids) : client.getCharactersAsync(ids),
    page: (client, query, blocking) =>
      blocking ? client.listCharacters(query as Any) : client.listCharactersAsync(query as Any),
    all: (client, filter, blocking, onProgress) =>
      blocking
        ? client.getAllCharacters(filter as Any, { onProgress })
        : client.getAllCharactersAsync(filter as Any, { onProgress }),
  },
  location: {
    filters: ['name', 'type', 'dimension'],
    line: (record: { name: string }) => record.name,
    one: (client, id, blocking) =>
      blocking ? client.getLocation(id) : client.getLocationAsync(id),
    many: (client, ids, blocking) =>
      blocking ? client.getLocations(ids) : client.getLocationsAsync(ids),
    page: (client, query, blocking) =>
      blocking ? client.listLocations(query as Any) : client.listLocationsAsync(query as Any),
    all: (client, filter, blocking, onProgress) =>
      blocking
        ? client.getAllLocations(filter as Any, { onProgress })
        : client.getAllLocationsAsync(filter as Any, { onProgress }),
  },
  episode: {
    filters: ['name', 'episode'],
    line: (record: { episode: string; name: string }) => `${record.episode} ${record.name}`,
    one: (client, id, blocking) => (blocking ? client.getEpisode(id) : client.getEpisodeAsync(id)),
    many: (client, ids, blocking) =>
      blocking ? client.getEpisodes(ids) : client.getEpisodesAsync(ids),
    page: (client, query, blocking) =>
      blocking ? client.listEpisodes(query as Any) : client.listEpisodesAsync(query as Any),
    all: (client, filter, blocking, onProgress) =>
      blocking
        ? client.getAllEpisodes(filter as Any, { onProgress })
        : client.getAllEpisodesAsync(filter as Any, { onProgress }),
  },
} as const satisfies Record<string, ResourceCommands>;

/** A resource the CLI can read. */
export type ResourceName = keyof typeof RESOURCES;

/** The filter options of a resource's list command. */
export function filtersOf(resource: ResourceName): readonly string[] {
  return RESOURCES[resource].filters;
}

/**
 * A number when the text is one, else the text itself: the library then refuses it with a message
 * that quotes it (`Expected \`id\` to be a positive integer, got "abc"`).
 */
export function numberOrText(text: string): number {
  const value = Number(text);
  return (text.trim() !== '' && !Number.isNaN(value) ? value : text) as number;
}

function print(io: CliIo, records: readonly unknown[], json: boolean, resource: ResourceName) {
  if (json) {
    io.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
    return;
  }
  const line = RESOURCES[resource].line as (record: unknown) => string;
  for (const record of records) io.stdout.write(`${line(record)}\n`);
}

/** `rickmorty character 1 10 100`: records by id, in the order asked. */
export async function showById(
  io: CliIo,
  client: RickMortyClient,
  resource: ResourceName,
  texts: readonly string[],
  options: { blocking: boolean; json: boolean },
): Promise<void> {
  const commands: ResourceCommands = RESOURCES[resource];
  const ids = texts.map(numberOrText);
  // One id goes through the single-record call, whose errors speak of `id` rather than `ids[0]`.
  const records =
    ids.length === 1
      ? [await commands.one(client, ids[0]!, options.blocking)]
      : ((await commands.many(client, ids, options.blocking)) as unknown[]);
  print(io, records, options.json, resource);
}

/** `rickmorty characters [--all | --page N] [filters]`: a page of a list, or all of it. */
export async function showList(
  io: CliIo,
  client: RickMortyClient,
  resource: ResourceName,
  filter: Record<string, string>,
  options: { blocking: boolean; json: boolean; all: boolean; page: string | undefined },
): Promise<void> {
  const commands: ResourceCommands = RESOURCES[resource];
  if (options.all) {
    const bar = createProgressBar(io.stderr);
    let records: unknown[];
    try {
      records = (await commands.all(client, filter, options.blocking, bar.update)) as unknown[];
    } finally {
      bar.clear();
    }
    print(io, records, options.json, resource);
    return;
  }
  const number = options.page === undefined ? 1 : numberOrText(options.page);
  const page = (await commands.page(
    client,
    { ...filter, page: number },
    options.blocking,
  )) as Page<unknown>;
  print(io, page.results, options.json, resource);
  // Said on stderr, so that stdout stays the records alone.
  if (options.page === undefined && page.info.pages > 1) {
    io.stderr.write(
      `(page 1 of ${page.info.pages}, ${page.info.count} in all: --page N for another, --all for every one)\n`,
    );
  }
}
