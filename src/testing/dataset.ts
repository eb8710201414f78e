import { InvalidArgumentError, RickMortyError } from '../errors/classes.js';
import { assertOptionsObject, describeValue, integerOption } from '../internal/checks.js';
import { DEFAULT_BASE_URL } from '../internal/constants.js';
import { nodeBuiltin } from '../internal/node.js';
import type { Character, CharacterGender, CharacterStatus } from '../resources/character.js';
import type { Episode } from '../resources/episode.js';
import type { LocationRecord } from '../resources/location.js';
import { RESOURCE_LIST } from '../resources/registry.js';

/**
 * The collections the fake API serves, each in storage order (by id ascending), with every record
 * in the API's REST output format. Its keys are the registry's collection names (the fake API
 * reads each resource's records under its name, so a missing one does not compile).
 */
export interface Dataset {
  characters: Character[];
  locations: LocationRecord[];
  episodes: Episode[];
}

/** How many records of each kind `generateDataset` makes. */
export interface DatasetCounts {
  characters?: number;
  locations?: number;
  episodes?: number;
}

/** Options of `generateDataset`. */
export interface GenerateDatasetOptions {
  /** Seed of the pseudo-random generator; the same seed always gives byte-identical records. */
  seed?: number;
  /** Defaults to the live API's counts: 826 characters, 126 locations, 51 episodes. */
  counts?: DatasetCounts;
}

/** The base every record URL is written under, as the live API writes it. */
const API_BASE = DEFAULT_BASE_URL;

/** The seed used when none is given: the day the pilot aired. */
const DEFAULT_SEED = 20131202;

const DEFAULT_COUNTS = { characters: 826, locations: 126, episodes: 51 } as const;

/**
 * A small seeded pseudo-random generator (mulberry32): fast, 32-bit state, and identical on
 * every engine, which `Math.random` is not.
 *
 * @internal
 * @example
 * ```ts
 * const random = createRandom(42);
 * random(); // always the same number in [0, 1) for seed 42
 * ```
 */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Word lists, packed one `|`-separated string a line; `x*n` repeats `x` n times to weight the draw
