import type * as TsMorph from 'ts-morph';
import {
  Analysis,
  isThenable,
  type TwinCall,
  type Unit,
  type Use,
  unwrapParentheses,
} from './analysis.js';
import { type OpenProject, openProject } from './load.js';
import { applyEdits, type Edit, unifiedDiff } from './text.js';
import type {
  Attention,
  ChangedFile,
  ConvertedFunction,
  DiagnosticInfo,
  MigrateOptions,
  MigrationResult,
  SourceLocation,
  Strand,
} from './types.js';

type Node = TsMorph.Node;
type SourceFile = TsMorph.SourceFile;

/** A place the step rewrites so that it awaits something. */
interface Site {
  readonly node: TsMorph.CallExpression;
  /** The code around it, which must be able to await. */
  readonly unit: Unit;
  /**
   * `origin`: a blocking-twin call. The others await a function the step makes async: `call`
   * (and `iife`), `for-of` (an async generator), `map` (`Promise.all`).
   */
  readonly kind: 'origin' | 'call' | 'for-of' | 'map' | 'iife';
  readonly twin: TwinCall | undefined;
  readonly callee: Unit | undefined;
}

interface UnitPlan {
  readonly unit: Unit;
  /** `convert`: becomes async. `await-only`: already async. `top-level`: a module's top level. */
  readonly mode: 'convert' | 'await-only' | 'top-level';
  readonly sites: Site[];
  /** Uses of the unit that stay outside the step. */
  readonly outside: Use[];
}

interface ImportFix {
  readonly module: string;
  readonly oldName: string;
  readonly newName: string;
}

/** Resolves `name`, `Class.method` or `file:line` to one function of the project. */
function resolveUnit(analysis: Analysis, spec: string, cwd: string): Unit {
  const tm = analysis.tm;
  const path = process.getBuiltinModule('node:path');
  const units: Unit[] = [];
  for (const file of analysis.own) {
    for (const node of file.getDescendants()) {
      if (analysis.isFunctionLike(node)) units.push(node);
    }
  }
  const byLine = /^(.+):(\d+)$/.exec(spec);
  if (byLine?.[1] !== undefined && byLine[2] !== undefined) {
    const line = Number(byLine[2]);
    const wanted = [path.resolve(cwd, byLine[1]), path.resolve(analysis.root, byLine[1])].map((p) =>
      p.replace(/\\/g, '/'),
    );
    const file = analysis.own.find((candidate) => wanted.includes(candidate.getFilePath()));
    if (!file) throw new Error(`No file ${byLine[1]} in the project`);
    const inFile = units.filter((unit) => unit.getSourceFile() === file);
    const declared = inFile.filter(
      (unit) => analysis.location(analysis.bindingName(unit) ?? unit).line === line,
    );
    if (declared[0]) return declared[0];
    const around = inFile
      .filter((unit) => unit.getStartLineNumber() <= line && unit.getEndLineNumber() >= line)
      .sort((a, b) => b.getStart() - a.getStart());
    if (around[0]) return around[0];
    throw new Error(`No function at ${spec}`);
  }
  const matches = units.filter((unit) => {
    if (!analysis.bindingName(unit) && !tm.Node.isFunctionDeclaration(unit)) return false;
    const name = analysis.unitName(unit);
    return name === spec || name.endsWith(`.${spec}`);
  });
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) throw new Error(`No function named ${spec} in the project`);
  const list = matches.map((unit) => {
    const at = analysis.location(analysis.bindingName(unit) ?? unit);
    return `${analysis.unitName(unit)} (${at.file}:${at.line})`;
  });
  throw new Error(`${spec} is ambiguous: ${list.join(', ')}; name it as file:line`);
}

function resolveFile(analysis: Analysis, file: string, cwd: string): SourceFile {
  const path = process.getBuiltinModule('node:path');
  const wanted = [path.resolve(cwd, file), path.resolve(analysis.root, file)].map((p) =>
    p.replace(/\\/g, '/'),
  );
  const found = analysis.own.find((candidate) => wanted.includes(candidate.getFilePath()));
  if (!found) throw new Error(`No file ${file} in the project`);
  return found;
}

