/**
 * The probe plan an agent receives from the server (GET /api/v1/agent/config): its format and the checks an
 * agent applies before running it. The checks are those of the local config file (TargetCommon, then
 * resolveTargets; PathConfigSchema), so a plan is never held to a looser standard than a hand-written file.
 * The server (server/plan) builds plans and checks its catalogue with these same functions, so a catalogue
 * that loads yields plans every agent of this version accepts.
 */
import { createHash } from 'node:crypto';
import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';
import { COMMUNE_PATTERN } from '../protocol/wire.js';
import { schemaProblems, type ConfigProblem } from '../common/config-file.js';
import { resolveTargets, TargetCommon, type AgentConfig, type TargetConfig } from './config.js';
import { PathConfigSchema, type PathConfig } from './path/path-config.js';

export const PLAN_FORMAT = 1;
/** Relative to `server.url`, like the ingest path, so a server behind a proxy sub-path works. */
export const PLAN_PATH = 'api/v1/agent/config';

/** Lenient at the top level (a newer server may add fields); targets and path are checked strictly below. */
export const ProbePlanSchema = Type.Object({
  v: Type.Integer({ minimum: 1, description: 'plan format' }),
  version: Type.String({ minLength: 1, maxLength: 128, description: 'hash of the plan content; also its ETag' }),
  commune: Type.String({ pattern: COMMUNE_PATTERN }),
  targets: Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 1000 }),
  path: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type ProbePlan = Static<typeof ProbePlanSchema>;

/** JSON with object keys sorted at every level, so equal content always gives equal text (and hash). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The plan's `version`: a strong hash of its content, so the same plan always gets the same ETag. */
export function planVersion(content: Omit<ProbePlan, 'version'>): string {
  return createHash('sha256').update(canonicalJson(content)).digest('base64url');
}

/**
 * Checks plan targets exactly as the local file's are checked (TargetCommon, then resolveTargets), plus
 * one rule of its own: a remote target may not name a credentials source, because that would let
 * whoever controls the server make the agent read local secret files and send them to URLs it chooses.
 */
export function checkPlanTargets(
  raw: readonly unknown[],
  defaults: { intervalSec: number; timeoutMs: number },
): { targets: TargetConfig[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  raw.forEach((t, i) => {
    problems.push(...schemaProblems(TargetCommon, t, `targets[${i}]`));
    if (t && typeof t === 'object' && 'credentials' in t) {
      problems.push({
        path: `targets[${i}].credentials`,
        message: 'not accepted from the server: define targets that log in in the local config file',
      });
    }
  });
  const resolved = resolveTargets(raw as Static<typeof TargetCommon>[], defaults);
  return { targets: resolved.targets, problems: [...problems, ...resolved.problems] };
}

/** A plan's `path:` section with the agent's defaults applied, checked by the local file's schema. */
export function checkPlanPath(raw: unknown, prefix = 'path'): { path: PathConfig; problems: ConfigProblem[] } {
  const path = Value.Default(PathConfigSchema, Value.Clone(raw ?? {})) as PathConfig;
  return { path, problems: schemaProblems(PathConfigSchema, path, prefix) };
}

export type PlanCheck =
  | { ok: true; plan: ProbePlan; targets: TargetConfig[]; path?: PathConfig }
  | { ok: false; reasons: string[] };

/** Everything wrong with a plan received for this agent, as `key path: message` lines. */
export function checkPlan(data: unknown, config: Pick<AgentConfig, 'commune' | 'defaults'>): PlanCheck {
  const lines = (ps: ConfigProblem[]) => ps.map((p) => `${p.path || '(top level)'}: ${p.message}`);
  const shape = schemaProblems(ProbePlanSchema, data);
  if (shape.length > 0) return { ok: false, reasons: lines(shape) };
  const plan = data as ProbePlan;
  if (plan.v > PLAN_FORMAT)
    return {
      ok: false,
      reasons: [`v: plan format ${plan.v} is newer than this agent understands (${PLAN_FORMAT}); upgrade the agent`],
    };
  if (plan.commune !== config.commune) {
    return {
      ok: false,
      reasons: [
        `commune: the plan is for commune ${plan.commune}, this agent reports for ${config.commune} (the token and the config disagree)`,
      ],
    };
  }
  const { targets, problems } = checkPlanTargets(plan.targets, config.defaults);
  const path = plan.path === undefined ? undefined : checkPlanPath(plan.path);
  problems.push(...(path?.problems ?? []));
  if (problems.length > 0) return { ok: false, reasons: lines(problems) };
  return { ok: true, plan, targets, ...(path && { path: path.path }) };
}

/** Remote targets first; a local target replaces the remote one of the same name, the rest are added. */
export function mergeTargets(remote: readonly TargetConfig[], local: readonly TargetConfig[]): TargetConfig[] {
  const byName = new Map(local.map((t) => [t.name, t]));
  const merged = remote.map((t) => byName.get(t.name) ?? t);
  const remoteNames = new Set(remote.map((t) => t.name));
  return [...merged, ...local.filter((t) => !remoteNames.has(t.name))];
}
