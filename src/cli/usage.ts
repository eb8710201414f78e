/**
 * The `rickmorty --help` texts. The data commands' parts are written from the resource registry,
 * so a new resource (and a new filter) is in the help as soon as it is in the registry.
 */
import { DEFAULT_BASE_URL } from '../internal/constants.js';
import { type FilterSpec, RESOURCE_LIST, type ResourceDescription } from '../resources/registry.js';

function lower(text: string): string {
  return text.toLowerCase();
}

/** One line of a help table: the flag or command, padded, then what it does. */
function row(left: string, right: string): string {
  return `  ${left.padEnd(20)}${right}`;
}

/** `alive, dead or unknown`. */
function listWords(words: readonly string[], conjunction: 'or' | 'and'): string {
  return words.length < 2
    ? words.join('')
    : `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`;
}

/** The help row of one filter flag: `--status STATUS     alive, dead or unknown`. */
function filterRow(name: string, spec: FilterSpec): string {
  const placeholder = spec.placeholder ?? (spec.values ? name.toUpperCase() : 'TEXT');
  const help =
    spec.help ??
    (spec.values
      ? listWords(spec.values.map(lower), 'or')
      : `${name[0]?.toUpperCase()}${name.slice(1)} contains ${placeholder}`);
  return row(`--${name} ${placeholder}`, help);
}

const LIST_OPTIONS = [
  row('--all', 'Read every page (a progress bar shows on a terminal, without --blocking)'),
  row('--page N', 'Read page N (20 records a page); the default is page 1'),
  row('--json', 'Print the records as a JSON array instead of one name a line'),
].join('\n');

function byIdUsage(resource: ResourceDescription): string {
  const plural = lower(resource.plural);
  return `Usage: rickmorty ${resource.path} <id...> [--json]

Print ${plural} by id, ${resource.cli.lineHelp}, in the order asked. Several ids are read in one
request through the batch endpoint.

${row('--json', 'Print the records as a JSON array')}

Example: rickmorty ${resource.path} 1 2 3
`;
}

function listUsage(resource: ResourceDescription): string {
  const specs = Object.entries(resource.filters as Record<string, FilterSpec>);
  const filters = specs.map(([name, spec]) => filterRow(name, spec));
  const matching = specs.some(([, spec]) => spec.values)
    ? 'text filters match a part'
    : 'each matches a part';
  const example = resource.cli.listExample
    ? `\nExample: rickmorty ${resource.collection} ${resource.cli.listExample}\n`
    : '';
  return `Usage: rickmorty ${resource.collection} [--all | --page N] [filters] [--json]

List the ${lower(resource.plural)} that match the filters (case-insensitive; ${matching}).

${filters.join('\n')}
${LIST_OPTIONS}
${example}`;
}

const DATA_COMMANDS = RESOURCE_LIST.flatMap((resource) => [
  row(
    `${resource.path} <id...>`,
    `Print ${lower(resource.plural)} by id, ${resource.cli.lineHelp}`,
  ),
  row(
    resource.collection,
    `List ${lower(resource.plural)}: the first page, one --page N, or --all`,
  ),
]);

const DATA_FILES = RESOURCE_LIST.map((resource) => `${resource.collection}.json`);

/** The `rickmorty --help` text. */
export const MAIN_USAGE = `Usage: rickmorty <command> [options]

Read the Rick and Morty API (https://rickandmortyapi.com) from the command line.

Commands:
${DATA_COMMANDS.join('\n')}
  serve               Run a local replica of the API until Ctrl+C
  demo                Run the main job: characters 1, 10 and 100 read four ways, timed
  migrate ...         Move a TypeScript project's code from the blocking twins to the async
                      ones ('rickmorty migrate --help' tells how)
  help [command]      Show the help of a command

Global options:
  --base-url URL      The API to read (default: $RICKMORTY_BASE_URL, else
                      ${DEFAULT_BASE_URL})
  --concurrency N     How many requests the async calls keep in flight (default: 10)
  --blocking          Use the blocking twins instead of the async ones
  --timeout MS        Milliseconds before a request is given up (default: 10000)
  --debug             Log each request, and show stack traces of errors
  -h, --help          Show this help, or a command's with 'rickmorty <command> --help'
  -v, --version       Show the version

Exit codes: 0 success (also when the output is closed early, as by | head), 1 API or network
error, 2 usage error, 130 interrupted (Ctrl+C).

Examples:
  rickmorty character 1 10 100
  rickmorty characters --all --status dead --json
  rickmorty episodes --episode S01
  rickmorty serve --port 8080 --latency 150
`;

/** Each command's `--help` text. */
export const COMMAND_USAGE: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    RESOURCE_LIST.flatMap((resource) => [
      [resource.path, byIdUsage(resource)],
      [resource.collection, listUsage(resource)],
    ]),
  ),
  serve: `Usage: rickmorty serve [--port N] [--host ADDRESS] [--latency MS] [--data DIR]

Run a replica of the API on this machine, for offline work and tests. Prints its base URL on
stdout, then serves until Ctrl+C (SIGINT) or SIGTERM.

  --port N            Port to listen on (default: 0, any free port)
  --host ADDRESS      Address to listen on (default: 127.0.0.1)
  --latency MS        Delay before each answer, in milliseconds (default: 0)
  --data DIR          Serve ${listWords(DATA_FILES, 'and')} from DIR
                      (default: the generated dataset of 826 characters)

Example: rickmorty serve --port 8080 & rickmorty --base-url http://127.0.0.1:8080/api character 1
`,
  demo: `Usage: rickmorty demo [--live] [--latency MS]

Run the main job: look up characters 1, 10 and 100 four ways (blocking one after another, async
together, makeAsync over the blocking transport, and the batch endpoint), printing timestamped
log lines and a table of wall times and request counts.

  --live              Read the real API (or --base-url) instead of a local replica
  --latency MS        The replica's delay before each answer (default: 150)
`,
};
