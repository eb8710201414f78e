/**
 * The client's twin pairs, in one typed table: each blocking twin and its async twin. The
 * blocking runner's messages, the CLI's twin calls and the tests that walk the client's prototype
 * read the pairs here, rather than cutting `Async` off a name.
 *
 * Every resource of the registry has the same six pairs, named after it (`getCharacter`,
 * `getCharacters`, `listCharacters`, `iterateCharacters`, `iterateCharacterPages`,
 * `getAllCharacters`); the relations and the root are listed by hand. A type test
 * (test/types.test-d.ts) proves that the table names exactly the client's twins.
 *
 * @module
 */
import { RESOURCE_NAMES, RESOURCES, type ResourceName } from '../resources/registry.js';

/** The blocking twins of one resource, named after its registry entry. */
export function resourceTwins<S extends string, P extends string>(resource: {
  readonly singular: S;
  readonly plural: P;
}) {
  return {
    one: `get${resource.singular}`,
    many: `get${resource.plural}`,
    page: `list${resource.plural}`,
    items: `iterate${resource.plural}`,
    pages: `iterate${resource.singular}Pages`,
    all: `getAll${resource.plural}`,
  } as const;
}

type Entry = (typeof RESOURCES)[ResourceName];
type ResourceTwins = ReturnType<typeof resourceTwins<Entry['singular'], Entry['plural']>>;

/** The client's blocking twins that are not one resource's: the relations and the root. */
const OTHER_TWINS = [
  'getCharacterEpisodes',
  'getEpisodeCharacters',
  'getLocationResidents',
  'getCharacterOrigin',
  'getCharacterLocation',
  'getEndpoints',
] as const;

/** A blocking twin of the client: `getCharacter` and its kin. */
export type BlockingTwin = ResourceTwins[keyof ResourceTwins] | (typeof OTHER_TWINS)[number];

/** An async twin of the client: `getCharacterAsync` and its kin. */
export type AsyncTwin = `${BlockingTwin}Async`;

/** The async twin of a blocking twin. */
export function asyncTwinOf<K extends BlockingTwin>(twin: K): `${K}Async` {
  return `${twin}Async`;
}

const BLOCKING_TWINS: readonly BlockingTwin[] = [
  ...RESOURCE_NAMES.flatMap((name) => Object.values(resourceTwins(RESOURCES[name]))),
  ...OTHER_TWINS,
];

/** Each blocking twin of the client, with its async twin. */
export const TWINS = Object.fromEntries(
  BLOCKING_TWINS.map((twin) => [twin, asyncTwinOf(twin)]),
) as { readonly [K in BlockingTwin]: `${K}Async` };
