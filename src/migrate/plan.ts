import type * as TsMorph from 'ts-morph';
import {
  type Analysis,
  isWithin,
  localDeclaration,
  memberName,
  type TwinCall,
  type Unit,
  type Use,
} from './analysis.js';
import { invokedParameters } from './callbacks.js';
import { EffectAnalysis, stopsAtFirstError } from './effects.js';
import type { Attention } from './types.js';

type Node = TsMorph.Node;
type SourceFile = TsMorph.SourceFile;
type CallExpression = TsMorph.CallExpression;

/**
 * A place the step rewrites so that it awaits something. `origin`: a blocking-twin call. `call`
 * (and `iife`), `for-of`, `map`, `array`: a use of a function the step makes async. `helper`: a
 * call of a callback-taking project function, routed to its async sibling. `invoke`: inside such
 * a sibling, the call of the function it was given.
 */
export type SiteKind =
  | 'origin'
  | 'call'
  | 'for-of'
  | 'map'
  | 'iife'
  | 'helper'
  | 'array'
  | 'invoke';

export interface Site {
  readonly node: CallExpression;
  /** The code around it, which must be able to await. */
  readonly unit: Unit;
  readonly kind: SiteKind;
  readonly twin: TwinCall | undefined;
  /** The functions of the step this site reaches: the callee, or the callbacks it hands over. */
  readonly callees: Unit[];
  /** For `map` and `array`: the `Array` method. */
  readonly method: string | undefined;
  /** For `helper`: the helper whose sibling it calls. */
  readonly helper: Unit | undefined;
  /** For `map`: `Promise.all` (concurrent) or one call after another (in order), and why. */
  form?: { readonly concurrent: boolean; readonly reason: string };
}

export interface UnitPlan {
  readonly unit: Unit;
  /** `convert`: becomes async. `await-only`: already async. `top-level`: a module's top level. */
  readonly mode: 'convert' | 'await-only' | 'top-level';
  /** `helper`: gets an async sibling that awaits the functions it is given. `family`: changes with a method of its family. */
  role: 'bubble' | 'helper' | 'family';
  readonly sites: Site[];
  /** Uses of the unit that stay outside the step, and whether a later step can migrate them. */
  readonly outside: (Use & { readonly later: boolean })[];
}

/** What a step covers. */
export interface PlanScope {
  /** Where the blocking-twin calls it starts from: functions, or whole files. */
  readonly bottoms: readonly Node[];
  /** Only code in this file. */
  readonly file: SourceFile | undefined;
  /** Bubble no higher than this function. */
  readonly upTo: Unit | undefined;
  /** Keep blocking twins for callers outside the step (the default), or change in place. */
  readonly keepTwins: boolean;
}

/**
 * Plans one step: the calls to rewrite, the functions that become async, and which of those keep
 * a blocking twin. Pure: nothing is edited, so plans for several bottoms can be made on one
 * analysis and compared.
 */
export class Plan {
  readonly analysis: Analysis;
  readonly scope: PlanScope;
  readonly plans = new Map<Unit, UnitPlan>();
  readonly sites = new Map<Node, Site>();
  /** The identifiers, per function, that this step points at the function's async version. */
  readonly refs = new Map<Unit, Set<Node>>();
  /** Interface and abstract members that change with their family. */
  readonly signatures = new Set<Node>();
  readonly attention: Attention[] = [];
  readonly refusal: string[] = [];
  /** Functions that keep their blocking version, and why. */
  readonly twinned = new Map<Unit, string>();
  readonly #queue: Unit[] = [];
  readonly #effects: EffectAnalysis;
  readonly #families = new Set<string>();

  constructor(analysis: Analysis, scope: PlanScope, effects = new EffectAnalysis(analysis)) {
    this.analysis = analysis;
    this.scope = scope;
    this.#effects = effects;
  }

  note(node: Node, message: string): void {
    const at = this.analysis.location(node);
    if (
      this.attention.some((a) => a.file === at.file && a.line === at.line && a.message === message)
    ) {
      return;
    }
    this.attention.push({ ...at, message });
  }

