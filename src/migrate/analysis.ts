import type * as TsMorph from 'ts-morph';
import { classifyCallback } from './callbacks.js';
import { type Family, familyOf } from './family.js';
import type { OpenProject, TsMorphModule } from './load.js';
import { ReferenceIndex } from './references.js';
import { findTwinCall } from './twins.js';
import type { SourceLocation, TwinOwner, UnitKind, UseKind } from './types.js';

type Node = TsMorph.Node;
type CallExpression = TsMorph.CallExpression;
type SourceFile = TsMorph.SourceFile;

/** A function-like node, a class field it initialises, or a module's top level. */
export type Unit = Node;

/** A call of a blocking twin, and how to rewrite it. */
export interface TwinCall {
  readonly call: CallExpression;
  readonly method: string;
  readonly asyncTwin: string;
  readonly owner: TwinOwner;
  /** The identifier to rename: the method name, or the function's name at the call. */
  readonly nameNode: TsMorph.Identifier;
  /** The async twin yields an async iterable (`iterateCharactersAsync`): `for await`, not `await`. */
  readonly asyncIterable: boolean;
}

/** How a unit is used: what would have to await it. */
export interface Use {
  readonly kind: UseKind | 'awaited' | 'escape' | 'value';
  /** The call that awaits it (or the reference, for `value` and `escape`). */
  readonly site: Node;
  /** The identifier that names the unit at this use, when it is named there (not an inline callback). */
  readonly reference: Node | undefined;
  /** For `escape`/`value`: why it cannot be followed. */
  readonly reason: string | undefined;
  /** For `array`: the `Array` method whose callback it is (`filter`). */
  readonly method?: string;
  /** For `helper`: the project function that calls it and gets an async sibling. */
  readonly helper?: Unit;
}

const FUNCTION_KINDS = new Set<string>([
  'FunctionDeclaration',
  'MethodDeclaration',
  'ArrowFunction',
  'FunctionExpression',
  'Constructor',
  'GetAccessor',
  'SetAccessor',
]);

/** The analysis every part of the tool stands on: twins, units, their uses, and their families. */
export class Analysis {
  readonly tm: TsMorphModule;
  readonly project: TsMorph.Project;
  readonly own: readonly SourceFile[];
  readonly root: string;
  readonly #ownPaths: Set<string>;
  readonly #packageNames = new Map<string, string | null>();
  readonly #uses = new Map<Unit, readonly Use[]>();
  readonly #twins = new Map<CallExpression, TwinCall | null>();
  readonly #kept = new Map<Unit, Node | null>();
  readonly #families = new Map<Node, Family>();
  readonly #memo = new Map<string, Map<Node, unknown>>();
  #index: ReferenceIndex | undefined;
  #names: ReadonlySet<string> | undefined;

  constructor(open: Pick<OpenProject, 'tm' | 'project' | 'own' | 'root'>) {
    this.tm = open.tm;
    this.project = open.project;
    this.own = open.own;
    this.root = open.root;
    this.#ownPaths = new Set(open.own.map((file) => file.getFilePath()));
  }

  isOwn(node: Node): boolean {
    return this.#ownPaths.has(node.getSourceFile().getFilePath());
  }

  /** A per-analysis cache for the helpers that live in other modules. */
  memo<T>(table: string, node: Node, compute: () => T): T {
    let map = this.#memo.get(table);
    if (!map) {
      map = new Map();
      this.#memo.set(table, map);
    }
    if (map.has(node)) return map.get(node) as T;
    const value = compute();
    map.set(node, value);
    return value;
  }

  // --- Locations ------------------------------------------------------------------------------

  relative(path: string): string {
    const nodePath = process.getBuiltinModule('node:path');
    const relative = nodePath.relative(this.root, path).replace(/\\/g, '/');
    return relative.startsWith('..') ? path.replace(/\\/g, '/') : relative;
  }

  location(node: Node, position = node.getStart()): SourceLocation {
    const file = node.getSourceFile();
    const { line, column } = file.getLineAndColumnAtPos(position);
    return { file: this.relative(file.getFilePath()), line, column };
  }

