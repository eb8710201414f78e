import type * as TsMorph from 'ts-morph';
import { type Analysis, isWithin, type Unit, unwrapParentheses } from './analysis.js';

type Node = TsMorph.Node;

/** Something a callback does that another iteration could observe, and where. */
export interface Effect {
  /** `writes total`, `calls console.log`, `mutates names (push)`. */
  readonly what: string;
  /** The functions it went through to get there, outermost first. */
  readonly path: readonly string[];
  readonly node: Node;
}

/** Built-in collections whose read-only view lists the methods that do not change them. */
const READONLY_VIEWS: Readonly<Record<string, string>> = {
  Array: 'ReadonlyArray',
  Map: 'ReadonlyMap',
  Set: 'ReadonlySet',
};

/** Built-in statics that change their arguments or hidden state. */
const MUTATING_STATICS = new Set([
  'Math.random',
  'Object.assign',
  'Object.defineProperty',
  'Object.defineProperties',
  'Object.setPrototypeOf',
  'Object.freeze',
  'Object.seal',
  'Object.preventExtensions',
  'Reflect.set',
  'Reflect.defineProperty',
  'Reflect.deleteProperty',
  'Reflect.setPrototypeOf',
]);

const ASSIGNMENTS = new Set([
  'EqualsToken',
  'PlusEqualsToken',
  'MinusEqualsToken',
  'AsteriskEqualsToken',
  'AsteriskAsteriskEqualsToken',
  'SlashEqualsToken',
  'PercentEqualsToken',
  'LessThanLessThanEqualsToken',
  'GreaterThanGreaterThanEqualsToken',
  'GreaterThanGreaterThanGreaterThanEqualsToken',
  'AmpersandEqualsToken',
  'BarEqualsToken',
  'CaretEqualsToken',
  'BarBarEqualsToken',
  'AmpersandAmpersandEqualsToken',
  'QuestionQuestionEqualsToken',
]);

/**
 * Decides whether running a `.map` callback for every element at once (`Promise.all`) would be
 * observably different from running them one after another: the callback (and the project code it
 * calls) may do the blocking twins' I/O and compute, but must write nothing it did not create
 * itself, and call nothing whose effects the tool cannot see (the console, the file system, any
 * function outside the project and the language's built-ins). The first such effect is the reason
 * the site stays in order.
 */
export class EffectAnalysis {
  readonly #analysis: Analysis;
  readonly #memo = new Map<Node, Effect | null>();
  readonly #active = new Set<Node>();
  readonly #views = new Map<string, Set<string>>();

  constructor(analysis: Analysis) {
    this.#analysis = analysis;
  }

  /** The first effect of running `fn`, or `undefined` when it has none the tool can see. */
  effectOf(fn: Node): Effect | undefined {
    const cached = this.#memo.get(fn);
    if (cached !== undefined) return cached ?? undefined;
    // A recursive call adds nothing the walk of the outer call does not already see.
    if (this.#active.has(fn)) return undefined;
    this.#active.add(fn);
    let found: Effect | undefined;
    try {
      fn.forEachDescendant((node, traversal) => {
        found = this.#effectAt(fn, node);
        if (found) traversal.stop();
      });
    } finally {
      this.#active.delete(fn);
    }
    this.#memo.set(fn, found ?? null);
    return found;
  }

  #effectAt(fn: Node, node: Node): Effect | undefined {
    const tm = this.#analysis.tm;
    const here = (what: string): Effect => ({ what, path: [], node });
    if (tm.Node.isBinaryExpression(node)) {
      if (!ASSIGNMENTS.has(node.getOperatorToken().getKindName())) return undefined;
      const target = this.#writeTarget(fn, node.getLeft());
      return target ? here(`writes ${target}`) : undefined;
    }
    if (tm.Node.isPrefixUnaryExpression(node) || tm.Node.isPostfixUnaryExpression(node)) {
      const operator = node.getOperatorToken();
      if (operator !== tm.SyntaxKind.PlusPlusToken && operator !== tm.SyntaxKind.MinusMinusToken) {
        return undefined;
      }
      const target = this.#writeTarget(fn, node.getOperand());
      return target ? here(`writes ${target}`) : undefined;
    }
    if (tm.Node.isDeleteExpression(node)) {
      const target = this.#writeTarget(fn, node.getExpression());
      return target ? here(`deletes from ${target}`) : undefined;
    }
    if (tm.Node.isCallExpression(node)) return this.#callEffect(fn, node);
    if (tm.Node.isNewExpression(node)) return this.#newEffect(fn, node);
    if (tm.Node.isTaggedTemplateExpression(node)) {
      return this.#calleeEffect(fn, node, node.getTag());
    }
    if (tm.Node.isYieldExpression(node)) return here('yields');
    if (node.getKind() === tm.SyntaxKind.ImportKeyword) return here('imports a module');
    return undefined;
  }