  #refuse(reason: string): void {
    if (!this.refusal.includes(reason)) this.refusal.push(reason);
  }

  #inScope(unit: Unit): boolean {
    return this.scope.file === undefined || unit.getSourceFile() === this.scope.file;
  }

  /** Plans the step: follows the bubble up from the bottoms, then settles twins and forms. */
  run(): this {
    for (const bottom of this.scope.bottoms) this.#origins(bottom);
    for (let unit = this.#queue.shift(); unit; unit = this.#queue.shift()) this.#bubble(unit);
    this.#prune();
    this.#settleTwins();
    this.#decideForms();
    const files = new Set([...this.sites.values()].map((site) => site.node.getSourceFile()));
    const pending = files.size > 0 ? this.analysis.pendingWork(files) : undefined;
    if (pending) {
      const at = this.analysis.location(pending);
      this.#refuse(
        `The program already leaves work running while it goes on (${this.analysis.shortText(pending)} at ${at.file}:${at.line}): an await added by this step would let it run in between, where the blocking call held it back. Migrate by hand, or await that work first.`,
      );
    }
    return this;
  }

  #origins(bottom: Node): void {
    // Calls inside a blocking twin kept on purpose are not among them (see twinCalls).
    for (const twin of this.analysis.twinCalls(bottom)) this.#origin(twin);
  }

  #origin(twin: TwinCall): void {
    const tm = this.analysis.tm;
    const unit = this.analysis.unitOf(twin.call);
    const loop = twin.call.getParent();
    const inForOf =
      loop !== undefined && tm.Node.isForOfStatement(loop) && loop.getExpression() === twin.call;
    if (twin.asyncIterable && !inForOf) {
      this.note(
        twin.call,
        `${twin.method}() stays blocking: it is iterated outside a for...of; rewrite it with for await by hand`,
      );
      return;
    }
    const problem = this.hostProblem(unit);
    if (problem) {
      this.note(twin.call, `${twin.method}() stays blocking: ${problem}`);
      return;
    }
    this.#addSite({
      node: twin.call,
      unit,
      kind: 'origin',
      twin,
      callees: [],
      method: undefined,
      helper: undefined,
    });
  }

  /** Why `unit` cannot await, if it cannot. */
  hostProblem(unit: Unit): string | undefined {
    const tm = this.analysis.tm;
    const analysis = this.analysis;
    if (tm.Node.isSourceFile(unit)) return this.#topLevelProblem(unit);
    const kept = analysis.keptTwinAround(unit);
    if (kept) {
      return `${analysis.unitName(kept)} is the blocking twin kept beside ${analysis.unitName(kept)}Async for the callers that still block`;
    }
    const blocked = analysis.cannotBeAsync(unit);
    if (blocked) return `${analysis.unitName(unit)}: ${blocked}`;
    if (
      analysis.isAsync(unit) ||
      analysis.bindingName(unit) ||
      tm.Node.isFunctionDeclaration(unit) ||
      tm.Node.isMethodDeclaration(unit)
    ) {
      return undefined;
    }
    const lost = analysis.usesOf(unit).find((use) => use.kind === 'escape' || use.kind === 'value');
    return lost ? `${analysis.unitName(unit)} is ${lost.reason ?? 'used as a value'}` : undefined;
  }

  /**
   * A module's top level can wait only when nothing of the project imports it: an ES module that
   * awaits lets the modules imported beside it run before it finishes, and a CommonJS module's
   * importer would go on before its wrapped top level ran.
   */
  #topLevelProblem(file: SourceFile): string | undefined {
    const analysis = this.analysis;
    const importer = analysis.importersOf(file)[0];
    if (!importer) return undefined;
    const how = analysis.allowsTopLevelAwait(file)
      ? 'top-level await there would let the modules imported beside it run before it finishes'
      : 'its top level, wrapped in an async function, would run after the importer goes on';
    return `the top level of ${analysis.relative(file.getFilePath())} is imported by ${analysis.relative(importer.getFilePath())}: ${how}`;
  }

  #planFor(unit: Unit, role: UnitPlan['role']): UnitPlan {
    let plan = this.plans.get(unit);
    if (plan) return plan;
    const tm = this.analysis.tm;
    const mode: UnitPlan['mode'] = tm.Node.isSourceFile(unit)
      ? 'top-level'
      : this.analysis.isAsync(unit)
        ? 'await-only'
        : 'convert';
    plan = { unit, mode, role, sites: [], outside: [] };
    this.plans.set(unit, plan);
    if (mode === 'convert' && role !== 'helper') this.#queue.push(unit);
    return plan;
  }

  #addSite(site: Site): Site {
    const existing = this.sites.get(site.node);
    if (existing) {
      for (const callee of site.callees) {
        if (!existing.callees.includes(callee)) existing.callees.push(callee);
      }
      return existing;
    }
    this.sites.set(site.node, site);
    this.#planFor(site.unit, 'bubble').sites.push(site);
    return site;
  }

  #addRef(unit: Unit, reference: Node | undefined): void {
    if (!reference) return;
    const set = this.refs.get(unit) ?? new Set<Node>();
    set.add(reference);
    this.refs.set(unit, set);
  }

  #bubble(unit: Unit): void {
    const tm = this.analysis.tm;
    const plan = this.plans.get(unit);
    if (!plan) return;
    if (tm.Node.isMethodDeclaration(unit)) this.#family(unit);
    // Its callers already get a promise from it: nothing above it changes.
    if (this.analysis.returnsPromise(unit)) return;
    for (const use of this.analysis.usesOf(unit)) this.#follow(unit, plan, use);
  }

  #follow(unit: Unit, plan: UnitPlan, use: Use): void {
    const tm = this.analysis.tm;
    const analysis = this.analysis;
    if (use.kind === 'awaited') return;
    if (use.kind === 'escape' || use.kind === 'value') {
      plan.outside.push({ ...use, later: false });
      return;
    }
    const site = use.site as CallExpression;
    const host = analysis.unitOf(site);
    const stopped = unit === this.scope.upTo && !tm.Node.isSourceFile(host);
    if (stopped || !this.#inScope(host)) {
      plan.outside.push({ ...use, later: true });
      return;
    }
    const problem = this.hostProblem(host);
    if (problem) {
      plan.outside.push({ ...use, kind: 'value', reason: problem, later: false });
      return;
    }
    if (use.kind === 'producer') {
      const twin = analysis.twinOf(site);
      if (!twin) return;
      this.#addSite({
        node: site,
        unit: host,
        kind: 'origin',
        twin,
        callees: [unit],
        method: undefined,
        helper: undefined,
      });
      this.#addRef(unit, use.reference);
      return;
    }
    if (use.kind === 'helper' && use.helper) {
      const reason = this.#helperProblem(use.helper);
      if (reason) {
        plan.outside.push({ ...use, kind: 'value', reason, later: false });
        return;
      }
      this.#helperPlan(use.helper);
      const callee = site.getExpression();
      const name = tm.Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : callee;
      this.#addSite({
        node: site,
        unit: host,
        kind: 'helper',
        twin: undefined,
        callees: [unit, use.helper],
        method: undefined,
        helper: use.helper,
      });
      this.#addRef(use.helper, name);
      this.#addRef(unit, use.reference);
      return;
    }
    const generator = analysis.isGenerator(unit);
    if (generator && use.kind !== 'for-of') {
      plan.outside.push({
        ...use,
        kind: 'value',
        reason: 'a generator used outside a for...of',
        later: false,
      });
      return;
    }
    const kind = use.kind === 'for-of' && !generator ? 'call' : use.kind;
    this.#addSite({
      node: site,
      unit: host,
      kind,
      twin: undefined,
      callees: [unit],
      method: use.method,
      helper: undefined,
    });
    this.#addRef(unit, use.reference);
  }

  /** A method brings its family along: every implementation and interface member changes with it. */
  #family(unit: Unit): void {
    const analysis = this.analysis;
    const tm = analysis.tm;
    const family = analysis.familyOf(unit);
    if (family.members.length < 2) return;
    const key = family.members.map((m) => analysis.where(m)).join();
    if (this.#families.has(key)) return;
    this.#families.add(key);
    if (family.problem) {
      this.#refuse(`${family.problem}.`);
      return;
    }
    for (const member of family.members) {
      if (member === unit) continue;
      if (tm.Node.isMethodDeclaration(member) && member.getBody() && !member.isAbstract()) {
        if (!analysis.isOwn(member)) continue;
        if (analysis.asyncSibling(member)) continue;
        this.#planFor(member, 'family');
        for (const twin of analysis.twinCalls(member)) this.#origin(twin);
      } else if (!analysis.asyncSibling(member)) {
        this.signatures.add(member);
      }
    }
  }

  /** Why a callback-taking helper cannot get an async sibling, if it cannot. */
  #helperProblem(helper: Unit): string | undefined {
    const tm = this.analysis.tm;
    const problem = this.twinProblem(helper);
    if (problem) return `${this.analysis.unitName(helper)} cannot get an async sibling: ${problem}`;
    if (!('getParameters' in helper)) return undefined;
    const parameters = (helper as TsMorph.FunctionDeclaration).getParameters();
    for (const index of invokedParameters(this.analysis, helper)) {
      const type = parameters[index]?.getTypeNode();
      if (type && !tm.Node.isFunctionTypeNode(type)) {
        return `${this.analysis.unitName(helper)} cannot get an async sibling: the type of its parameter ${parameters[index]?.getName()} (${type.getText()}) is not written as a function type`;
      }
    }
    return undefined;
  }

  /** The helper's async sibling awaits every call of the functions it is given, and calls itself. */
  #helperPlan(helper: Unit): void {
    const existing = this.plans.get(helper);
    if (existing?.sites.some((site) => site.kind === 'invoke')) return;
    const plan = existing ?? this.#planFor(helper, 'helper');
    const tm = this.analysis.tm;
    const parameters = (helper as TsMorph.FunctionDeclaration).getParameters();
    const self = this.analysis.declarationOf(helper);
    for (const index of invokedParameters(this.analysis, helper)) {
      const name = parameters[index]?.getNameNode();
      if (!name) continue;
      for (const identifier of helper.getDescendantsOfKind(tm.SyntaxKind.Identifier)) {
        if (identifier === name || identifier.getSymbol() !== name.getSymbol()) continue;
        const call = identifier.getParent();
        if (call && tm.Node.isCallExpression(call) && call.getExpression() === identifier) {
          this.#addSite({
            node: call,
            unit: helper,
            kind: 'invoke',
            twin: undefined,
            callees: [],
            method: undefined,
            helper: undefined,
          });
        }
      }
    }
    for (const reference of this.analysis.referencesTo(self)) {
      const call = reference.getParent();
      if (!isWithin(reference, helper) || !call || !tm.Node.isCallExpression(call)) continue;
      if (call.getExpression() !== reference) continue;
      this.#addSite({
        node: call,
        unit: helper,
        kind: 'call',
        twin: undefined,
        callees: [helper],
        method: undefined,
        helper: undefined,
      });
      this.#addRef(helper, reference);
    }
    if (plan.role === 'bubble') plan.role = 'helper';
  }

  /**
   * Drops functions the step has no use for: converted only because they call a blocking twin,
   * while every caller they have could never await them (an event handler, a value). Their calls
   * stay blocking, and say why.
   */
  #prune(): void {
    const analysis = this.analysis;
    const needed = new Set<Unit>();
    const queue: Unit[] = [];
    const need = (unit: Unit): void => {
      if (needed.has(unit)) return;
      needed.add(unit);
      queue.push(unit);
    };
    for (const plan of this.plans.values()) {
      const unit = plan.unit;
      if (plan.mode !== 'convert') need(unit);
      else if (plan.role === 'bubble' || plan.role === 'family') {
        const uses = analysis.usesOf(unit);
        if (
          analysis.isVisibleOutside(unit) ||
          uses.length === 0 ||
          uses.some((use) => use.kind === 'awaited') ||
          analysis.returnsPromise(unit) ||
          plan.outside.some((use) => use.later)
        ) {
          need(unit);
        }
      }
    }
    for (let unit = queue.shift(); unit; unit = queue.shift()) {
      for (const site of this.plans.get(unit)?.sites ?? [])
        for (const callee of site.callees) need(callee);
      if (analysis.tm.Node.isMethodDeclaration(unit)) {
        for (const member of analysis.familyOf(unit).members)
          if (this.plans.has(member)) need(member);
      }
    }
    for (const plan of [...this.plans.values()]) {
      if (needed.has(plan.unit)) continue;
      this.plans.delete(plan.unit);
      const why =
        plan.outside.find((use) => use.reason)?.reason ?? 'nothing calls it where it could await';
      const name = analysis.unitName(plan.unit);
      for (const site of plan.sites) {
        this.sites.delete(site.node);
        if (site.kind === 'origin' && site.twin) {
          this.note(
            site.node,
            `${site.twin.method}() stays blocking: ${name} is only used where it cannot be awaited (${why})`,
          );
        }
        // What it called stays reachable the blocking way, from code that stays blocking.
        for (const callee of site.callees) {
          if (!needed.has(callee)) continue;
          this.plans.get(callee)?.outside.push({
            kind: 'value',
            site: site.node,
            reference: undefined,
            reason: `called from ${name}, which stays blocking: ${why}`,
            later: false,
          });
        }
      }
    }
    for (const site of [...this.sites.values()]) {
      if (!this.plans.has(site.unit)) this.sites.delete(site.node);
    }
  }

  /** Which converted functions keep a blocking twin, and why; then the refusals that follow. */
  #settleTwins(): void {
    const analysis = this.analysis;
    const keep = this.scope.keepTwins;
    for (const plan of this.plans.values()) {
      if (plan.mode !== 'convert') continue;
      const name = analysis.unitName(plan.unit);
      if (plan.role === 'helper') {
        this.twinned.set(plan.unit, 'callers of the blocking helper keep it');
      } else if (!keep) {
        if (plan.outside.length > 0) {
          this.#refuse(
            `${name} has callers outside the step, which would be left calling an async function as if it blocked. Widen the step (--up-to a caller, up to the entry point) or keep blocking twins.`,
          );
        }
      } else if (plan.outside.length > 0) {
        const first = plan.outside[0];
        const caller = first ? analysis.unitName(analysis.unitOf(first.site)) : '';
        this.twinned.set(
          plan.unit,
          first?.later === false && first.reason
            ? `used where it cannot be awaited: ${first.reason}`
            : `called by ${caller}, outside the step`,
        );
      } else if (analysis.isVisibleOutside(plan.unit) && !analysis.returnsPromise(plan.unit)) {
        this.twinned.set(plan.unit, 'exported: code outside the project may call it');
      }
    }
    if (keep) this.#closeTwins();
    for (const [unit, why] of this.twinned) {
      const problem = this.twinProblem(unit);
      if (problem) {
        this.#refuse(
          `${analysis.unitName(unit)} must keep its blocking version (${why}) and cannot: ${problem}.`,
        );
      }
    }
  }

  /** The nearest function around `node` (not `node` itself) that keeps its blocking version. */
  #twinnedAround(node: Node): Unit | undefined {
    const tm = this.analysis.tm;
    for (
      let unit = this.analysis.unitOf(node);
      !tm.Node.isSourceFile(unit);
      unit = this.analysis.unitOf(unit)
    ) {
      if (this.twinned.has(unit)) return unit;
    }
    return undefined;
  }

  #closeTwins(): void {
    const analysis = this.analysis;
    const tm = analysis.tm;
    for (let changed = true; changed; ) {
      changed = false;
      // The blocking original keeps calling the blocking versions of what it called.
      for (const site of this.sites.values()) {
        const holder = this.#twinnedAround(site.node);
        if (!holder) continue;
        for (const callee of site.callees) {
          if (this.twinned.has(callee) || this.plans.get(callee)?.mode !== 'convert') continue;
          if (isWithin(callee, holder)) continue;
          this.twinned.set(callee, `called by the blocking ${analysis.unitName(holder)}`);
          changed = true;
        }
      }
      // A family keeps its blocking members together.
      for (const unit of [...this.twinned.keys()]) {
        if (!tm.Node.isMethodDeclaration(unit)) continue;
        for (const member of analysis.familyOf(unit).members) {
          if (this.plans.get(member)?.mode === 'convert' && !this.twinned.has(member)) {
            this.twinned.set(member, `a member of the family of ${analysis.unitName(unit)}`);
            changed = true;
          }
        }
      }
    }
    // A twin inside a twin is copied with it.
    for (const unit of [...this.twinned.keys()]) {
      if (this.#twinnedAround(unit)) this.twinned.delete(unit);
    }
  }

  /** Whether a family's members keep blocking versions: as one, so ask any converted member. */
  familyTwinned(member: Node): boolean {
    const tm = this.analysis.tm;
    if (!tm.Node.isMethodDeclaration(member) && !tm.Node.isMethodSignature(member)) {
      return this.twinned.has(member);
    }
    return this.analysis.familyOf(member).members.some((m) => this.twinned.has(m));
  }

  /** Why a unit cannot have an async twin written beside it, if it cannot. */
  twinProblem(unit: Unit): string | undefined {
    return this.analysis.memo('twin-problem', unit, () => this.#twinProblem(unit));
  }

  #twinProblem(unit: Unit): string | undefined {
    const tm = this.analysis.tm;
    const name = this.analysis.bindingName(unit) ?? memberName(tm, unit);
    if (!name) return 'it has no name to give a twin';
    const twinName = `${name.getText()}Async`;
    if (tm.Node.isFunctionDeclaration(unit)) {
      const scope = unit.getParent();
      if (scope && localDeclaration(tm, scope, twinName)) return `${twinName} already exists`;
      if (unit.getOverloads().length > 0) return 'it is overloaded';
      return undefined;
    }
    const holder = name.getParent();
    const owner = holder?.getParent();
    if (
      owner &&
      (tm.Node.isClassDeclaration(owner) ||
        tm.Node.isClassExpression(owner) ||
        tm.Node.isInterfaceDeclaration(owner))
    ) {
      if (owner.getMembers().some((m) => memberName(tm, m)?.getText() === twinName)) {
        return `${twinName} already exists`;
      }
      if (tm.Node.isMethodDeclaration(holder) && holder.getOverloads().length > 0) {
        return 'it is overloaded';
      }
      return undefined;
    }
    if (owner && tm.Node.isObjectLiteralExpression(owner)) {
      return owner.getProperty(twinName) ? `${twinName} already exists` : undefined;
    }
    if (holder && tm.Node.isVariableDeclaration(holder)) {
      const statement = holder.getVariableStatement();
      if (statement?.getDeclarations().length !== 1) {
        return 'it is declared together with other variables';
      }
      const scope = statement.getParent();
      if (scope && localDeclaration(tm, scope, twinName)) return `${twinName} already exists`;
      return undefined;
    }
    return 'it is not a function, method or variable the tool can copy';
  }

  /**
   * Whether an error thrown at `node` would be caught, in `host` or in any caller of it the step
   * reaches: then the program relies on the first error stopping the rest, which running the calls
   * together would not do (the others would still be sent).
   */
  #caught(node: Node, host: Unit, seen: Set<Unit>): string | undefined {
    const here = stopsAtFirstError(this.analysis, node, host);
    if (here || seen.has(host)) return here;
    seen.add(host);
    for (const site of this.sites.values()) {
      if (!site.callees.includes(host)) continue;
      const found = this.#caught(site.node, site.unit, seen);
      if (found) return found;
    }
    return undefined;
  }

  /** `.map` callbacks run concurrently only when nothing they do could tell. */
  #decideForms(): void {
    const analysis = this.analysis;
    for (const site of this.sites.values()) {
      if (site.kind !== 'map') continue;
      const callback = site.callees[0];
      const trapped = this.#caught(site.node, site.unit, new Set());
      if (trapped) {
        site.form = { concurrent: false, reason: trapped };
        continue;
      }
      const effect = callback ? this.#effects.effectOf(callback) : undefined;
      if (effect) {
        const through = effect.path.length > 0 ? ` (through ${effect.path.join(' -> ')})` : '';
        const at = analysis.location(effect.node);
        site.form = {
          concurrent: false,
          reason: `the callback ${effect.what}${through} at ${at.file}:${at.line}, which running the calls together would reorder`,
        };
        continue;
      }
      site.form = {
        concurrent: true,
        reason:
          'the callback writes nothing it shares and calls nothing whose effects could be reordered',
      };
    }
  }
}
