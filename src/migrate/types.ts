/** Where something is in the project: a file relative to the project's root, with `/` separators. */
export interface SourceLocation {
  readonly file: string;
  /** From 1. */
  readonly line: number;
  /** From 1. */
  readonly column: number;
}

/**
 * Who owns a blocking twin: `'client'` a method of `RickMortyClient`, `'library'` a free function of
 * this package (`handleError`), `'project'` a function or method of the project itself that has an
 * `…Async` sibling (as the migration assistant leaves behind).
 */
export type TwinOwner = 'client' | 'library' | 'project';

/** One call of a blocking twin. */
export interface BlockingCall extends SourceLocation {
  /** The blocking twin, e.g. `'getCharacter'`. */
  readonly method: string;
  /** Its async twin, e.g. `'getCharacterAsync'`. */
  readonly asyncTwin: string;
  readonly owner: TwinOwner;
  /** The call as written, shortened to one line. */
  readonly text: string;
  /** `await` the async twin, or iterate it with `for await` (a generator twin such as `iterateCharactersAsync`). */
  readonly rewrite: 'await' | 'for-await';
  /** The code that would have to become async, innermost first, up to the entry points. */
  readonly bubble: BubbleNode;
}

/** What kind of code a bubble node stands for. */
export type UnitKind =
  | 'function'
  | 'method'
  | 'arrow'
  | 'function-expression'
  | 'constructor'
  | 'accessor'
  | 'top-level';

/** How a function is reached from the code above it. */
export type UseKind =
  /** Called: `f(x)`. */
  | 'call'
  /** Iterated: `for (const x of f())`; becomes `for await`. */
  | 'for-of'
  /** An `Array#map` callback; becomes `await Promise.all(xs.map(...))`. */
  | 'map'
  /** The function given to `handleError`; becomes the producer of `handleErrorAsync`. */
  | 'producer'
  /** Called right where it is written: `(() => ...)()`. */
  | 'iife'
  /**
   * Handed to a project function that calls it (`withTiming(label, fn)`): that function gets an
   * async sibling (`withTimingAsync`) that awaits it, and the call moves to the sibling.
   */
  | 'helper'
  /**
   * The callback of an `Array` method whose result would not be awaited (`filter`, `some`,
   * `forEach`...): the call becomes an in-order loop that awaits each call (`filterInOrder`).
   */
  | 'array';

/**
 * One function, method or arrow that would have to become async, or the top level of a module.
 * Its `callers` are the code that would have to await it in turn.
 */
export interface BubbleNode extends SourceLocation {
  readonly kind: UnitKind;
  /** `getNames`, `Repo.load`, `arrow function in getNames`, `top level of main.ts`. */
  readonly name: string;
  /** How the node below reaches this one (absent on the first node of a chain). */
  readonly via: (SourceLocation & { readonly kind: UseKind }) | undefined;
  /** Already `async`: the call only needs `await`, and the bubble stops here. */
  readonly alreadyAsync: boolean;
  /** Nothing in the project calls it (or it is the top level of a module): the bubble ends here. */
  readonly entryPoint: boolean;
  /** Why the bubble cannot go on through this node unattended, when it cannot. */
  readonly attention: string | undefined;
  /** Already shown further down the same chain: a recursive call. */
  readonly recursive: boolean;
  readonly callers: readonly BubbleNode[];
}

/** Something the tool cannot migrate unattended. */
export interface Attention extends SourceLocation {
  readonly message: string;
}

/** What `analyzeProject` found. */
export interface BubbleReport {
  /** The project's root (the tsconfig's folder, or `cwd`). */
  readonly root: string;
  /** The tsconfig used, when there was one. */
  readonly tsconfig: string | undefined;
  /** How many source files were analysed. */
  readonly fileCount: number;
  /** Every call of a blocking twin, each with the bubble above it. */
  readonly calls: readonly BlockingCall[];
  /** Every function that would have to become async, once each, as `name (file:line)`. */
  readonly functions: readonly (SourceLocation & {
    readonly name: string;
    readonly kind: UnitKind;
  })[];
  /** Where the bubbles end: functions nothing calls, and module top levels. */
  readonly entryPoints: readonly (SourceLocation & { readonly name: string })[];
  readonly attention: readonly Attention[];
}

