/**
 * From catalogue to one commune's probe plan: the services selected for it (`all` plus its entry's
 * `include`, minus `exclude`), each endpoint with the entry's overrides and the catalogue defaults applied.
 * The body is canonical JSON and the ETag is its content hash, so the same plan always gets the same
 * ETag (agents are answered 304) and any change to what a commune probes gives a new one.
 */
import type { ConfigProblem } from '../../common/config-file.js';
import { checkPlanTargets } from '../../agent/probes/schemas.js';
import { canonicalJson, PLAN_FORMAT, planVersion, type ProbePlan } from '../../protocol/plan.js';
import { MIN_INTERVAL_SEC, type CatalogueData, type CommuneEntry } from './catalogue-schema.js';
/** The agent accepts at most this many targets (AgentConfigSchema). */
const MAX_TARGETS = 1000;

export interface BuiltPlan {
  plan: ProbePlan;
  /** Exactly the bytes sent: canonical JSON of `plan`. */
  body: string;
  /** Strong ETag: `"<plan.version>"`. */
  etag: string;
}

/** A target built for a plan, and where its keys came from in the catalogue (to locate problems). */
interface PlannedTarget {
  target: Record<string, unknown>;
  /** e.g. `services[2].endpoints[0]` */
  origin: string;
  override?: { path: string; keys: ReadonlySet<string> };
}

/** Ids of the services a commune gets: `all` and the entry's `include`, minus its `exclude`. */
export function selectedServices(cat: CatalogueData, entry?: CommuneEntry): Set<string> {
  const ids = new Set([...cat.all, ...(entry?.include ?? [])]);
  for (const id of entry?.exclude ?? []) ids.delete(id);
  return ids;
}

function plannedTargets(
  cat: CatalogueData,
  selected: ReadonlySet<string>,
  entry?: { value: CommuneEntry; index: number },
): PlannedTarget[] {
  const planned: PlannedTarget[] = [];
  // Catalogue order, whatever the order of all/include: the plan (and its ETag) must not depend on it.
  cat.services.forEach((service, s) => {
    if (!selected.has(service.id)) return;
    service.endpoints.forEach((endpoint, e) => {
      const target: Record<string, unknown> = { ...endpoint, service: endpoint.service ?? service.service };
      const changes = entry?.value.overrides?.[endpoint.name];
      for (const [key, value] of Object.entries(changes ?? {})) {
        if (value === null) delete target[key];
        else target[key] = value;
      }
      target.intervalSec ??= cat.defaults.intervalSec;
      target.timeoutMs ??= cat.defaults.timeoutMs;
      planned.push({
        target,
        origin: `services[${s}].endpoints[${e}]`,
        ...(changes &&
          entry && {
            override: {
              path: `communes[${entry.index}].overrides.${endpoint.name}`,
              keys: new Set(Object.keys(changes)),
            },
          }),
      });
    });
  });
  return planned;
}

/** The plan for one commune. The catalogue must have loaded (loadCatalogue), so the plan is valid. */
export function buildPlan(cat: CatalogueData, commune: string): BuiltPlan {
  const index = cat.communes.findIndex((e) => e.codes.includes(commune));
  const entry = index >= 0 ? { value: cat.communes[index]!, index } : undefined;
  const targets = plannedTargets(cat, selectedServices(cat, entry?.value), entry).map((p) => p.target);
  const path = cat.path || entry?.value.path ? { ...cat.path, ...entry?.value.path } : undefined;
  const content = { v: PLAN_FORMAT, commune, targets, ...(path && { path }) };
  const plan: ProbePlan = { ...content, version: planVersion(content) };
  return { plan, body: canonicalJson(plan), etag: `"${plan.version}"` };
}

/** `targets[3].url` of a built plan → the catalogue key that set it (the override if it set that key). */
function locate(problem: ConfigProblem, planned: readonly PlannedTarget[]): ConfigProblem {
  const m = /^targets\[(\d+)\](.*)$/.exec(problem.path);
  const from = m ? planned[Number(m[1])] : undefined;
  if (!m || !from) return problem;
  const rest = m[2]!;
  const key = /^\.([^.[]+)/.exec(rest)?.[1];
  const base = key !== undefined && from.override?.keys.has(key) ? from.override.path : from.origin;
  return { ...problem, path: `${base}${rest}` };
}

/**
 * Checks every plan the catalogue can produce with the agent's rules: all services together (each endpoint
 * on its own terms), the plan for communes without an entry, and each entry's. A problem that only shows
 * in one plan (an excluded dependency, an override) says which plan; each is reported once.
 */
export function checkCataloguePlans(cat: CatalogueData): ConfigProblem[] {
  const contexts: Array<{ label?: string; selected: Set<string>; entry?: { value: CommuneEntry; index: number } }> = [
    { selected: new Set(cat.services.map((s) => s.id)) },
    { label: 'communes without an entry', selected: selectedServices(cat) },
    ...cat.communes.map((value, index) => ({
      label: `communes[${index}] (${value.codes.slice(0, 3).join(', ')}${value.codes.length > 3 ? ', …' : ''})`,
      selected: selectedServices(cat, value),
      entry: { value, index },
    })),
  ];
  const seen = new Set<string>();
  const out: ConfigProblem[] = [];
  for (const { label, selected, entry } of contexts) {
    const planned = plannedTargets(cat, selected, entry);
    const { problems } = checkPlanTargets(
      planned.map((p) => p.target),
      cat.defaults,
    );
    planned.forEach(({ target }, i) => {
      if (typeof target.intervalSec === 'number' && target.intervalSec < MIN_INTERVAL_SEC) {
        problems.push({
          path: `targets[${i}].intervalSec`,
          message:
            `${target.intervalSec} is below ${MIN_INTERVAL_SEC}: every commune runs this plan; ` +
            "put faster local checks in the commune's own config file",
        });
      }
    });
    if (planned.length > MAX_TARGETS)
      problems.push({
        path: entry ? `communes[${entry.index}]` : 'all',
        message: `${planned.length} targets; an agent takes at most ${MAX_TARGETS}`,
      });
    for (const problem of problems.map((p) => locate(p, planned))) {
      const key = `${problem.path}\u0000${problem.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // Inside a commune entry the path already says which plan; elsewhere the plan is named.
      out.push(
        label && !problem.path.startsWith('communes[')
          ? { ...problem, message: `${problem.message} (in the plan for ${label})` }
          : problem,
      );
    }
  }
  return out;
}
