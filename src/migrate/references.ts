import type * as TsMorph from 'ts-morph';
import type { Analysis } from './analysis.js';

type Node = TsMorph.Node;
type Ts = typeof TsMorph.ts;

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

/**
 * Every reference, in the project's own files, to a function, method or interface member, by the
 * node that declares it: what find-references gives, but in one syntactic pass over the files
 * (identifiers grouped by name) and one type-checker question per identifier of a name that is
 * asked about. Asking the language service for each function in turn scans every file each time.
 */
export class ReferenceIndex {
  readonly #analysis: Analysis;
  readonly #byName = new Map<string, { file: TsMorph.SourceFile; position: number }[]>();
  readonly #resolved = new Set<string>();
  readonly #index = new Map<Node, Node[]>();
  /** Names a function is also known by: `import { a as b }`, `export { a as b }`, `default`. */
  readonly #aliases = new Map<string, Set<string>>();

  constructor(analysis: Analysis) {
    this.#analysis = analysis;
    const ts = analysis.tm.ts;
    const names = candidateNames(analysis);
    this.#collectAliases();
    for (const file of analysis.own) {
      const source = file.compilerNode;
      const visit = (node: TsMorph.ts.Node): void => {
        if (
          (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) &&
          names.has(node.text) &&
          !isNamingPosition(ts, node)
        ) {
          const list = this.#byName.get(node.text) ?? [];
          list.push({ file, position: node.getStart(source) });
          this.#byName.set(node.text, list);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }

  /** References to a declaration (a function, variable, method, member signature). */
  get(declaration: Node): readonly Node[] {
    const name = declarationName(this.#analysis, declaration);
    if (name === undefined) return [];
    this.#resolve(name);
    return this.#index.get(declaration) ?? [];
  }

  #alias(from: string, to: string): void {
    const set = this.#aliases.get(from) ?? new Set<string>();
    set.add(to);
    this.#aliases.set(from, set);
  }

  #collectAliases(): void {
    const tm = this.#analysis.tm;
    for (const file of this.#analysis.own) {
      for (const declaration of file.getImportDeclarations()) {
        const local = declaration.getDefaultImport();
        if (local) this.#alias('default', local.getText());
        for (const specifier of declaration.getNamedImports()) {
          const alias = specifier.getAliasNode();
          if (alias) this.#alias(specifier.getName(), alias.getText());
        }
      }
      for (const declaration of file.getExportDeclarations()) {
        for (const specifier of declaration.getNamedExports()) {
          const alias = specifier.getAliasNode();
          if (alias) this.#alias(specifier.getName(), alias.getText());
        }
      }
      for (const assignment of file.getExportAssignments()) {
        const expression = assignment.getExpression();
        if (tm.Node.isIdentifier(expression)) this.#alias(expression.getText(), 'default');
      }
      for (const fn of file.getFunctions()) {
        const name = fn.getName();
        if (name && fn.isDefaultExport()) this.#alias(name, 'default');
      }
    }
  }

  #resolve(name: string): void {
    if (this.#resolved.has(name)) return;
    this.#resolved.add(name);
    for (const alias of this.#aliases.get(name) ?? []) this.#resolve(alias);
    const checker = this.#analysis.project.getTypeChecker();
    for (const { file, position } of this.#byName.get(name) ?? []) {
      const identifier = file.getDescendantAtPos(position);
      if (!identifier) continue;
      for (const declaration of referencedDeclarations(this.#analysis, checker, identifier)) {
        const list = this.#index.get(declaration);
        if (list) list.push(identifier);
        else this.#index.set(declaration, [identifier]);
      }
    }
  }
}

/** A name that declares rather than refers (an import or export specifier's own name refers). */
function isNamingPosition(
  ts: Ts,
  node: TsMorph.ts.Identifier | TsMorph.ts.PrivateIdentifier,
): boolean {
  const parent = node.parent;
  if (!parent || ts.isShorthandPropertyAssignment(parent) || ts.isBindingElement(parent))
    return false;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return false;
  const named = parent as TsMorph.ts.NamedDeclaration;
  return NAMING_KINDS.has(ts.SyntaxKind[parent.kind]) && named.name === node;
}

function declarationName(analysis: Analysis, declaration: Node): string | undefined {
  const tm = analysis.tm;
  const named = declaration as Node & { getNameNode?: () => Node | undefined };
  const name = named.getNameNode?.();
  if (name && (tm.Node.isIdentifier(name) || tm.Node.isPrivateIdentifier(name))) {
    return name.getText();
  }
  return undefined;
}

/**
 * Names of everything a reference could point at: functions, methods, members, variables and
 * properties holding a function, and the names they are imported as. A walk of the compiler's own
 * nodes: wrapping every node of a large project costs more than the rest of the index.
 */
function candidateNames(analysis: Analysis): Set<string> {
  const ts = analysis.tm.ts;
  const names = new Set<string>();
  const add = (name: TsMorph.ts.Node | undefined): void => {
    if (name && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name))) names.add(name.text);
  };
  const isFunction = (node: TsMorph.ts.Node | undefined): boolean => {
    let inner = node;
    while (inner && ts.isParenthesizedExpression(inner)) inner = inner.expression;
    return inner !== undefined && (ts.isArrowFunction(inner) || ts.isFunctionExpression(inner));
  };
  const visit = (node: TsMorph.ts.Node): void => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isMethodSignature(node)
    ) {
      add(node.name);
    } else if (
      (ts.isVariableDeclaration(node) ||
        ts.isPropertyDeclaration(node) ||
        ts.isPropertyAssignment(node)) &&
      isFunction(node.initializer)
    ) {
      add(node.name);
    } else if (ts.isImportSpecifier(node) || ts.isNamespaceImport(node)) {
      add(node.name);
    } else if (ts.isImportClause(node)) {
      add(node.name);
    }
    ts.forEachChild(node, visit);
  };
  for (const file of analysis.own) visit(file.compilerNode);
  return names;
}

function referencedDeclarations(
  analysis: Analysis,
  checker: TsMorph.TypeChecker,
  identifier: Node,
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
    return holder.getType().getProperty(identifier.getText())?.getDeclarations() ?? [];
  }
  let symbol = identifier.getSymbol();
  if (!symbol) return [];
  if (symbol.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
  return symbol.getDeclarations();
}
