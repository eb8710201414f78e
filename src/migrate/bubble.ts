import type { Analysis, Unit } from './analysis.js';
import type {
  Attention,
  BlockingCall,
  BubbleNode,
  BubbleReport,
  SourceLocation,
  UnitKind,
  UseKind,
} from './types.js';

/** Past this many nodes a report stops expanding: it is meant to be read. */
const NODE_BUDGET = 5000;

type Via = (SourceLocation & { kind: UseKind }) | undefined;

/** Builds the tree of code above each blocking call, once per call, within a budget of nodes. */
class BubbleBuilder {
  readonly analysis: Analysis;
  readonly functions = new Map<Unit, SourceLocation & { name: string; kind: UnitKind }>();
  readonly entryPoints = new Map<Unit, SourceLocation & { name: string }>();
  readonly attention: Attention[] = [];
  readonly #keys = new Set<string>();
  #budget = NODE_BUDGET;

  constructor(analysis: Analysis) {
    this.analysis = analysis;
  }

  note(location: SourceLocation, message: string): void {
    const key = `${location.file}:${location.line}:${location.column}:${message}`;
    if (this.#keys.has(key)) return;
    this.#keys.add(key);
    this.attention.push({ ...location, message });
  }

  /** A leaf of the tree: the bubble stops here, for the reason the flags give. */
  #leaf(
    base: Omit<BubbleNode, 'alreadyAsync' | 'entryPoint' | 'attention' | 'recursive' | 'callers'>,
    flags: Partial<BubbleNode>,
  ): BubbleNode {
    return {
      ...base,
      alreadyAsync: false,
      entryPoint: false,
      attention: undefined,
      recursive: false,
      callers: [],
      ...flags,
    };
  }

  build(unit: Unit, via: Via, path: ReadonlySet<Unit>): BubbleNode {
    const analysis = this.analysis;
    const tm = analysis.tm;
    this.#budget--;
    const kind = analysis.unitKind(unit);
    const name = analysis.unitName(unit);
    // A module's top level is shown where it makes the call; a function where it is declared.
    const at: SourceLocation = tm.Node.isSourceFile(unit)
      ? via
        ? { file: via.file, line: via.line, column: via.column }
        : analysis.location(unit)
      : analysis.location(analysis.bindingName(unit) ?? unit);
    const base = { ...at, kind, name, via };
    if (tm.Node.isSourceFile(unit)) {
      this.entryPoints.set(unit, { ...at, name });
      return this.#leaf(base, { entryPoint: true });
    }
    if (path.has(unit)) return this.#leaf(base, { recursive: true });
    if (analysis.isAsync(unit) || analysis.returnsPromise(unit)) {
      return this.#leaf(base, { alreadyAsync: true });
    }
    const blocked = analysis.cannotBeAsync(unit);
    if (blocked) {
      this.note(at, `${name}: ${blocked}`);
      return this.#leaf(base, { attention: blocked });
    }
    this.functions.set(unit, { ...at, name, kind });
    if (this.#budget <= 0) {
      return this.#leaf(base, { attention: 'the report is too large to show more of this bubble' });
    }
    return this.#callersOf(unit, base, new Set(path).add(unit));
  }

  #callersOf(
    unit: Unit,
    base: Omit<BubbleNode, 'alreadyAsync' | 'entryPoint' | 'attention' | 'recursive' | 'callers'>,
    inner: ReadonlySet<Unit>,
  ): BubbleNode {
    const analysis = this.analysis;
    const callers: BubbleNode[] = [];
    const problems: string[] = [];
    for (const use of analysis.usesOf(unit)) {
      if (use.kind === 'awaited') continue;
      if (use.kind === 'escape' || use.kind === 'value') {
        problems.push(use.reason ?? 'used in a way that cannot be followed');
        this.note(
          analysis.location(use.site),
          `${base.name} is ${use.reason ?? 'used as a value'}`,
        );
        continue;
      }
      const location = analysis.location(use.site);
      callers.push(this.build(analysis.unitOf(use.site), { ...location, kind: use.kind }, inner));
    }
    const entryPoint =
      callers.length === 0 && problems.length === 0 && !hasAwaitedUse(analysis, unit);
    if (entryPoint)
      this.entryPoints.set(unit, {
        file: base.file,
        line: base.line,
        column: base.column,
        name: base.name,
      });
    return {
      ...base,
      alreadyAsync: false,
      entryPoint,
      attention: problems.length > 0 ? problems.join('; ') : undefined,
      recursive: false,
      callers,
    };
  }
}

