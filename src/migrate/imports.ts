import type * as TsMorph from 'ts-morph';
import type { Analysis } from './analysis.js';
import type { Edit } from './text.js';

type Node = TsMorph.Node;
type SourceFile = TsMorph.SourceFile;

/** An import specifier a rename may leave unused, to drop once the new text is parsed. */
export interface ImportCleanup {
  readonly file: SourceFile;
  readonly module: string;
  readonly local: string;
}

/**
 * Points references at async twins across modules: `getNames` imported as `gn` is called as
 * `gnAsync`, imported as `getNamesAsync as gnAsync` from the same module, and every module on the
 * way (`export { getNames } from './characters.js'`, `export default getNames`) exports the twin
 * too. All of it as text edits against the unchanged source.
 */
export class TwinRouting {
  readonly #analysis: Analysis;
  readonly #add: (file: SourceFile, edit: Edit) => void;
  readonly #done = new Set<string>();
  readonly cleanups: ImportCleanup[] = [];

  constructor(analysis: Analysis, add: (file: SourceFile, edit: Edit) => void) {
    this.#analysis = analysis;
    this.#add = add;
  }

  #once(key: string): boolean {
    if (this.#done.has(key)) return false;
    this.#done.add(key);
    return true;
  }

  #insert(file: SourceFile, pos: number, text: string): void {
    this.#add(file, { pos, end: pos, text, order: 1, span: 0, detached: true });
  }

  /**
   * The text to write in place of `identifier` so that it names the async twin of what it names
   * now. `declaredTwin` is the twin's name where it is declared (`getNamesAsync`), which a default
   * import needs.
   */
  twinReference(identifier: Node, declaredTwin: string): string {
    const tm = this.#analysis.tm;
    const text = identifier.getText();
    const parent = identifier.getParent();
    if (
      parent &&
      tm.Node.isPropertyAccessExpression(parent) &&
      parent.getNameNode() === identifier
    ) {
      const module = this.#namespaceModule(parent.getExpression());
      if (module) this.ensureExport(module, text, `${text}Async`);
      return `${text}Async`;
    }
    const symbol = identifier.getSymbol();
    const declaration = symbol?.isAlias() ? symbol.getDeclarations()[0] : undefined;
    if (!declaration) return `${text}Async`;
    if (tm.Node.isImportSpecifier(declaration)) {
      const imported = declaration.getName();
      const local = `${text}Async`;
      const twin = `${imported}Async`;
      const importDeclaration = declaration.getImportDeclaration();
      const already = importDeclaration
        .getNamedImports()
        .some((s) => (s.getAliasNode()?.getText() ?? s.getName()) === local);
      if (
        !already &&
        this.#once(
          `${importDeclaration.getSourceFile().getFilePath()}|${importDeclaration.getStart()}|${local}`,
        )
      ) {
        this.#insert(
          declaration.getSourceFile(),
          declaration.getEnd(),
          `, ${twin === local ? twin : `${twin} as ${local}`}`,
        );
      }
      this.cleanups.push({
        file: declaration.getSourceFile(),
        module: importDeclaration.getModuleSpecifierValue(),
        local: text,
      });
      const module = importDeclaration.getModuleSpecifierSourceFile();
      if (module) this.ensureExport(module, imported, twin);
      return local;
    }
    if (tm.Node.isImportClause(declaration)) {
      const importDeclaration = declaration.getParent();
      const local = `${text}Async`;
      if (
        tm.Node.isImportDeclaration(importDeclaration) &&
        this.#once(
          `${importDeclaration.getSourceFile().getFilePath()}|${importDeclaration.getStart()}|${local}`,
        )
      ) {
        const specifier = declaredTwin === local ? declaredTwin : `${declaredTwin} as ${local}`;
        const named = declaration.getNamedBindings();
        if (named && tm.Node.isNamedImports(named)) {
          const last = named.getElements().at(-1);
          if (last) this.#insert(declaration.getSourceFile(), last.getEnd(), `, ${specifier}`);
          else this.#insert(declaration.getSourceFile(), named.getStart() + 1, ` ${specifier} `);
        } else {
          const module = importDeclaration.getModuleSpecifier().getText();
          this.#insert(
            declaration.getSourceFile(),
            importDeclaration.getEnd(),
            `\nimport { ${specifier} } from ${module};`,
          );
        }
        const module = importDeclaration.getModuleSpecifierSourceFile();
        if (module) this.ensureExport(module, 'default', declaredTwin);
      }
      return local;
    }
    return `${text}Async`;
  }

  #namespaceModule(receiver: Node): SourceFile | undefined {
    const tm = this.#analysis.tm;
    const declaration = receiver.getSymbol()?.getDeclarations()[0];
    if (declaration && tm.Node.isNamespaceImport(declaration)) {
      return declaration
        .getFirstAncestorByKind(tm.SyntaxKind.ImportDeclaration)
        ?.getModuleSpecifierSourceFile();
    }
    return undefined;
  }

  /** Makes `module` export `twin` wherever it exports `exported` (the blocking one). */
  ensureExport(module: SourceFile, exported: string, twin: string): void {
    if (!this.#analysis.isOwn(module) || exportsName(module, twin)) return;
    if (!this.#once(`${module.getFilePath()}|export|${exported}`)) return;
    const tm = this.#analysis.tm;
    for (const declaration of module.getExportDeclarations()) {
      const target = declaration.getModuleSpecifierSourceFile();
      if (declaration.isNamespaceExport()) {
        if (target && !declaration.getNamespaceExport() && exportsName(target, exported)) {
          this.ensureExport(target, exported, twin);
        }
        continue;
      }
      for (const specifier of declaration.getNamedExports()) {
        const alias = specifier.getAliasNode()?.getText() ?? specifier.getName();
        if (alias !== exported) continue;
        const local = specifier.getName();
        // A default export's twin is exported by the name it is declared with.
        const localTwin = local === 'default' ? twin : `${local}Async`;
        const twinAlias = exported === 'default' ? twin : `${exported}Async`;
        this.#insert(
          module,
          specifier.getEnd(),
          `, ${localTwin === twinAlias ? localTwin : `${localTwin} as ${twinAlias}`}`,
        );
        if (target) this.ensureExport(target, local, localTwin);
      }
    }
    if (exported !== 'default') return;
    for (const assignment of module.getExportAssignments()) {
      if (assignment.isExportEquals()) continue;
      const expression = assignment.getExpression();
      if (!tm.Node.isIdentifier(expression)) continue;
      const declaration = expression.getSymbol()?.getDeclarations()[0];
      const exportedAlready =
        declaration &&
        (tm.Node.isFunctionDeclaration(declaration) ||
          tm.Node.isVariableDeclaration(declaration)) &&
        (tm.Node.isFunctionDeclaration(declaration)
          ? declaration.isExported() && !declaration.isDefaultExport()
          : declaration.getVariableStatement()?.isExported() === true);
      if (!exportedAlready) this.#insert(module, assignment.getEnd(), `\nexport { ${twin} };`);
    }
  }
}