  /**
   * What a write to `target` changes outside `fn`, or `undefined` when it only changes `fn`'s own
   * variables, or objects `fn` created itself.
   */
  #writeTarget(fn: Node, target: Node): string | undefined {
    const tm = this.#analysis.tm;
    const inner = unwrapParentheses(tm, target);
    if (tm.Node.isIdentifier(inner)) {
      return this.#declaredInside(fn, inner) ? undefined : inner.getText();
    }
    if (tm.Node.isArrayLiteralExpression(inner) || tm.Node.isObjectLiteralExpression(inner)) {
      for (const part of inner.getDescendantsOfKind(tm.SyntaxKind.Identifier)) {
        const parent = part.getParent();
        if (parent && tm.Node.isPropertyAssignment(parent) && parent.getNameNode() === part) {
          continue;
        }
        if (!this.#declaredInside(fn, part)) return part.getText();
      }
      return undefined;
    }
    const root = this.#root(inner);
    if (root && tm.Node.isIdentifier(root) && this.#isFreshLocal(fn, root)) return undefined;
    return this.#analysis.shortText(inner);
  }

  #root(expression: Node): Node | undefined {
    const tm = this.#analysis.tm;
    let current = unwrapParentheses(tm, expression);
    while (
      tm.Node.isPropertyAccessExpression(current) ||
      tm.Node.isElementAccessExpression(current) ||
      tm.Node.isNonNullExpression(current)
    ) {
      current = unwrapParentheses(tm, current.getExpression());
    }
    return current;
  }

