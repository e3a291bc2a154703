/**
 * The only registry of probe kinds. Adding a kind to PROBE_KINDS in protocol/wire.ts without registering it
 * here (and its fields in schemas.ts) is a compile error (the `satisfies` below); there is no other list to keep
 * in step.
 */
import type { ProbeKind } from '../../protocol/wire.js';
import { dns } from './dns.js';
import { http } from './http.js';
import { icmp } from './icmp.js';
import type { Probe } from './probe.js';
import type { targetSchemas } from './schemas.js';
import { tcp } from './tcp.js';
import { transaction } from './transaction.js';

/**
 * Every probe, keyed by kind. Each runs targets of its kind's schema in schemas.ts, which is what the config
 * and plan checks apply: a probe declaring another schema does not compile.
 */
export const probes = { icmp, http, tcp, dns, transaction } satisfies {
  [K in ProbeKind]: Probe<(typeof targetSchemas)[K]>;
};

/**
 * The probe for `kind`. Its `run` expects a target already checked against its kind's schema (agent/config.ts
 * and the plan checks do that once, via resolveTargets), hence the erased target type here.
 */
export function getProbe(kind: ProbeKind): Probe {
  return probes[kind] as unknown as Probe;
}
