/**
 * The data commands: `character`, `characters` and their location and episode kin. Each resource
 * is one row of a table, so that the three behave alike.
 */
import type { RickMortyClient } from '../client.js';
import type { Page } from '../schemas/page.js';
import type { CliIo } from './io.js';
import { createProgressBar } from './progress.js';

/** A blocking twin of the client: a method whose name plus `Async` is a method too. */
type TwinName = {
  [K in keyof RickMortyClient & string]: `${K}Async` extends keyof RickMortyClient ? K : never;
}[keyof RickMortyClient & string];

/** What a command calls for one resource: the blocking twins' names (the async ones add `Async`). */
interface ResourceCommands {
  /** Options that filter a list, as the API names them. */
  readonly filters: readonly string[];
  /** The line printed for one record. */
  readonly line: (record: never) => string;
  readonly one: TwinName;
  readonly many: TwinName;
  readonly page: TwinName;
  readonly all: TwinName;
}

const RESOURCES = {
  character: {
    filters: ['name', 'status', 'species', 'type', 'gender'],
    line: (record: { name: string }) => record.name,
    one: 'getCharacter',
    many: 'getCharacters',
    page: 'listCharacters',
    all: 'getAllCharacters',
  },
  location: {
    filters: ['name', 'type', 'dimension'],
    line: (record: { name: string }) => record.name,
    one: 'getLocation',
    many: 'getLocations',
    page: 'listLocations',
    all: 'getAllLocations',
  },
  episode: {
    filters: ['name', 'episode'],
    line: (record: { episode: string; name: string }) => `${record.episode} ${record.name}`,
    one: 'getEpisode',
    many: 'getEpisodes',
    page: 'listEpisodes',
    all: 'getAllEpisodes',
  },
} as const satisfies Record<string, ResourceCommands>;

/**
 * Calls the blocking twin `method`, or its async twin: the `--blocking` flag is the whole
 * difference. The library checks every filter and id itself; its messages become the CLI's usage
 * errors, so the arguments are handed over as the user typed them.
 */
function callTwin(
  client: RickMortyClient,
  method: string,
  blocking: boolean,
  ...args: unknown[]
): unknown {
  const twin = (client as unknown as Record<string, (...given: unknown[]) => unknown>)[
    blocking ? method : `${method}Async`
  ];
  return twin!.apply(client, args);
}

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
      ? [await callTwin(client, commands.one, options.blocking, ids[0]!)]
      : ((await callTwin(client, commands.many, options.blocking, ids)) as unknown[]);
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
      records = (await callTwin(client, commands.all, options.blocking, filter, {
        onProgress: bar.update,
      })) as unknown[];
    } finally {
      bar.clear();
    }
    print(io, records, options.json, resource);
    return;
  }
  const number = options.page === undefined ? 1 : numberOrText(options.page);
  const page = (await callTwin(client, commands.page, options.blocking, {
    ...filter,
    page: number,
  })) as Page<unknown>;
  print(io, page.results, options.json, resource);
  // Said on stderr, so that stdout stays the records alone.
  if (options.page === undefined && page.info.pages > 1) {
    io.stderr.write(
      `(page 1 of ${page.info.pages}, ${page.info.count} in all: --page N for another, --all for every one)\n`,
    );
  }
}
