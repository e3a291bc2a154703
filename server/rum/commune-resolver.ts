/**
 * Which commune a browser is in: the `commune` attribute the script sets (session, page or user
 * attributes, in that order), else the commune whose registered address ranges contain the client IP.
 */
import { BlockList, isIPv4 } from 'node:net';
import { COMMUNE_PATTERN } from '../../protocol/wire.js';
import type { FaroPayload } from './payload.js';

const CODE = new RegExp(COMMUNE_PATTERN);

export class CommuneResolver {
  private readonly ranges: Array<{ commune: string; list: BlockList }> = [];

  constructor(
    networks: ReadonlyArray<{ commune: string; cidrs: readonly string[] }>,
    canonical: (code: string) => string = (c) => c,
  ) {
    this.canonical = canonical;
    for (const n of networks) {
      const list = new BlockList();
      for (const cidr of n.cidrs) {
        const [net, bits] = cidr.split('/');
        const type = isIPv4(net!) ? 'ipv4' : 'ipv6';
        if (bits === undefined) list.addAddress(net!, type);
        else list.addSubnet(net!, Number(bits), type);
      }
      this.ranges.push({ commune: n.commune, list });
    }
  }

  private readonly canonical: (code: string) => string;

  resolve(meta: FaroPayload['meta'], ip: string): string {
    for (const attrs of [meta.session?.attributes, meta.page?.attributes, meta.user?.attributes]) {
      const v = attrs?.commune ?? attrs?.communeId;
      if (typeof v === 'string' && CODE.test(v)) return this.canonical(v);
    }
    const addr = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    const type = isIPv4(addr) ? 'ipv4' : 'ipv6';
    for (const r of this.ranges) if (r.list.check(addr, type)) return r.commune;
    return '';
  }
}
