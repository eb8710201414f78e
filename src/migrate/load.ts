import type * as TsMorph from 'ts-morph';

/** The ts-morph module, passed around instead of imported so that it stays an optional peer. */
export type TsMorphModule = typeof TsMorph;

let loaded: Promise<TsMorphModule> | undefined;

/**
 * Loads ts-morph on first use. It is an optional peer dependency: the client itself never needs
 * it, only this tool.
 */
export function loadTsMorph(): Promise<TsMorphModule> {
  loaded ??= import('ts-morph').then(
    (module) => {
      // Loaded as CommonJS, ts-morph's exports may sit on `default` only, depending on the loader.
      const candidate = module as TsMorphModule & { default?: TsMorphModule };
      return typeof candidate.Project === 'function' ? candidate : (candidate.default ?? candidate);
    },
    (error: unknown) => {
      loaded = undefined;
      throw new Error(
        'The migration assistant needs ts-morph, an optional peer dependency of rickmorty-client. Install it with: npm install -D ts-morph',
        { cause: error },
      );
    },
  );
  return loaded;
}

/** A project and the files the tool looks at (the rest only supply types). */
export interface OpenProject {
  readonly tm: TsMorphModule;
  readonly project: TsMorph.Project;
  readonly own: readonly TsMorph.SourceFile[];
  readonly root: string;
  readonly tsconfig: string | undefined;
}

function nodePath(): typeof import('node:path') {
  return process.getBuiltinModule('node:path');
}

function nodeFs(): typeof import('node:fs') {
  return process.getBuiltinModule('node:fs');
}

/** Resolves `tsconfig` against `cwd`; `undefined` asks for `cwd/tsconfig.json` when it exists. */
export function resolveTsconfig(
  cwd: string,
  tsconfig: string | undefined,
  required: boolean,
): string | undefined {
  const path = nodePath();
  const fs = nodeFs();
  const candidate = path.resolve(cwd, tsconfig ?? 'tsconfig.json');
  if (fs.existsSync(candidate)) {
    return fs.statSync(candidate).isDirectory() ? path.join(candidate, 'tsconfig.json') : candidate;
  }
  if (tsconfig !== undefined || required) {
    throw new Error(`No tsconfig at ${candidate}; pass the project's tsconfig (--project path)`);
  }
  return undefined;
}

/** Opens a project from a tsconfig, or from loose files when there is none. */
export async function openProject(options: {
  cwd: string;
  tsconfig: string | undefined;
  files: readonly string[] | undefined;
}): Promise<OpenProject> {
  const tm = await loadTsMorph();
  const path = nodePath();
  const tsconfig = resolveTsconfig(options.cwd, options.tsconfig, options.files === undefined);
  const project = tsconfig
    ? new tm.Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true })
    : new tm.Project({
        compilerOptions: {
          target: tm.ts.ScriptTarget.ES2022,
          module: tm.ts.ModuleKind.NodeNext,
          moduleResolution: tm.ts.ModuleResolutionKind.NodeNext,
          strict: true,
          skipLibCheck: true,
          noEmit: true,
        },
      });
  // The tsconfig's own files are the project; what they import (this package's source, for one)
  // is resolved for its types but neither analysed nor rewritten.
  let own: TsMorph.SourceFile[];
  if (options.files !== undefined) {
    const globs = options.files.map((file) => path.resolve(options.cwd, file).replace(/\\/g, '/'));
    own = project.addSourceFilesAtPaths(globs);
    if (own.length === 0) throw new Error(`No source files match ${options.files.join(', ')}`);
  } else {
    own = tsconfig ? project.addSourceFilesFromTsConfig(tsconfig) : [];
  }
  // What the own files import is loaded by the type checker when it needs it: resolving it all up
  // front (resolveSourceFileDependencies) wraps hundreds of files the analysis never looks at.
  own = own.filter((file) => !file.isDeclarationFile() && !file.isInNodeModules());
  return {
    tm,
    project,
    own,
    root: tsconfig ? path.dirname(tsconfig) : path.resolve(options.cwd),
    tsconfig,
  };
}
