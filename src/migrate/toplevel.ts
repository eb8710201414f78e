import type * as TsMorph from 'ts-morph';
import { type Analysis, isWithin, unwrapParentheses } from './analysis.js';
import type { Site } from './plan.js';
import type { Edit } from './text.js';

type Node = TsMorph.Node;
type SourceFile = TsMorph.SourceFile;

/**
 * What an error escaping the async entry does: thrown again on its own, as the synchronous top
 * level threw it, so that Node prints it and exits with code 1 as before (and the program's
 * `uncaughtException` handlers see it), instead of an unhandled rejection or a swallowed error.
 */
const RETHROW = [
  '.catch((error: unknown) => {',
  '  process.nextTick(() => {',
  '    throw error;',
  '  });',
  '})',
].join('\n');

/** How a module's top level that cannot `await` is made async, or why it cannot be. */
export type TopLevelWrap =
  | { readonly problem: string }
  | {
      readonly problem?: undefined;
      readonly edits: readonly Edit[];
      /** A lone entry call given `.catch` instead of `await`. */
      readonly catchSite: Node | undefined;
    };

/**
 * Wraps the top level of a CommonJS module (where top-level `await` is not allowed) from the first
 * statement that awaits to the end in `(async () => { ... })().catch(...)`, so that everything
 * after the first blocking call still runs after it, in order, and an error still ends the program
 * with exit code 1. A lone `main();` becomes `main().catch(...)`.
 */
export function wrapTopLevel(
  analysis: Analysis,
  file: SourceFile,
  sites: readonly Site[],
): TopLevelWrap {
  const tm = analysis.tm;
  const statements = file.getStatements();
  const first = statements.findIndex((statement) =>
    sites.some((site) => isWithin(site.node, statement)),
  );
  if (first < 0) return { edits: [], catchSite: undefined };
  const range = statements.slice(first);
  const where = analysis.relative(file.getFilePath());
  const hasProcess = analysis.project
    .getTypeChecker()
    .getSymbolsInScope(file, tm.ts.SymbolFlags.Value)
    .some((symbol) => symbol.getName() === 'process');
  if (!hasProcess) {
    return {
      problem: `top-level await is not available in ${where} (CommonJS), and \`process\` is not declared there to rethrow an error from an async entry: wrap the top level by hand`,
    };
  }
  const problem = rangeProblem(analysis, file, range);
  if (problem)
    return { problem: `top-level await is not available in ${where} (CommonJS) and ${problem}` };
  const lone = range.length === 1 ? range[0] : undefined;
  if (lone && tm.Node.isExpressionStatement(lone)) {
    const call = unwrapParentheses(tm, lone.getExpression());
    const site = sites.find((candidate) => candidate.node === call);
    if (site && site.kind !== 'for-of' && site.twin?.asyncIterable !== true) {
      const edit: Edit = {
        pos: call.getEnd(),
        end: call.getEnd(),
        text: RETHROW,
        order: 0,
        span: Number.MAX_SAFE_INTEGER,
        detached: true,
      };
      return { edits: [edit], catchSite: call };
    }
  }
  return { edits: wrapEdits(analysis, file, range), catchSite: undefined };
}

