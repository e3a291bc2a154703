/**
 * Loading the service catalogue: the services every commune's agent probes, defined once by the province (or
 * whoever runs the server), with per-commune selections and overrides. Its shape is in catalogue-schema.ts;
 * agents fetch the plan built from it for their commune (plan-builder.ts, routes.ts).
 *
 * Strict like the agent config, and checked in depth when loaded: every plan the catalogue can produce
 * (the plan for communes without an entry, and each entry's) is checked with the agent's own rules
 * (agent/probes/schemas.ts), each problem located at the line of the catalogue that causes it. A catalogue that
 * loads therefore never sends an agent a plan that agent would reject.
 */
import { checkConfig, readYamlConfig, throwIfProblems, type ConfigProblem } from '../../common/config-file.js';
import { checkPlanPath } from '../../agent/probes/schemas.js';
import { CatalogueSchema, type Catalogue, type CatalogueData } from './catalogue-schema.js';
import { checkCataloguePlans, selectedServices } from './plan-builder.js';

/** Reads and checks a catalogue; throws ConfigError naming file, key path and line of every problem. */
export function loadCatalogue(file: string): Catalogue {
  const parsed = readYamlConfig(file);
  const { value, problems } = checkConfig(parsed, CatalogueSchema);
  // Cross-references and plans are checked only on a well-formed file: their checks assume its shape.
  if (problems.length === 0) problems.push(...checkReferences(value));
  if (problems.length === 0) problems.push(...checkCataloguePlans(value));
  throwIfProblems(parsed, problems);
  return { ...value, file };
}

function checkReferences(cat: CatalogueData): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const serviceAt = new Map<string, number>();
  const endpointAt = new Map<string, string>();
  cat.services.forEach((s, i) => {
    const other = serviceAt.get(s.id);
    if (other !== undefined)
      problems.push({ path: `services[${i}].id`, message: `duplicate service id "${s.id}" (also services[${other}])` });
    else serviceAt.set(s.id, i);
    s.endpoints.forEach((e, j) => {
      const where = endpointAt.get(e.name);
      // Endpoint names become target names, which an agent needs unique; unique across the catalogue keeps every plan valid.
      if (where)
        problems.push({
          path: `services[${i}].endpoints[${j}].name`,
          message: `duplicate endpoint name "${e.name}" (also ${where})`,
        });
      else endpointAt.set(e.name, `services[${i}].endpoints[${j}]`);
    });
  });
  const known = (ids: readonly string[] | undefined, at: string) =>
    ids?.forEach((id, k) => {
      if (!serviceAt.has(id)) problems.push({ path: `${at}[${k}]`, message: `no service with id "${id}"` });
    });
  known(cat.all, 'all');
  problems.push(...checkPlanPath(cat.path, 'path').problems);
  const entryOf = new Map<string, number>();
  cat.communes.forEach((entry, i) => {
    const at = `communes[${i}]`;
    entry.codes.forEach((code, k) => {
      const other = entryOf.get(code);
      if (other !== undefined)
        problems.push({
          path: `${at}.codes[${k}]`,
          message: `commune ${code} already has an entry (communes[${other}])`,
        });
      else entryOf.set(code, i);
    });
    known(entry.include, `${at}.include`);
    known(entry.exclude, `${at}.exclude`);
    const selected = selectedServices(cat, entry);
    for (const [name, override] of Object.entries(entry.overrides ?? {})) {
      const owner = cat.services.find((s) => s.endpoints.some((e) => e.name === name));
      if (!owner)
        problems.push({ path: `${at}.overrides.${name}`, message: `no endpoint named "${name}" in the catalogue` });
      else if (!selected.has(owner.id))
        problems.push({
          path: `${at}.overrides.${name}`,
          message: `endpoint "${name}" is not in this entry's plan (service "${owner.id}" is not selected)`,
        });
      if ('name' in override)
        problems.push({
          path: `${at}.overrides.${name}.name`,
          message: 'an override cannot rename an endpoint (the name is how results are stored)',
        });
    }
    // The entry's path is laid over the catalogue's; problems are reported where the entry sets the key.
    const { problems: pathProblems } = checkPlanPath({ ...cat.path, ...entry.path }, 'path');
    for (const p of pathProblems) {
      const key = /^path\.([^.[]+)/.exec(p.path)?.[1];
      if (key !== undefined && entry.path && key in entry.path) problems.push({ ...p, path: `${at}.${p.path}` });
    }
  });
  return problems;
}