  /** `file:line`, for messages. */
  where(node: Node): string {
    const at = this.location(this.bindingName(node) ?? node);
    return `${at.file}:${at.line}`;
  }

  shortText(node: Node): string {
    const text = node.getText().replace(/\s+/g, ' ');
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  }

  // --- Which files are whose ------------------------------------------------------------------

  #packageName(directory: string): string | null {
    const cached = this.#packageNames.get(directory);
    if (cached !== undefined) return cached;
    const path = process.getBuiltinModule('node:path');
    const fs = process.getBuiltinModule('node:fs');
    let name: string | null = null;
    const manifest = path.join(directory, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        const parsed = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown };
        name = typeof parsed.name === 'string' ? parsed.name : '';
      } catch {
        name = '';
      }
    } else {
      const parent = path.dirname(directory);
      name = parent === directory ? null : this.#packageName(parent);
    }
    this.#packageNames.set(directory, name);
    return name;
  }

  /** A file of the `rickmorty-client` package: its source, its build, or its installed copy. */
  isLibraryFile(file: SourceFile): boolean {
    const path = process.getBuiltinModule('node:path');
    return this.#packageName(path.dirname(file.getFilePath())) === 'rickmorty-client';
  }

  /**
   * Source of the project itself, analysed or not (`files` may narrow the analysis to a few):
   * neither this package nor anything installed.
   */
  isProjectFile(file: SourceFile): boolean {
    return !file.isDeclarationFile() && !file.isInNodeModules() && !this.isLibraryFile(file);
  }

  /** One of TypeScript's own `lib.es*.d.ts` files: the language's built-ins, not the DOM or Node. */
  isEsLibFile(file: SourceFile): boolean {
    const name = file.getBaseName();
    return /^lib\.(es|esnext|decorators)/i.test(name) && file.isDeclarationFile();
  }

  // --- Twins ----------------------------------------------------------------------------------

  /**
   * Names `X` for which some `XAsync` is written in the project or this package, with the local
   * names they are imported as: a call of anything else cannot be a twin call, and is not asked
   * about (asking the type checker about every call of a large project is what takes time).
   */
  #twinNames(): ReadonlySet<string> {
    if (this.#names) return this.#names;
    const names = new Set<string>();
    const pattern = /([A-Za-z_$][\w$]*)Async\b/g;
    const path = process.getBuiltinModule('node:path');
    for (const file of this.project.getProgram().compilerObject.getSourceFiles()) {
      const mine =
        this.#ownPaths.has(file.fileName) ||
        this.#packageName(path.dirname(file.fileName)) === 'rickmorty-client';
      if (!mine) continue;
      for (const match of file.text.matchAll(pattern)) if (match[1]) names.add(match[1]);
    }
    for (const file of this.own) {
      for (const declaration of file.getImportDeclarations()) {
        const local = declaration.getDefaultImport();
        if (local) names.add(local.getText());
        for (const specifier of declaration.getNamedImports()) {
          if (names.has(specifier.getName()))
            names.add(specifier.getAliasNode()?.getText() ?? specifier.getName());
        }
      }
    }
    this.#names = names;
    return names;
  }

  /** The blocking twin this call calls, discovered from the types, or `undefined`. */
  twinOf(call: CallExpression): TwinCall | undefined {
    const cached = this.#twins.get(call);
    if (cached !== undefined) return cached ?? undefined;
    const callee = call.getExpression();
    const tm = this.tm;
    const name = tm.Node.isPropertyAccessExpression(callee)
      ? callee.getName()
      : tm.Node.isIdentifier(callee)
        ? callee.getText()
        : undefined;
    const found =
      name !== undefined && this.#twinNames().has(name) ? findTwinCall(this, call) : undefined;
    this.#twins.set(call, found ?? null);
    return found;
  }

  /**
   * Every call of a blocking twin in the project's own files (or under `within`), in source order,
   * except those inside a blocking twin that is kept beside its async one: that code stays blocking
   * on purpose.
   */
  twinCalls(within?: Node): TwinCall[] {
    const tm = this.tm;
    const roots = within ? [within] : this.own;
    const found: TwinCall[] = [];
    for (const root of roots) {
      if (this.keptTwinAround(root)) continue;
      for (const call of root.getDescendantsOfKind(tm.SyntaxKind.CallExpression)) {
        const twin = this.twinOf(call);
        if (twin && !this.keptTwinAround(call) && this.blocksThroughArguments(call)) {
          found.push(twin);
        }
      }
    }
    return found;
  }

  /**
   * Whether a twin call blocks. A twin that takes functions (`handleError(fn)`, a helper's
   * `withTiming(label, fn)`) blocks only through them: `handleError(() => 42)` is left alone; it
   * blocks when a function it is given makes a blocking call (that call is then migrated, and the
   * twin call with it).
   */
  blocksThroughArguments(call: CallExpression): boolean {
    const tm = this.tm;
    const functions: Node[] = [];
    for (const argument of call.getArguments()) {
      const inner = unwrapParentheses(tm, argument);
      if (tm.Node.isArrowFunction(inner) || tm.Node.isFunctionExpression(inner)) {
        functions.push(inner);
      } else if (tm.Node.isIdentifier(inner) || tm.Node.isPropertyAccessExpression(inner)) {
        const name = tm.Node.isPropertyAccessExpression(inner) ? inner.getNameNode() : inner;
        let symbol = name.getSymbol();
        if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
        const declaration = symbol?.getDeclarations()[0];
        const unit = declaration ? this.unitOfDeclaration(declaration) : undefined;
        if (unit) functions.push(unit);
      }
    }
    if (functions.length === 0) return true;
    return functions.some((fn) =>
      fn.getDescendantsOfKind(tm.SyntaxKind.CallExpression).some((inner) => this.twinOf(inner)),
    );
  }

  /**
   * The `…Async` sibling of a function, method or interface member, when it has one: the unit is
   * then a blocking twin kept for the callers that still block, and is never converted.
   */
  asyncSibling(unit: Node): Node | undefined {
    const cached = this.#kept.get(unit);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.#findAsyncSibling(unit);
    this.#kept.set(unit, found ?? null);
    return found;
  }

  #findAsyncSibling(unit: Node): Node | undefined {
    const tm = this.tm;
    const name = this.bindingName(unit) ?? memberName(tm, unit);
    if (!name) return undefined;
    const twin = `${name.getText()}Async`;
    const holder = name.getParent();
    const container =
      holder && tm.Node.isVariableDeclaration(holder)
        ? holder.getVariableStatement()?.getParent()
        : tm.Node.isPropertyAssignment(holder) || tm.Node.isPropertyDeclaration(holder)
          ? holder.getParent()
          : unit.getParent();
    if (!container) return undefined;
    if (
      tm.Node.isClassDeclaration(container) ||
      tm.Node.isClassExpression(container) ||
      tm.Node.isInterfaceDeclaration(container)
    ) {
      return container.getMembers().find((member) => memberName(tm, member)?.getText() === twin);
    }
    if (tm.Node.isObjectLiteralExpression(container)) {
      return container.getProperty(twin);
    }
    return localDeclaration(tm, container, twin);
  }

  /** The kept blocking twin that `node` is in (or is), if any. */
  keptTwinAround(node: Node): Node | undefined {
    for (let current: Node | undefined = node; current; current = current.getParent()) {
      if (this.isFunctionLike(current) && this.asyncSibling(current)) return current;
    }
    return undefined;
  }

  // --- Units ----------------------------------------------------------------------------------

  isFunctionLike(node: Node): boolean {
    return FUNCTION_KINDS.has(node.getKindName());
  }

  /** The innermost function around a node, a class field it initialises, or its module. */
  unitOf(node: Node): Unit {
    const tm = this.tm;
    for (let current = node.getParent(); current; current = current.getParent()) {
      if (this.isFunctionLike(current)) return current;
      if (
        tm.Node.isPropertyDeclaration(current) &&
        !isFunctionInitializer(tm, current.getInitializer())
      ) {
        return current;
      }
      if (tm.Node.isSourceFile(current)) return current;
    }
    return node.getSourceFile();
  }

  unitKind(unit: Unit): UnitKind {
    switch (unit.getKindName()) {
      case 'FunctionDeclaration':
        return 'function';
      case 'MethodDeclaration':
      case 'MethodSignature':
        return 'method';
      case 'ArrowFunction':
        return 'arrow';
      case 'FunctionExpression':
        return 'function-expression';
      case 'GetAccessor':
      case 'SetAccessor':
        return 'accessor';
      case 'SourceFile':
        return 'top-level';
      default:
        return 'constructor';
    }
  }

  /**
   * The identifier that names a unit: its own name (`#load` for a private method), or the variable
   * or property it is bound to.
   */
  bindingName(unit: Unit): TsMorph.Identifier | TsMorph.PrivateIdentifier | undefined {
    const tm = this.tm;
    if (
      tm.Node.isFunctionDeclaration(unit) ||
      tm.Node.isMethodDeclaration(unit) ||
      tm.Node.isMethodSignature(unit)
    ) {
      const name = unit.getNameNode();
      return name && (tm.Node.isIdentifier(name) || tm.Node.isPrivateIdentifier(name))
        ? name
        : undefined;
    }
    if (tm.Node.isArrowFunction(unit) || tm.Node.isFunctionExpression(unit)) {
      const holder = skipParentheses(tm, unit).getParent();
      if (
        holder &&
        (tm.Node.isVariableDeclaration(holder) ||
          tm.Node.isPropertyDeclaration(holder) ||
          tm.Node.isPropertyAssignment(holder)) &&
        holder.getInitializer() === skipParentheses(tm, unit)
      ) {
        const name = holder.getNameNode();
        return tm.Node.isIdentifier(name) || tm.Node.isPrivateIdentifier(name) ? name : undefined;
      }
    }
    return undefined;
  }

  /** The node the type checker knows a unit by: the variable or property an arrow is bound to. */
  declarationOf(unit: Unit): Node {
    const holder = this.bindingName(unit)?.getParent();
    const tm = this.tm;
    if (
      holder &&
      (tm.Node.isVariableDeclaration(holder) ||
        tm.Node.isPropertyDeclaration(holder) ||
        tm.Node.isPropertyAssignment(holder))
    ) {
      return holder;
    }
    return unit;
  }

  /** The function a declaration stands for: an arrow bound to a variable, or the node itself. */
  unitOfDeclaration(declaration: Node): Unit | undefined {
    const tm = this.tm;
    if (
      tm.Node.isVariableDeclaration(declaration) ||
      tm.Node.isPropertyDeclaration(declaration) ||
      tm.Node.isPropertyAssignment(declaration)
    ) {
      const initializer = declaration.getInitializer();
      return initializer && isFunctionInitializer(tm, initializer)
        ? unwrapParentheses(tm, initializer)
        : undefined;
    }
    return this.isFunctionLike(declaration) ? declaration : undefined;
  }

  className(node: Node): string {
    const tm = this.tm;
    const owner = node.getParent();
    if (
      owner &&
      (tm.Node.isClassDeclaration(owner) ||
        tm.Node.isClassExpression(owner) ||
        tm.Node.isInterfaceDeclaration(owner))
    ) {
      return owner.getName() ?? '(anonymous class)';
    }
    return '';
  }

  unitName(unit: Unit): string {
    const tm = this.tm;
    if (tm.Node.isSourceFile(unit)) return `top level of ${this.relative(unit.getFilePath())}`;
    const qualify = (name: string, member: Node): string => {
      const owner = this.className(member);
      return owner ? `${owner}.${name}` : name;
    };
    if (tm.Node.isFunctionDeclaration(unit)) {
      return unit.getName() ?? 'default function';
    }
    if (tm.Node.isMethodDeclaration(unit) || tm.Node.isMethodSignature(unit)) {
      return qualify(unit.getName(), unit);
    }
    if (tm.Node.isConstructorDeclaration(unit)) return qualify('constructor', unit);
    if (tm.Node.isGetAccessorDeclaration(unit)) return `get ${qualify(unit.getName(), unit)}`;
    if (tm.Node.isSetAccessorDeclaration(unit)) return `set ${qualify(unit.getName(), unit)}`;
    if (tm.Node.isPropertyDeclaration(unit)) return `field ${qualify(unit.getName(), unit)}`;
    const binding = this.bindingName(unit);
    if (binding) {
      const holder = binding.getParent();
      return holder && tm.Node.isPropertyDeclaration(holder)
        ? qualify(binding.getText(), holder)
        : binding.getText();
    }
    const what = tm.Node.isArrowFunction(unit) ? 'arrow function' : 'function expression';
    return `${what} in ${this.unitName(this.unitOf(unit))}`;
  }

  isAsync(unit: Unit): boolean {
    const tm = this.tm;
    return isPlainFunction(tm, unit) && unit.isAsync();
  }

  isGenerator(unit: Unit): boolean {
    const tm = this.tm;
    return (
      (tm.Node.isFunctionDeclaration(unit) ||
        tm.Node.isMethodDeclaration(unit) ||
        tm.Node.isFunctionExpression(unit)) &&
      unit.isGenerator()
    );
  }

  /**
   * Whether a function already returns a promise (`function later(): Promise<string>`): made
   * async, its type stays the same, so its callers do not change (an `await` added there would
   * hand them the value instead of the promise they use).
   */
  returnsPromise(unit: Unit): boolean {
    const tm = this.tm;
    if (!isPlainFunction(tm, unit) || this.isGenerator(unit)) {
      return false;
    }
    const typeNode = unit.getReturnTypeNode();
    return isThenable(typeNode ? typeNode.getType() : unit.getReturnType());
  }

  /** Why a unit can never become async, when it cannot. */
  cannotBeAsync(unit: Unit): string | undefined {
    switch (this.unitKind(unit)) {
      case 'constructor':
        return this.tm.Node.isPropertyDeclaration(unit)
          ? 'a class field initializer cannot await: move the call into an async method'
          : 'a constructor cannot be async: move the call into a static async factory';
      case 'accessor':
        return 'a getter or setter cannot be async: turn it into an async method';
      default:
        return undefined;
    }
  }

  /**
   * Whether code outside the project can call this unit: an exported function or variable, a
   * method of an exported class or interface that is not private. Such a unit keeps its blocking
   * version unless the user asks for the change in place.
   */
  isVisibleOutside(unit: Unit): boolean {
    return this.memo('visible', unit, () => isVisible(this, unit));
  }

  /**
   * Whether top-level `await` works in this module: the compiler allows it (ESM output, ES2017+
   * target) and Node runs the file as an ES module (`.mts`, or `.ts` under `"type": "module"`), as
   * `tsx` and a compiled build both do.
   */
  allowsTopLevelAwait(file: SourceFile): boolean {
    return this.memo('tla', file, () => topLevelAwaitAllowed(this, file));
  }

  // --- Uses -----------------------------------------------------------------------------------

  /**
   * Work the program already leaves running while its code goes on: a timer or a scheduled
   * callback (`setTimeout`, `setImmediate`, `queueMicrotask`, `process.nextTick`), or a promise
   * nobody awaits (`fetchAsync().then(...)` as a statement). A blocking program holds it back until
   * its synchronous run ends; an `await` added by a step would let it run in between. A promise
   * left at the very end of a module's top level (`main().catch(...)`) is the program's own entry.
   */
  pendingWork(files: Iterable<SourceFile>): Node | undefined {
    for (const file of this.#program(files)) {
      const found = this.memo('pending', file, () => findPendingWork(this, file));
      if (found) return found;
    }
    return undefined;
  }

  /** The own files linked to these by imports, either way: the program they belong to. */
  #program(files: Iterable<SourceFile>): Set<SourceFile> {
    const found = new Set<SourceFile>();
    const queue = [...files];
    for (let file = queue.shift(); file; file = queue.shift()) {
      if (found.has(file)) continue;
      found.add(file);
      queue.push(...this.importersOf(file));
      for (const declaration of [
        ...file.getImportDeclarations(),
        ...file.getExportDeclarations(),
      ]) {
        const target = declaration.getModuleSpecifierSourceFile();
        if (target && this.isOwn(target)) queue.push(target);
      }
      for (const statement of file.getStatements()) {
        if (!this.tm.Node.isImportEqualsDeclaration(statement)) continue;
        const reference = statement.getModuleReference();
        const target = this.tm.Node.isExternalModuleReference(reference)
          ? reference.getReferencedSourceFile()
          : undefined;
        if (target && this.isOwn(target)) queue.push(target);
      }
    }
    return found;
  }

  /** The project's own files that refer to this one in any way, types included. */
  referencingFiles(file: SourceFile): readonly SourceFile[] {
    return this.memo('referencing', file, () =>
      file.getReferencingSourceFiles().filter((other) => other !== file && this.isOwn(other)),
    );
  }

  /** The project's own files that load this one at run time (import, require, re-export). */
  importersOf(file: SourceFile): readonly SourceFile[] {
    return this.memo('importers', file, () =>
      this.referencingFiles(file).filter((other) => {
        // `import type` is erased: it loads nothing at run time.
        const imports = other
          .getImportDeclarations()
          .filter((declaration) => declaration.getModuleSpecifierSourceFile() === file);
        return imports.length === 0 || imports.some((declaration) => !declaration.isTypeOnly());
      }),
    );
  }

  /** Every reference to a declaration in the project's own files (one pass over them, on demand). */
  referencesTo(declaration: Node): readonly Node[] {
    this.#index ??= new ReferenceIndex(this);
    return this.#index.get(declaration);
  }

  /** The methods and interface members that stand or fall together with this one. */
  familyOf(unit: Unit): Family {
    let family = this.#families.get(unit);
    if (!family) {
      family = familyOf(this, unit);
      for (const member of family.members) this.#families.set(member, family);
      this.#families.set(unit, family);
    }
    return family;
  }

  /** What would have to await this unit if it became async. */
  usesOf(unit: Unit): readonly Use[] {
    const cached = this.#uses.get(unit);
    if (cached) return cached;
    const uses = this.#findUses(unit);
    this.#uses.set(unit, uses);
    return uses;
  }

  #findUses(unit: Unit): Use[] {
    const tm = this.tm;
    const binding = this.bindingName(unit);
    if (!binding) {
      const expression = skipParentheses(tm, unit);
      const parent = expression.getParent();
      if (parent && tm.Node.isCallExpression(parent)) {
        if (parent.getExpression() === expression) {
          return [{ kind: 'iife', site: parent, reference: undefined, reason: undefined }];
        }
        return [classifyCallback(this, parent, expression, undefined)];
      }
      return [
        {
          kind: 'escape',
          site: unit,
          reference: undefined,
          reason: 'an unnamed function its callers cannot be followed to',
        },
      ];
    }
    const declarations = tm.Node.isMethodDeclaration(unit)
      ? this.familyOf(unit).members
      : [this.declarationOf(unit)];
    const uses: Use[] = [];
    const seen = new Set<Node>();
    for (const declaration of declarations) {
      for (const reference of this.referencesTo(declaration)) {
        if (seen.has(reference)) continue;
        seen.add(reference);
        const use = this.#referenceUse(reference);
        if (use) uses.push(use);
      }
    }
    return uses;
  }

  #referenceUse(reference: Node): Use | undefined {
    const tm = this.tm;
    // Imports, exports and `typeof f` mention a function without calling it.
    if (
      reference.getFirstAncestor(
        (node) =>
          tm.Node.isImportDeclaration(node) ||
          tm.Node.isExportDeclaration(node) ||
          tm.Node.isTypeQuery(node) ||
          tm.Node.isTypeReference(node),
      )
    ) {
      return undefined;
    }
    let callee: Node = reference;
    const parent = reference.getParent();
    if (
      parent &&
      tm.Node.isPropertyAccessExpression(parent) &&
      parent.getNameNode() === reference
    ) {
      callee = parent;
    }
    callee = skipParentheses(tm, callee);
    const holder = callee.getParent();
    if (holder && tm.Node.isCallExpression(holder)) {
      if (holder.getExpression() === callee) {
        const loop = holder.getParent();
        const kind: UseKind =
          loop && tm.Node.isForOfStatement(loop) && loop.getExpression() === holder
            ? 'for-of'
            : 'call';
        return { kind, site: holder, reference, reason: undefined };
      }
      return classifyCallback(this, holder, callee, reference);
    }
    if (tm.Node.isExportAssignment(holder)) {
      return { kind: 'value', site: reference, reference, reason: 'exported as the default' };
    }
    if (parent && tm.Node.isBindingElement(parent)) {
      return { kind: 'value', site: reference, reference, reason: 'destructured from its object' };
    }
    return {
      kind: 'value',
      site: reference,
      reference,
      reason: `used as a value (${this.shortText(holder ?? reference)})`,
    };
  }
}