function isWithin(node: Node, container: Node): boolean {
  return (
    node.getStart() >= container.getStart() &&
    node.getEnd() <= container.getEnd() &&
    node !== container
  );
}

/**
 * Type errors of the project's own files, as `tsc` reports them. Only the own files: the change
 * cannot reach the rest, and ts-morph misreads `"type": "module"` under NodeNext
 * (dsherret/ts-morph#1446), which flags `import.meta` in dependencies such as this package's
 * source. Errors it misreads in the own files are there before and after, and cancel out.
 */
function collectDiagnostics(analysis: Analysis): DiagnosticInfo[] {
  const ts = analysis.tm.ts;
  const found: DiagnosticInfo[] = [];
  const seen = new Set<string>();
  for (const file of analysis.own) {
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
      const key = info.text;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push(info);
    }
  }
  return found;
}

/** The diagnostics of `after` that `before` did not have, ignoring positions (lines move). */
function addedDiagnostics(
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

/** Plans one bounded step and writes it, or explains why not. */
class Step {
  readonly analysis: Analysis;
  readonly tm: OpenProject['tm'];
  readonly plans = new Map<Unit, UnitPlan>();
  readonly sites = new Map<Node, Site>();
  readonly attention: Attention[] = [];
  readonly refusal: string[] = [];
  readonly #queue: Unit[] = [];
  readonly #fileFilter: SourceFile | undefined;
  readonly #upTo: Unit | undefined;

  constructor(analysis: Analysis, fileFilter: SourceFile | undefined, upTo: Unit | undefined) {
    this.analysis = analysis;
    this.tm = analysis.tm;
    this.#fileFilter = fileFilter;
    this.#upTo = upTo;
  }

  #note(node: Node, message: string): void {
    this.attention.push({ ...this.analysis.location(node), message });
  }

  #inScope(unit: Unit): boolean {
    return this.#fileFilter === undefined || unit.getSourceFile() === this.#fileFilter;
  }

  /** Why `unit` cannot await `site`, if it cannot. */
  hostProblem(unit: Unit, site: Node, kind: Site['kind']): string | undefined {
    const tm = this.tm;
    const analysis = this.analysis;
    if (tm.Node.isSourceFile(unit)) {
      if (analysis.allowsTopLevelAwait(unit)) return undefined;
      const statement = site.getParent();
      if (kind === 'call' && statement && tm.Node.isExpressionStatement(statement))
        return undefined;
      return 'top-level await is not available in this module (CommonJS output or a target before ES2017): wrap the top level in an async function';
    }
    const blocked = analysis.cannotBeAsync(unit);
    if (blocked) return blocked;
    if (
      analysis.isAsync(unit) ||
      analysis.bindingName(unit) ||
      tm.Node.isFunctionDeclaration(unit)
    ) {
      return undefined;
    }
    if (tm.Node.isMethodDeclaration(unit)) return undefined;
    const lost = analysis.usesOf(unit).find((use) => use.kind === 'escape' || use.kind === 'value');
    return lost ? `${analysis.unitName(unit)} is ${lost.reason ?? 'used as a value'}` : undefined;
  }

  #addSite(site: Site): void {
    if (this.sites.has(site.node)) return;
    this.sites.set(site.node, site);
    let plan = this.plans.get(site.unit);
    if (!plan) {
      const tm = this.tm;
      const mode: UnitPlan['mode'] = tm.Node.isSourceFile(site.unit)
        ? 'top-level'
        : this.analysis.isAsync(site.unit)
          ? 'await-only'
          : 'convert';
      plan = { unit: site.unit, mode, sites: [], outside: [] };
      this.plans.set(site.unit, plan);
      if (mode === 'convert') this.#queue.push(site.unit);
    }
    plan.sites.push(site);
  }

  /** Starts from the blocking-twin calls in `bottom` and follows the bubble up. */
  run(bottom: Node): void {
    const tm = this.tm;
    const analysis = this.analysis;
    for (const twin of analysis.twinCalls(bottom)) {
      const unit = analysis.unitOf(twin.call);
      const loop = twin.call.getParent();
      const inForOf =
        loop !== undefined && tm.Node.isForOfStatement(loop) && loop.getExpression() === twin.call;
      if (twin.asyncIterable && !inForOf) {
        this.#note(
          twin.call,
          `${twin.method}() stays blocking: it is iterated outside a for...of; rewrite it with for await by hand`,
        );
        continue;
      }
      const problem = this.hostProblem(unit, twin.call, 'origin');
      if (problem) {
        this.#note(twin.call, `${twin.method}() stays blocking: ${problem}`);
        continue;
      }
      this.#addSite({ node: twin.call, unit, kind: 'origin', twin, callee: undefined });
    }
    for (let unit = this.#queue.shift(); unit; unit = this.#queue.shift()) this.#bubble(unit);
  }

  #bubble(unit: Unit): void {
    const tm = this.tm;
    const analysis = this.analysis;
    const plan = this.plans.get(unit);
    if (!plan) return;
    for (const use of analysis.usesOf(unit)) {
      if (use.kind === 'awaited') continue;
      if (use.kind === 'escape' || use.kind === 'value') {
        plan.outside.push(use);
        continue;
      }
      if (use.kind === 'producer') {
        // The retry helper's call is a blocking-twin call of its own: it is rewritten as an origin.
        if (!this.sites.has(use.site)) plan.outside.push(use);
        continue;
      }
      const host = analysis.unitOf(use.site);
      const stopped = unit === this.#upTo && !tm.Node.isSourceFile(host);
      if (stopped || !this.#inScope(host)) {
        plan.outside.push(use);
        continue;
      }
      const generator = analysis.isGenerator(unit);
      if (generator && use.kind !== 'for-of') {
        plan.outside.push({ ...use, kind: 'value', reason: 'a generator used outside a for...of' });
        continue;
      }
      const kind: Site['kind'] = use.kind === 'for-of' && !generator ? 'call' : use.kind;
      const problem = this.hostProblem(host, use.site, kind);
      if (problem) {
        plan.outside.push({ ...use, kind: 'value', reason: problem });
        continue;
      }
      if (!tm.Node.isCallExpression(use.site)) continue;
      this.#addSite({ node: use.site, unit: host, kind, twin: undefined, callee: unit });
    }
  }

  /** Functions that must keep a blocking twin: callers outside the step, and what those call. */
  twins(): Set<Unit> {
    const twinned = new Set<Unit>();
    for (const plan of this.plans.values()) {
      if (plan.mode === 'convert' && plan.outside.length > 0) twinned.add(plan.unit);
    }
    // The blocking original keeps calling the blocking versions of what it called.
    for (let changed = true; changed; ) {
      changed = false;
      for (const site of this.sites.values()) {
        const callee = site.callee;
        if (!callee || twinned.has(callee)) continue;
        for (const holder of twinned) {
          if (isWithin(site.node, holder) && !isWithin(callee, holder)) {
            twinned.add(callee);
            changed = true;
            break;
          }
        }
      }
    }
    // A twin inside a twin is copied with it.
    for (const unit of [...twinned]) {
      for (const holder of twinned) {
        if (holder !== unit && isWithin(unit, holder)) twinned.delete(unit);
      }
    }
    return twinned;
  }

  /** Why a unit cannot have an async twin written beside it, if it cannot. */
  twinProblem(unit: Unit): string | undefined {
    const tm = this.tm;
    const name = this.analysis.bindingName(unit);
    if (!name) return 'it has no name to give a twin';
    const twinName = `${name.getText()}Async`;
    if (tm.Node.isFunctionDeclaration(unit)) {
      if (unit.isDefaultExport()) return 'it is a default export';
      const scope = unit.getParent();
      if (scope && hasLocal(tm, scope, twinName)) return `${twinName} already exists`;
      return undefined;
    }
    if (tm.Node.isMethodDeclaration(unit)) {
      const owner = unit.getParent();
      if (!tm.Node.isClassDeclaration(owner) && !tm.Node.isClassExpression(owner)) {
        return 'it is a method of an object literal';
      }
      if (owner.getMember(twinName)) return `${twinName} already exists`;
      return undefined;
    }
    const holder = name.getParent();
    if (holder && tm.Node.isVariableDeclaration(holder)) {
      const statement = holder.getVariableStatement();
      if (statement?.getDeclarations().length !== 1) {
        return 'it is declared together with other variables';
      }
      const scope = statement.getParent();
      if (scope && hasLocal(tm, scope, twinName)) return `${twinName} already exists`;
      return undefined;
    }
    return 'it is a class or object property';
  }
}

