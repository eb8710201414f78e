import type * as TsMorph from 'ts-morph';
import { Analysis, type Unit } from './analysis.js';
import { buildEdits } from './edits.js';
import { EffectAnalysis } from './effects.js';
import { type OpenProject, openProject } from './load.js';
import { Plan, type PlanScope } from './plan.js';
import type { StepReport } from './report.js';
import { runStep, type StepOutcome, writeFiles } from './step.js';
import { unifiedDiff } from './text.js';
import type {
  Attention,
  ChangedFile,
  FileSummary,
  MigrateAllOptions,
  MigrateAllResult,
  StepSummary,
} from './types.js';

type Node = TsMorph.Node;
type SourceFile = TsMorph.SourceFile;

/** A bottom of the bubble: a named function (or a module's top level) that makes blocking calls. */
interface Bottom {
  readonly unit: Node;
  /** Finds the same function again after earlier steps changed the text around it. */
  readonly key: string;
  readonly name: string;
  readonly file: string;
}

/**
 * Migrates the whole bubble of a project in one command, bottom-up: each function that makes a
 * blocking call is a step, with everything above it up to the entry points, and each step is held
 * to the same rule as `migrate` (behaviour kept, or refused with its reason, and the type-check
 * gate). Refused steps are left out and reported; the others are written together. The result has
 * a summary per file: changed, twin kept, or refused and why, as jscodeshift reports a run.
 *
 * @example
 * ```ts
 * const result = await migrateAll({ cwd: 'app', write: true });
 * for (const file of result.files) console.log(file.file, file.status, file.refused.join('; '));
 * ```
 *
 * Note: the steps are first planned and checked together, in one type-check; only when that fails
 * does it fall back to one step at a time, to tell which step breaks the build.
 */
export async function migrateAll(options: MigrateAllOptions = {}): Promise<MigrateAllResult> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('migrateAll takes an options object: { cwd, tsconfig, write }');
  }
  const cwd = options.cwd ?? process.cwd();
  const open = await openProject({ cwd, tsconfig: options.tsconfig, files: undefined });
  return migrateAllIn(open, options);
}

/**
 * `migrateAll` on a project already open (see `migrateIn`). A dry run leaves the project in memory
 * as it was.
 *
 * @internal
 */
export function migrateAllIn(
  open: Pick<OpenProject, 'tm' | 'project' | 'own' | 'root'>,
  options: MigrateAllOptions = {},
): MigrateAllResult {
  return runAll(open, options.keepBlockingTwins ?? true, options.write === true);
}

function bottomKey(analysis: Analysis, unit: Node): string {
  return `${unit.getSourceFile().getFilePath()}#${analysis.unitName(unit)}`;
}

/** The named functions (and top levels) whose bodies make blocking calls, in source order. */
function findBottoms(analysis: Analysis): Bottom[] {
  const tm = analysis.tm;
  const found = new Map<Node, Bottom>();
  for (const twin of analysis.twinCalls()) {
    let unit: Node = analysis.unitOf(twin.call);
    // An unnamed callback belongs to the step of the function it is written in.
    while (
      (tm.Node.isArrowFunction(unit) || tm.Node.isFunctionExpression(unit)) &&
      !analysis.bindingName(unit)
    ) {
      unit = analysis.unitOf(unit);
    }
    if (found.has(unit)) continue;
    found.set(unit, {
      unit,
      key: bottomKey(analysis, unit),
      name: analysis.unitName(unit),
      file: analysis.relative(unit.getSourceFile().getFilePath()),
    });
  }
  return [...found.values()];
}

/** Orders bottoms so that a function comes before the bottoms that call it (bottom-up). */
function bottomUp(analysis: Analysis, bottoms: readonly Bottom[]): Bottom[] {
  const index = new Map(bottoms.map((bottom, i) => [bottom.unit, i] as const));
  const above = bottoms.map((bottom) => {
    const seen = new Set<Node>([bottom.unit]);
    const queue: Node[] = [bottom.unit];
    const callers = new Set<number>();
    for (let unit = queue.shift(); unit; unit = queue.shift()) {
      if (analysis.tm.Node.isSourceFile(unit)) continue;
      for (const use of analysis.usesOf(unit)) {
        if (use.kind === 'escape' || use.kind === 'value' || use.kind === 'awaited') continue;
        const host = analysis.unitOf(use.site);
        if (seen.has(host)) continue;
        seen.add(host);
        const other = index.get(host);
        if (other !== undefined) callers.add(other);
        queue.push(host);
      }
    }
    return callers;
  });
  // Kahn's algorithm, in source order where the call graph leaves a choice; a cycle (mutual
  // recursion) is taken in source order.
  const before = bottoms.map(() => new Set<number>());
  above.forEach((callers, i) => {
    for (const j of callers) if (!above[j]?.has(i)) before[j]?.add(i);
  });
  const placed = new Set<number>();
  const order: Bottom[] = [];
  while (order.length < bottoms.length) {
    let next = bottoms.findIndex(
      (_, i) => !placed.has(i) && [...(before[i] ?? [])].every((j) => placed.has(j)),
    );
    if (next < 0) next = bottoms.findIndex((_, i) => !placed.has(i));
    placed.add(next);
    const bottom = bottoms[next];
    if (bottom) order.push(bottom);
  }
  return order;
}