// towards the values the real data has most of.
const FIRST_NAMES = words(
  'Abradolf|Annie|Arthricia|Bearded|Beta|Blim|Bobby|Brad|Cynthia|Davin|Diane|Donna|Elliot',
  'Ethan|Frank|Gene|Glenn|Gwendolyn|Hemorrhage|Ira|Jacqueline|Jessica|Joyce|Karen|Kevin',
  'Krombopulos|Lucy|Mitch|Nancy|Noob|Pencilvester|Reggie|Revolio|Risotto|Sleepy|Stacy|Tammy',
  'Toby|Tricia|Unity|Vance|Xenon|Zeep',
);
const LAST_NAMES = words(
  'Bloom|Blorb|Bonecrusher|Clockberg|Flippins|Gearhead|Glootie|Goldenfold|Gromflom|Gubbins',
  'Lange|Lincler|Matthews|Maxwell|Plumbus|Poopybutthole|Sanchez|Schmidt|Shrimply|Smith',
  'Squanchington|Tinkles|Vance|Wong',
);
const VARIANT_PREFIXES = words(
  'Alien|Baby|Big|Cop|Cowboy|Cronenberg|Doofus|Evil|Fat|Hammerhead|Hologram|Mechanical|Old',
  'Pickle|Shy|Space|Tiny|Toxic|Wasp|Young',
);
const VARIANT_BASES = words('Rick*3|Morty*3|Summer|Beth|Jerry');
const SPECIES = words(
  'Human*8|Alien*4|Humanoid*2|unknown|Robot|Animal|Cronenberg|Mythological Creature',
  'Poopybutthole|Disease|Parasite|Vampire',
);
const TYPES = words(
  'Bird-Person|Cat-Person|Clone|Cyborg|Fish-Person|Gazorpian|Genetic experiment|Hivemind',
  'Microverse inhabitant|Parasite|Robot-Crocodile hybrid|Superhuman|Teenyverse inhabitant',
  'Game|Dog',
);
const STATUSES = words('Alive*5|Dead*3|unknown*2') as CharacterStatus[];
const GENDERS = words('Male*11|Female*6|unknown*2|Genderless') as CharacterGender[];
const PLACE_WORDS = words(
  'Abadango|Alphabetrium|Anatomy|Bepis|Blips|Cronenberg|Froopy|Gazorpazorp|Gear|Glorzo',
  'Gromflom|Immortality|Krootabulon|Midnight|Nuptia|Plumbus|Purge|Snuffles|Squanch',
  'Worldender|Zigerion|Greasy|Interdimensional|Narnia',
);
/** A location type and the name suffixes that suit it. */
const LOCATION_KINDS: readonly (readonly [type: string, suffixes: readonly string[]])[] = [
  ['Planet', words('Prime|Planet|World|IV|Minor|VII')],
  ['Planet', words('Prime|Planet|World|IV|Minor|VII')],
  ['Planet', words('Prime|Planet|World|IV|Minor|VII')],
  ['Space station', words('Station|Outpost|Citadel')],
  ['Cluster', words('Cluster|Nebula')],
  ['Microverse', words('Microverse')],
  ['Resort', words('Resort|Spa')],
  ['Dimension', words('Dimension')],
  ['Fantasy town', words('Town|Village')],
  ['TV', words('TV')],
  ['Dream', words('Dream')],
  ['Spacecraft', words('Cruiser|Ship')],
  ['unknown', words('Lair|Hideout|Zone')],
];
const DIMENSIONS = words(
  'unknown*3|Replacement Dimension|Cronenberg Dimension|Fantasy Dimension',
  'Post-Apocalyptic Dimension|Cromulon Dimension|Pizza Dimension|Unknown dimension',
);
const EPISODE_FIRST = words(
  "A Rickle in|Anatomy|Auto|Close|Edge of|Get|Lawnmower|Look Who's|Meeseeks and|Mortynight",
  'Pickle|Raising|Rest and|Rixty|Something Ricked|The Ricklantis|The Wedding|Total|Vindicators',
  'Mort',
);
const EPISODE_SECOND = words(
  'Time|Park|Erotic Assimilation|Rick-counters|Tomorty|Schwifty|Dog|Purging|Mixup|Destroy|Run',
  'Rick|Gazorpazorp|Ricktionary|Squanchers|Minutes|Rickall|Dinner|Riggity|Morty',
);
const MONTHS = words(
  'January|February|March|April|May|June|July|August|September|October|November|December',
);

function words(...lines: string[]): string[] {
  return lines.flatMap((line) =>
    line.split('|').flatMap((entry) => {
      const [word = '', times = '1'] = entry.split('*');
      return Array.from({ length: Number(times) }, () => word);
    }),
  );
}

const DAY_MS = 86_400_000;

type Random = () => number;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function formatAirDate(ms: number): string {
  const date = new Date(ms);
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}`;
}

/**
 * Draws a name not in `used` (names are unique in the real data); after a few collisions a numeral
 * keeps them apart, so the loop always ends however small the word lists are.
 */
function uniqueName(used: Set<string>, draw: () => string): string {
  let name = draw();
  for (let attempt = 0; used.has(name) && attempt < 4; attempt++) name = draw();
  const base = name;
  for (let n = 2; used.has(name); n++) name = `${base} ${n}`;
  return name;
}

/** The most records `generateDataset` makes of one kind: a thousand times the live API's size. */
const MAX_COUNT = 1_000_000;

function checkCounts(value: unknown): Required<DatasetCounts> {
  const o = assertOptionsObject(value, 'counts', ['characters', 'locations', 'episodes']);
  return {
    characters: integerOption(o.characters, 'counts.characters', DEFAULT_COUNTS.characters, {
      max: MAX_COUNT,
    }),
    locations: integerOption(o.locations, 'counts.locations', DEFAULT_COUNTS.locations, {
      max: MAX_COUNT,
    }),
    episodes: integerOption(o.episodes, 'counts.episodes', DEFAULT_COUNTS.episodes, {
      max: MAX_COUNT,
    }),
  };
}

/**
 * Checks that `value` is a `Dataset` (an array of records with a positive integer `id` under each
 * collection's name) and returns it, for the options of the test kit given from plain JavaScript.
 * The records are not validated beyond their ids.
 */
export function checkDataset(value: unknown, name = 'data'): Dataset {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(
      `Expected \`${name}\` to be a dataset (${RESOURCE_LIST.map((r) => r.collection).join(', ')}), got ${describeValue(value)}`,
    );
  }
  for (const { collection } of RESOURCE_LIST) {
    const records: unknown = (value as Record<string, unknown>)[collection];
    if (!Array.isArray(records)) {
      throw new InvalidArgumentError(
        `Expected \`${name}.${collection}\` to be an array of records, got ${describeValue(records)}`,
      );
    }
    for (const [index, record] of records.entries()) {
      const id = (record as { id?: unknown } | null)?.id;
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
        throw new InvalidArgumentError(
          `Expected \`${name}.${collection}[${index}]\` to be a record with a positive integer id, got ${describeValue(record)}`,
        );
      }
    }
  }
  return value as Dataset;
}