/** Options of `analyzeProject`. */
export interface AnalyzeOptions {
  /** The project's tsconfig, relative to `cwd`. Default: `tsconfig.json` when `cwd` has one. */
  tsconfig?: string;
  /** Analyse only these files (paths or globs relative to `cwd`); the rest still give types. */
  files?: string[];
  /** Default: `process.cwd()`. */
  cwd?: string;
}

/** The part of the program one `migrate` step rewrites. */
export interface MigrationScope {
  /**
   * The bottom function of the step: its blocking-twin calls are rewritten and the bubble rises
   * from it. A name (`getCharacterName`, `Repo.load`) or `file:line` (`src/app.ts:12`).
   */
  function?: string;
  /** Only code in this file: every blocking-twin call in it, and the bubble within it. */
  file?: string;
  /** Stop bubbling at this function (a name or `file:line`): it becomes async, its callers do not. */
  upTo?: string;
}

/** Options of `migrate`. */
export interface MigrateOptions {
  /** The project's tsconfig, relative to `cwd`. Default: `tsconfig.json`. */
  tsconfig?: string;
  /** Default: `process.cwd()`. */
  cwd?: string;
  scope: MigrationScope;
  /** Write the change to disk. Default: `false`, a dry run. */
  write?: boolean;
  /**
   * Keep a blocking twin of each migrated function that code outside the step still calls
   * (`getNames` stays, `getNamesAsync` is added), so that those callers keep working. Default:
   * `true`. With `false` the functions change in place and a step with callers outside it is
   * refused.
   */
  keepBlockingTwins?: boolean;
}

/** A function the step makes async. */
export interface ConvertedFunction extends SourceLocation {
  readonly name: string;
  readonly kind: UnitKind;
  /** `'in-place'`: the function itself became async. `'twin'`: an async twin was added beside it. */
  readonly mode: 'in-place' | 'twin';
  /** The async twin's name, for `mode: 'twin'`. */
  readonly twinName: string | undefined;
  /** Whether it got the `async` keyword: an arrow that only returns the async twin's promise needs none. */
  readonly asyncKeyword: boolean;
  /**
   * Why the blocking version is kept, for `mode: 'twin'`: `exported: code outside the project may
   * call it`, `callers outside the step`, `called by the blocking getNames`...
   */
  readonly reason: string | undefined;
}

/**
 * How a `.map` whose callback became async was rewritten: `await Promise.all(xs.map(...))`, which
 * runs the calls together (the article's point), only when nothing the callback does could tell;
 * otherwise `await mapInOrder(xs, ...)`, one call after another as before.
 */
export interface MapForm extends SourceLocation {
  /** The call as written before. */
  readonly text: string;
  readonly concurrent: boolean;
  /** Why: the effect that keeps it in order, or why it may run concurrently. */
  readonly reason: string;
}

/** An exported function changed in place (`--in-place`): its callers outside the project must change too. */
export interface SignatureChange extends SourceLocation {
  readonly name: string;
  /** The return type before, e.g. `string[]`. */
  readonly before: string;
  /** And after, e.g. `Promise<string[]>`. */
  readonly after: string;
}

/**
 * A caller outside the step of a function the step makes async. With blocking twins kept it goes
 * on calling the blocking one; without, it would break, and the step is refused.
 */
export interface Strand extends SourceLocation {
  /** The caller, e.g. `main`. */
  readonly caller: string;
  /** The function it calls, e.g. `getNames`. */
  readonly callee: string;
  /** `true`: it keeps working through the blocking twin. `false`: the step would break it. */
  readonly kept: boolean;
  readonly message: string;
}

/** A type error, as `tsc` prints it. */
export interface DiagnosticInfo {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly code: number;
  readonly message: string;
  /** `file:line:column - error TS2322: message`. */
  readonly text: string;
}

/** One file the step changes. */
export interface ChangedFile {
  /** Absolute path. */
  readonly path: string;
  /** Relative to the project's root. */
  readonly file: string;
  readonly before: string;
  readonly after: string;
}

