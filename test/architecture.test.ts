/**
 * The design holds: every import in src/ points down the layers (docs/architecture.md), and the
 * resource registry is the single source of what the operations, the CLI, the fake API, the
 * relation resolver and the endpoint map know of each resource.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { filtersOf, RESOURCE_OF_COMMAND } from '../src/cli/resources.js';
import { COMMAND_USAGE, MAIN_USAGE } from '../src/cli/usage.js';
import { resourceTwins, TWINS } from '../src/client/twins.js';
import { RickMortyClient } from '../src/client.js';
import { ArgumentRangeError, InvalidArgumentError } from '../src/errors/index.js';
import { idFromUrl } from '../src/operations/relations.js';
import { listQuery } from '../src/operations/resources.js';
import { endpointsSchema } from '../src/resources/endpoints.js';
import { RESOURCE_LIST, RESOURCE_NAMES, RESOURCES } from '../src/resources/registry.js';
import { createFakeApi, generateDataset } from '../src/testing/index.js';
import { REPO_ROOT } from './helpers/client-fixtures.js';

const SRC = join(REPO_ROOT, 'src');

/**
 * The layers, bottom (0) to top. A module may import from its own folder, or from a layer below
 * its own; never from a layer above, nor from another folder of the same layer.
 */
const RANK: Readonly<Record<string, number>> = {
  errors: 0,
  internal: 1,
  resources: 2,
  transports: 2,
  operations: 3,
  client: 4,
  testing: 5,
  migrate: 5,
  cli: 6,
  index: 7,
};

/** The layer a file of src/ belongs to: its folder, or for a top-level file its name. */
function layerOf(file: string): string {
  const [first, second] = relative(SRC, file).split(sep);
  return second === undefined ? (first ?? '').replace(/\.[cm]?[jt]s$/, '') : (first ?? '');
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Every relative import of a file (static, dynamic, type-only and re-exports), resolved. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')));
}

const files = sourceFiles(SRC);
const edges = files.flatMap((file) => importsOf(file).map((target) => ({ file, target })));

describe('layers', () => {
  it('knows the layer of every file in src/', () => {
    const unknown = files.filter((file) => RANK[layerOf(file)] === undefined);
    expect(unknown.map((file) => relative(REPO_ROOT, file))).toEqual([]);
    expect(edges.length).toBeGreaterThan(100);
  });

  it('has no import from a higher layer, nor across folders of one layer', () => {
    const wrong = edges
      .filter(({ file, target }) => {
        const from = layerOf(file);
        const to = layerOf(target);
        const [fromRank, toRank] = [RANK[from] ?? -1, RANK[to] ?? Number.POSITIVE_INFINITY];
        return toRank > fromRank || (toRank === fromRank && from !== to);
      })
      .map(({ file, target }) => `${relative(SRC, file)} -> ${relative(SRC, target)}`);
    expect(wrong).toEqual([]);
  });

  it('reaches Node built-ins through one lookup, and names no error class by a string', () => {
    // src/migrate is Node-only (it runs ts-morph) and is left out of this check.
    const checked = files.filter((file) => layerOf(file) !== 'migrate');
    const lookups = checked.filter((file) =>
      /\bgetBuiltinModule\?*\.?\(/.test(readFileSync(file, 'utf8')),
    );
    // The other: the bootstrap of our worker threads, a string of code the new thread runs before
    // it can import anything of ours (src/transports/worker-thread.ts).
    expect(lookups.map((file) => relative(SRC, file))).toEqual([
      join('internal', 'node.ts'),
      join('transports', 'worker-thread.ts'),
    ]);
    // The guards in src/errors are where names are compared, so that nothing else has to.
    const byName = checked
      .filter((file) => layerOf(file) !== 'errors')
      .flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/name\s*[!=]==\s*'(\w+Error)'/g)]
          .map((match) => match[1])
          // The structured clone algorithm's own DOMException: none of our guards applies.
          .filter((name) => name !== 'DataCloneError')
          .map((name) => `${relative(SRC, file)}: ${name}`),
      );
    expect(byName).toEqual([]);
  });

  it("defines the API's address once", () => {
    const spelled = files.filter((file) =>
      readFileSync(file, 'utf8').includes("'https://rickandmortyapi.com/api'"),
    );
    expect(spelled.map((file) => relative(SRC, file))).toEqual([join('internal', 'constants.ts')]);
  });

  it('keeps src/client.ts to the public twins and their docs: one class, under 450 lines', () => {
    const text = readFileSync(join(SRC, 'client.ts'), 'utf8');
    expect(text.split('\n').length).toBeLessThan(450);
    const source = ts.createSourceFile('client.ts', text, ts.ScriptTarget.Latest);
    const declared = source.statements.filter(
      (statement) => !ts.isImportDeclaration(statement) && !ts.isVariableStatement(statement),
    );
    expect(declared.map((statement) => ts.SyntaxKind[statement.kind])).toEqual([
      'ClassDeclaration',
    ]);
  });
});