const UNKNOWN_LINK = { name: 'unknown', url: '' } as const;

/** Fixed locations at the ids the real data has them, so that the known facts can refer to them. */
const KNOWN_LOCATIONS: Readonly<Record<number, { name: string; type: string; dimension: string }>> =
  {
    1: { name: 'Earth (C-137)', type: 'Planet', dimension: 'Dimension C-137' },
    2: { name: 'Abadango', type: 'Cluster', dimension: 'unknown' },
    3: { name: 'Citadel of Ricks', type: 'Space station', dimension: 'unknown' },
    5: { name: 'Anatomy Park', type: 'Microverse', dimension: 'Dimension C-137' },
    20: {
      name: 'Earth (Replacement Dimension)',
      type: 'Planet',
      dimension: 'Replacement Dimension',
    },
  };

function generateLocations(random: Random, count: number): LocationRecord[] {
  const locations: LocationRecord[] = [];
  const used = new Set<string>();
  let created = Date.parse('2017-11-10T12:42:04.162Z');
  for (let id = 1; id <= count; id++) {
    const known = KNOWN_LOCATIONS[id];
    let name: string;
    let type: string;
    let dimension: string;
    if (known) {
      ({ name, type, dimension } = known);
    } else {
      const [kind, suffixes] = pick(random, LOCATION_KINDS);
      type = kind;
      name = uniqueName(used, () => `${pick(random, PLACE_WORDS)} ${pick(random, suffixes)}`);
      const roll = random();
      dimension =
        roll < 0.35
          ? `Dimension ${String.fromCharCode(65 + randomInt(random, 0, 25))}-${randomInt(random, 1, 999)}`
          : pick(random, DIMENSIONS);
    }
    used.add(name);
    locations.push({
      id,
      name,
      type,
      dimension,
      residents: [],
      url: `${API_BASE}/location/${id}`,
      created: new Date(created).toISOString(),
    });
    created += randomInt(random, 20_000, 3_600_000);
  }
  return locations;
}

function generateEpisodes(random: Random, count: number): Episode[] {
  const episodes: Episode[] = [];
  let season = 1;
  let inSeason = 0;
  let seasonLength = 11;
  let airDate = Date.UTC(2013, 11, 2);
  let created = Date.parse('2017-11-10T12:56:33.798Z');
  const used = new Set<string>();
  for (let id = 1; id <= count; id++) {
    if (inSeason === seasonLength) {
      season++;
      inSeason = 0;
      seasonLength = random() < 0.3 ? 11 : 10;
      // Whole weeks, so that every episode airs on the pilot's weekday.
      airDate += randomInt(random, 57, 100) * 7 * DAY_MS;
    } else if (id > 1) {
      // Weekly, with the occasional mid-season break the real schedule has.
      airDate += (random() < 0.1 ? randomInt(random, 2, 8) : 1) * 7 * DAY_MS;
    }
    inSeason++;
    const name =
      id === 1
        ? 'Pilot'
        : uniqueName(used, () => `${pick(random, EPISODE_FIRST)} ${pick(random, EPISODE_SECOND)}`);
    used.add(name);
    const code = `S${String(season).padStart(2, '0')}E${String(inSeason).padStart(2, '0')}`;
    episodes.push({
      id,
      name,
      air_date: formatAirDate(airDate),
      episode: code,
      characters: [],
      url: `${API_BASE}/episode/${id}`,
      created: new Date(created).toISOString(),
    });
    created += randomInt(random, 1_000, 600_000);
  }
  return episodes;
}

