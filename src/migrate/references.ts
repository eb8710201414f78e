import type * as TsMorph from 'ts-morph';
import type { Analysis } from './analysis.js';

type Node = TsMorph.Node;

/** Every reference to a function, method or interface member, by the node that declares it. */
export type ReferenceIndex = ReadonlyMap<Node, readonly Node[]>;

/** Declarations whose name node is not a reference to something else. */
const NAMING_KINDS = new Set<string>([
  'FunctionDeclaration',
  'MethodDeclaration',
  'MethodSignature',
  'PropertyDeclaration',
  'PropertySignature',
  'PropertyAssignment',
  'VariableDeclaration',
  'Parameter',
  'ClassDeclaration',
  'InterfaceDeclaration',
  'GetAccessor',
  'SetAccessor',
  'EnumMember',
  'TypeAliasDeclaration',
  'ImportSpecifier',
  'ExportSpecifier',
  'ImportClause',
  'NamespaceImport',
]);

/** Names of everything a reference could point at: functions, methods, members, bound arrows. */
function candidateNames(analysis: Analysis): Set<string> {
  const tm = analysis.tm;
  const names = new Set<string>();
  for (const file of analysis.own) {
    file.forEachDescendant((node) => {
      if (analysis.isFunctionLike(node)) {
        const name = analysis.bindingName(node);
        if (name) names.add(name.getText());
      } else if (tm.Node.isMethodSignature(node)) {
        names.add(node.getName());
      } else if (
        tm.Node.isImportSpecifier(node) ||
        tm.Node.isImportClause(node) ||
        tm.Node.isNamespaceImport(node)
      ) {
        // A function may be called by the name it was imported as.
        const local = tm.Node.isImportSpecifier(node)
          ? (node.getAliasNode() ?? node.getNameNode())
          : tm.Node.isImportClause(node)
            ? node.getDefaultImport()
            : node.getNameNode();
        if (local) names.add(local.getText());
      }
    });
  }
  return names;
}

/**
 * One pass over the project's own files that resolves each identifier spelled like a function of
 * the project to the declarations it refers to, as find-references would, but once for all of
 * them: asking the language service for each function in turn scans every file each time.
 */
export function buildReferenceIndex(analysis: Analysis): ReferenceIndex {
  const tm = analysis.tm;
  const names = candidateNames(analysis);
  const index = new Map<Node, Node[]>();
  const record = (declaration: Node, reference: Node): void => {
    const list = index.get(declaration);
    if (list) list.push(reference);
    else index.set(declaration, [reference]);
  };
  const checker = analysis.project.getTypeChecker();
  for (const file of analysis.own) {
    for (const identifier of file.getDescendantsOfKind(tm.SyntaxKind.Identifier)) {
      if (!names.has(identifier.getText())) continue;
      for (const declaration of referencedDeclarations(analysis, checker, identifier)) {
        record(declaration, identifier);
      }
    }
    for (const identifier of file.getDescendantsOfKind(tm.SyntaxKind.PrivateIdentifier)) {
      if (!names.has(identifier.getText())) continue;
      const parent = identifier.getParent();
      if (parent && NAMING_KINDS.has(parent.getKindName())) continue;
      for (const declaration of identifier.getSymbol()?.getDeclarations() ?? []) {
        record(declaration, identifier);
      }
    }
  }
  return index;
}

function referencedDeclarations(
  analysis: Analysis,
  checker: TsMorph.TypeChecker,
  identifier: TsMorph.Identifier,
): readonly Node[] {
  const tm = analysis.tm;
  const parent = identifier.getParent();
  if (!parent) return [];
  if (tm.Node.isShorthandPropertyAssignment(parent)) {
    // `{ getNames }` hands the function over as a value.
    return checker.getShorthandAssignmentValueSymbol(parent)?.getDeclarations() ?? [];
  }
  if (tm.Node.isBindingElement(parent)) {
    // `const { load } = repo` reads the method off the object.
    const property = parent.getPropertyNameNode() ?? parent.getNameNode();
    if (property !== identifier) return [];
    const pattern = parent.getParent();
    const holder = pattern?.getParent();
    if (!holder || !tm.Node.isObjectBindingPattern(pattern)) return [];
    const type = holder.getType();
    return type.getProperty(identifier.getText())?.getDeclarations() ?? [];
  }
  if (NAMING_KINDS.has(parent.getKindName())) {
    const named = parent as Node & { getNameNode?: () => Node };
    if (named.getNameNode?.() === identifier) {
      // An import or export specifier's own name refers to what it imports or exports.
      if (!tm.Node.isImportSpecifier(parent) && !tm.Node.isExportSpecifier(parent)) return [];
    }
  }
  let symbol = identifier.getSymbol();
  if (!symbol) return [];
  if (symbol.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
  return symbol.getDeclarations();
}