function hasLocal(tm: OpenProject['tm'], scope: Node, name: string): boolean {
  return (
    scope
      .getChildSyntaxList()
      ?.getChildren()
      .some((statement) => {
        if (tm.Node.isFunctionDeclaration(statement) || tm.Node.isClassDeclaration(statement)) {
          return statement.getName() === name;
        }
        if (tm.Node.isVariableStatement(statement)) {
          return statement.getDeclarations().some((declaration) => declaration.getName() === name);
        }
        return false;
      }) === true
  );
}

function needsParentheses(tm: OpenProject['tm'], node: Node): boolean {
  const parent = node.getParent();
  if (!parent) return false;
  if (
    (tm.Node.isPropertyAccessExpression(parent) ||
      tm.Node.isElementAccessExpression(parent) ||
      tm.Node.isCallExpression(parent) ||
      tm.Node.isNewExpression(parent) ||
      tm.Node.isNonNullExpression(parent)) &&
    parent.getExpression() === node
  ) {
    return true;
  }
  if (tm.Node.isTaggedTemplateExpression(parent) && parent.getTag() === node) return true;
  return (
    tm.Node.isBinaryExpression(parent) &&
    parent.getLeft() === node &&
    parent.getOperatorToken().getKind() === tm.SyntaxKind.AsteriskAsteriskToken
  );
}

