import { isWithin, type Unit } from './analysis.js';
import type { EditSet } from './edits.js';
import type { Plan } from './plan.js';
import type { ConvertedFunction, MapForm, SignatureChange, Strand } from './types.js';

/** What a planned step means for the reader: computed before the edits replace the old nodes. */
export interface StepReport {
  readonly converted: ConvertedFunction[];
  readonly strands: Strand[];
  readonly notes: string[];
  readonly forms: MapForm[];
  readonly exportsChanged: SignatureChange[];
}

export function summarize(plan: Plan, editSet: EditSet): StepReport {
  return {
    converted: converted(plan, editSet),
    strands: strands(plan),
    notes: notes(plan),
    forms: forms(plan),
    exportsChanged: exportsChanged(plan),
  };
}

function converted(plan: Plan, editSet: EditSet): ConvertedFunction[] {
  const analysis = plan.analysis;
  const list: ConvertedFunction[] = [];
  for (const unitPlan of plan.plans.values()) {
    if (unitPlan.mode !== 'convert') continue;
    const unit = unitPlan.unit;
    const reason = plan.twinned.get(unit);
    // A callback inside a function that keeps its blocking version changes only in the copy.
    if (reason === undefined && isInsideTwin(plan, unit)) continue;
    const twin = reason !== undefined;
    list.push({
      ...analysis.location(analysis.bindingName(unit) ?? unit),
      name: analysis.unitName(unit),
      kind: analysis.unitKind(unit),
      mode: twin ? 'twin' : 'in-place',
      twinName:
        reason !== undefined
          ? `${analysis.bindingName(unit)?.getText() ?? 'default'}Async`
          : undefined,
      asyncKeyword: !editSet.passthrough.has(unit),
      reason,
    });
  }
  for (const member of plan.signatures) {
    const twin = plan.familyTwinned(member);
    list.push({
      ...analysis.location(analysis.bindingName(member) ?? member),
      name: analysis.unitName(member),
      kind: 'method',
      mode: twin ? 'twin' : 'in-place',
      twinName: twin ? `${analysis.bindingName(member)?.getText() ?? ''}Async` : undefined,
      asyncKeyword: false,
      reason: twin ? 'a member of a family that keeps its blocking methods' : undefined,
    });
  }
  return list;
}

function isInsideTwin(plan: Plan, unit: Unit): boolean {
  for (const holder of plan.twinned.keys()) if (isWithin(unit, holder)) return true;
  return false;
}

function strands(plan: Plan): Strand[] {
  const analysis = plan.analysis;
  const list: Strand[] = [];
  for (const unitPlan of plan.plans.values()) {
    if (unitPlan.mode !== 'convert' || unitPlan.role === 'helper') continue;
    const callee = analysis.unitName(unitPlan.unit);
    const kept =
      plan.scope.keepTwins && plan.familyTwinned(unitPlan.unit) && !plan.twinProblem(unitPlan.unit);
    for (const use of unitPlan.outside) {
      const caller = analysis.unitName(analysis.unitOf(use.site));
      const at = analysis.location(use.site);
      const how = use.reason ? ` (${use.reason})` : '';
      const message = kept
        ? `${caller} (${at.file}:${at.line}) still uses the blocking ${callee}()${how}: it keeps working through the blocking twin; ${use.later ? `migrate it in a later step to use ${callee.replace(/.*\./, '')}Async()` : 'it cannot await, so it stays blocking'}`
        : `${caller} (${at.file}:${at.line}) uses ${callee}()${how}, which this step makes async: it would break`;
      list.push({ ...at, caller, callee, kept, message });
    }
  }
  return list;
}

function notes(plan: Plan): string[] {
  const analysis = plan.analysis;
  const list: string[] = [];
  const next = new Set<string>();
  if (plan.scope.keepTwins) {
    for (const [unit, why] of plan.twinned) {
      if (plan.twinProblem(unit)) continue;
      const users = new Set<string>();
      for (const use of plan.plans.get(unit)?.outside ?? []) {
        const caller = analysis.unitName(analysis.unitOf(use.site));
        users.add(caller);
        if (use.later) next.add(caller);
      }
      for (const site of plan.sites.values()) {
        if (!site.callees.includes(unit)) continue;
        for (const holder of plan.twinned.keys()) {
          if (holder !== unit && isWithin(site.node, holder))
            users.add(`the blocking ${analysis.unitName(holder)}`);
        }
      }
      const who = users.size > 0 ? [...users].join(', ') : why;
      const twinName = `${analysis.bindingName(unit)?.getText() ?? 'default'}Async`;
      list.push(
        `${analysis.unitName(unit)} keeps its blocking version for ${who}; ${twinName} is the async one.`,
      );
    }
    if (next.size > 0) list.push(`Next step: migrate ${[...next].join(', ')}.`);
  }
  for (const site of plan.sites.values()) {
    if (site.twin?.owner !== 'project') continue;
    const symbol = site.twin.nameNode.getSymbol();
    const target = symbol?.isAlias() ? symbol.getAliasedSymbol() : symbol;
    const declaration = target?.getDeclarations()[0];
    const unit = declaration ? analysis.unitOfDeclaration(declaration) : undefined;
    if (!unit || analysis.isVisibleOutside(unit)) continue;
    // Its own recursive calls do not keep it alive.
    const left = analysis
      .usesOf(unit)
      .filter((use) => !plan.sites.has(use.site) && !isWithin(use.site, unit));
    const message = `${analysis.unitName(unit)} (the blocking twin) has no callers left in the project: delete it when nothing outside the project uses it.`;
    if (left.length === 0 && !list.includes(message)) list.push(message);
  }
  return list;
}

function forms(plan: Plan): MapForm[] {
  const analysis = plan.analysis;
  const list: MapForm[] = [];
  for (const site of plan.sites.values()) {
    if (site.kind !== 'map' || !site.form) continue;
    list.push({
      ...analysis.location(site.node),
      text: analysis.shortText(site.node),
      concurrent: site.form.concurrent,
      reason: site.form.reason,
    });
  }
  return list;
}

function exportsChanged(plan: Plan): SignatureChange[] {
  if (plan.scope.keepTwins) return [];
  const analysis = plan.analysis;
  const tm = analysis.tm;
  const list: SignatureChange[] = [];
  const changed = [...plan.plans.values()]
    .filter((p) => p.mode === 'convert' && p.role !== 'helper' && !plan.twinned.has(p.unit))
    .map((p) => p.unit);
  for (const unit of [...changed, ...plan.signatures]) {
    if (!analysis.isVisibleOutside(unit)) continue;
    const signature = unit as Unit & { getReturnType?: () => import('ts-morph').Type };
    const type = signature.getReturnType?.();
    const before = type
      ? type.getText(unit, tm.ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope)
      : 'unknown';
    const generator = analysis.isGenerator(unit);
    const after = generator
      ? before.replace(/^(Generator|Iterable|IterableIterator|Iterator)\b/, 'Async$1')
      : /^Promise</.test(before)
        ? before
        : `Promise<${before}>`;
    list.push({
      ...analysis.location(analysis.bindingName(unit) ?? unit),
      name: analysis.unitName(unit),
      before,
      after,
    });
  }
  return list;
}
