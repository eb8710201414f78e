import type * as TsMorph from 'ts-morph';
import type { Analysis } from './analysis.js';
import { addedDiagnostics, affectedFiles, collectDiagnostics } from './check.js';
import { buildEdits, type EditSet } from './edits.js';
import type { EffectAnalysis } from './effects.js';
import { dropUnusedImports } from './imports.js';
import { Plan, type PlanScope } from './plan.js';
import { type StepReport, summarize } from './report.js';
import { applyEdits, unifiedDiff } from './text.js';
import type { ChangedFile, DiagnosticInfo } from './types.js';

type SourceFile = TsMorph.SourceFile;

/** A step planned, applied to the project in memory, and type-checked. */
export interface StepOutcome {
  readonly plan: Plan;
  readonly edits: EditSet;
  readonly report: StepReport;
  /** Why the step is refused, one reason a line; empty when it may be written. */
  readonly refusal: string[];
  readonly files: ChangedFile[];
  readonly diff: string;
  readonly diagnosticsBefore: number;
  readonly newDiagnostics: DiagnosticInfo[];
  /** Puts the files back as they were before the step, in memory. */
  revert(): void;
}

/**
 * Plans a step on `analysis`, applies its edits to the project in memory and type-checks the files
 * it can affect, before and after. The analysis's nodes are stale afterwards: the caller keeps the
 * change (and makes a new analysis for anything further) or calls `revert()`.
 */
export function runStep(
  analysis: Analysis,
  scope: PlanScope,
  effects?: EffectAnalysis,
): StepOutcome {
  const plan = new Plan(analysis, scope, effects).run();
  const edits = buildEdits(plan);
  const report = summarize(plan, edits);
  const refusal = [...plan.refusal, ...edits.refusal];
  const changed = [...edits.edits.entries()]
    .filter(([, list]) => list.length > 0)
    .map(([file]) => file);
  const affected = affectedFiles(analysis, changed);
  const before = changed.length > 0 ? collectDiagnostics(analysis, affected) : [];
  // Every new text is made before any file changes: a step that cannot be written leaves none.
  const texts = new Map<SourceFile, string>();
  const next = new Map<SourceFile, string>();
  for (const file of changed) {
    const text = file.getFullText();
    texts.set(file, text);
    next.set(file, applyEdits(text, edits.edits.get(file) ?? []));
  }
  for (const [file, text] of next) file.replaceWithText(text);
  dropUnusedImports(analysis.tm, edits.routing.cleanups);
  const files: ChangedFile[] = [];
  for (const [file, text] of texts) {
    const after = file.getFullText();
    if (after === text) continue;
    files.push({
      path: file.getFilePath(),
      file: analysis.relative(file.getFilePath()),
      before: text,
      after,
    });
  }
  const after = files.length > 0 ? collectDiagnostics(analysis, affected) : before;
  const newDiagnostics = addedDiagnostics(before, after);
  if (newDiagnostics.length > 0) {
    refusal.push(
      `The change adds ${newDiagnostics.length} type ${newDiagnostics.length === 1 ? 'error' : 'errors'}:\n${newDiagnostics.map((d) => `  ${d.text}`).join('\n')}`,
    );
  }
  return {
    plan,
    edits,
    report,
    refusal,
    files,
    diff: files.map((file) => unifiedDiff(file.file, file.before, file.after)).join(''),
    diagnosticsBefore: before.length,
    newDiagnostics,
    revert: () => {
      for (const [file, text] of texts) if (file.getFullText() !== text) file.replaceWithText(text);
    },
  };
}

/** Writes the files of a step to disk. */
export function writeFiles(files: readonly ChangedFile[]): void {
  const fs = process.getBuiltinModule('node:fs');
  for (const file of files) fs.writeFileSync(file.path, file.after);
}
