/** What a principal may see: a vendor only its own service classes, other roles everything. */
import type { ApiPrincipal } from './roles.js';

export function serviceFilter(p: Pick<ApiPrincipal, 'services'>): (service: string | null | undefined) => boolean {
  const own = p.services;
  if (!own) return () => true;
  const set = new Set(own);
  return (service) => service != null && set.has(service);
}
