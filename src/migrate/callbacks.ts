import type * as TsMorph from 'ts-morph';
import { type Analysis, expectsPromise, isPlainFunction, type Unit, type Use } from './analysis.js';

type Node = TsMorph.Node;
type CallExpression = TsMorph.CallExpression;

/**
 * `Array` methods that call their callback synchronously, in index order, and that the tool can
 * rewrite to a loop awaiting each call in that same order (`filter` becomes `filterInOrder`). The
 * decision that a callback's promise would not be awaited is the contextual type's; this table only
 * says how to write the awaited form.
 */
export const IN_ORDER_METHODS: ReadonlySet<string> = new Set([
  'forEach',
  'filter',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'flatMap',
  'reduce',
]);

/**
 * The `Array` method a call calls, when its receiver is an array or tuple and the method is the
 * built-in one (declared in TypeScript's own lib): `xs.filter(...)` gives `'filter'`.
 */
export function arrayMethodOf(analysis: Analysis, call: CallExpression): string | undefined {
  const tm = analysis.tm;
  const callee = call.getExpression();
  if (!tm.Node.isPropertyAccessExpression(callee)) return undefined;
  // `xs?.map(...)` gives undefined for no array; the rewritten forms would not.
  if (callee.hasQuestionDotToken() || call.hasQuestionDotToken()) return undefined;
  const receiver = callee.getExpression().getType();
  if (!receiver.isArray() && !receiver.isReadonlyArray() && !receiver.isTuple()) return undefined;
  const declarations = callee.getNameNode().getSymbol()?.getDeclarations() ?? [];
  if (declarations.length === 0) return undefined;
  if (!declarations.every((d) => analysis.isEsLibFile(d.getSourceFile()))) return undefined;
  return callee.getName();
}

/** The parameters (by index) a project function calls, and only calls: `fn` of `withTiming(label, fn)`. */
export function invokedParameters(analysis: Analysis, unit: Unit): readonly number[] {
  return analysis.memo('invoked', unit, () => findInvokedParameters(analysis, unit));
}

function findInvokedParameters(analysis: Analysis, unit: Unit): number[] {
  const tm = analysis.tm;
  if (!isPlainFunction(tm, unit)) {
    return [];
  }
  if (analysis.isGenerator(unit) || analysis.isAsync(unit)) return [];
  const invoked: number[] = [];
  unit.getParameters().forEach((parameter, index) => {
    const name = parameter.getNameNode();
    if (!tm.Node.isIdentifier(name) || parameter.isRestParameter()) return;
    if (parameter.getType().getNonNullableType().getCallSignatures().length === 0) return;
    const symbol = name.getSymbol();
    let calls = 0;
    for (const identifier of unit.getDescendantsOfKind(tm.SyntaxKind.Identifier)) {
      if (identifier === name || identifier.getText() !== name.getText()) continue;
      if (identifier.getSymbol() !== symbol) continue;
      const use = parameterUse(analysis, unit, identifier, index);
      if (use === 'other') return;
      if (use === 'call') calls++;
    }
    if (calls > 0) invoked.push(index);
  });
  return invoked;
}

/** How a helper uses its function parameter at one reference: calls it, hands it on to itself, or else. */
function parameterUse(
  analysis: Analysis,
  unit: Unit,
  identifier: Node,
  index: number,
): 'call' | 'recurse' | 'other' {
  const tm = analysis.tm;
  const parent = identifier.getParent();
  if (!parent || !tm.Node.isCallExpression(parent)) return 'other';
  if (parent.getExpression() === identifier) {
    // Called where the helper itself runs, not in a callback of its own.
    return analysis.unitOf(parent) === unit ? 'call' : 'other';
  }
  const position = parent.getArguments().indexOf(identifier);
  if (position !== index || analysis.unitOf(parent) !== unit) return 'other';
  const callee = parent.getExpression();
  const name = tm.Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : callee;
  const declarations = name.getSymbol()?.getDeclarations() ?? [];
  const self = analysis.declarationOf(unit);
  return declarations.includes(self) ? 'recurse' : 'other';
}

/** The project function a call calls, when the argument at `index` is a function it invokes. */
function helperOf(analysis: Analysis, call: CallExpression, index: number): Unit | undefined {
  const tm = analysis.tm;
  const callee = call.getExpression();
  const name = tm.Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : callee;
  let symbol = name.getSymbol();
  if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
  const declarations = symbol?.getDeclarations() ?? [];
  if (declarations.length !== 1 || !declarations[0]) return undefined;
  const unit = analysis.unitOfDeclaration(declarations[0]);
  if (!unit || !analysis.isOwn(unit) || analysis.asyncSibling(unit)) return undefined;
  return invokedParameters(analysis, unit).includes(index) ? unit : undefined;
}

/** Whether the async twin of a twin call takes, at `index`, a function whose promise it awaits. */
function twinAwaitsArgument(analysis: Analysis, call: CallExpression, index: number): boolean {
  const twin = analysis.twinOf(call);
  if (!twin) return false;
  const callee = call.getExpression();
  let symbol: TsMorph.Symbol | undefined;
  if (analysis.tm.Node.isPropertyAccessExpression(callee)) {
    symbol = callee.getExpression().getType().getNonNullableType().getProperty(twin.asyncTwin);
  } else {
    const declaration = twin.nameNode.getSymbol();
    const target = declaration?.isAlias() ? declaration.getAliasedSymbol() : declaration;
    const file = target?.getDeclarations()[0]?.getSourceFile();
    const sibling =
      file?.getFunction(twin.asyncTwin) ?? file?.getVariableDeclaration(twin.asyncTwin);
    symbol = sibling?.getSymbol();
  }
  if (!symbol) return false;
  return symbol
    .getTypeAtLocation(callee)
    .getCallSignatures()
    .some((signature) => {
      const parameter = signature.getParameters()[index];
      if (!parameter) return false;
      const type = parameter.getTypeAtLocation(callee).getNonNullableType();
      const members = type.isUnion() ? type.getUnionTypes() : [type];
      return members.some((member) =>
        member.getCallSignatures().some((inner) => expectsPromise(inner.getReturnType())),
      );
    });
}

/**
 * A function handed to a call (inline, or by `reference`): who calls it, and would they await
 * what it returns if it became async? Decided by the types: the contextual type of the argument,
 * the async twin's parameter, or the project helper's use of its parameter.
 */
export function classifyCallback(
  analysis: Analysis,
  call: CallExpression,
  argument: Node,
  reference: Node | undefined,
): Use {
  const tm = analysis.tm;
  const index = call.getArguments().indexOf(argument);
  const base = { site: call, reference, reason: undefined };
  const method = arrayMethodOf(analysis, call);
  if (method === 'map' && index === 0) return { ...base, kind: 'map', method };
  if (twinAwaitsArgument(analysis, call, index)) return { ...base, kind: 'producer' };
  const helper = helperOf(analysis, call, index);
  if (helper) return { ...base, kind: 'helper', helper };
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
    if (returns.length > 0 && returns.every((type) => expectsPromise(type))) {
      return { ...base, kind: 'awaited' };
    }
  }
  if (method && IN_ORDER_METHODS.has(method) && index === 0) {
    if (method !== 'reduce' || call.getArguments().length === 2) {
      return { ...base, kind: 'array', method };
    }
  }
  const callee = call.getExpression();
  return {
    kind: 'escape',
    site: call,
    reference,
    reason: `passed to ${analysis.shortText(callee)}(), which would not await its promise`,
  };
}
