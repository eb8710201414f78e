import type * as TsMorph from 'ts-morph';
import {
  type Analysis,
  isPlainFunction,
  isThenable,
  type Unit,
  unwrapParentheses,
} from './analysis.js';
import { invokedParameters } from './callbacks.js';
import { signatureEdits, writeTwinCopies } from './copies.js';
import { moveDefaults } from './defaults.js';
import { TwinRouting } from './imports.js';
import { HELPER_MARK, inOrderName, inOrderText } from './inorder.js';
import type { Plan, Site, UnitPlan } from './plan.js';
import { applyEdits, type Edit } from './text.js';
import { wrapTopLevel } from './toplevel.js';
import type { SourceLocation } from './types.js';

type Node = TsMorph.Node;
type SourceFile = TsMorph.SourceFile;

const ASYNC_ITERATION: Readonly<Record<string, string>> = {
  Generator: 'AsyncGenerator',
  Iterable: 'AsyncIterable',
  IterableIterator: 'AsyncIterableIterator',
  Iterator: 'AsyncIterator',
};

/** A rewritten call, as the summary shows it. */
export type Rewrite = SourceLocation & { readonly before: string; readonly after: string };

/** Everything a step changes, as text edits against the unchanged source. */
export interface EditSet {
  readonly edits: Map<SourceFile, Edit[]>;
  readonly routing: TwinRouting;
  /** Arrows that return their one call's promise as it is: no `async`, no `await`. */
  readonly passthrough: ReadonlySet<Unit>;
  readonly rewrites: readonly Rewrite[];
  /** Why the edits cannot be made, one reason a line. */
  readonly refusal: readonly string[];
}

/** Builds the edits of a planned step. */
export function buildEdits(plan: Plan): EditSet {
  return new EditBuilder(plan).build();
}

class EditBuilder {
  readonly plan: Plan;
  readonly analysis: Analysis;
  readonly tm: Analysis['tm'];
  readonly edits = new Map<SourceFile, Edit[]>();
  readonly routing: TwinRouting;
  readonly passthrough = new Set<Unit>();
  readonly refusal: string[] = [];
  readonly catchSites = new Set<Node>();
  readonly helpers = new Map<SourceFile, Set<string>>();
  /** Identifiers already pointed at a twin: a reference may be reached twice (a family, a twin call). */
  readonly renamed = new Set<Node>();

  constructor(plan: Plan) {
    this.plan = plan;
    this.analysis = plan.analysis;
    this.tm = plan.analysis.tm;
    this.routing = new TwinRouting(this.analysis, (file, edit) => this.add(file, edit));
  }

  add(file: SourceFile, edit: Edit): void {
    const list = this.edits.get(file);
    if (list) list.push(edit);
    else this.edits.set(file, [edit]);
  }

  insert(node: Node, pos: number, text: string, order: 0 | 1, span = 0): void {
    this.add(node.getSourceFile(), { pos, end: pos, text, order, span, owner: node });
  }

  replace(node: Node, text: string): void {
    this.add(node.getSourceFile(), {
      pos: node.getStart(),
      end: node.getEnd(),
      text,
      order: 2,
      span: node.getWidth(),
      owner: node,
    });
  }

  build(): EditSet {
    this.#findPassthrough();
    this.#topLevels();
    for (const unitPlan of this.plan.plans.values()) {
      if (unitPlan.mode === 'convert') this.#convert(unitPlan);
    }
    for (const member of this.plan.signatures) {
      const result = signatureEdits(this.analysis, member, this.plan.familyTwinned(member));
      if (typeof result === 'string') this.refusal.push(`${result}.`);
      else for (const edit of result) this.add(member.getSourceFile(), edit);
    }
    for (const site of this.plan.sites.values()) this.#site(site);
    const renamed = this.renamed;
    for (const [unit] of this.plan.twinned) {
      const declaredTwin = `${this.analysis.bindingName(unit)?.getText() ?? 'default'}Async`;
      // A method's family shares its references: each is renamed once.
      for (const reference of this.plan.refs.get(unit) ?? []) {
        if (renamed.has(reference)) continue;
        renamed.add(reference);
        this.replace(reference, this.routing.twinReference(reference, declaredTwin));
      }
    }
    const rewrites = this.#describe();
    this.#defaults();
    this.#inOrderHelpers();
    const copied = [...this.plan.twinned.keys()].filter(
      (unit) => this.plan.plans.get(unit)?.mode === 'convert',
    );
    writeTwinCopies(this.analysis, this.edits, copied);
    return {
      edits: this.edits,
      routing: this.routing,
      passthrough: this.passthrough,
      rewrites,
      refusal: this.refusal,
    };
  }