/** Builds the bubble above every call of a blocking twin in the project. */
export function buildBubbleReport(analysis: Analysis, tsconfig: string | undefined): BubbleReport {
  const tm = analysis.tm;
  const builder = new BubbleBuilder(analysis);
  const calls: BlockingCall[] = [];
  for (const twin of analysis.twinCalls()) {
    const location = analysis.location(twin.call);
    const unit = analysis.unitOf(twin.call);
    const loop = twin.call.getParent();
    const inForOf =
      loop !== undefined && tm.Node.isForOfStatement(loop) && loop.getExpression() === twin.call;
    if (twin.asyncIterable && !inForOf) {
      builder.note(
        location,
        `${twin.method}() is iterated outside a for...of: rewrite it with for await by hand`,
      );
    }
    calls.push({
      ...location,
      method: twin.method,
      asyncTwin: twin.asyncTwin,
      owner: twin.owner,
      text: analysis.shortText(twin.call),
      rewrite: twin.asyncIterable ? 'for-await' : 'await',
      bubble: builder.build(unit, undefined, new Set()),
    });
  }
  return {
    root: analysis.root,
    tsconfig,
    fileCount: analysis.own.length,
    calls,
    functions: [...builder.functions.values()],
    entryPoints: [...builder.entryPoints.values()],
    attention: builder.attention,
  };
}

function hasAwaitedUse(analysis: Analysis, unit: Unit): boolean {
  return analysis.usesOf(unit).some((use) => use.kind === 'awaited');
}

function describeVia(via: BubbleNode['via']): string {
  if (!via) return '';
  const where = `${via.file}:${via.line}:${via.column}`;
  switch (via.kind) {
    case 'map':
      return ` <- .map() callback at ${where} (becomes await Promise.all(...), or mapInOrder(...) when the calls must keep their order)`;
    case 'producer':
      return ` <- handed to a retry helper at ${where}`;
    case 'for-of':
      return ` <- iterated at ${where} (becomes for await)`;
    case 'iife':
      return ` <- called in place at ${where}`;
    case 'helper':
      return ` <- handed to a helper at ${where} (gets an async sibling that awaits it)`;
    case 'array':
      return ` <- Array callback at ${where} (becomes an in-order loop)`;
    default:
      return ` <- called at ${where}`;
  }
}

/**
 * Prints a bubble report as an indented tree: each blocking call, then the code above it that
 * would have to become async, up to the entry points.
 *
 * @example
 * ```ts
 * console.log(formatBubble(await analyzeProject({ cwd: 'app' })));
 * // characters.ts:14:21  handleError() -> await handleErrorAsync()
 * //   in getCharacterName (characters.ts:12)
 * //     arrow function in getNames (characters.ts:21) <- called at characters.ts:21:26
 * //       getNames (characters.ts:20) <- .map() callback at characters.ts:21:10 (becomes await Promise.all(...))
 * //         main (main.ts:4) <- called at main.ts:5:17
 * //           top level of main.ts (main.ts:10) <- called at main.ts:10:1 [entry point]
 * ```
 *
 * Note: a function reached a second time is printed once and then marked `(see above)`.
 */
export function formatBubble(report: BubbleReport): string {
  const lines: string[] = [];
  const shown = new Set<string>();
  const receiver = (call: BlockingCall): string => (call.owner === 'client' ? 'client.' : '');
  lines.push(
    `Async bubble: ${report.calls.length} blocking ${report.calls.length === 1 ? 'call' : 'calls'}, ` +
      `${report.functions.length} ${report.functions.length === 1 ? 'function' : 'functions'} would become async ` +
      `(${report.fileCount} ${report.fileCount === 1 ? 'file' : 'files'} analysed)`,
  );
  if (report.calls.length === 0) {
    lines.push('No call of a blocking twin: nothing to migrate.');
  }
  const walk = (node: BubbleNode, depth: number): void => {
    const indent = '  '.repeat(depth);
    const key = `${node.kind}:${node.file}:${node.line}:${node.column}:${node.name}`;
    const where = `${node.file}:${node.line}`;
    let tail = '';
    if (node.kind === 'top-level' || node.entryPoint) tail += ' [entry point]';
    if (node.alreadyAsync) tail += ' [already async: just await]';
    if (node.recursive) tail += ' [recursive]';
    if (node.attention) tail += ` [attention: ${node.attention}]`;
    const settled = node.entryPoint || node.alreadyAsync || node.recursive || node.attention;
    if (node.callers.length === 0 && !settled) tail += ' [its callers already await it]';
    const repeat = shown.has(key) && node.callers.length > 0;
    const head = node.via ? '' : 'in ';
    lines.push(
      `${indent}${head}${node.name} (${where})${describeVia(node.via)}${tail}${repeat ? ' (see above)' : ''}`,
    );
    if (repeat) return;
    shown.add(key);
    for (const caller of node.callers) walk(caller, depth + 1);
  };
  for (const call of report.calls) {
    lines.push('');
    lines.push(
      `${call.file}:${call.line}:${call.column}  ${receiver(call)}${call.method}() -> ${call.rewrite === 'for-await' ? 'for await ... of ' : 'await '}${receiver(call)}${call.asyncTwin}()`,
    );
    walk(call.bubble, 1);
  }
  if (report.attention.length > 0) {
    lines.push('', 'Needs attention:');
    for (const item of report.attention) {
      lines.push(`  ${item.file}:${item.line}:${item.column}  ${item.message}`);
    }
  }
  if (report.entryPoints.length > 0) {
    lines.push('', 'Entry points (where the bubble ends):');
    for (const entry of report.entryPoints)
      lines.push(`  ${entry.name} (${entry.file}:${entry.line})`);
  }
  return `${lines.join('\n')}\n`;
}
