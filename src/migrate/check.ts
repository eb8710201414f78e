import type * as TsMorph from 'ts-morph';
import type { Analysis } from './analysis.js';
import type { DiagnosticInfo } from './types.js';

type SourceFile = TsMorph.SourceFile;

/**
 * The own files a change to `changed` can give type errors to: those files, and every own file
 * that imports one of them, directly or through re-exports, however far. Checking only these keeps
 * each step's type-check proportional to what it touches.
 */
export function affectedFiles(analysis: Analysis, changed: Iterable<SourceFile>): SourceFile[] {
  const found = new Set<SourceFile>();
  const queue = [...changed];
  for (let file = queue.shift(); file; file = queue.shift()) {
    if (found.has(file)) continue;
    found.add(file);
    queue.push(...analysis.referencingFiles(file));
  }
  return analysis.own.filter((file) => found.has(file));
}

/**
 * Type errors of some of the project's own files, as `tsc` reports them. Only own files: the
 * change cannot reach the rest, and ts-morph misreads `"type": "module"` under NodeNext
 * (dsherret/ts-morph#1446), which flags `import.meta` in dependencies such as this package's
 * source. Errors it misreads in the own files are there before and after, and cancel out.
 */
export function collectDiagnostics(
  analysis: Analysis,
  files: readonly SourceFile[],
): DiagnosticInfo[] {
  const ts = analysis.tm.ts;
  const found: DiagnosticInfo[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    for (const diagnostic of file.getPreEmitDiagnostics()) {
      if (diagnostic.getCategory() !== ts.DiagnosticCategory.Error) continue;
      const source = diagnostic.getSourceFile();
      const start = diagnostic.getStart();
      const position =
        source && start !== undefined ? source.getLineAndColumnAtPos(start) : undefined;
      const relative = source ? analysis.relative(source.getFilePath()) : undefined;
      const message = ts.flattenDiagnosticMessageText(diagnostic.compilerObject.messageText, '\n');
      const code = diagnostic.getCode();
      const where = relative
        ? `${relative}:${position?.line ?? 0}:${position?.column ?? 0} - `
        : '';
      const info: DiagnosticInfo = {
        file: relative,
        line: position?.line,
        column: position?.column,
        code,
        message,
        text: `${where}error TS${code}: ${message}`,
      };
      if (seen.has(info.text)) continue;
      seen.add(info.text);
      found.push(info);
    }
  }
  return found;
}

/** The diagnostics of `after` that `before` did not have, ignoring positions (lines move). */
export function addedDiagnostics(
  before: readonly DiagnosticInfo[],
  after: readonly DiagnosticInfo[],
): DiagnosticInfo[] {
  const counts = new Map<string, number>();
  const key = (d: DiagnosticInfo): string => `${d.file ?? ''}|${d.code}|${d.message}`;
  for (const diagnostic of before)
    counts.set(key(diagnostic), (counts.get(key(diagnostic)) ?? 0) + 1);
  const added: DiagnosticInfo[] = [];
  for (const diagnostic of after) {
    const left = counts.get(key(diagnostic)) ?? 0;
    if (left > 0) counts.set(key(diagnostic), left - 1);
    else added.push(diagnostic);
  }
  return added;
}