  #declaredInside(fn: Node, identifier: TsMorph.Identifier): boolean {
    const declarations = identifier.getSymbol()?.getDeclarations() ?? [];
    return declarations.length > 0 && declarations.every((d) => isWithin(d, fn));
  }

  /** A variable of `fn` that holds an object or array `fn` made itself. */
  #isFreshLocal(fn: Node, identifier: TsMorph.Identifier): boolean {
    const tm = this.#analysis.tm;
    const declarations = identifier.getSymbol()?.getDeclarations() ?? [];
    return (
      declarations.length === 1 &&
      declarations.every((declaration) => {
        if (!isWithin(declaration, fn) || !tm.Node.isVariableDeclaration(declaration)) return false;
        const initializer = declaration.getInitializer();
        if (!initializer) return false;
        const value = unwrapParentheses(tm, initializer);
        return (
          tm.Node.isObjectLiteralExpression(value) ||
          tm.Node.isArrayLiteralExpression(value) ||
          (tm.Node.isNewExpression(value) && this.#newEffect(fn, value) === undefined)
        );
      })
    );
  }

  #callEffect(fn: Node, call: TsMorph.CallExpression): Effect | undefined {
    const analysis = this.#analysis;
    const twin = analysis.twinOf(call);
    // The blocking twins' I/O is what the migration makes concurrent; a project twin's body is
    // looked at like any other project function.
    if (twin?.owner === 'client') return undefined;
    if (twin?.owner === 'library') {
      // handleError logs each retry unless told `logger: null`.
      const options = call.getArguments()[1];
      const quiet =
        options !== undefined &&
        analysis.tm.Node.isObjectLiteralExpression(options) &&
        options.getProperty('logger')?.getText().replace(/\s+/g, '') === 'logger:null';
      return quiet
        ? undefined
        : { what: `calls ${twin.method}, which logs each retry`, path: [], node: call };
    }
    return this.#calleeEffect(fn, call, call.getExpression());
  }

  #calleeEffect(fn: Node, at: Node, callee: Node): Effect | undefined {
    const analysis = this.#analysis;
    const tm = analysis.tm;
    const expression = unwrapParentheses(tm, callee);
    if (expression.getKind() === tm.SyntaxKind.ImportKeyword) {
      return { what: 'imports a module', path: [], node: at };
    }
    if (tm.Node.isFunctionExpression(expression) || tm.Node.isArrowFunction(expression)) {
      return undefined; // Called in place: its body is part of this walk.
    }
    const nameNode = tm.Node.isPropertyAccessExpression(expression)
      ? expression.getNameNode()
      : expression;
    let symbol = nameNode.getSymbol();
    if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
    const declarations = symbol?.getDeclarations() ?? [];
    const label = analysis.shortText(expression);
    if (declarations.length === 0) return { what: `calls ${label}`, path: [], node: at };
    if (declarations.every((d) => isWithin(d, fn))) {
      // A function of its own is part of this walk; a parameter or variable could hold anything.
      const local = declarations.every(
        (d) =>
          tm.Node.isFunctionDeclaration(d) ||
          (tm.Node.isVariableDeclaration(d) && analysis.unitOfDeclaration(d) !== undefined),
      );
      return local ? undefined : { what: `calls ${label}`, path: [], node: at };
    }
    if (declarations.every((d) => analysis.isEsLibFile(d.getSourceFile()))) {
      return this.#builtinEffect(fn, at, expression, label);
    }
    for (const declaration of declarations) {
      const effect = this.#projectEffect(declaration, label, at);
      if (effect !== undefined) return effect;
    }
    return undefined;
  }

  /** The effect of calling a project function (through every implementation of a method). */
  #projectEffect(declaration: Node, label: string, at: Node): Effect | undefined {
    const analysis = this.#analysis;
    const tm = analysis.tm;
    const bodies: Node[] = [];
    if (tm.Node.isMethodSignature(declaration) || tm.Node.isMethodDeclaration(declaration)) {
      for (const member of analysis.familyOf(declaration).members) {
        if (tm.Node.isMethodDeclaration(member) && member.getBody()) bodies.push(member);
      }
    } else {
      const unit = analysis.unitOfDeclaration(declaration);
      if (unit) bodies.push(unit);
    }
    if (bodies.length === 0 || !bodies.every((body) => analysis.isOwn(body))) {
      return { what: `calls ${label}`, path: [], node: at };
    }
    for (const body of bodies) {
      const effect = this.effectOf(body);
      if (effect) return { ...effect, path: [analysis.unitName(body), ...effect.path] };
    }
    return undefined;
  }

  /** A call of one of the language's built-ins: pure unless it changes what it is called on. */
  #builtinEffect(fn: Node, at: Node, expression: Node, label: string): Effect | undefined {
    const tm = this.#analysis.tm;
    if (!tm.Node.isPropertyAccessExpression(expression)) return undefined;
    const receiver = expression.getExpression();
    const method = expression.getName();
    const type = receiver.getType().getNonNullableType();
    const typeName = type.getSymbol()?.getName() ?? '';
    const staticName = `${receiver.getText()}.${method}`;
    if (MUTATING_STATICS.has(staticName))
      return { what: `calls ${staticName}`, path: [], node: at };
    if (type.isString() || type.isNumber() || type.isBoolean() || type.isStringLiteral()) {
      return undefined;
    }
    if (type.isNumberLiteral() || type.isBooleanLiteral() || type.isTemplateLiteral()) {
      return undefined;
    }
    const root = this.#root(receiver);
    const fresh = root !== undefined && tm.Node.isIdentifier(root) && this.#isFreshLocal(fn, root);
    if (type.isArray() || type.isTuple() || typeName in READONLY_VIEWS) {
      const view = READONLY_VIEWS[type.isArray() || type.isTuple() ? 'Array' : typeName];
      if (fresh || this.#inReadonlyView(at, view, method)) return undefined;
      return {
        what: `changes ${this.#analysis.shortText(receiver)} (${method})`,
        path: [],
        node: at,
      };
    }
    if (type.isReadonlyArray() || typeName.startsWith('Readonly')) return undefined;
    // A namespace of statics (`Math`, `JSON`, `Object`, `Number`) or a constructor.
    const receiverSymbol = receiver.getSymbol();
    const isNamespaceLike = receiverSymbol
      ?.getDeclarations()
      .every((d) => tm.Node.isVariableDeclaration(d) || tm.Node.isModuleDeclaration(d));
    if (isNamespaceLike && tm.Node.isIdentifier(receiver)) return undefined;
    if (fresh) return undefined;
    return { what: `calls ${label}`, path: [], node: at };
  }

  #inReadonlyView(at: Node, view: string | undefined, method: string): boolean {
    if (!view) return false;
    let members = this.#views.get(view);
    if (!members) {
      const tm = this.#analysis.tm;
      const symbol = this.#analysis.project
        .getTypeChecker()
        .getSymbolsInScope(at.getSourceFile(), tm.ts.SymbolFlags.Interface)
        .find((candidate) => candidate.getName() === view);
      members = new Set(symbol?.getMembers().map((member) => member.getName()) ?? []);
      this.#views.set(view, members);
    }
    return members.has(method);
  }

  #newEffect(fn: Node, node: TsMorph.NewExpression): Effect | undefined {
    const analysis = this.#analysis;
    const tm = analysis.tm;
    const expression = node.getExpression();
    let symbol = expression.getSymbol();
    if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
    const declarations = symbol?.getDeclarations() ?? [];
    const label = `new ${analysis.shortText(expression)}`;
    if (declarations.length === 0) return { what: `calls ${label}`, path: [], node };
    if (declarations.every((d) => isWithin(d, fn))) return undefined;
    if (declarations.every((d) => analysis.isEsLibFile(d.getSourceFile()))) return undefined;
    for (const declaration of declarations) {
      if (!tm.Node.isClassDeclaration(declaration) || !analysis.isOwn(declaration)) {
        return { what: `calls ${label}`, path: [], node };
      }
      for (const part of [
        ...declaration.getConstructors(),
        ...declaration.getProperties().filter((p) => !p.isStatic()),
      ]) {
        const effect = this.effectOf(part);
        if (effect)
          return { ...effect, path: [`${declaration.getName() ?? 'class'}`, ...effect.path] };
      }
    }
    return undefined;
  }
}

/**
 * Why a `.map` at `site` must keep its order even if its callback has no effect: it sits in a
 * `try` block of the function around it, which relies on the first error stopping the rest.
 */
export function stopsAtFirstError(analysis: Analysis, site: Node, host: Unit): string | undefined {
  const tm = analysis.tm;
  for (let current = site.getParent(); current && current !== host; current = current.getParent()) {
    if (tm.Node.isTryStatement(current) && isWithin(site, current.getTryBlock())) {
      return `it runs inside the try block at ${analysis.location(current).file}:${analysis.location(current).line}, which relies on the first error stopping the rest`;
    }
  }
  return undefined;
}
