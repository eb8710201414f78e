import type * as TsMorph from 'ts-morph';
import type { Analysis, Unit } from './analysis.js';

type SourceFile = TsMorph.SourceFile;

function normalize(paths: readonly string[]): string[] {
  return paths.map((p) => p.replace(/\\/g, '/'));
}

/** Resolves `name`, `Class.method` or `file:line` to one function of the project. */
export function resolveUnit(analysis: Analysis, spec: string, cwd: string): Unit {
  const tm = analysis.tm;
  const path = process.getBuiltinModule('node:path');
  const units: Unit[] = [];
  for (const file of analysis.own) {
    file.forEachDescendant((node) => {
      if (analysis.isFunctionLike(node)) units.push(node);
    });
  }
  const byLine = /^(.+):(\d+)$/.exec(spec);
  if (byLine?.[1] !== undefined && byLine[2] !== undefined) {
    const line = Number(byLine[2]);
    const wanted = normalize([
      path.resolve(cwd, byLine[1]),
      path.resolve(analysis.root, byLine[1]),
    ]);
    const file = analysis.own.find((candidate) => wanted.includes(candidate.getFilePath()));
    if (!file) throw new Error(`No file ${byLine[1]} in the project`);
    const inFile = units.filter((unit) => unit.getSourceFile() === file);
    const declared = inFile.filter(
      (unit) => analysis.location(analysis.bindingName(unit) ?? unit).line === line,
    );
    if (declared[0]) return declared[0];
    const around = inFile
      .filter((unit) => unit.getStartLineNumber() <= line && unit.getEndLineNumber() >= line)
      .sort((a, b) => b.getStart() - a.getStart());
    if (around[0]) return around[0];
    throw new Error(`No function at ${spec}`);
  }
  const matches = units.filter((unit) => {
    if (!analysis.bindingName(unit) && !tm.Node.isFunctionDeclaration(unit)) return false;
    const name = analysis.unitName(unit);
    return name === spec || name.endsWith(`.${spec}`);
  });
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) throw new Error(`No function named ${spec} in the project`);
  const list = matches.map((unit) => {
    const at = analysis.location(analysis.bindingName(unit) ?? unit);
    return `${analysis.unitName(unit)} (${at.file}:${at.line})`;
  });
  throw new Error(`${spec} is ambiguous: ${list.join(', ')}; name it as file:line`);
}

/** Resolves a path (against `cwd`, then the project's root) to one of the project's files. */
export function resolveFile(analysis: Analysis, file: string, cwd: string): SourceFile {
  const path = process.getBuiltinModule('node:path');
  const wanted = normalize([path.resolve(cwd, file), path.resolve(analysis.root, file)]);
  const found = analysis.own.find((candidate) => wanted.includes(candidate.getFilePath()));
  if (!found) throw new Error(`No file ${file} in the project`);
  return found;
}