const exportedNames = new WeakMap<SourceFile, { text: string; names: ReadonlySet<string> }>();

function exportsName(file: SourceFile, name: string): boolean {
  const text = file.getFullText();
  let cached = exportedNames.get(file);
  if (cached?.text !== text) {
    cached = { text, names: new Set(file.getExportedDeclarations().keys()) };
    exportedNames.set(file, cached);
  }
  return cached.names.has(name);
}

/**
 * Drops the import specifiers that renames left unused (`import { getNames }` once every call is
 * `getNamesAsync`), on the new text. A declaration always keeps at least one binding, so that no
 * module loses an import it was loaded by.
 */
export function dropUnusedImports(
  tm: typeof import('ts-morph'),
  cleanups: readonly ImportCleanup[],
): void {
  const byFile = new Map<SourceFile, ImportCleanup[]>();
  for (const cleanup of cleanups) {
    const list = byFile.get(cleanup.file) ?? [];
    list.push(cleanup);
    byFile.set(cleanup.file, list);
  }
  for (const [file, list] of byFile) {
    if (file.wasForgotten()) continue;
    const used = new Set<string>();
    file.forEachDescendant((node, traversal) => {
      if (tm.Node.isImportDeclaration(node)) traversal.skip();
      else if (tm.Node.isIdentifier(node)) used.add(node.getText());
    });
    const unused = new Set(
      list.filter((c) => !used.has(c.local)).map((c) => `${c.module}|${c.local}`),
    );
    if (unused.size === 0) continue;
    for (const declaration of file.getImportDeclarations()) {
      const module = declaration.getModuleSpecifierValue();
      const named = declaration.getNamedImports();
      let bindings = named.length + (declaration.getDefaultImport() ? 1 : 0);
      for (const specifier of named) {
        const local = specifier.getAliasNode()?.getText() ?? specifier.getName();
        if (unused.has(`${module}|${local}`) && bindings > 1) {
          specifier.remove();
          bindings--;
        }
      }
    }
  }
}
