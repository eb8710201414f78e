/**
 * The resource registry: each resource of the API described once. The operations' filter checks,
 * the relation resolver's URL pattern, the CLI's commands, flags and help, the fake API's
 * collections, the endpoint map and the client's twin names are all derived from these entries;
 * see docs/architecture.md for how to add a resource.
 *
 * The entries hold no zod schema, so that what reads only the descriptions (the test kit, the
 * replica's worker, the CLI's help) does not load zod: each resource's schema is in its own module
 * (`character.ts`), and the client binds the two (`resourceOperations(characters, characterSchema)`).
 *
 * @module
 */
import type * as z from 'zod/mini';
import type { Character, CharacterFilter } from './character.js';
import type { Episode, EpisodeFilter } from './episode.js';
import type { LocationFilter, LocationRecord } from './location.js';
import type { Page } from './page.js';

/** The values of a character's `status`, and of the `status` filter. */
export const characterStatuses = ['Alive', 'Dead', 'unknown'] as const;
/** The values of a character's `gender`, and of the `gender` filter. */
export const characterGenders = ['Female', 'Male', 'Genderless', 'unknown'] as const;

/** A record with an id: every resource of the API. */
export interface Identified {
  readonly id: number;
}

/** One filter of a list, as the API and the CLI know it. */
export interface FilterSpec {
  /**
   * The values the API accepts, matched without regard to case. Absent for free text, which the
   * API matches as a part of the field.
   */
  readonly values?: readonly string[];
  /** What the CLI's help calls the flag's value. Default: `TEXT`, or the filter's name in capitals. */
  readonly placeholder?: string;
  /** The CLI's help for the flag. Default: `<Name> contains TEXT`, or the values. */
  readonly help?: string;
}

/** What the CLI prints and says of a resource. */
export interface ResourceCli<T> {
  /** The line printed for one record. */
  line(record: T): string;
  /** How the help describes that line: `one name a line`. */
  readonly lineHelp: string;
  /** An example of the list command's flags for its help, if any: `--all --status dead`. */
  readonly listExample?: string;
}

/**
 * Everything the package knows of one resource of the API, but its schema.
 *
 * @typeParam T - The record type.
 * @typeParam F - The list filters, whose keys `filters` must match exactly.
 */
export interface ResourceDescription<T extends Identified = Identified, F = object> {
  /** The path segment, which also names the resource: `character`. */
  readonly path: string;
  /** For messages and method names: `Character`. */
  readonly singular: string;
  /** For messages and method names: `Characters`. */
  readonly plural: string;
  /**
   * The name of the whole collection: the endpoint map's key, a dataset's key (and the file a
   * dataset directory holds, `characters.json`), and the CLI's list command: `characters`.
   */
  readonly collection: string;
  /** The filters the API knows for the list, each with its allowed values. */
  readonly filters: { readonly [K in keyof F]-?: FilterSpec };
  /** The API's error text for an id it does not have: `Character not found`. */
  readonly notFound: string;
  /** The fields that hold links to other records, and the resource (path) each links to. */
  readonly links: { readonly [K in Exclude<keyof T, 'id'>]?: string };
  readonly cli: ResourceCli<T>;
}

/** A resource's description with the schemas its records and pages are validated with. */
export interface Resource<T extends Identified = Identified, F = object>
  extends ResourceDescription<T, F> {
  readonly schema: z.ZodMiniType<T>;
  readonly pageSchema: z.ZodMiniType<Page<T>>;
}

export const characters = {
  path: 'character',
  singular: 'Character',
  plural: 'Characters',
  collection: 'characters',
  filters: {
    name: {},
    status: { values: characterStatuses },
    species: {},
    type: {},
    gender: { values: characterGenders },
  },
  notFound: 'Character not found',
  links: { origin: 'location', location: 'location', episode: 'episode' },
  cli: {
    line: (record) => record.name,
    lineHelp: 'one name a line',
    listExample: '--all --status dead --species human',
  },
} as const satisfies ResourceDescription<Character, CharacterFilter>;

export const locations = {
  path: 'location',
  singular: 'Location',
  plural: 'Locations',
  collection: 'locations',
  filters: {
    name: {},
    type: { help: 'Type contains TEXT (Planet, Space station, ...)' },
    dimension: {},
  },
  notFound: 'Location not found',
  links: { residents: 'character' },
  cli: { line: (record) => record.name, lineHelp: 'one name a line' },
} as const satisfies ResourceDescription<LocationRecord, LocationFilter>;

export const episodes = {
  path: 'episode',
  singular: 'Episode',
  plural: 'Episodes',
  collection: 'episodes',
  filters: {
    name: {},
    episode: { placeholder: 'CODE', help: 'Code contains CODE (S01E01, or S01 for a season)' },
  },
  notFound: 'Episode not found',
  links: { characters: 'character' },
  cli: {
    line: (record) => `${record.episode} ${record.name}`,
    lineHelp: 'one "S01E01 Name" a line',
  },
} as const satisfies ResourceDescription<Episode, EpisodeFilter>;

/** Every resource of the API, by path. */
export const RESOURCES = { character: characters, location: locations, episode: episodes };

/** A resource's path, which names it: `'character' | 'location' | 'episode'`. */
export type ResourceName = keyof typeof RESOURCES;

/** The name of a resource's collection: `'characters' | 'locations' | 'episodes'`. */
export type CollectionName = (typeof RESOURCES)[ResourceName]['collection'];

/** The record type of each resource, by name. */
interface Records {
  character: Character;
  location: LocationRecord;
  episode: Episode;
}

/** The record type of a resource: `RecordOf<'character'>` is a character. */
export type RecordOf<N extends ResourceName> = Records[N];

/** The link fields of a resource's records whose value is of type `V`. */
type LinkFieldsOf<N extends ResourceName, V> = {
  [K in keyof (typeof RESOURCES)[N]['links'] & keyof RecordOf<N>]: RecordOf<N>[K] extends V
    ? K
    : never;
}[keyof (typeof RESOURCES)[N]['links'] & keyof RecordOf<N>];

/** The fields that hold lists of links: a character's `episode`, a location's `residents`… */
export type LinkListField = {
  [N in ResourceName]: LinkFieldsOf<N, readonly string[]>;
}[ResourceName];

/** The fields that hold one link (`{ name, url }`): a character's `origin` and `location`. */
export type LinkField = { [N in ResourceName]: LinkFieldsOf<N, { url: string }> }[ResourceName];

/** Every resource, in the registry's order. */
export const RESOURCE_LIST: readonly ResourceDescription[] = Object.values(RESOURCES);

/** Every resource's name, in the registry's order. */
export const RESOURCE_NAMES = Object.keys(RESOURCES) as readonly ResourceName[];
