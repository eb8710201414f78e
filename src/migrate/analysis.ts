import type * as TsMorph from 'ts-morph';
import type { OpenProject, TsMorphModule } from './load.js';
import type { SourceLocation, TwinOwner, UnitKind, UseKind } from './types.js';

type Node = TsMorph.Node;
type CallExpression = TsMorph.CallExpression;
type SourceFile = TsMorph.SourceFile;

/** A function-like node, a class field initializer, or a module's top level. */
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
  /** For `escape`/`value`: why it cannot be followed. */
  readonly reason: string | undefined;
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

/** The analysis both `analyzeProject` and `migrate` stand on: twins, units, and their uses. */
export class Analysis {
  readonly tm: TsMorphModule;
  readonly project: TsMorph.Project;
  readonly own: readonly SourceFile[];
  readonly root: string;
  readonly #ownPaths: Set<string>;
  readonly #packageNames = new Map<string, string | null>();
  readonly #uses = new Map<Unit, readonly Use[]>();
  readonly #twins = new Map<CallExpression, TwinCall | null>();

  constructor(open: OpenProject) {
    this.tm = open.tm;
    this.project = open.project;
    this.own = open.own;
    this.root = open.root;
    this.#ownPaths = new Set(open.own.map((file) => file.getFilePath()));
  }

  isOwn(node: Node): boolean {
    return this.#ownPaths.has(node.getSourceFile().getFilePath());
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

  shortText(node: Node): string {
    const text = node.getText().replace(/\s+/g, ' ');
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  }

  // --- Which files are this library's ---------------------------------------------------------

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

  #isClientClass(declaration: TsMorph.ClassDeclaration): boolean {
    if (declaration.getName() !== 'RickMortyClient') return false;
    const file = declaration.getSourceFile();
    return this.isLibraryFile(file) || /\/src\/client\.(d\.)?[cm]?ts$/.test(file.getFilePath());
  }

  /** Whether the type is `RickMortyClient` or a subclass of it. */
  #isClientType(type: TsMorph.Type): boolean {
    const tm = this.tm;
    for (const declaration of type.getSymbol()?.getDeclarations() ?? []) {
      let current: TsMorph.ClassDeclaration | undefined = tm.Node.isClassDeclaration(declaration)
        ? declaration
        : undefined;
      for (let depth = 0; current && depth < 20; depth++) {
        if (this.#isClientClass(current)) return true;
        current = current.getBaseClass();
      }
    }
    return false;
  }

  // --- Twins ----------------------------------------------------------------------------------

  /** The blocking twin this call calls, discovered from the types, or `undefined`. */
  twinOf(call: CallExpression): TwinCall | undefined {
    const cached = this.#twins.get(call);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.#findTwin(call);
    this.#twins.set(call, found ?? null);
    return found;
  }