/** Why the statements from the first await on cannot move into a function, if they cannot. */
function rangeProblem(
  analysis: Analysis,
  file: SourceFile,
  range: readonly Node[],
): string | undefined {
  const tm = analysis.tm;
  const start = range[0]?.getStart() ?? 0;
  const declared = new Map<string, Node>();
  for (const statement of range) {
    const exporting = statement
      .getDescendantsOfKind(tm.SyntaxKind.Identifier)
      .find(
        (id) => (id.getText() === 'exports' || id.getText() === 'module') && !declaredIn(id, file),
      );
    if (exporting) {
      return `the code from the first blocking call on sets what the module exports (${analysis.shortText(exporting.getParent() ?? exporting)}), which its importers would no longer see: move it up first`;
    }
    if (
      tm.Node.isImportDeclaration(statement) ||
      tm.Node.isExportDeclaration(statement) ||
      tm.Node.isExportAssignment(statement) ||
      (tm.Node.isModifierable(statement) && statement.hasModifier(tm.SyntaxKind.ExportKeyword))
    ) {
      return `the code from the first blocking call on has imports or exports (${analysis.shortText(statement)}): move it into an async function by hand`;
    }
    if (tm.Node.isVariableStatement(statement)) {
      for (const declaration of statement.getDeclarations()) {
        for (const name of declaration
          .getNameNode()
          .getDescendantsOfKind(tm.SyntaxKind.Identifier)) {
          declared.set(name.getText(), name);
        }
        const name = declaration.getNameNode();
        if (tm.Node.isIdentifier(name)) declared.set(name.getText(), name);
      }
    } else if (
      tm.Node.isFunctionDeclaration(statement) ||
      tm.Node.isClassDeclaration(statement) ||
      tm.Node.isEnumDeclaration(statement) ||
      tm.Node.isInterfaceDeclaration(statement) ||
      tm.Node.isTypeAliasDeclaration(statement)
    ) {
      const name = statement.getNameNode();
      if (name) declared.set(name.getText(), name);
    }
  }
  if (declared.size === 0) return undefined;
  for (const identifier of file.getDescendantsOfKind(tm.SyntaxKind.Identifier)) {
    if (identifier.getStart() >= start) break;
    const own = declared.get(identifier.getText());
    if (own && identifier.getSymbol() === own.getSymbol()) {
      return `${own.getText()}, declared after the first blocking call, is used before it (${analysis.location(identifier).file}:${analysis.location(identifier).line}): move its declaration up first`;
    }
  }
  return undefined;
}

/** Whether an identifier names something the module declares (not CommonJS's `module`/`exports`). */
function declaredIn(identifier: Node, file: SourceFile): boolean {
  const declarations = identifier.getSymbol()?.getDeclarations() ?? [];
  return declarations.length > 0 && declarations.every((d) => d.getSourceFile() === file);
}

function wrapEdits(analysis: Analysis, file: SourceFile, range: readonly Node[]): Edit[] {
  const tm = analysis.tm;
  const text = file.getFullText();
  const first = range[0];
  const last = range.at(-1);
  if (!first || !last) return [];
  const begin = text.lastIndexOf('\n', first.getStart(true) - 1) + 1;
  const end = last.getEnd();
  // Lines that start inside a multi-line template literal are part of its value: not indented.
  const literals: [number, number][] = [];
  for (const statement of range) {
    statement.forEachDescendant((node) => {
      if (tm.Node.isNoSubstitutionTemplateLiteral(node) || tm.Node.isTemplateExpression(node)) {
        literals.push([node.getStart(), node.getEnd()]);
      }
    });
  }
  const edits: Edit[] = [
    {
      pos: begin,
      end: begin,
      text: '(async () => {\n',
      order: 1,
      span: Number.MAX_SAFE_INTEGER,
      detached: true,
    },
    {
      pos: end,
      end,
      text: `\n})()${RETHROW};`,
      order: 0,
      span: Number.MAX_SAFE_INTEGER,
      detached: true,
    },
  ];
  for (let lineStart = begin; lineStart < end; ) {
    const next = text.indexOf('\n', lineStart);
    const lineEnd = next < 0 ? text.length : next;
    const blank = text.slice(lineStart, lineEnd).trim() === '';
    const inLiteral = literals.some(([from, to]) => lineStart > from && lineStart < to);
    if (!blank && !inLiteral) {
      edits.push({
        pos: lineStart,
        end: lineStart,
        text: '  ',
        order: 1,
        span: Number.MAX_SAFE_INTEGER - 1,
        detached: true,
      });
    }
    if (next < 0) break;
    lineStart = next + 1;
  }
  return edits;
}
