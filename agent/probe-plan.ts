/**
 * The checks an agent applies to a probe plan received from the server (GET /api/v1/agent/config) before running
 * it, and how its targets combine with the local file's. The plan's format is in protocol/plan.ts; its targets
 * and path are checked by the local config file's rules (checkPlanTargets, checkPlanPath in
 * agent/probes/schemas.ts), so a plan is never held to a looser standard than a hand-written file. The server
 * (server/plan) checks its catalogue with those same functions, so a catalogue that loads yields plans every
 * agent of this version accepts.
 */
import { schemaProblems, type ConfigProblem } from '../common/config-file.js';
import { PLAN_FORMAT, ProbePlanSchema, type PathConfig, type ProbePlan } from '../protocol/plan.js';
import type { AgentConfig } from './config.js';
import { checkPlanPath, checkPlanTargets, type TargetConfig } from './probes/schemas.js';

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
