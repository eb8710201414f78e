import type * as TsMorph from 'ts-morph';
import { type Analysis, isPlainFunction, isWithin, type Unit } from './analysis.js';
import { applyEdits, type Edit } from './text.js';

type Node = TsMorph.Node;

/** The edits that move default parameters into the body, or why they cannot move. */
export type DefaultsMove =
  | { readonly problem: string }
  | {
      readonly problem?: undefined;
      /** Edits (of the list given) that now live in the new body statements instead. */
      readonly consumed: ReadonlySet<Edit>;
      readonly edits: readonly Edit[];
    };

/**
 * `await` is not allowed in a parameter's default value, so a blocking call there moves into the
 * body: `function f(id: number, name = getName(id))` becomes `async function f(id: number, name?:
 * string) { if (name === undefined) name = await getNameAsync(id); ... }`. Every later default
 * moves with it, so that the defaults are still evaluated in their order, only when the argument
 * is `undefined`, and before the body.
 */
export function moveDefaults(
  analysis: Analysis,
  unit: Unit,
  siteNodes: readonly Node[],
  edits: readonly Edit[],
): DefaultsMove | undefined {
  const tm = analysis.tm;
  if (!isPlainFunction(tm, unit)) {
    return undefined;
  }
  const parameters = unit.getParameters();
  const first = parameters.findIndex((parameter) => {
    const initializer = parameter.getInitializer();
    return (
      initializer !== undefined &&
      siteNodes.some((node) => isWithin(node, initializer) || node === initializer)
    );
  });
  if (first < 0) return undefined;
  const body = unit.getBody();
  if (!body)
    return {
      problem: `${analysis.unitName(unit)} has no body to move its default parameters into`,
    };
  const statements: string[] = [];
  const consumed = new Set<Edit>();
  const out: Edit[] = [];
  for (let index = first; index < parameters.length; index++) {
    const parameter = parameters[index];
    const initializer = parameter?.getInitializer();
    if (!parameter || !initializer) continue;
    const name = parameter.getNameNode();
    if (!tm.Node.isIdentifier(name)) {
      return {
        problem: `${analysis.unitName(unit)}: the destructured parameter ${analysis.shortText(name)} has a default that would have to move into the body; move it by hand`,
      };
    }
    const typeNode = parameter.getTypeNode();
    const type =
      typeNode?.getText() ??
      parameter
        .getType()
        .getText(
          parameter,
          tm.ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope |
            tm.ts.TypeFormatFlags.NoTruncation,
        );
    if (type.includes('import(')) {
      return {
        problem: `${analysis.unitName(unit)}: the type of the parameter ${name.getText()} cannot be written in this file; give it a type first`,
      };
    }
    const start = initializer.getStart();
    const end = initializer.getEnd();
    const inside = edits.filter((edit) => edit.pos >= start && edit.end <= end);
    for (const edit of inside) consumed.add(edit);
    const value = applyEdits(initializer.getText(), inside, start);
    statements.push(`if (${name.getText()} === undefined) ${name.getText()} = ${value};`);
    const later = parameters.slice(index + 1);
    const optional = later.every(
      (p) => p.isOptional() || p.hasInitializer() || p.isRestParameter(),
    );
    const from = name.getEnd();
    out.push({
      pos: from,
      end,
      text: optional ? `?: ${type}` : `: ${type} | undefined`,
      order: 2,
      span: end - from,
      owner: parameter,
    });
  }
  out.push(...bodyEdits(analysis, unit, body, statements));
  return { consumed, edits: out };
}

function bodyEdits(
  analysis: Analysis,
  unit: Unit,
  body: Node,
  statements: readonly string[],
): Edit[] {
  const tm = analysis.tm;
  const file = unit.getSourceFile();
  const text = file.getFullText();
  const lineStart = text.lastIndexOf('\n', unit.getStart() - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
  const inner = `${indent}  `;
  if (tm.Node.isBlock(body)) {
    const open = body.getStart() + 1;
    const lines = statements.map((statement) => `\n${inner}${statement}`).join('');
    return [{ pos: open, end: open, text: lines, order: 1, span: 0, owner: body }];
  }
  // An expression body becomes a block that returns it.
  const lines = statements.map((statement) => `${inner}${statement}\n`).join('');
  return [
    {
      pos: body.getStart(),
      end: body.getStart(),
      text: `{\n${lines}${inner}return `,
      order: 1,
      span: Number.MAX_SAFE_INTEGER,
      owner: body,
    },
    {
      pos: body.getEnd(),
      end: body.getEnd(),
      text: `;\n${indent}}`,
      order: 0,
      span: Number.MAX_SAFE_INTEGER,
      owner: body,
    },
  ];
}