/** A function with a body and parameters that can become async: not a constructor or accessor. */
export type PlainFunction =
  | TsMorph.FunctionDeclaration
  | TsMorph.MethodDeclaration
  | TsMorph.ArrowFunction
  | TsMorph.FunctionExpression;

export function isPlainFunction(tm: TsMorphModule, node: Node): node is PlainFunction {
  return (
    tm.Node.isFunctionDeclaration(node) ||
    tm.Node.isMethodDeclaration(node) ||
    tm.Node.isArrowFunction(node) ||
    tm.Node.isFunctionExpression(node)
  );
}

/** The name of a class or interface member, or of an object literal's method or property. */
export function memberName(tm: TsMorphModule, node: Node): TsMorph.Node | undefined {
  if (
    tm.Node.isMethodDeclaration(node) ||
    tm.Node.isMethodSignature(node) ||
    tm.Node.isPropertyDeclaration(node) ||
    tm.Node.isPropertySignature(node) ||
    tm.Node.isPropertyAssignment(node) ||
    tm.Node.isGetAccessorDeclaration(node) ||
    tm.Node.isSetAccessorDeclaration(node)
  ) {
    const name = node.getNameNode();
    return tm.Node.isIdentifier(name) || tm.Node.isPrivateIdentifier(name) ? name : undefined;
  }
  return undefined;
}

