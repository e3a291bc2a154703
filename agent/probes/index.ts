/**
 * The only registry of probe kinds. Adding a kind to PROBE_KINDS in protocol/wire.ts without registering it
 * here is a compile error (the `satisfies` below); there is no other list to keep in step.
 */
import type { ProbeKind } from '../../protocol/wire.js';
import { dns } from './dns.js';
import { http } from './http.js';
import { icmp } from './icmp.js';
import type { Probe } from './probe.js';
import { tcp } from './tcp.js';
import { transaction } from './transaction.js';

/** Every probe, keyed by kind. */
// `Probe<any>`: each entry keeps its own target type; Probe<TSchema> would reject their narrower run().
// biome-ignore lint/suspicious/noExplicitAny: see above
export const probes = { icmp, http, tcp, dns, transaction } satisfies Record<ProbeKind, Probe<any>>;

/**
 * The probe for `kind`. Its `run` expects a target already checked against `targetSchema` (agent/config.ts
 * does that once at load time), hence the erased target type here.
 */
export function getProbe(kind: ProbeKind): Probe {
  return probes[kind] as unknown as Probe;
}
