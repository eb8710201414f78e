/** The `rickmorty --help` text. */
export const MAIN_USAGE = `Usage: rickmorty <command> [options]

Read the Rick and Morty API (https://rickandmortyapi.com) from the command line.

Commands:
  character <id...>   Print characters by id, one name a line
  characters          List characters: the first page, one --page N, or --all
  location <id...>    Print locations by id
  locations           List locations
  episode <id...>     Print episodes by id, one "S01E01 Name" a line
  episodes            List episodes
  serve               Run a local replica of the API until Ctrl+C
  demo                Run the main job: characters 1, 10 and 100 read four ways, timed
  migrate ...         Move a TypeScript project's code from the blocking twins to the async
                      ones ('rickmorty migrate --help' tells how)
  help [command]      Show the help of a command

Global options:
  --base-url URL      The API to read (default: $RICKMORTY_BASE_URL, else
                      https://rickandmortyapi.com/api)
  --concurrency N     How many requests the async calls keep in flight (default: 10)
  --blocking          Use the blocking twins instead of the async ones
  --timeout MS        Milliseconds before a request is given up (default: 10000)
  --debug             Log each request, and show stack traces of errors
  -h, --help          Show this help, or a command's with 'rickmorty <command> --help'
  -v, --version       Show the version

Exit codes: 0 success, 1 API or network error, 2 usage error.

Examples:
  rickmorty character 1 10 100
  rickmorty characters --all --status dead --json
  rickmorty episodes --episode S01
  rickmorty serve --port 8080 --latency 150
`;

const LIST_OPTIONS = `  --all               Read every page (a progress bar shows on a terminal)
  --page N            Read page N (20 records a page); the default is page 1
  --json              Print the records as a JSON array instead of one name a line`;

/** Each command's `--help` text. */
export const COMMAND_USAGE: Readonly<Record<string, string>> = {
  character: `Usage: rickmorty character <id...> [--json]

Print characters by id, one name a line, in the order asked. Several ids are read in one request
through the batch endpoint.

  --json              Print the records as a JSON array

Example: rickmorty character 1 10 100
`,
  characters: `Usage: rickmorty characters [--all | --page N] [filters] [--json]

List the characters that match the filters (case-insensitive; text filters match a part).

  --name TEXT         Name contains TEXT
  --status STATUS     alive, dead or unknown
  --species TEXT      Species contains TEXT
  --type TEXT         Type contains TEXT
  --gender GENDER     female, male, genderless or unknown
${LIST_OPTIONS}

Example: rickmorty characters --all --status dead --species human
`,
  location: `Usage: rickmorty location <id...> [--json]

Print locations by id, one name a line, in the order asked.

  --json              Print the records as a JSON array
`,
  locations: `Usage: rickmorty locations [--all | --page N] [filters] [--json]

List the locations that match the filters (case-insensitive; each matches a part).

  --name TEXT         Name contains TEXT
  --type TEXT         Type contains TEXT (Planet, Space station, ...)
  --dimension TEXT    Dimension contains TEXT
${LIST_OPTIONS}
`,
  episode: `Usage: rickmorty episode <id...> [--json]

Print episodes by id, one "S01E01 Name" a line, in the order asked.

  --json              Print the records as a JSON array
`,
  episodes: `Usage: rickmorty episodes [--all | --page N] [filters] [--json]

List the episodes that match the filters (case-insensitive; each matches a part).

  --name TEXT         Name contains TEXT
  --episode CODE      Code contains CODE (S01E01, or S01 for a season)
${LIST_OPTIONS}
`,
  serve: `Usage: rickmorty serve [--port N] [--host ADDRESS] [--latency MS] [--data DIR]

Run a replica of the API on this machine, for offline work and tests. Prints its base URL on
stdout, then serves until Ctrl+C (SIGINT) or SIGTERM.

  --port N            Port to listen on (default: 0, any free port)
  --host ADDRESS      Address to listen on (default: 127.0.0.1)
  --latency MS        Delay before each answer, in milliseconds (default: 0)
  --data DIR          Serve characters.json, locations.json and episodes.json from DIR
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