const ASYNC_ITERATION: Readonly<Record<string, string>> = {
  Generator: 'AsyncGenerator',
  Iterable: 'AsyncIterable',
  IterableIterator: 'AsyncIterableIterator',
  Iterator: 'AsyncIterator',
};

/**
 * Rewrites one bounded part of a project from the blocking twins to the async ones: the
 * blocking-twin calls in the scope become awaited calls of their async twins, the functions
 * around them become async, and so do their callers, up to `scope.upTo` or the scope's edge.
 * Callers outside the step keep working through a blocking twin kept beside each function they
 * call (`getNames` stays, `getNamesAsync` is added), unless `keepBlockingTwins: false`.
 *
 * The project is type-checked before and after; a change that adds type errors, or leaves a
 * caller broken, is refused and nothing is written. `write` defaults to `false`: a dry run that
 * returns the diff.
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
 * Note: only what the type checker can follow is migrated: a function stored in a variable of
 * its own type, passed to a callback that does not await (`forEach`, `setTimeout`), or called
 * from a constructor or getter is reported under `attention` and left alone.
 *
 * Note: `.map(id => …)` over an array becomes `await Promise.all(ids.map(…))`, which runs the
 * calls concurrently: anything the callback logs may come in another order.
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
  const analysis = new Analysis(open);
  const tm = analysis.tm;
  const keepTwins = options.keepBlockingTwins ?? true;

  const fileFilter = scope.file !== undefined ? resolveFile(analysis, scope.file, cwd) : undefined;
  const bottom: Node =
    scope.function !== undefined
      ? resolveUnit(analysis, scope.function, cwd)
      : (fileFilter as SourceFile);
  if (fileFilter && bottom !== fileFilter && bottom.getSourceFile() !== fileFilter) {
    throw new Error(`${scope.function} is not in ${scope.file}`);
  }
  const upTo = scope.upTo !== undefined ? resolveUnit(analysis, scope.upTo, cwd) : undefined;
  const diagnosticsBefore = collectDiagnostics(analysis);

  const step = new Step(analysis, fileFilter, upTo);
  step.run(bottom);
  const scopeName = tm.Node.isSourceFile(bottom)
    ? analysis.relative(bottom.getFilePath())
    : analysis.unitName(bottom);
  if (step.sites.size === 0) {
    step.refusal.push(
      `${scopeName} makes no call of a blocking twin (a client method with an …Async twin, handleError, or a project function with an …Async sibling) that can be migrated. Migrate the functions it calls first: the bubble rises from the bottom.`,
    );
  }

  const twinned = step.twins();
  const strands: Strand[] = [];
  const notes: string[] = [];
  for (const plan of step.plans.values()) {
    if (plan.mode !== 'convert' || plan.outside.length === 0) continue;
    const callee = analysis.unitName(plan.unit);
    const twinProblem =
      keepTwins && twinned.has(plan.unit) ? step.twinProblem(plan.unit) : undefined;
    for (const use of plan.outside) {
      const host = analysis.unitOf(use.site);
      const caller = analysis.unitName(host);
      const at = analysis.location(use.site);
      const how = use.reason ? ` (${use.reason})` : '';
      let message: string;
      const kept = keepTwins && twinned.has(plan.unit) && !twinProblem;
      if (kept) {
        message = `${caller} (${at.file}:${at.line}) still uses the blocking ${callee}()${how}: it keeps working through the blocking twin; migrate it in a later step to use ${callee.replace(/.*\./, '')}Async()`;
      } else {
        message = `${caller} (${at.file}:${at.line}) uses ${callee}()${how}, which this step makes async: it would break`;
      }
      strands.push({ ...at, caller, callee, kept, message });
    }
  }
  for (const unit of twinned) {
    const problem = step.twinProblem(unit);
    const name = analysis.unitName(unit);
    if (!keepTwins) {
      step.refusal.push(
        `${name} has callers outside the step, which would be left calling an async function as if it blocked. Widen the step (--up-to a caller, up to the entry point) or keep blocking twins.`,
      );
    } else if (problem) {
      step.refusal.push(
        `${name} has callers outside the step and cannot keep a blocking twin: ${problem}.`,
      );
    }
  }

  // --- Edits --------------------------------------------------------------------------------
  const edits = new Map<SourceFile, Edit[]>();
  const importFixes = new Map<SourceFile, ImportFix[]>();
  const rewrites: (SourceLocation & { before: string; after: string })[] = [];
  const add = (node: Node, edit: Edit): void => {
    const file = node.getSourceFile();
    const list = edits.get(file) ?? [];
    list.push(edit);
    edits.set(file, list);
  };
  const insert = (node: Node, pos: number, text: string, order: 0 | 1, span = 0): void =>
    add(node, { pos, end: pos, text, order, span, owner: node });
  const replace = (node: Node, text: string): void =>
    add(node, {
      pos: node.getStart(),
      end: node.getEnd(),
      text,
      order: 2,
      span: node.getWidth(),
      owner: node,
    });
  const twinName = (unit: Unit): string =>
    `${analysis.bindingName(unit)?.getText() ?? 'anonymous'}Async`;
  const rename = (identifier: TsMorph.Identifier, newName: string): void => {
    replace(identifier, newName);
    const symbol = identifier.getSymbol();
    const declaration = symbol?.isAlias() ? symbol.getDeclarations()[0] : undefined;
    if (declaration && tm.Node.isImportSpecifier(declaration)) {
      const file = identifier.getSourceFile();
      const list = importFixes.get(file) ?? [];
      list.push({
        module: declaration.getImportDeclaration().getModuleSpecifierValue(),
        oldName: declaration.getAliasNode()?.getText() ?? declaration.getName(),
        newName,
      });
      importFixes.set(file, list);
    }
  };

  const converted: ConvertedFunction[] = [];
  const passthrough = new Set<Unit>();
  for (const plan of step.plans.values()) {
    if (plan.mode !== 'convert') continue;
    const unit = plan.unit;
    // `(id) => getName(id)` returns the promise as it is: no async, no await.
    if (tm.Node.isArrowFunction(unit) && plan.sites.length === 1) {
      const body = unit.getBody();
      const only = plan.sites[0];
      const forOf = only?.kind === 'for-of' || only?.twin?.asyncIterable === true;
      if (only && !forOf && !tm.Node.isBlock(body) && unwrapParentheses(tm, body) === only.node)
        passthrough.add(unit);
    }
  }

  for (const plan of step.plans.values()) {
    if (plan.mode !== 'convert') continue;
    const unit = plan.unit;
    const isTwin = keepTwins && twinned.has(unit);
    const binding = analysis.bindingName(unit);
    converted.push({
      ...analysis.location(binding ?? unit),
      name: analysis.unitName(unit),
      kind: analysis.unitKind(unit),
      mode: isTwin ? 'twin' : 'in-place',
      twinName: isTwin ? twinName(unit) : undefined,
      asyncKeyword: !passthrough.has(unit),
    });
    if (!passthrough.has(unit)) {
      let at: number | undefined;
      if (tm.Node.isFunctionDeclaration(unit) || tm.Node.isFunctionExpression(unit)) {
        at = unit.getFirstChildByKind(tm.SyntaxKind.FunctionKeyword)?.getStart();
      } else if (tm.Node.isMethodDeclaration(unit)) {
        at = (
          unit.getFirstChildByKind(tm.SyntaxKind.AsteriskToken) ?? unit.getNameNode()
        ).getStart();
      } else if (tm.Node.isArrowFunction(unit)) {
        at = unit.getStart();
      }
      if (at !== undefined) insert(unit, at, 'async ', 1, unit.getWidth());
    }
    if (
      tm.Node.isFunctionDeclaration(unit) ||
      tm.Node.isMethodDeclaration(unit) ||
      tm.Node.isArrowFunction(unit) ||
      tm.Node.isFunctionExpression(unit)
    ) {
      const generator = analysis.isGenerator(unit);
      const typeNode = unit.getReturnTypeNode();
      if (typeNode) {
        const text = typeNode.getText();
        const head = /^(\w+)(<[\s\S]*>)?$/.exec(text);
        const asyncName = head?.[1] !== undefined ? ASYNC_ITERATION[head[1]] : undefined;
        if (generator) {
          if (asyncName && head) replace(typeNode, `${asyncName}${head[2] ?? ''}`);
          else
            step.attention.push({
              ...analysis.location(typeNode),
              message: `the return type ${text} of an async generator must be AsyncGenerator or AsyncIterable`,
            });
        } else if (!isThenable(typeNode.getType())) {
          replace(typeNode, `Promise<${text}>`);
        }
      } else if (!generator && !passthrough.has(unit) && binding) {
        const inferred = unit.getReturnType();
        const close = unit.getFirstChildByKind(tm.SyntaxKind.CloseParenToken);
        const text = inferred.getText(
          unit,
          tm.ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope |
            tm.ts.TypeFormatFlags.NoTruncation,
        );
        if (close && !isThenable(inferred) && !text.includes('import(') && !inferred.isAny()) {
          insert(unit, close.getEnd(), `: Promise<${text}>`, 1, 0);
        }
      }
    }
    if (isTwin && binding && !step.twinProblem(unit)) replace(binding, twinName(unit));
  }

  const allowsAwait = (unit: Unit): boolean =>
    !tm.Node.isSourceFile(unit) || analysis.allowsTopLevelAwait(unit);
  for (const site of step.sites.values()) {
    if (site.twin) rename(site.twin.nameNode, site.twin.asyncTwin);
    if (site.callee && keepTwins && twinned.has(site.callee)) {
      const callee = site.kind === 'map' ? site.node.getArguments()[0] : site.node.getExpression();
      const name =
        callee && tm.Node.isPropertyAccessExpression(callee)
          ? callee.getNameNode()
          : callee && tm.Node.isIdentifier(callee)
            ? callee
            : undefined;
      if (name && tm.Node.isIdentifier(name)) rename(name, twinName(site.callee));
    }
    const loop = site.node.getParent();
    const forOf =
      site.kind === 'for-of' ||
      (site.twin?.asyncIterable === true && loop !== undefined && tm.Node.isForOfStatement(loop));
    if (forOf && loop && tm.Node.isForOfStatement(loop)) {
      if (!loop.isAwaited()) {
        const keyword = loop.getFirstChildByKind(tm.SyntaxKind.ForKeyword);
        if (keyword) insert(loop, keyword.getEnd(), ' await', 1, loop.getWidth());
      }
      continue;
    }
    const direct = passthrough.has(site.unit);
    let open = site.kind === 'map' ? 'Promise.all(' : '';
    let close = site.kind === 'map' ? ')' : '';
    if (!direct) {
      open = `${allowsAwait(site.unit) ? 'await' : 'void'} ${open}`;
      if (needsParentheses(tm, site.node)) {
        open = `(${open}`;
        close = `${close})`;
      }
    }
    if (open) insert(site.node, site.node.getStart(), open, 1, site.node.getWidth());
    if (close) insert(site.node, site.node.getEnd(), close, 0, site.node.getWidth());
  }

  for (const site of step.sites.values()) {
    const start = site.node.getStart();
    const end = site.node.getEnd();
    const own = (edits.get(site.node.getSourceFile()) ?? []).filter(
      (edit) =>
        (edit.pos > start && edit.end < end) ||
        (edit.pos >= start && edit.end <= end && (edit.owner === site.node || edit.order === 2)),
    );
    const loop = site.node.getParent();
    const iterated =
      loop !== undefined &&
      tm.Node.isForOfStatement(loop) &&
      loop.getExpression() === site.node &&
      (site.kind === 'for-of' || site.twin?.asyncIterable === true);
    const text = applyEdits(site.node.getText(), own, start).replace(/\s+/g, ' ');
    rewrites.push({
      ...analysis.location(site.node),
      before: analysis.shortText(site.node),
      after: iterated ? `for await (... of ${text})` : text,
    });
  }

  // Twins: the rewritten copy goes in beside the blocking original, which keeps its text.
  const exportFixes: { file: SourceFile; name: string; twin: string }[] = [];
  if (keepTwins) {
    for (const unit of twinned) {
      if (step.twinProblem(unit)) continue;
      const file = unit.getSourceFile();
      const binding = analysis.bindingName(unit);
      const holder = binding?.getParent();
      const container =
        holder && tm.Node.isVariableDeclaration(holder)
          ? (holder.getVariableStatement() ?? unit)
          : unit;
      const start = container.getStart(true);
      const end = container.getEnd();
      const list = edits.get(file) ?? [];
      const inside = list.filter((edit) => edit.pos >= start && edit.end <= end);
      const outside = list.filter((edit) => !(edit.pos >= start && edit.end <= end));
      const text = file.getFullText();
      const copy = applyEdits(text.slice(start, end), inside, start);
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      const indent = /^[ \t]*/.exec(text.slice(lineStart, start))?.[0] ?? '';
      outside.push({ pos: end, end, text: `\n\n${indent}${copy}`, order: 1, span: 0 });
      edits.set(file, outside);
      if (binding && !tm.Node.isMethodDeclaration(unit)) {
        exportFixes.push({ file, name: binding.getText(), twin: twinName(unit) });
      }
    }
  }

  // Notes computed before the tree is replaced: nodes of the old text are gone afterwards.
  if (keepTwins) {
    const next = new Set<string>();
    for (const unit of twinned) {
      if (step.twinProblem(unit)) continue;
      const users = new Set<string>();
      for (const use of step.plans.get(unit)?.outside ?? []) {
        const caller = analysis.unitName(analysis.unitOf(use.site));
        users.add(caller);
        next.add(caller);
      }
      for (const site of step.sites.values()) {
        if (site.callee !== unit) continue;
        for (const holder of twinned) {
          if (holder !== unit && isWithin(site.node, holder)) {
            users.add(`the blocking ${analysis.unitName(holder)}`);
          }
        }
      }
      notes.push(
        `${analysis.unitName(unit)} keeps its blocking version for ${[...users].join(', ')}; ${twinName(unit)} is the async one.`,
      );
    }
    if (next.size > 0) notes.push(`Next step: migrate ${[...next].join(', ')}.`);
  }
  for (const site of step.sites.values()) {
    if (site.twin?.owner !== 'project') continue;
    const symbol = site.twin.nameNode.getSymbol();
    const target = symbol?.isAlias() ? symbol.getAliasedSymbol() : symbol;
    const declaration = target?.getDeclarations()[0];
    const unit =
      declaration && tm.Node.isVariableDeclaration(declaration)
        ? declaration.getInitializer()
        : declaration;
    if (!unit || !analysis.isFunctionLike(unit)) continue;
    // Its own recursive calls do not keep it alive.
    const left = analysis
      .usesOf(unit)
      .filter((use) => !step.sites.has(use.site) && !isWithin(use.site, unit));
    if (left.length === 0) {
      notes.push(
        `${analysis.unitName(unit)} (the blocking twin) has no callers left in the project: delete it when nothing outside the project uses it.`,
      );
    }
  }

  // --- Apply in memory, type-check, diff ------------------------------------------------------
  const files: ChangedFile[] = [];
  const beforeTexts = new Map<SourceFile, string>();
  for (const [file, list] of edits) {
    const before = file.getFullText();
    beforeTexts.set(file, before);
    file.replaceWithText(applyEdits(before, list));
  }
  for (const [file, fixes] of importFixes) fixImports(tm, file, fixes);
  for (const fix of exportFixes) {
    for (const declaration of fix.file.getExportDeclarations()) {
      const names = declaration.getNamedExports().map((specifier) => specifier.getName());
      if (names.includes(fix.name) && !names.includes(fix.twin))
        declaration.addNamedExport(fix.twin);
    }
  }
  for (const [file, before] of beforeTexts) {
    const after = file.getFullText();
    if (after !== before) {
      files.push({
        path: file.getFilePath(),
        file: analysis.relative(file.getFilePath()),
        before,
        after,
      });
    }
  }
  const diagnosticsAfter = files.length > 0 ? collectDiagnostics(analysis) : diagnosticsBefore;
  const newDiagnostics = addedDiagnostics(diagnosticsBefore, diagnosticsAfter);
  if (newDiagnostics.length > 0) {
    step.refusal.push(
      `The change adds ${newDiagnostics.length} type ${newDiagnostics.length === 1 ? 'error' : 'errors'}:\n${newDiagnostics.map((d) => `  ${d.text}`).join('\n')}`,
    );
  }
  const diff = files.map((file) => unifiedDiff(file.file, file.before, file.after)).join('');
  const ok = step.refusal.length === 0;
  let written = false;
  if (ok && options.write === true) {
    const fs = process.getBuiltinModule('node:fs');
    for (const file of files) fs.writeFileSync(file.path, file.after);
    written = files.length > 0;
  }
  return {
    ok,
    written,
    refusal: step.refusal,
    diff,
    files,
    converted,
    rewrites,
    strands,
    attention: step.attention,
    diagnosticsBefore: diagnosticsBefore.length,
    newDiagnostics,
    notes,
  };
}

