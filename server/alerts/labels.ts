/**
 * The labels an incident is routed and silenced by, Alertmanager-style, but multi-valued: a central
 * incident carries every affected commune (and their provinces), so a route for one province still
 * sees the provincial system failing there.
 */
import type { Units } from '../org/units.js';
import type { Incident } from '../outages/incident.js';
import type { Matchers } from './config-parts.js';

export type Labels = Record<string, string[]>;

export function incidentLabels(inc: Incident, units: Units): Labels {
  const communes = inc.commune ? [inc.commune] : inc.communes.map((c) => c.commune);
  return {
    cause: [inc.cause],
    severity: [inc.severity],
    scope: [inc.scope],
    service: inc.service ? [inc.service] : [],
    ...placeLabels(communes, units),
  };
}

/** commune, province and district labels of a set of communes. */
export function placeLabels(communes: readonly string[], units: Units): Labels {
  const provinces = new Set<string>();
  const districts = new Set<string>();
  for (const c of communes) {
    const unit = units.commune(c);
    if (unit) provinces.add(unit.province.code);
    if (unit?.district) districts.add(unit.district.code);
  }
  return { commune: [...communes], province: [...provinces], district: [...districts] };
}

/** Every label named by the matchers has at least one accepted value. Empty matchers match everything. */
export function matches(labels: Labels, matchers: Matchers | undefined): boolean {
  if (!matchers) return true;
  return Object.entries(matchers).every(([name, accepted]) => (labels[name] ?? []).some((v) => accepted.includes(v)));
}

/** The group an incident falls in for a receiver: the values of the groupBy labels. */
export function groupKey(labels: Labels, groupBy: readonly string[]): string {
  return groupBy.map((name) => `${name}=${[...(labels[name] ?? [])].sort().join('|')}`).join(',');
}
