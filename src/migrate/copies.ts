import type * as TsMorph from 'ts-morph';
import { type Analysis, isThenable, memberName, type Unit } from './analysis.js';
import { applyEdits, type Edit } from './text.js';

type Node = TsMorph.Node;
type SourceFile = TsMorph.SourceFile;

/** The node a unit's copy is made of: the whole variable statement for `const f = () => ...`. */
export function containerOf(analysis: Analysis, unit: Unit): Node {
  const tm = analysis.tm;
  const holder = analysis.bindingName(unit)?.getParent();
  if (holder && tm.Node.isVariableDeclaration(holder)) return holder.getVariableStatement() ?? unit;
  if (holder && (tm.Node.isPropertyDeclaration(holder) || tm.Node.isPropertyAssignment(holder))) {
    return holder;
  }
  return unit;
}

function indentAt(text: string, position: number): string {
  const lineStart = text.lastIndexOf('\n', position - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, position))?.[0] ?? '';
}

/**
 * Moves the edits inside each twinned unit into an async copy inserted after it, leaving the
 * blocking original as it was: `getNames` stays, `getNamesAsync` follows it. The copy is renamed
 * (and loses `default`: a module has one default export, the blocking one).
 */
export function writeTwinCopies(
  analysis: Analysis,
  edits: Map<SourceFile, Edit[]>,
  twinned: Iterable<Unit>,
): void {
  const tm = analysis.tm;
  for (const unit of twinned) {
    const file = unit.getSourceFile();
    const container = containerOf(analysis, unit);
    const name = analysis.bindingName(unit) ?? memberName(tm, unit);
    if (!name) continue;
    const start = container.getStart(true);
    const end = container.getEnd();
    const rename: Edit[] = [
      {
        pos: name.getStart(),
        end: name.getEnd(),
        text: `${name.getText()}Async`,
        order: 2,
        span: name.getWidth(),
      },
    ];
    if (tm.Node.isFunctionDeclaration(unit) && unit.isDefaultExport()) {
      const keyword = unit.getModifiers().find((m) => m.getKind() === tm.SyntaxKind.DefaultKeyword);
      if (keyword) {
        rename.push({
          pos: keyword.getStart(),
          end: keyword.getEnd() + 1,
          text: '',
          order: 2,
          span: 8,
        });
      }
    }
    const list = edits.get(file) ?? [];
    const inside = list.filter((edit) => !edit.detached && edit.pos >= start && edit.end <= end);
    const outside = list.filter((edit) => edit.detached || !(edit.pos >= start && edit.end <= end));
    const text = file.getFullText();
    const copy = applyEdits(text.slice(start, end), [...inside, ...rename], start);
    const indent = indentAt(text, start);
    const inLiteral = tm.Node.isObjectLiteralExpression(container.getParent());
    const separator = inLiteral ? `,\n${indent}` : `\n\n${indent}`;
    outside.push({ pos: end, end, text: `${separator}${copy}`, order: 1, span: 0, detached: true });
    edits.set(file, outside);
  }
}

/**
 * An interface member or abstract method of a family that changes: in place, its return type
 * becomes a promise; with twins kept, an async signature is added after it.
 */
export function signatureEdits(analysis: Analysis, member: Node, twin: boolean): Edit[] | string {
  const tm = analysis.tm;
  if (!tm.Node.isMethodSignature(member) && !tm.Node.isMethodDeclaration(member)) {
    return `${analysis.shortText(member)} is not a method signature`;
  }
  const typeNode = member.getReturnTypeNode();
  const returnText = typeNode
    ? typeNode.getText()
    : member
        .getReturnType()
        .getText(member, tm.ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope);
  if (returnText.includes('import(')) {
    return `the return type of ${analysis.unitName(member)} cannot be written here; give it one first`;
  }
  const promised =
    typeNode && isThenable(typeNode.getType()) ? returnText : `Promise<${returnText}>`;
  if (!twin) {
    if (typeNode) {
      return [
        {
          pos: typeNode.getStart(),
          end: typeNode.getEnd(),
          text: promised,
          order: 2,
          span: typeNode.getWidth(),
        },
      ];
    }
    const close = member.getFirstChildByKind(tm.SyntaxKind.CloseParenToken);
    if (!close) return `${analysis.unitName(member)} has no parameter list`;
    return [{ pos: close.getEnd(), end: close.getEnd(), text: `: ${promised}`, order: 1, span: 0 }];
  }
  const file = member.getSourceFile();
  const text = file.getFullText();
  const start = member.getStart(true);
  const end = member.getEnd();
  const name = member.getNameNode();
  const local: Edit[] = [
    {
      pos: name.getStart(),
      end: name.getEnd(),
      text: `${name.getText()}Async`,
      order: 2,
      span: name.getWidth(),
    },
  ];
  if (typeNode) {
    local.push({
      pos: typeNode.getStart(),
      end: typeNode.getEnd(),
      text: promised,
      order: 2,
      span: typeNode.getWidth(),
    });
  } else {
    const close = member.getFirstChildByKind(tm.SyntaxKind.CloseParenToken);
    if (close)
      local.push({
        pos: close.getEnd(),
        end: close.getEnd(),
        text: `: ${promised}`,
        order: 1,
        span: 0,
      });
  }
  const copy = applyEdits(text.slice(start, end), local, start);
  return [
    { pos: end, end, text: `\n${indentAt(text, start)}${copy}`, order: 1, span: 0, detached: true },
  ];
}
