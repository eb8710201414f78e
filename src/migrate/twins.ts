import type * as TsMorph from 'ts-morph';
import {
  type Analysis,
  isAsyncIterable,
  isFunctionInitializer,
  localDeclaration,
  type TwinCall,
} from './analysis.js';
import type { TwinOwner } from './types.js';

type Node = TsMorph.Node;
type CallExpression = TsMorph.CallExpression;

function isClientClass(analysis: Analysis, declaration: TsMorph.ClassDeclaration): boolean {
  if (declaration.getName() !== 'RickMortyClient') return false;
  const file = declaration.getSourceFile();
  return analysis.isLibraryFile(file) || /\/src\/client\.(d\.)?[cm]?ts$/.test(file.getFilePath());
}

/** Whether the type is `RickMortyClient` or a subclass of it. */
function isClientType(analysis: Analysis, type: TsMorph.Type): boolean {
  const tm = analysis.tm;
  for (const declaration of type.getSymbol()?.getDeclarations() ?? []) {
    let current: TsMorph.ClassDeclaration | undefined = tm.Node.isClassDeclaration(declaration)
      ? declaration
      : undefined;
    for (let depth = 0; current && depth < 20; depth++) {
      if (isClientClass(analysis, current)) return true;
      current = current.getBaseClass();
    }
  }
  return false;
}

function returnsAsyncIterable(signatures: readonly TsMorph.Signature[]): boolean {
  const returns = signatures.map((signature) => signature.getReturnType());
  return returns.length > 0 && returns.every((type) => isAsyncIterable(type));
}

/**
 * The blocking twin a call calls, found from the types: a method `X` of the receiver with an
 * `XAsync` beside it (`RickMortyClient`'s, or a project class's), this package's `handleError`,
 * or a project function with an `…Async` sibling in its module.
 */
export function findTwinCall(analysis: Analysis, call: CallExpression): TwinCall | undefined {
  const tm = analysis.tm;
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
    if (blocking && twin) {
      const signatures = twin.getTypeAtLocation(callee).getCallSignatures();
      if (signatures.length > 0) {
        let owner: TwinOwner | undefined;
        if (isClientType(analysis, receiver)) owner = 'client';
        else {
          const declarations = blocking.getDeclarations();
          if (
            declarations.length > 0 &&
            declarations.every((d) => analysis.isProjectFile(d.getSourceFile()))
          ) {
            owner = 'project';
          }
        }
        if (owner) {
          return {
            call,
            method,
            asyncTwin: `${method}Async`,
            owner,
            nameNode,
            asyncIterable: returnsAsyncIterable(signatures),
          };
        }
      }
    }
    // `rm.handleError(...)` through a namespace import is a free function.
  } else if (tm.Node.isIdentifier(callee)) {
    nameNode = callee;
  } else {
    return undefined;
  }
  return freeFunctionTwin(analysis, call, nameNode);
}

function freeFunctionTwin(
  analysis: Analysis,
  call: CallExpression,
  nameNode: TsMorph.Identifier,
): TwinCall | undefined {
  const tm = analysis.tm;
  let symbol = nameNode.getSymbol();
  if (!symbol) return undefined;
  if (symbol.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
  const declaration = symbol.getDeclarations()[0];
  if (!declaration) return undefined;
  const file = declaration.getSourceFile();
  let owner: TwinOwner;
  if (analysis.isLibraryFile(file) || /\/src\/retry\.(d\.)?[cm]?ts$/.test(file.getFilePath())) {
    if (!tm.Node.isFunctionDeclaration(declaration)) return undefined;
    owner = 'library';
  } else if (analysis.isProjectFile(file)) {
    owner = 'project';
  } else {
    return undefined;
  }
  const isFunction = (node: Node | undefined): boolean =>
    node !== undefined &&
    (tm.Node.isFunctionDeclaration(node) ||
      (tm.Node.isVariableDeclaration(node) && isFunctionInitializer(tm, node.getInitializer())));
  if (!isFunction(declaration)) return undefined;
  // A default export's symbol is called `default`: the twin is named after the declaration.
  const name =
    tm.Node.isFunctionDeclaration(declaration) || tm.Node.isVariableDeclaration(declaration)
      ? (declaration.getName() ?? symbol.getName())
      : symbol.getName();
  // The twin is a sibling: declared in the same module, as the library and this tool write them.
  const sibling = localDeclaration(tm, file, `${name}Async`);
  if (!sibling || !isFunction(sibling)) return undefined;
  return {
    call,
    method: name,
    asyncTwin: `${name}Async`,
    owner,
    nameNode,
    asyncIterable: returnsAsyncIterable(sibling.getType().getCallSignatures()),
  };
}