/** A function, class or variable named `name` declared directly in a block or module. */
export function localDeclaration(tm: TsMorphModule, scope: Node, name: string): Node | undefined {
  const statements = scope.getChildSyntaxList()?.getChildren() ?? [];
  for (const statement of statements) {
    if (
      tm.Node.isFunctionDeclaration(statement) ||
      tm.Node.isClassDeclaration(statement) ||
      tm.Node.isInterfaceDeclaration(statement)
    ) {
      if (statement.getName() === name) return statement;
    } else if (tm.Node.isVariableStatement(statement)) {
      const found = statement
        .getDeclarations()
        .find((declaration) => declaration.getName() === name);
      if (found) return found;
    }
  }
  return undefined;
}

const SCHEDULERS = new Set([
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'nextTick',
]);

function findPendingWork(analysis: Analysis, file: SourceFile): Node | undefined {
  const tm = analysis.tm;
  const statements = file.getStatements();
  const last = statements.at(-1);
  let found: Node | undefined;
  file.forEachDescendant((node, traversal) => {
    if (tm.Node.isCallExpression(node)) {
      const callee = node.getExpression();
      const name = tm.Node.isPropertyAccessExpression(callee)
        ? callee.getName()
        : tm.Node.isIdentifier(callee)
          ? callee.getText()
          : '';
      if (SCHEDULERS.has(name)) {
        const declarations = (
          tm.Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : callee
        )
          .getSymbol()
          ?.getDeclarations();
        if (declarations?.some((d) => !analysis.isOwn(d))) found = node;
      }
    } else if (tm.Node.isExpressionStatement(node) && node !== last) {
      let expression = unwrapParentheses(tm, node.getExpression());
      if (tm.Node.isVoidExpression(expression))
        expression = unwrapParentheses(tm, expression.getExpression());
      if (
        (tm.Node.isCallExpression(expression) || tm.Node.isNewExpression(expression)) &&
        isThenable(expression.getType())
      ) {
        found = node;
      }
    }
    if (found) traversal.stop();
  });
  return found;
}