/** What `migrate` did, or would do. */
export interface MigrationResult {
  /** The change type-checks no worse than the project did, and leaves no caller broken. */
  readonly ok: boolean;
  /** Whether the files were written (only with `write: true` and `ok`). */
  readonly written: boolean;
  /** Why the step was refused, one reason a line; empty when `ok`. */
  readonly refusal: readonly string[];
  /** A unified diff of the change (`--- a/file`, `+++ b/file`). */
  readonly diff: string;
  readonly files: readonly ChangedFile[];
  readonly converted: readonly ConvertedFunction[];
  /** Calls rewritten: `client.getCharacter(id)` → `await client.getCharacterAsync(id)`. */
  readonly rewrites: readonly (SourceLocation & {
    readonly before: string;
    readonly after: string;
  })[];
  readonly strands: readonly Strand[];
  readonly attention: readonly Attention[];
  /** Type errors the project had before the step. */
  readonly diagnosticsBefore: number;
  /** Type errors the step would add; the step is refused when there are any. */
  readonly newDiagnostics: readonly DiagnosticInfo[];
  /** Hints for the next step. */
  readonly notes: readonly string[];
  /** Each `.map` the step rewrote, and whether it runs its calls together or in order, and why. */
  readonly forms: readonly MapForm[];
  /** Exported functions whose signature changed (only with `keepBlockingTwins: false`). */
  readonly exportsChanged: readonly SignatureChange[];
  /**
   * The scope had nothing left to migrate (run again on its own output, or no blocking call in
   * it): `ok` is `true`, nothing changes.
   */
  readonly nothingToDo: boolean;
}

/** Where `runMigrateCommand` writes. */
export interface CommandIo {
  /** Where the report or the diff goes. */
  readonly stdout: {
    /** Writes a piece of the output. */
    write(text: string): unknown;
  };
  /** Where summaries and errors go. */
  readonly stderr: {
    /** Writes a piece of the output. */
    write(text: string): unknown;
  };
  /** The directory paths are resolved against. */
  readonly cwd: string;
}

/** Options of `migrateAll`. */
export interface MigrateAllOptions {
  /** The project's tsconfig, relative to `cwd`. Default: `tsconfig.json`. */
  tsconfig?: string;
  /** Default: `process.cwd()`. */
  cwd?: string;
  /** Write the changes to disk. Default: `false`, a dry run. */
  write?: boolean;
  /**
   * Keep the blocking version of exported functions (and of any function something outside the
   * migrated code still calls) beside the new async one. Default: `true`. With `false`, exported
   * functions change in place and the result lists them under `exportsChanged`.
   */
  keepBlockingTwins?: boolean;
}

/** What `migrateAll` did to one file of the project. */
export interface FileSummary {
  /** Relative to the project's root. */
  readonly file: string;
  /** `changed`: rewritten; `refused`: every step that would have changed it was refused; `unchanged`. */
  readonly status: 'changed' | 'refused' | 'unchanged';
  /** Functions that became async in place. */
  readonly changed: readonly string[];
  /** Functions that kept their blocking version beside a new async twin, and why. */
  readonly twins: readonly string[];
  /** Why steps touching this file were refused. */
  readonly refused: readonly string[];
  /** Blocking calls left as they were, and why. */
  readonly attention: readonly string[];
}

/** One step of `migrateAll`: a function with blocking calls, and the bubble above it. */
export interface StepSummary extends SourceLocation {
  /** The bottom function, e.g. `getCharacterName`. */
  readonly bottom: string;
  /**
   * `migrated`; `refused` (the rule refused it: nothing of it is written); `blocking` (every
   * blocking call in it must stay blocking, e.g. in a getter: see `attention`).
   */
  readonly status: 'migrated' | 'refused' | 'blocking';
  /** Not refused. */
  readonly ok: boolean;
  /** Why it was refused, one reason a line. */
  readonly refusal: readonly string[];
}

/** What `migrateAll` did, or would do. */
export interface MigrateAllResult {
  /** No step was refused. */
  readonly ok: boolean;
  /** Whether the files were written (only with `write: true`; refused steps never are). */
  readonly written: boolean;
  /** Nothing left to migrate: no step changes anything, and none is refused. */
  readonly nothingToDo: boolean;
  /** The steps, bottom-up, each with its outcome. */
  readonly steps: readonly StepSummary[];
  /** Every file of the project that a step touched or tried to. */
  readonly files: readonly FileSummary[];
  /** The files the accepted steps change, before and after. */
  readonly changedFiles: readonly ChangedFile[];
  /** A unified diff of the accepted steps. */
  readonly diff: string;
  readonly forms: readonly MapForm[];
  readonly exportsChanged: readonly SignatureChange[];
  readonly attention: readonly Attention[];
  readonly notes: readonly string[];
}
