/**
 * The hops of the agent's `path:` section, read for probing. The section's schema is in protocol/plan.ts (a
 * plan carries the same section, and the server checks it without loading agent code); this module turns its
 * hop strings into something to probe.
 *
 *   commune PC → LAN gateway → uplink (ISP / government data network next hop) → provincial data centre
 *                      ↘ DNS resolvers
 */

export interface Hop {
  host: string;
  /** Set: TCP connect to this port; unset: ICMP echo. */
  port?: number;
}

/** Parses `host`, `host:port` or `[v6]:port`; a bare IPv6 address is a host. */
export function parseHop(text: string): Hop {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed) return { host: bracketed[1]!, port: Number(bracketed[2]) };
  const colons = text.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = text.split(':');
    return { host: host!, port: Number(port) };
  }
  return { host: text };
}