/** Imports the async twins that renamed calls now use, and drops imports no longer used. */
function fixImports(tm: OpenProject['tm'], file: SourceFile, fixes: readonly ImportFix[]): void {
  for (const fix of fixes) {
    const declarations = file
      .getImportDeclarations()
      .filter(
        (declaration) =>
          declaration.getModuleSpecifierValue() === fix.module && !declaration.isTypeOnly(),
      );
    const target = declarations[0];
    if (!target) continue;
    const has = declarations.some((declaration) =>
      declaration
        .getNamedImports()
        .some(
          (specifier) =>
            (specifier.getAliasNode()?.getText() ?? specifier.getName()) === fix.newName,
        ),
    );
    if (!has) {
      // Beside the blocking twin's import, so that the pair reads as a pair.
      const index = target
        .getNamedImports()
        .findIndex((specifier) => specifier.getName() === fix.oldName);
      target.insertNamedImport(
        index >= 0 ? index + 1 : target.getNamedImports().length,
        fix.newName,
      );
    }
  }
  for (const fix of fixes) {
    const used = file
      .getDescendantsOfKind(tm.SyntaxKind.Identifier)
      .some(
        (identifier) =>
          identifier.getText() === fix.oldName &&
          !identifier.getFirstAncestorByKind(tm.SyntaxKind.ImportDeclaration),
      );
    if (used) continue;
    for (const declaration of file.getImportDeclarations()) {
      if (declaration.getModuleSpecifierValue() !== fix.module) continue;
      for (const specifier of declaration.getNamedImports()) {
        if ((specifier.getAliasNode()?.getText() ?? specifier.getName()) === fix.oldName)
          specifier.remove();
      }
      if (
        declaration.getNamedImports().length === 0 &&
        !declaration.getDefaultImport() &&
        !declaration.getNamespaceImport()
      ) {
        declaration.remove();
      }
    }
  }
}
