/**
 * The `path:` section of the agent config: the hops between the commune PC and the services, probed
 * together so that a service failure can be placed on one of them (see classify.ts).
 *
 *   commune PC → LAN gateway → uplink (ISP / government data network next hop) → provincial data centre
 *                      ↘ DNS resolvers
 */
import Type, { type Static } from 'typebox';

/** `10.0.0.1` (ICMP echo) or `10.0.0.1:443` / `[2001:db8::1]:443` (TCP connect, where ICMP is filtered). */
const HOP_PATTERN = '^(\\[[0-9A-Fa-f:.]+\\]:\\d{1,5}|[A-Za-z0-9][A-Za-z0-9.-]{0,252}(:\\d{1,5})?|[0-9A-Fa-f:.]+)$';
const Hop = (description: string) => Type.String({ pattern: HOP_PATTERN, maxLength: 260, description });

export const PathConfigSchema = Type.Object(
  {
    /** `auto` detects the default gateway at start and every 10 minutes; `none` disables the LAN check. */
    gateway: Type.String({
      pattern: HOP_PATTERN.replace('^(', '^(auto|none|'),
      default: 'auto',
      description: 'LAN gateway: auto, none, or a hop',
    }),
    resolvers: Type.Optional(
      Type.Array(Type.String({ maxLength: 64, pattern: '^[0-9A-Fa-f:.\\[\\]]+$' }), {
        maxItems: 8,
        description: 'DNS servers to check; default: the system resolvers',
      }),
    ),
    /** Name the resolver check asks for; default: the host of the first HTTP service target. */
    probeName: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9_.-]{1,253}$', description: 'domain name resolved by the DNS check' }),
    ),
    uplink: Type.Optional(Hop('ISP or government data network next hop, or a reference host beyond the LAN')),
    datacentre: Type.Optional(Hop('a host in the provincial data centre')),
    intervalSec: Type.Integer({
      minimum: 1,
      maximum: 3600,
      default: 60,
      description: 'how often the path is checked when all is well',
    }),
    // 4 s: three echoes 200 ms apart plus ping's 2 s wait for the last reply fit without a -w deadline.
    timeoutMs: Type.Integer({ minimum: 200, maximum: 30_000, default: 4000, description: 'budget of one path check' }),
  },
  { additionalProperties: false, default: {} },
);
export type PathConfig = Static<typeof PathConfigSchema>;

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