/**
 * A step, or why it could not even be planned: a step the tool cannot write (a case it does not
 * handle) is refused on its own, and the other steps go on.
 */
function safeStep(
  analysis: Analysis,
  scope: PlanScope,
  effects?: EffectAnalysis,
): StepOutcome | string {
  try {
    return runStep(analysis, scope, effects);
  } catch (error) {
    return `The tool could not write this step (${error instanceof Error ? error.message : String(error)}): migrate it by hand.`;
  }
}

/** A step for one bottom, planned without touching the project: its refusal, if any. */
function tryBottom(
  analysis: Analysis,
  bottom: Bottom,
  keepTwins: boolean,
  effects: EffectAnalysis,
): string[] {
  const scope: PlanScope = { bottoms: [bottom.unit], file: undefined, upTo: undefined, keepTwins };
  try {
    const plan = new Plan(analysis, scope, effects).run();
    return [...plan.refusal, ...buildEdits(plan).refusal];
  } catch (error) {
    return [
      `The tool could not plan this step (${error instanceof Error ? error.message : String(error)}): migrate it by hand.`,
    ];
  }
}

interface StepState {
  /** Found again on each new analysis: nodes of an older one are gone once a step was tried. */
  bottom: Bottom;
  readonly refusal: string[];
  readonly at: ReturnType<Analysis['location']>;
  /** Whether any of its blocking calls was rewritten. */
  migrated: boolean;
}

/** The blocking calls of each state's bottom, to tell afterwards which ones a step rewrote. */
function originsOf(analysis: Analysis, states: readonly StepState[]): Map<StepState, Node[]> {
  return new Map(
    states.map((state) => [state, analysis.twinCalls(state.bottom.unit).map((t) => t.call)]),
  );
}

/**
 * The accepted steps, applied in memory: first all together (one plan, one type-check), which is
 * what a healthy project needs; when that is refused, each bottom is planned on its own to set
 * aside the steps the rule refuses, the rest is tried together again, and when the build still
 * breaks, the steps go one at a time.
 */
function applySteps(
  open: Opened,
  states: readonly StepState[],
  keepTwins: boolean,
): { reports: StepReport[]; attention: Attention[] } {
  let analysis = new Analysis(open);
  const effects = new EffectAnalysis(analysis);
  const reports: StepReport[] = [];
  const attention: Attention[] = [];
  const scopeOf = (units: Node[]): PlanScope => ({
    bottoms: units,
    file: undefined,
    upTo: undefined,
    keepTwins,
  });
  const together = (candidates: readonly StepState[]): boolean => {
    if (candidates.length === 0) return true;
    const origins = originsOf(analysis, candidates);
    const outcome = safeStep(
      analysis,
      scopeOf(candidates.map((state) => state.bottom.unit)),
      effects,
    );
    if (typeof outcome === 'string') return false;
    if (outcome.refusal.length === 0) {
      reports.push(outcome.report);
      attention.push(...outcome.plan.attention);
      for (const [state, calls] of origins) {
        state.migrated = calls.some((call) => outcome.plan.sites.has(call));
      }
      return true;
    }
    outcome.revert();
    return false;
  };
  if (together(states)) return { reports, attention };
  analysis = new Analysis(open);
  const fresh = new EffectAnalysis(analysis);
  const byKey = new Map(findBottoms(analysis).map((bottom) => [bottom.key, bottom]));
  const accepted: StepState[] = [];
  for (const state of states) {
    const bottom = byKey.get(state.bottom.key);
    if (!bottom) continue;
    state.bottom = bottom;
    state.refusal.push(...tryBottom(analysis, bottom, keepTwins, fresh));
    if (state.refusal.length === 0) accepted.push(state);
  }
  const ordered = bottomUp(
    analysis,
    accepted.map((state) => state.bottom),
  );
  const rest = ordered.map((bottom) => accepted.find((state) => state.bottom.key === bottom.key)!);
  if (together(rest)) return { reports, attention };
  // One step at a time, on a fresh analysis each, to tell which one breaks the build.
  for (const state of rest) {
    analysis = new Analysis(open);
    const unit = findAgain(analysis, state.bottom.key);
    if (!unit) continue;
    const calls = analysis.twinCalls(unit).map((t) => t.call);
    const outcome = safeStep(analysis, scopeOf([unit]));
    if (typeof outcome === 'string') {
      state.refusal.push(outcome);
    } else if (outcome.refusal.length > 0) {
      outcome.revert();
      state.refusal.push(...outcome.refusal);
    } else {
      reports.push(outcome.report);
      attention.push(...outcome.plan.attention);
      state.migrated = calls.some((call) => outcome.plan.sites.has(call));
    }
  }
  return { reports, attention };
}

