/** Checks a role and, for vendors, the service classes it owns: shared by the CLI and the admin pages. */
import { SERVICE_PATTERN } from '../../protocol/wire.js';
import { ROLES, type Role } from './roles.js';

export function parseServiceList(text: string | undefined): string[] | undefined {
  const list = (text ?? '').split(/[\s,]+/).filter(Boolean);
  for (const s of list)
    if (!new RegExp(SERVICE_PATTERN).test(s))
      throw new Error(`"${s}" is not a service class name (e.g. civil-status, e-signing)`);
  return list.length > 0 ? list : undefined;
}

/** The role, and the services only for a vendor (who must have some); throws a clear Error otherwise. */
export function checkRole(
  role: string | undefined,
  services: string[] | undefined,
  names: { role: string; services: string } = { role: 'the role', services: 'services' },
): { role: Role; services: string[] | undefined } {
  if (!(ROLES as readonly string[]).includes(role ?? ''))
    throw new Error(`${names.role} must be one of ${ROLES.join(', ')}`);
  if (role === 'vendor' && !services?.length)
    throw new Error(`a vendor needs ${names.services} (the service classes it owns, e.g. civil-status)`);
  if (role !== 'vendor' && services?.length) throw new Error(`${names.services} applies to the vendor role only`);
  return { role: role as Role, services: role === 'vendor' ? services : undefined };
}