function locationLink(locations: readonly LocationRecord[], id: number): Character['origin'] {
  const location = locations[id - 1];
  return location ? { name: location.name, url: location.url } : { ...UNKNOWN_LINK };
}

/** A random location among the first `share` of them, or "unknown" with probability `unknownShare`. */
function randomLink(
  random: Random,
  locations: readonly LocationRecord[],
  unknownShare: number,
  share = 1,
) {
  if (locations.length === 0 || random() < unknownShare) return { ...UNKNOWN_LINK };
  return locationLink(locations, randomInt(random, 1, Math.ceil(locations.length * share)));
}

function episodeIds(random: Random, episodeCount: number): number[] {
  if (episodeCount === 0) return [];
  const roll = random();
  const wanted = Math.min(
    episodeCount,
    roll < 0.6 ? 1 : roll < 0.9 ? randomInt(random, 2, 3) : randomInt(random, 4, 10),
  );
  const ids = new Set<number>();
  while (ids.size < wanted) ids.add(randomInt(random, 1, episodeCount));
  return [...ids].sort((a, b) => a - b);
}

function generateCharacters(
  random: Random,
  count: number,
  locations: readonly LocationRecord[],
  episodeCount: number,
): Character[] {
  const characters: Character[] = [];
  const allEpisodes = Array.from({ length: episodeCount }, (_, i) => i + 1);
  const home = locations.length >= 20 ? 20 : 1;
  let created = Date.parse('2017-11-04T18:48:46.250Z');
  for (let id = 1; id <= count; id++) {
    let character: Omit<Character, 'image' | 'url' | 'created' | 'episode' | 'id'> & {
      episode: number[];
    };
    if (id === 1 || id === 2) {
      character = {
        name: id === 1 ? 'Rick Sanchez' : 'Morty Smith',
        status: 'Alive',
        species: 'Human',
        type: '',
        gender: 'Male',
        origin: id === 1 ? locationLink(locations, 1) : { ...UNKNOWN_LINK },
        location: locationLink(locations, locations.length >= 3 ? 3 : 1),
        episode: allEpisodes,
      };
    } else if (id === 10) {
      character = {
        name: 'Alan Rails',
        status: 'Dead',
        species: 'Human',
        type: 'Superhuman (Ghost trains summoner)',
        gender: 'Male',
        origin: { ...UNKNOWN_LINK },
        location: randomLink(random, locations, 0, 0.8),
        episode: episodeIds(random, episodeCount),
      };
    } else if (id === 100) {
      const park = locations.length >= 5 ? 5 : 1;
      character = {
        name: 'Bubonic Plague',
        status: 'Dead',
        species: 'Disease',
        type: '',
        gender: 'unknown',
        origin: locationLink(locations, park),
        location: locationLink(locations, park),
        episode: episodeCount >= 3 ? [3] : episodeIds(random, episodeCount),
      };
    } else {
      const name =
        random() < 0.25
          ? `${pick(random, VARIANT_PREFIXES)} ${pick(random, VARIANT_BASES)}`
          : `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}`;
      // Nobody is left at the last fifth of the places, as some real locations have no residents.
      const location =
        random() < 0.15 && locations.length > 0
          ? locationLink(locations, home)
          : randomLink(random, locations, 0.05, 0.8);
      character = {
        name,
        status: pick(random, STATUSES),
        species: pick(random, SPECIES),
        type: random() < 0.6 ? '' : pick(random, TYPES),
        gender: pick(random, GENDERS),
        origin: randomLink(random, locations, 0.45),
        location,
        episode: episodeIds(random, episodeCount),
      };
    }
    characters.push({
      id,
      name: character.name,
      status: character.status,
      species: character.species,
      type: character.type,
      gender: character.gender,
      origin: character.origin,
      location: character.location,
      image: `${API_BASE}/character/avatar/${id}.jpeg`,
      episode: character.episode.map((episode) => `${API_BASE}/episode/${episode}`),
      url: `${API_BASE}/character/${id}`,
      created: new Date(created).toISOString(),
    });
    created += randomInt(random, 10_000, 4_000_000);
  }
  return characters;
}

