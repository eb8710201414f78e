import type * as TsMorph from 'ts-morph';
import { Analysis, type Unit } from './analysis.js';
import { type OpenProject, openProject } from './load.js';
import type { PlanScope } from './plan.js';
import { resolveFile, resolveUnit } from './resolve.js';
import { runStep, type StepOutcome, writeFiles } from './step.js';
import type { MigrateOptions, MigrationResult } from './types.js';

type Node = TsMorph.Node;

/**
 * Rewrites one bounded part of a project from the blocking twins to the async ones: the
 * blocking-twin calls in the scope become awaited calls of their async twins, the functions
 * around them become async, and so do their callers, up to `scope.upTo` or the scope's edge.
 *
 * The rule it keeps: after the step the program behaves exactly as before (same output, same
 * order of side effects, same exit code, and the same for callers it cannot see), or the step is
 * refused, with the reason, and nothing is written. So exported functions, and functions that
 * code outside the step still calls, keep their blocking version and gain an async twin beside
 * it (`getNames` stays, `getNamesAsync` is added), unless `keepBlockingTwins: false`; a `.map`
 * becomes `Promise.all` only when its callback has no effect that running the calls together
 * would reorder; a callback whose promise would not be awaited (`filter`, `forEach`) becomes an
 * in-order loop, or keeps its blocking call; and the project is type-checked before and after.
 *
 * `write` defaults to `false`: a dry run that returns the diff.
 *
 * @example
 * ```ts
 * const step = await migrate({
 *   cwd: 'app',
 *   scope: { function: 'getCharacterName', upTo: 'getNames' },
 * });
 * if (step.ok) console.log(step.diff); // then run again with write: true
 * else console.error(step.refusal.join('\n'));
 * ```
 *
 * Note: running a step again on its own output reports `nothingToDo` and changes nothing: a
 * blocking twin kept beside its async one is never converted.
 *
 * Note: only what the type checker can follow is migrated: a function stored in a variable of its
 * own type, passed to a callback that does not await (`setTimeout`, an event handler), or called
 * from a constructor or getter is reported under `attention` and left blocking.
 */
export async function migrate(options: MigrateOptions): Promise<MigrationResult> {
  if (typeof options !== 'object' || options === null || typeof options.scope !== 'object') {
    throw new TypeError(
      'migrate needs options with a scope: { scope: { function } } or { scope: { file } }',
    );
  }
  const cwd = options.cwd ?? process.cwd();
  const { scope } = options;
  if (scope.function === undefined && scope.file === undefined) {
    throw new TypeError('migrate needs a scope: a function (name or file:line) or a file');
  }
  const open = await openProject({ cwd, tsconfig: options.tsconfig, files: undefined });
  return migrateIn(open, options);
}

/**
 * `migrate` on a project already open: for a session of several steps (and the tests), which
 * parse the project once. A dry run leaves the project in memory as it was.
 *
 * @internal
 */
export function migrateIn(
  open: Pick<OpenProject, 'tm' | 'project' | 'own' | 'root'>,
  options: MigrateOptions,
): MigrationResult {
  const cwd = options.cwd ?? process.cwd();
  const { scope } = options;
  const analysis = new Analysis(open);
  const file = scope.file !== undefined ? resolveFile(analysis, scope.file, cwd) : undefined;
  const bottom: Node =
    scope.function !== undefined ? resolveUnit(analysis, scope.function, cwd) : (file as Node);
  if (file && bottom !== file && bottom.getSourceFile() !== file) {
    throw new Error(`${scope.function} is not in ${scope.file}`);
  }
  const planScope: PlanScope = {
    bottoms: [bottom],
    file,
    upTo: scope.upTo !== undefined ? resolveUnit(analysis, scope.upTo, cwd) : undefined,
    keepTwins: options.keepBlockingTwins ?? true,
  };
  const scopeName = analysis.tm.Node.isSourceFile(bottom)
    ? analysis.relative(bottom.getFilePath())
    : analysis.unitName(bottom);
  const hint = nothingToDoHint(analysis, bottom, scopeName);
  const outcome = runStep(analysis, planScope);
  return finish(outcome, hint, options.write === true);
}

/** What to say when the scope has no blocking call left: where the bubble starts instead. */
function nothingToDoHint(analysis: Analysis, bottom: Node, scopeName: string): string {
  const tm = analysis.tm;
  const kept = analysis.keptTwinAround(bottom);
  if (kept) {
    return `Nothing to do: ${analysis.unitName(kept)} is the blocking twin kept beside ${analysis.unitName(kept)}Async for the callers that still block.`;
  }
  const below = new Set<string>();
  if (!tm.Node.isSourceFile(bottom)) {
    for (const call of bottom.getDescendantsOfKind(tm.SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      const name = tm.Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : callee;
      let symbol = name.getSymbol();
      if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
      const declaration = symbol?.getDeclarations()[0];
      const unit: Unit | undefined = declaration
        ? analysis.unitOfDeclaration(declaration)
        : undefined;
      if (unit && analysis.isOwn(unit) && analysis.twinCalls(unit).length > 0) {
        below.add(analysis.unitName(unit));
      }
    }
  }
  const rest =
    below.size > 0
      ? ` Migrate the functions it calls first (${[...below].join(', ')}): the bubble rises from the bottom.`
      : '';
  return `Nothing to do: ${scopeName} makes no call of a blocking twin that is not migrated already.${rest}`;
}

function finish(outcome: StepOutcome, hint: string, write: boolean): MigrationResult {
  const { plan, report } = outcome;
  const refusal = [...outcome.refusal];
  let nothingToDo = false;
  const notes = [...report.notes];
  if (plan.sites.size === 0 && refusal.length === 0) {
    if (plan.attention.length > 0) {
      refusal.push(
        `Nothing in the scope can be migrated: ${plan.attention.map((item) => `${item.file}:${item.line} ${item.message}`).join('; ')}.`,
      );
    } else {
      nothingToDo = true;
      notes.unshift(hint);
    }
  }
  const ok = refusal.length === 0;
  if (!ok || !write) outcome.revert();
  const written = ok && write && outcome.files.length > 0;
  if (written) writeFiles(outcome.files);
  return {
    ok,
    written,
    refusal,
    diff: outcome.diff,
    files: outcome.files,
    converted: report.converted,
    rewrites: [...outcome.edits.rewrites],
    strands: report.strands,
    attention: plan.attention,
    diagnosticsBefore: outcome.diagnosticsBefore,
    newDiagnostics: outcome.newDiagnostics,
    notes,
    forms: report.forms,
    exportsChanged: report.exportsChanged,
    nothingToDo,
  };
}
