import { Analysis } from './analysis.js';
import { buildBubbleReport } from './bubble.js';
import { openProject } from './load.js';
import type { AnalyzeOptions, BubbleReport } from './types.js';

/**
 * Finds the async bubble of a project: every call of a blocking twin (a `RickMortyClient` method
 * `X` that has an `XAsync`, `handleError`, or a project function with an `…Async` sibling), and
 * every function, method or arrow that would have to become async because of it, up through its
 * callers to the entry points (functions nothing calls, and module top levels).
 *
 * The twins are found by the type checker from the receiver's declared type, so methods added to
 * the client later are found without a list.
 *
 * @example
 * ```ts
 * const report = await analyzeProject({ cwd: 'app' }); // reads app/tsconfig.json
 * console.log(formatBubble(report));
 * for (const call of report.calls) console.log(call.file, call.line, call.method, call.asyncTwin);
 * ```
 *
 * Note: needs ts-morph (an optional peer dependency): `npm install -D ts-morph`. Only the
 * tsconfig's own files are analysed; what they import supplies types.
 *
 * Note: a function passed where its promise would not be awaited (`forEach`, `setTimeout`, an
 * event handler) or used as a value ends its bubble with an `attention` entry: the tool cannot
 * follow the calls through it.
 */
export async function analyzeProject(options: AnalyzeOptions = {}): Promise<BubbleReport> {
  const open = await openProject({
    cwd: options.cwd ?? process.cwd(),
    tsconfig: options.tsconfig,
    files: options.files,
  });
  return buildBubbleReport(new Analysis(open), open.tsconfig);
}
