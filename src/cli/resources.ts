/**
 * The data commands: `character`, `characters` and their kin, one pair per resource of the
 * registry, so that every resource behaves alike and a new one gets its commands by itself.
 */

import { type BlockingTwin, resourceTwins, TWINS } from '../client/twins.js';
import type { RickMortyClient } from '../client.js';
import type { Page } from '../resources/page.js';
import {
  RESOURCE_NAMES,
  RESOURCES,
  type ResourceDescription,
  type ResourceName,
} from '../resources/registry.js';
import type { CliIo } from './io.js';
import { isClosed } from './output.js';
import { createProgressBar } from './progress.js';

export { RESOURCE_NAMES, type ResourceName };

/** The command that prints records by id (`character`), and the one that lists them (`characters`). */
export function commandsOf(resource: ResourceName): {
  readonly byId: string;
  readonly list: string;
} {
  return { byId: resource, list: RESOURCES[resource].collection };
}

/** Which resource each data command reads. */
export const RESOURCE_OF_COMMAND: Readonly<Record<string, ResourceName>> = Object.fromEntries(
  RESOURCE_NAMES.flatMap((name) => {
    const { byId, list } = commandsOf(name);
    return [
      [byId, name],
      [list, name],
    ];
  }),
);

/** The filter options of a resource's list command. */
export function filtersOf(resource: ResourceName): readonly string[] {
  return Object.keys(RESOURCES[resource].filters);
}

/**
 * Calls the blocking twin `method`, or its async twin: the `--blocking` flag is the whole
 * difference. The library checks every filter and id itself; its messages become the CLI's usage
 * errors, so the arguments are handed over as the user typed them.
 */
function callTwin(
  client: RickMortyClient,
  method: BlockingTwin,
  blocking: boolean,
  ...args: unknown[]
): unknown {
  const name = blocking ? method : TWINS[method];
  const twin = client[name] as (...given: unknown[]) => unknown;
  return twin.apply(client, args);
}

/**
 * A number when the text is one, else the text itself: the library then refuses it with a message
 * that quotes it (`Expected \`id\` to be a positive integer, got "abc"`).
 */
export function numberOrText(text: string): number {
  const value = Number(text);
  return (text.trim() !== '' && !Number.isNaN(value) ? value : text) as number;
}

/** What every data command is given besides its arguments. */
export interface ShowOptions {
  readonly blocking: boolean;
  readonly json: boolean;
  /** Ends the call: the output was closed, or the run interrupted. */
  readonly signal: AbortSignal;
}

/**
 * Prints the records, one line each (or a JSON array), and stops as soon as stdout cannot be
 * written (its reader went away: `| head`). An empty result is said on stderr, so that stdout
 * stays the records alone and a user does not wonder whether anything ran.
 */
function print(
  io: CliIo,
  records: readonly unknown[],
  options: ShowOptions,
  resource: ResourceName,
) {
  if (records.length === 0) {
    io.stderr.write(`rickmorty: no ${RESOURCES[resource].collection} match\n`);
  }
  if (options.json) {
    io.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
    return;
  }
  const { cli } = RESOURCES[resource] as ResourceDescription;
  for (const record of records) {
    if (isClosed(io.stdout)) return;
    io.stdout.write(`${cli.line(record as never)}\n`);
  }
}

/** `rickmorty character 1 10 100`: records by id, in the order asked. */
export async function showById(
  io: CliIo,
  client: RickMortyClient,
  resource: ResourceName,
  texts: readonly string[],
  options: ShowOptions,
): Promise<void> {
  const twins = resourceTwins(RESOURCES[resource]);
  const ids = texts.map(numberOrText);
  const call = { signal: options.signal };
  // One id goes through the single-record call, whose errors speak of `id` rather than `ids[0]`.
  const records =
    ids.length === 1
      ? [await callTwin(client, twins.one, options.blocking, ids[0]!, call)]
      : ((await callTwin(client, twins.many, options.blocking, ids, call)) as unknown[]);
  print(io, records, options, resource);
}

/** `rickmorty characters [--all | --page N] [filters]`: a page of a list, or all of it. */
export async function showList(
  io: CliIo,
  client: RickMortyClient,
  resource: ResourceName,
  filter: Record<string, string>,
  options: ShowOptions & { all: boolean; page: string | undefined },
): Promise<void> {
  const twins = resourceTwins(RESOURCES[resource]);
  if (options.all) {
    // No bar for the blocking twins: Ctrl+C ends a blocked process at once, before it could wipe
    // a bar, which would stay on the screen.
    const bar = options.blocking
      ? createProgressBar({ write: () => true })
      : createProgressBar(io.stderr);
    let records: unknown[];
    try {
      records = (await callTwin(client, twins.all, options.blocking, filter, {
        onProgress: bar.update,
        signal: options.signal,
      })) as unknown[];
    } finally {
      bar.clear();
    }
    print(io, records, options, resource);
    return;
  }
  const number = options.page === undefined ? 1 : numberOrText(options.page);
  const page = (await callTwin(
    client,
    twins.page,
    options.blocking,
    { ...filter, page: number },
    { signal: options.signal },
  )) as Page<unknown>;
  print(io, page.results, options, resource);
  // Said on stderr, so that stdout stays the records alone.
  if (options.page === undefined && page.info.pages > 1) {
    io.stderr.write(
      `(page 1 of ${page.info.pages}, ${page.info.count} in all: --page N for another, --all for every one)\n`,
    );
  }
}