  #findTwin(call: CallExpression): TwinCall | undefined {
    const tm = this.tm;
    const callee = call.getExpression();
    let nameNode: TsMorph.Identifier;
    if (tm.Node.isPropertyAccessExpression(callee)) {
      const name = callee.getNameNode();
      if (!tm.Node.isIdentifier(name)) return undefined;
      nameNode = name;
      const method = name.getText();
      const receiver = callee.getExpression().getType().getNonNullableType();
      const blocking = receiver.getProperty(method);
      const twin = receiver.getProperty(`${method}Async`);
      if (blocking && twin && this.#isCallable(twin, callee)) {
        if (this.#isClientType(receiver)) {
          return this.#twinCall(call, nameNode, method, 'client', twin, callee);
        }
        const declarations = blocking.getDeclarations();
        if (
          declarations.length > 0 &&
          declarations.every((d) => this.isProjectFile(d.getSourceFile()))
        ) {
          return this.#twinCall(call, nameNode, method, 'project', twin, callee);
        }
      }
      // `rm.handleError(...)` through a namespace import is a free function.
    } else if (tm.Node.isIdentifier(callee)) {
      nameNode = callee;
    } else {
      return undefined;
    }
    return this.#freeFunctionTwin(call, nameNode);
  }

  #isCallable(symbol: TsMorph.Symbol, at: Node): boolean {
    return symbol.getTypeAtLocation(at).getCallSignatures().length > 0;
  }

  #twinCall(
    call: CallExpression,
    nameNode: TsMorph.Identifier,
    method: string,
    owner: TwinOwner,
    twin: TsMorph.Symbol,
    at: Node,
  ): TwinCall {
    const returns = twin
      .getTypeAtLocation(at)
      .getCallSignatures()
      .map((signature) => signature.getReturnType());
    return {
      call,
      method,
      asyncTwin: `${method}Async`,
      owner,
      nameNode,
      asyncIterable: returns.length > 0 && returns.every((type) => isAsyncIterable(type)),
    };
  }

  #freeFunctionTwin(call: CallExpression, nameNode: TsMorph.Identifier): TwinCall | undefined {
    const tm = this.tm;
    let symbol = nameNode.getSymbol();
    if (!symbol) return undefined;
    if (symbol.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
    const declaration = symbol.getDeclarations()[0];
    if (!declaration) return undefined;
    const name = symbol.getName();
    const file = declaration.getSourceFile();
    let owner: TwinOwner;
    if (this.isLibraryFile(file) || /\/src\/retry\.(d\.)?[cm]?ts$/.test(file.getFilePath())) {
      if (!tm.Node.isFunctionDeclaration(declaration)) return undefined;
      owner = 'library';
    } else if (this.isProjectFile(file)) {
      owner = 'project';
    } else {
      return undefined;
    }
    const isFunction = (node: Node | undefined): boolean =>
      node !== undefined &&
      (tm.Node.isFunctionDeclaration(node) ||
        (tm.Node.isVariableDeclaration(node) && isFunctionInitializer(tm, node.getInitializer())));
    if (!isFunction(declaration)) return undefined;
    // The twin is a sibling: declared in the same module, as the library and this tool write them.
    const sibling = file.getFunction(`${name}Async`) ?? file.getVariableDeclaration(`${name}Async`);
    if (!isFunction(sibling) || !sibling) return undefined;
    const returns = sibling
      .getType()
      .getCallSignatures()
      .map((signature) => signature.getReturnType());
    return {
      call,
      method: name,
      asyncTwin: `${name}Async`,
      owner,
      nameNode,
      asyncIterable: returns.length > 0 && returns.every((type) => isAsyncIterable(type)),
    };
  }

  /** Every call of a blocking twin in the project's own files, in source order. */
  twinCalls(within?: Node): TwinCall[] {
    const tm = this.tm;
    const roots = within ? [within] : this.own;
    const found: TwinCall[] = [];
    for (const root of roots) {
      for (const call of root.getDescendantsOfKind(tm.SyntaxKind.CallExpression)) {
        const twin = this.twinOf(call);
        if (twin) found.push(twin);
      }
    }
    return found;
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

  /** The identifier that names a unit: its own name, or the variable or property it is bound to. */
  bindingName(unit: Unit): TsMorph.Identifier | undefined {
    const tm = this.tm;
    if (tm.Node.isFunctionDeclaration(unit) || tm.Node.isMethodDeclaration(unit)) {
      const name = unit.getNameNode();
      return name && tm.Node.isIdentifier(name) ? name : undefined;
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
        return tm.Node.isIdentifier(name) ? name : undefined;
      }
    }
    return undefined;
  }

  className(node: Node): string {
    const tm = this.tm;
    const owner = node.getParent();
    if (owner && (tm.Node.isClassDeclaration(owner) || tm.Node.isClassExpression(owner))) {
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
    if (tm.Node.isMethodDeclaration(unit)) return qualify(unit.getName(), unit);
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
    return (
      (tm.Node.isFunctionDeclaration(unit) ||
        tm.Node.isMethodDeclaration(unit) ||
        tm.Node.isArrowFunction(unit) ||
        tm.Node.isFunctionExpression(unit)) &&
      unit.isAsync()
    );
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

  /** Whether top-level `await` is allowed in this module (ESM output, ES2017+ target). */
  allowsTopLevelAwait(file: SourceFile): boolean {
    const ts = this.tm.ts;
    const options = this.project.getCompilerOptions();
    const target = options.target ?? ts.ScriptTarget.ES5;
    if (target < ts.ScriptTarget.ES2017) return false;
    if (!ts.isExternalModule(file.compilerNode)) return false;
    const module = options.module;
    if (module === undefined) return false;
    if (module >= ts.ModuleKind.Node16 && module <= ts.ModuleKind.NodeNext) {
      // ts-morph builds its source files without `impliedNodeFormat`: ask the way tsc does
      // (file extension, then the nearest package.json's "type").
      const format =
        file.compilerNode.impliedNodeFormat ??
        ts.getImpliedNodeFormatForFile(file.getFilePath(), undefined, ts.sys, options);
      return format === ts.ModuleKind.ESNext;
    }
    return (
      module === ts.ModuleKind.ES2022 ||
      module === ts.ModuleKind.ESNext ||
      module === ts.ModuleKind.System ||
      module === ts.ModuleKind.Preserve
    );
  }

  // --- Uses -----------------------------------------------------------------------------------

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
        if (parent.getExpression() === expression)
          return [{ kind: 'iife', site: parent, reason: undefined }];
        return [this.#callbackUse(parent, expression)];
      }
      return [
        {
          kind: 'escape',
          site: unit,
          reason: 'an unnamed function its callers cannot be followed to',
        },
      ];
    }
    const uses: Use[] = [];
    for (const reference of binding.findReferencesAsNodes()) {
      if (reference === binding || !this.isOwn(reference)) continue;
      const use = this.#referenceUse(reference);
      if (use) uses.push(use);
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
    const holder = callee.getParent();
    if (holder && tm.Node.isCallExpression(holder)) {
      if (holder.getExpression() === callee) {
        const loop = holder.getParent();
        const kind: UseKind =
          loop && tm.Node.isForOfStatement(loop) && loop.getExpression() === holder
            ? 'for-of'
            : 'call';
        return { kind, site: holder, reason: undefined };
      }
      return this.#callbackUse(holder, callee);
    }
    if (tm.Node.isExportAssignment(holder)) {
      return { kind: 'value', site: reference, reason: 'exported as the default' };
    }
    return {
      kind: 'value',
      site: reference,
      reason: `used as a value (${this.shortText(holder ?? reference)})`,
    };
  }

  /** A function handed to a call: who calls it, and do they await what it returns? */
  #callbackUse(call: CallExpression, argument: Node): Use {
    const tm = this.tm;
    const callee = call.getExpression();
    const index = call.getArguments().indexOf(argument);
    if (index === 0 && tm.Node.isPropertyAccessExpression(callee) && callee.getName() === 'map') {
      const receiver = callee.getExpression().getType().getNonNullableType();
      if (receiver.isArray() || receiver.isReadonlyArray() || receiver.isTuple()) {
        return { kind: 'map', site: call, reason: undefined };
      }
    }
    if (index === 0 && this.twinOf(call) !== undefined) {
      return { kind: 'producer', site: call, reason: undefined };
    }
    if (tm.Node.isExpression(argument)) {
      // `then(onfulfilled?: ((value) => R | PromiseLike<R>) | null)`: look through the optional
      // and the union for the callback's signatures.
      const contextual = argument.getContextualType()?.getNonNullableType();
      const members = contextual?.isUnion()
        ? contextual.getUnionTypes()
        : contextual
          ? [contextual]
          : [];
      const returns = members.flatMap((member) =>
        member.getCallSignatures().map((signature) => signature.getReturnType()),
      );
      if (returns.length > 0 && returns.every((type) => acceptsPromise(type))) {
        return { kind: 'awaited', site: call, reason: undefined };
      }
    }
    return {
      kind: 'escape',
      site: call,
      reason: `passed to ${this.shortText(callee)}(), which would not await its promise`,
    };
  }
}

function isFunctionInitializer(tm: TsMorphModule, node: Node | undefined): boolean {
  if (!node) return false;
  const inner = skipParentheses(tm, node);
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

function acceptsPromise(type: TsMorph.Type): boolean {
  if (type.isAny() || type.isUnknown()) return true;
  return isThenable(type);
}