type Opened = Pick<OpenProject, 'tm' | 'project' | 'own' | 'root'>;

function runAll(open: Opened, keepTwins: boolean, write: boolean): MigrateAllResult {
  const original = new Map<SourceFile, string>(open.own.map((file) => [file, file.getFullText()]));
  const analysis = new Analysis(open);
  const bottoms = findBottoms(analysis);
  const states: StepState[] = bottoms.map((bottom) => ({
    bottom,
    refusal: [],
    at: analysis.location(analysis.bindingName(bottom.unit) ?? bottom.unit),
    migrated: false,
  }));
  const { reports, attention } = applySteps(open, states, keepTwins);
  const changedFiles: ChangedFile[] = [];
  for (const [file, before] of original) {
    const after = file.getFullText();
    if (after !== before) {
      changedFiles.push({
        path: file.getFilePath(),
        file: analysis.relative(file.getFilePath()),
        before,
        after,
      });
    }
  }
  const ok = states.every((state) => state.refusal.length === 0);
  const written = write && changedFiles.length > 0;
  if (written) writeFiles(changedFiles);
  else
    for (const [file, before] of original)
      if (file.getFullText() !== before) file.replaceWithText(before);
  const steps: StepSummary[] = states.map((state) => ({
    ...state.at,
    bottom: state.bottom.name,
    status: state.refusal.length > 0 ? 'refused' : state.migrated ? 'migrated' : 'blocking',
    ok: state.refusal.length === 0,
    refusal: state.refusal,
  }));
  return {
    ok,
    written,
    nothingToDo: ok && changedFiles.length === 0,
    steps,
    files: fileSummaries(analysis, steps, reports, attention, changedFiles),
    changedFiles,
    diff: changedFiles.map((file) => unifiedDiff(file.file, file.before, file.after)).join(''),
    forms: reports.flatMap((report) => report.forms),
    exportsChanged: reports.flatMap((report) => report.exportsChanged),
    attention,
    notes: reports.flatMap((report) => report.notes),
  };
}

function findAgain(analysis: Analysis, key: string): Unit | undefined {
  return findBottoms(analysis).find((bottom) => bottom.key === key)?.unit;
}

function fileSummaries(
  analysis: Analysis,
  steps: readonly StepSummary[],
  reports: readonly StepReport[],
  attention: readonly Attention[],
  changedFiles: readonly ChangedFile[],
): FileSummary[] {
  const byFile = new Map<
    string,
    { changed: string[]; twins: string[]; refused: string[]; attention: string[] }
  >();
  const entry = (file: string) => {
    let found = byFile.get(file);
    if (!found) {
      found = { changed: [], twins: [], refused: [], attention: [] };
      byFile.set(file, found);
    }
    return found;
  };
  for (const file of analysis.own) entry(analysis.relative(file.getFilePath()));
  for (const report of reports) {
    for (const unit of report.converted) {
      // Callbacks change with the function they are written in.
      if (unit.kind === 'arrow' || unit.kind === 'function-expression') {
        if (/^(arrow function|function expression) in /.test(unit.name)) continue;
      }
      if (unit.mode === 'twin') {
        entry(unit.file).twins.push(
          `${unit.name}: ${unit.twinName ?? ''} added (${unit.reason ?? 'blocking version kept'})`,
        );
      } else entry(unit.file).changed.push(unit.name);
    }
  }
  for (const step of steps) {
    for (const reason of step.refusal) entry(step.file).refused.push(`${step.bottom}: ${reason}`);
  }
  for (const item of attention)
    entry(item.file).attention.push(`${item.line}:${item.column} ${item.message}`);
  const changed = new Set(changedFiles.map((file) => file.file));
  return [...byFile.entries()].map(([file, parts]) => ({
    file,
    status: changed.has(file) ? 'changed' : parts.refused.length > 0 ? 'refused' : 'unchanged',
    ...parts,
  }));
}