  /** `(id) => getName(id)` returns the promise as it is: no async, no await. */
  #findPassthrough(): void {
    const tm = this.tm;
    for (const unitPlan of this.plan.plans.values()) {
      const unit = unitPlan.unit;
      if (unitPlan.mode !== 'convert' || !tm.Node.isArrowFunction(unit)) continue;
      if (unitPlan.sites.length !== 1) continue;
      const only = unitPlan.sites[0];
      const body = unit.getBody();
      const forOf = only?.kind === 'for-of' || only?.twin?.asyncIterable === true;
      if (only && !forOf && !tm.Node.isBlock(body) && unwrapParentheses(tm, body) === only.node) {
        if (unit.getParameters().some((p) => p.hasInitializer())) continue;
        this.passthrough.add(unit);
      }
    }
  }

  #topLevels(): void {
    const tm = this.tm;
    for (const unitPlan of this.plan.plans.values()) {
      const file = unitPlan.unit;
      if (unitPlan.mode !== 'top-level' || !tm.Node.isSourceFile(file)) continue;
      if (this.analysis.allowsTopLevelAwait(file)) continue;
      const wrap = wrapTopLevel(this.analysis, file, unitPlan.sites);
      if (wrap.problem !== undefined) {
        this.refusal.push(`${wrap.problem}.`);
        continue;
      }
      for (const edit of wrap.edits) this.add(file, edit);
      if (wrap.catchSite) this.catchSites.add(wrap.catchSite);
    }
  }

  /** `async`, and a promise return type, on a function the step converts. */
  #convert(unitPlan: UnitPlan): void {
    const tm = this.tm;
    const unit = unitPlan.unit;
    if (!this.passthrough.has(unit)) {
      let at: number | undefined;
      if (tm.Node.isFunctionDeclaration(unit) || tm.Node.isFunctionExpression(unit)) {
        at = unit.getFirstChildByKind(tm.SyntaxKind.FunctionKeyword)?.getStart();
      } else if (tm.Node.isMethodDeclaration(unit)) {
        at = (
          unit.getFirstChildByKind(tm.SyntaxKind.AsteriskToken) ?? unit.getNameNode()
        ).getStart();
      } else if (tm.Node.isArrowFunction(unit)) {
        at = unit.getStart();
      }
      if (at !== undefined) this.insert(unit, at, 'async ', 1, unit.getWidth());
    }
    this.#returnType(unit);
    if (unitPlan.role === 'helper') this.#widenParameters(unit);
  }

  #returnType(unit: Unit): void {
    const tm = this.tm;
    if (!isPlainFunction(tm, unit)) {
      return;
    }
    const generator = this.analysis.isGenerator(unit);
    const typeNode = unit.getReturnTypeNode();
    if (typeNode) {
      const text = typeNode.getText();
      const head = /^(\w+)(<[\s\S]*>)?$/.exec(text);
      const asyncName = head?.[1] !== undefined ? ASYNC_ITERATION[head[1]] : undefined;
      if (generator) {
        if (asyncName && head) this.replace(typeNode, `${asyncName}${head[2] ?? ''}`);
        else {
          this.refusal.push(
            `The return type ${text} of ${this.analysis.unitName(unit)} must become AsyncGenerator or AsyncIterable: change it by hand.`,
          );
        }
      } else if (!isThenable(typeNode.getType())) {
        this.replace(typeNode, `Promise<${text}>`);
      }
      return;
    }
    if (generator || this.passthrough.has(unit) || !this.analysis.bindingName(unit)) return;
    const inferred = unit.getReturnType();
    const close = unit.getFirstChildByKind(tm.SyntaxKind.CloseParenToken);
    const text = inferred.getText(
      unit,
      tm.ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope | tm.ts.TypeFormatFlags.NoTruncation,
    );
    if (close && !isThenable(inferred) && !text.includes('import(') && !inferred.isAny()) {
      this.insert(unit, close.getEnd(), `: Promise<${text}>`, 1, 0);
    }
  }

  /** The sibling of `withTiming(label, fn: () => T)` takes `fn: () => T | PromiseLike<T>`. */
  #widenParameters(unit: Unit): void {
    const tm = this.tm;
    const parameters = (unit as TsMorph.FunctionDeclaration).getParameters();
    for (const index of invokedParameters(this.analysis, unit)) {
      const typeNode = parameters[index]?.getTypeNode();
      if (!typeNode || !tm.Node.isFunctionTypeNode(typeNode)) continue;
      const returns = typeNode.getReturnTypeNode();
      if (!returns || isThenable(returns.getType())) continue;
      const text = returns.getText();
      const wrapped =
        tm.Node.isFunctionTypeNode(returns) ||
        tm.Node.isConstructorTypeNode(returns) ||
        tm.Node.isConditionalTypeNode(returns)
          ? `(${text})`
          : text;
      this.replace(returns, `${wrapped} | PromiseLike<${text}>`);
    }
  }

  #site(site: Site): void {
    const tm = this.tm;
    const node = site.node;
    if (site.twin && !this.renamed.has(site.twin.nameNode)) {
      this.renamed.add(site.twin.nameNode);
      this.replace(
        site.twin.nameNode,
        this.routing.twinReference(site.twin.nameNode, site.twin.asyncTwin),
      );
    }
    const loop = node.getParent();
    const forOf =
      site.kind === 'for-of' ||
      (site.twin?.asyncIterable === true && loop !== undefined && tm.Node.isForOfStatement(loop));
    if (forOf && loop && tm.Node.isForOfStatement(loop)) {
      if (!loop.isAwaited()) {
        const keyword = loop.getFirstChildByKind(tm.SyntaxKind.ForKeyword);
        if (keyword) this.insert(loop, keyword.getEnd(), ' await', 1, loop.getWidth());
      }
      return;
    }
    const direct = this.passthrough.has(site.unit) || this.catchSites.has(node);
    const awaited = isAwaited(this.analysis, node);
    let open = '';
    let close = '';
    if (site.kind === 'map' && site.form?.concurrent !== false) {
      open = 'Promise.all(';
      close = ')';
    } else if (site.kind === 'map' || site.kind === 'array') {
      const name = inOrderName(site.method ?? 'map');
      this.#needHelper(node.getSourceFile(), site.method ?? 'map');
      const callee = node.getExpression();
      const argument = node.getArguments()[0];
      if (!tm.Node.isPropertyAccessExpression(callee) || !argument) return;
      open = `${name}(`;
      const receiverEnd = callee.getExpression().getEnd();
      this.add(node.getSourceFile(), {
        pos: receiverEnd,
        end: argument.getStart(),
        text: ', ',
        order: 2,
        span: argument.getStart() - receiverEnd,
        owner: node,
      });
    }
    if (!direct && !awaited) {
      open = `await ${open}`;
      if (needsParentheses(tm, node)) {
        open = `(${open}`;
        close = `${close})`;
      }
    }
    if (open) this.insert(node, node.getStart(), open, 1, node.getWidth());
    if (close) this.insert(node, node.getEnd(), close, 0, node.getWidth());
  }

  #needHelper(file: SourceFile, method: string): void {
    const set = this.helpers.get(file) ?? new Set<string>();
    set.add(method);
    this.helpers.set(file, set);
  }

  #inOrderHelpers(): void {
    for (const [file, methods] of this.helpers) {
      const texts: string[] = [];
      for (const method of [...methods].sort()) {
        const name = inOrderName(method);
        const existing = file.getFunction(name);
        if (existing) {
          const ours = existing.getJsDocs().some((doc) => doc.getText().includes(HELPER_MARK));
          if (!ours) {
            this.refusal.push(
              `${this.analysis.relative(file.getFilePath())} already declares ${name}, which the in-order form of Array#${method} needs: rename it first.`,
            );
          }
          continue;
        }
        if (file.getLocal(name)) {
          this.refusal.push(
            `${this.analysis.relative(file.getFilePath())} already has something named ${name}: rename it first.`,
          );
          continue;
        }
        texts.push(inOrderText(method));
      }
      if (texts.length === 0) continue;
      const end = file.getEnd();
      const text = file.getFullText();
      const lead = text.endsWith('\n') ? '\n' : '\n\n';
      this.add(file, {
        pos: end,
        end,
        text: `${lead}${texts.join('\n\n')}\n`,
        order: 1,
        span: 0,
        detached: true,
      });
    }
  }

  #defaults(): void {
    for (const unitPlan of this.plan.plans.values()) {
      if (unitPlan.mode !== 'convert' && unitPlan.mode !== 'await-only') continue;
      const unit = unitPlan.unit;
      const file = unit.getSourceFile();
      const list = this.edits.get(file) ?? [];
      const moved = moveDefaults(
        this.analysis,
        unit,
        unitPlan.sites.map((site) => site.node),
        list,
      );
      if (!moved) continue;
      if (moved.problem !== undefined) {
        this.refusal.push(`${moved.problem}.`);
        continue;
      }
      this.edits.set(file, [...list.filter((edit) => !moved.consumed.has(edit)), ...moved.edits]);
    }
  }

  /** Each rewritten call as it reads after the step. */
  #describe(): Rewrite[] {
    const tm = this.tm;
    const rewrites: Rewrite[] = [];
    for (const site of this.plan.sites.values()) {
      if (site.kind === 'invoke') continue;
      const start = site.node.getStart();
      const end = site.node.getEnd();
      const own = (this.edits.get(site.node.getSourceFile()) ?? []).filter(
        (edit) =>
          !edit.detached &&
          ((edit.pos > start && edit.end < end) ||
            (edit.pos >= start &&
              edit.end <= end &&
              (edit.owner === site.node || edit.order === 2))),
      );
      const loop = site.node.getParent();
      const iterated =
        loop !== undefined &&
        tm.Node.isForOfStatement(loop) &&
        loop.getExpression() === site.node &&
        (site.kind === 'for-of' || site.twin?.asyncIterable === true);
      const text = applyEdits(site.node.getText(), own, start).replace(/\s+/g, ' ');
      rewrites.push({
        ...this.analysis.location(site.node),
        before: this.analysis.shortText(site.node),
        after: iterated ? `for await (... of ${text})` : text,
      });
    }
    return rewrites;
  }
}

/** Already `await f()`: the call only changes its name. */
function isAwaited(analysis: Analysis, node: Node): boolean {
  const tm = analysis.tm;
  let current = node.getParent();
  while (current && tm.Node.isParenthesizedExpression(current)) current = current.getParent();
  return current !== undefined && tm.Node.isAwaitExpression(current);
}

function needsParentheses(tm: Analysis['tm'], node: Node): boolean {
  const parent = node.getParent();
  if (!parent) return false;
  if (
    (tm.Node.isPropertyAccessExpression(parent) ||
      tm.Node.isElementAccessExpression(parent) ||
      tm.Node.isCallExpression(parent) ||
      tm.Node.isNewExpression(parent) ||
      tm.Node.isNonNullExpression(parent)) &&
    parent.getExpression() === node
  ) {
    return true;
  }
  if (tm.Node.isTaggedTemplateExpression(parent) && parent.getTag() === node) return true;
  return (
    tm.Node.isBinaryExpression(parent) &&
    parent.getLeft() === node &&
    parent.getOperatorToken().getKind() === tm.SyntaxKind.AsteriskAsteriskToken
  );
}