describe('the resource registry is the single source', () => {
  const data = generateDataset({ counts: { characters: 30, locations: 10, episodes: 5 } });
  const api = createFakeApi({ data });
  const get = (path: string) => {
    const response = api.handle({ method: 'GET', url: `${api.baseUrl}${path}` });
    return { status: response.status, json: JSON.parse(response.body) as unknown };
  };

  it.each(RESOURCE_NAMES)("the CLI's commands and flags for %s are the registry's", (name) => {
    const resource = RESOURCES[name];
    expect(RESOURCE_OF_COMMAND[resource.path]).toBe(name);
    expect(RESOURCE_OF_COMMAND[resource.collection]).toBe(name);
    expect(filtersOf(name)).toEqual(Object.keys(resource.filters));
    for (const filter of Object.keys(resource.filters)) {
      expect(COMMAND_USAGE[resource.collection]).toContain(`--${filter} `);
    }
    expect(MAIN_USAGE).toContain(`  ${resource.path} <id...>`);
    expect(MAIN_USAGE).toContain(`  ${resource.collection} `);
  });

  it.each(RESOURCE_NAMES)("the operations' filters for %s are the registry's", (name) => {
    const resource = RESOURCE_LIST.find((entry) => entry.path === name)!;
    for (const [filter, spec] of Object.entries(resource.filters)) {
      const value = spec.values?.[0] ?? 'x';
      expect(listQuery(resource, { [filter]: value })).toEqual({ [filter]: value });
      if (spec.values) {
        expect(() => listQuery(resource, { [filter]: 'no such value' })).toThrow(
          ArgumentRangeError,
        );
      }
    }
    expect(() => listQuery(resource, { notAFilter: 'x' })).toThrow(InvalidArgumentError);
    // Names every object has are not filters either.
    expect(() => listQuery(resource, { constructor: 'x' })).toThrow(InvalidArgumentError);
  });

  it.each(RESOURCE_NAMES)("the fake API's collection for %s is the registry's", (name) => {
    const resource = RESOURCES[name];
    const records = data[resource.collection];
    expect(get(`/${name}`).json).toMatchObject({ info: { count: records.length } });
    expect(get(`/${name}/999999`)).toEqual({ status: 404, json: { error: resource.notFound } });
    for (const filter of Object.keys(resource.filters)) {
      // A registry filter filters: a value no record has matches nothing.
      expect(get(`/${name}?${filter}=zz-no-record-has-this`).status).toBe(404);
    }
    // Anything else is ignored, as the real server ignores it.
    expect(get(`/${name}?notAFilter=zz`).json).toMatchObject({ info: { count: records.length } });
  });

  it('the endpoint map has one entry per resource, under its collection name', () => {
    const map = get('/').json as Record<string, string>;
    expect(Object.keys(map)).toEqual(RESOURCE_LIST.map((resource) => resource.collection));
    expect(endpointsSchema.parse(map)).toEqual(map);
    for (const resource of RESOURCE_LIST) {
      expect(map[resource.collection]).toBe(`${api.baseUrl}/${resource.path}`);
    }
  });

  it.each(RESOURCE_NAMES)('the relation resolver reads record URLs of %s', (name) => {
    expect(idFromUrl(`https://rickandmortyapi.com/api/${name}/42`)).toBe(42);
    expect(idFromUrl(`https://rickandmortyapi.com/api/not-${name}/42`)).toBeUndefined();
  });

  it("every link names a registered resource, on a field of the record's schema", () => {
    for (const resource of RESOURCE_LIST) {
      const record = data[resource.collection as keyof typeof data][0] as unknown as Record<
        string,
        unknown
      >;
      for (const [field, target] of Object.entries(resource.links)) {
        expect(RESOURCE_NAMES).toContain(target);
        const value = record[field];
        const urls = Array.isArray(value) ? value : [(value as { url: string }).url];
        for (const url of urls.filter((link) => link !== '')) {
          expect(String(url)).toMatch(new RegExp(`/${target}/\\d+$`));
        }
      }
    }
  });

  it('the client has the six twin pairs of each resource', () => {
    for (const resource of RESOURCE_LIST) {
      for (const twin of Object.values(resourceTwins(resource))) {
        expect(Object.keys(TWINS)).toContain(twin);
        expect(typeof (RickMortyClient.prototype as unknown as Record<string, unknown>)[twin]).toBe(
          'function',
        );
      }
    }
  });
});
