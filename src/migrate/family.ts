import type * as TsMorph from 'ts-morph';
import type { Analysis, Unit } from './analysis.js';

type Node = TsMorph.Node;

/**
 * A method and every declaration that stands or falls with it: the interface members and base
 * methods it implements or overrides, and the overrides and other implementations of those. A call
 * through any of them may run any of the others, so they change together.
 */
export interface Family {
  /** Every member, the method itself included: methods, abstract methods, interface signatures. */
  readonly members: readonly Node[];
  /** Why the family cannot change with the step, when it cannot (a member outside the project). */
  readonly problem: string | undefined;
}

type Container = TsMorph.ClassDeclaration | TsMorph.ClassExpression | TsMorph.InterfaceDeclaration;

function containerOf(analysis: Analysis, member: Node): Container | undefined {
  const tm = analysis.tm;
  const parent = member.getParent();
  if (
    parent &&
    (tm.Node.isClassDeclaration(parent) ||
      tm.Node.isClassExpression(parent) ||
      tm.Node.isInterfaceDeclaration(parent))
  ) {
    return parent;
  }
  return undefined;
}

/** The classes and interfaces a class or interface extends or implements, as declarations. */
function supertypes(analysis: Analysis, container: Container): Node[] {
  const tm = analysis.tm;
  const clauses = tm.Node.isInterfaceDeclaration(container)
    ? container.getExtends()
    : [
        ...(container.getExtends() ? [container.getExtendsOrThrow()] : []),
        ...container.getImplements(),
      ];
  const found: Node[] = [];
  for (const clause of clauses) {
    const symbol = clause.getExpression().getSymbol();
    const target = symbol?.isAlias() ? symbol.getAliasedSymbol() : symbol;
    found.push(...(target?.getDeclarations() ?? []));
  }
  return found;
}

/** Every class and interface of the project, with the ones that extend or implement each. */
function subtypeMap(analysis: Analysis): Map<Node, Container[]> {
  const key = analysis.own[0];
  if (!key) return new Map();
  return analysis.memo('subtypes', key, () => {
    const tm = analysis.tm;
    const map = new Map<Node, Container[]>();
    for (const file of analysis.own) {
      file.forEachDescendant((node) => {
        if (
          !tm.Node.isClassDeclaration(node) &&
          !tm.Node.isClassExpression(node) &&
          !tm.Node.isInterfaceDeclaration(node)
        ) {
          return;
        }
        for (const parent of supertypes(analysis, node)) {
          const list = map.get(parent) ?? [];
          list.push(node);
          map.set(parent, list);
        }
      });
    }
    return map;
  });
}

function membersNamed(analysis: Analysis, container: Node, name: string): Node[] {
  const tm = analysis.tm;
  if (
    !tm.Node.isClassDeclaration(container) &&
    !tm.Node.isClassExpression(container) &&
    !tm.Node.isInterfaceDeclaration(container)
  ) {
    return [];
  }
  const members: Node[] = container.getMembers();
  return members.filter((member) => {
    const named = member as Node & { getName?: () => string };
    return (
      (tm.Node.isMethodDeclaration(member) ||
        tm.Node.isMethodSignature(member) ||
        tm.Node.isPropertyDeclaration(member) ||
        tm.Node.isPropertySignature(member) ||
        tm.Node.isGetAccessorDeclaration(member) ||
        tm.Node.isSetAccessorDeclaration(member)) &&
      named.getName?.() === name
    );
  });
}

/** Gathers the family of a method (see `Family`). */
export function familyOf(analysis: Analysis, unit: Unit): Family {
  const tm = analysis.tm;
  const name =
    analysis.bindingName(unit)?.getText() ?? (unit as { getName?: () => string }).getName?.();
  const start = containerOf(analysis, unit);
  if (!name || !start) return { members: [unit], problem: undefined };
  const members = new Set<Node>([unit]);
  const containers = new Set<Node>();
  const queue: Node[] = [start];
  const subtypes = subtypeMap(analysis);
  let problem: string | undefined;
  while (queue.length > 0) {
    const container = queue.shift()!;
    if (containers.has(container)) continue;
    containers.add(container);
    const own = membersNamed(analysis, container, name);
    for (const member of own) members.add(member);
    const related: Node[] = [...(subtypes.get(container) ?? [])];
    if (
      tm.Node.isClassDeclaration(container) ||
      tm.Node.isClassExpression(container) ||
      tm.Node.isInterfaceDeclaration(container)
    ) {
      for (const parent of supertypes(analysis, container)) {
        // A supertype without the member does not bind it; one outside the project cannot change.
        if (!analysis.isOwn(parent)) {
          const declared = parent
            .getType()
            .getProperty(name)
            ?.getDeclarations()
            .some((d) => !analysis.isOwn(d));
          if (declared) {
            problem ??= `${analysis.unitName(unit)} implements ${name} of ${analysis.shortText(
              (parent as Node & { getNameNode?: () => Node }).getNameNode?.() ?? parent,
            )}, declared outside the project, whose signature the step cannot change`;
          }
          continue;
        }
        related.push(parent);
      }
    }
    for (const next of related) if (!containers.has(next)) queue.push(next);
  }
  for (const member of members) {
    if (member === unit) continue;
    if (
      tm.Node.isPropertySignature(member) ||
      tm.Node.isPropertyDeclaration(member) ||
      tm.Node.isGetAccessorDeclaration(member) ||
      tm.Node.isSetAccessorDeclaration(member)
    ) {
      problem ??= `${analysis.unitName(unit)} shares its name with ${analysis.shortText(member)} (${analysis.where(member)}), which the step cannot turn into an async method`;
    }
    if (
      tm.Node.isMethodDeclaration(member) &&
      member.hasBody() &&
      member.getOverloads().length > 0
    ) {
      problem ??= `${analysis.unitName(member)} is overloaded: change its family by hand`;
    }
  }
  return { members: [...members], problem };
}