function isVisible(analysis: Analysis, unit: Unit): boolean {
  const tm = analysis.tm;
  const holder = analysis.declarationOf(unit);
  if (tm.Node.isFunctionDeclaration(holder)) return holder.isExported();
  if (tm.Node.isVariableDeclaration(holder)) {
    return holder.getVariableStatement()?.isExported() === true;
  }
  const parent = holder.getParent();
  if (parent && tm.Node.isObjectLiteralExpression(parent)) {
    const variable = parent.getParent();
    return (
      variable !== undefined &&
      tm.Node.isVariableDeclaration(variable) &&
      variable.getVariableStatement()?.isExported() === true
    );
  }
  if (
    tm.Node.isMethodDeclaration(holder) ||
    tm.Node.isPropertyDeclaration(holder) ||
    tm.Node.isMethodSignature(holder)
  ) {
    if (tm.Node.isPrivateIdentifier(holder.getNameNode())) return false;
    if (
      (tm.Node.isMethodDeclaration(holder) || tm.Node.isPropertyDeclaration(holder)) &&
      holder.getScope() === tm.Scope.Private
    ) {
      return false;
    }
    const owner = holder.getParent();
    if (
      tm.Node.isClassDeclaration(owner) ||
      tm.Node.isInterfaceDeclaration(owner) ||
      tm.Node.isEnumDeclaration(owner)
    ) {
      return owner.isExported();
    }
    return false;
  }
  return false;
}