/** Fills `residents` and `characters` from the characters' own links, so both sides agree. */
function link(dataset: Dataset): void {
  const locationsByUrl = new Map(dataset.locations.map((location) => [location.url, location]));
  const episodesByUrl = new Map(dataset.episodes.map((episode) => [episode.url, episode]));
  for (const character of dataset.characters) {
    locationsByUrl.get(character.location.url)?.residents.push(character.url);
    for (const url of character.episode) episodesByUrl.get(url)?.characters.push(character.url);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

let defaultDataset: Dataset | undefined;

/**
 * Generates a synthetic but consistent copy of the API's data: the same seed and counts always
 * give byte-identical records, and the records link to each other both ways (a character's
 * `episode` URLs list it back in each episode's `characters`, and each location's `residents`
 * are exactly the characters whose `location` it is). The known facts hold whenever the counts
 * include their ids: character 1 is Rick Sanchez, 2 Morty Smith, 10 Alan Rails, 100 Bubonic
 * Plague; episode 1 is the Pilot (S01E01, "December 2, 2013"); location 1 is Earth (C-137).
 *
 * The dataset for the default options is generated once and shared, so it is deeply frozen;
 * `structuredClone` it for a copy you can change, or pass options to get a fresh one.
 *
 * @example
 * ```ts
 * const data = generateDataset({ seed: 7, counts: { characters: 50 } });
 * data.characters[0]?.name; // 'Rick Sanchez'
 * ```
 */
export function generateDataset(options?: GenerateDatasetOptions): Dataset {
  const o = assertOptionsObject(options, 'options', ['seed', 'counts']);
  const seed = integerOption(o.seed, 'seed', DEFAULT_SEED, { min: Number.MIN_SAFE_INTEGER });
  const counts = checkCounts(o.counts);
  if (options === undefined && defaultDataset) return defaultDataset;

  // One generator per collection: changing one count does not reshuffle the others.
  const locations = generateLocations(createRandom(seed ^ 0x10c), counts.locations);
  const episodes = generateEpisodes(createRandom(seed ^ 0xe95), counts.episodes);
  const characters = generateCharacters(
    createRandom(seed ^ 0xc4a),
    counts.characters,
    locations,
    counts.episodes,
  );
  const dataset: Dataset = { characters, locations, episodes };
  link(dataset);
  if (options === undefined) defaultDataset = deepFreeze(dataset);
  return dataset;
}

function readArray(dir: string, file: string): unknown[] {
  // Looked up at run time, not imported, so that a browser bundle of the mock transport (which
  // imports this module) does not pull in a Node module.
  const fs = nodeBuiltin('node:fs');
  if (!fs) throw new RickMortyError('loadDatasetFromDirectory needs Node.js 20.19 or later');
  const path = `${dir.replace(/[\\/]+$/, '')}/${file}`;
  const value: unknown = JSON.parse(fs.readFileSync(path, 'utf8'));
  if (!Array.isArray(value)) throw new InvalidArgumentError(`${path} does not hold a JSON array`);
  return value;
}

/**
 * Reads a dataset from a directory holding `characters.json`, `locations.json` and
 * `episodes.json`, each an array of records in the REST output format (such as the 2018
 * snapshot of the real data). The records are not validated here; run them through the schemas
 * if the files are not trusted.
 *
 * @example
 * ```ts
 * const data = loadDatasetFromDirectory('../shared/data/rickandmorty-2018');
 * data.characters.length; // 493
 * ```
 */
export function loadDatasetFromDirectory(dir: string): Dataset {
  if (typeof dir !== 'string' || dir === '') {
    throw new InvalidArgumentError(
      `Expected \`dir\` to be the path of a directory, got ${describeValue(dir)}`,
    );
  }
  const entries = RESOURCE_LIST.map(({ collection }) => [
    collection,
    readArray(dir, `${collection}.json`),
  ]);
  // Not validated (see above): the files are taken to hold records of their collection.
  return Object.fromEntries(entries) as unknown as Dataset;
}