function topLevelAwaitAllowed(analysis: Analysis, file: SourceFile): boolean {
  const ts = analysis.tm.ts;
  const options = analysis.project.getCompilerOptions();
  const target = options.target ?? ts.ScriptTarget.ES5;
  if (target < ts.ScriptTarget.ES2017) return false;
  if (!ts.isExternalModule(file.compilerNode)) return false;
  const module = options.module;
  if (module === undefined) return false;
  // How Node (and tsx) will run the file: by its extension, then the nearest package.json's "type".
  const runtime = ts.getImpliedNodeFormatForFile(
    file.getFilePath() as Parameters<typeof ts.getImpliedNodeFormatForFile>[0],
    undefined,
    ts.sys,
    { ...options, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  );
  if (runtime !== ts.ModuleKind.ESNext) return false;
  return (
    (module >= ts.ModuleKind.Node16 && module <= ts.ModuleKind.NodeNext) ||
    module === ts.ModuleKind.ES2022 ||
    module === ts.ModuleKind.ESNext ||
    module === ts.ModuleKind.System ||
    module === ts.ModuleKind.Preserve
  );
}

export function isFunctionInitializer(tm: TsMorphModule, node: Node | undefined): boolean {
  if (!node) return false;
  const inner = unwrapParentheses(tm, node);
  return tm.Node.isArrowFunction(inner) || tm.Node.isFunctionExpression(inner);
}

/** Climbs out of `(…)` around an expression. */
export function skipParentheses(tm: TsMorphModule, node: Node): Node {
  let current = node;
  for (let parent = current.getParent(); parent && tm.Node.isParenthesizedExpression(parent); ) {
    current = parent;
    parent = current.getParent();
  }
  return current;
}

/** Looks through `(…)` inside an expression. */
export function unwrapParentheses(tm: TsMorphModule, node: Node): Node {
  let current = node;
  while (tm.Node.isParenthesizedExpression(current)) current = current.getExpression();
  return current;
}

/** Whether `node` lies inside `container` (never the same node), in the same file. */
export function isWithin(node: Node, container: Node): boolean {
  return (
    node !== container &&
    node.getSourceFile() === container.getSourceFile() &&
    node.getStart() >= container.getStart() &&
    node.getEnd() <= container.getEnd()
  );
}

function hasMember(type: TsMorph.Type, prefix: string): boolean {
  return type.getProperties().some((symbol) => symbol.getName().startsWith(prefix));
}

export function isAsyncIterable(type: TsMorph.Type): boolean {
  if (type.isUnion()) return type.getUnionTypes().every((member) => isAsyncIterable(member));
  return hasMember(type, '__@asyncIterator');
}

export function isThenable(type: TsMorph.Type): boolean {
  if (type.isUnion()) return type.getUnionTypes().some((member) => isThenable(member));
  return type.getProperty('then') !== undefined;
}

/**
 * Whether a function whose contextual return type is this would have its promise awaited: the type
 * is a promise or a union with one (`void | Promise<void>`). `unknown`, `any` and `void` do not
 * say so: `filter`'s predicate returns `unknown`, and an async predicate is always truthy.
 */
export function expectsPromise(type: TsMorph.Type): boolean {
  if (type.isAny() || type.isUnknown()) return false;
  return isThenable(type);
}
