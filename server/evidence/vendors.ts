/**
 * Vendors as first-class config: the top-level `vendors:` section of the server config — who runs which
 * services, whom to contact, and the availability they contracted — and who may see a vendor's figures.
 *
 * The older `dossiers.vendors: [{ name, services }]` still works (deprecated): its entries join this list
 * with an id derived from the name ('Bộ Tư pháp' → 'bo-tu-phap'), unless a top-level vendor already has
 * that id. The merge is idempotent, so it can run at config load and again wherever a test built a config
 * by hand.
 */
import Type, { type Static } from 'typebox';
import { foldVietnamese } from '../../common/text.js';
import type { ConfigProblem } from '../../common/config-file.js';
import type { ApiPrincipal } from '../auth/roles.js';

const strict = { additionalProperties: false } as const;
const Service = Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' });
const Pct = (description: string) => Type.Number({ minimum: 0, maximum: 100, description });

export const VendorSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$', description: 'slug, e.g. vnpt-it' }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    /** Service classes (the catalogue's `service` keys) this vendor runs and answers for. */
    services: Type.Array(Service, { minItems: 1, maxItems: 50 }),
    contact: Type.Optional(
      Type.Object(
        {
          person: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          email: Type.Optional(Type.String({ minLength: 3, maxLength: 200 })),
          phone: Type.Optional(Type.String({ minLength: 3, maxLength: 50 })),
        },
        strict,
      ),
    ),
    /** The contracted availability, per service and calendar month (server/evidence/sla.ts). */
    sla: Type.Object(
      {
        targetPct: Type.Number({ minimum: 0, maximum: 100, default: 99, description: 'availability 24×7, %' }),
        workingHoursTargetPct: Type.Optional(Pct('availability in the communes’ working hours, %')),
      },
      { ...strict, default: {} },
    ),
  },
  strict,
);
export type Vendor = Static<typeof VendorSchema>;

export const VendorsConfigSchema = Type.Array(VendorSchema, { maxItems: 100, default: [] });

/** 'Bộ Tư pháp' → 'bo-tu-phap': the id of a vendor named only in the deprecated `dossiers.vendors`. */
export function vendorIdOf(name: string): string {
  const slug = foldVietnamese(name)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug || 'vendor';
}

/** What the merge reads: the top-level section and the deprecated one. */
export interface VendorSources {
  vendors?: readonly Vendor[];
  dossiers?: { vendors: ReadonlyArray<{ id?: string; name: string; services: readonly string[] }> };
}

/** The top-level vendors, then the deprecated `dossiers.vendors` not already among them (by id). */
export function mergeVendors(config: VendorSources): Vendor[] {
  const out: Vendor[] = [...(config.vendors ?? [])];
  const ids = new Set(out.map((v) => v.id));
  for (const v of config.dossiers?.vendors ?? []) {
    const id = v.id ?? vendorIdOf(v.name);
    if (ids.has(id)) continue;
    ids.add(id);
    out.push({ id, name: v.name, services: [...v.services], sla: { targetPct: 99 } });
  }
  return out;
}

/** Problems a schema cannot see: a duplicate id, the commune network named as a vendor's service. */
export function checkVendorsConfig(vendors: readonly Vendor[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  vendors.forEach((v, i) => {
    if (seen.has(v.id)) problems.push({ path: `vendors[${i}].id`, message: `duplicate vendor id "${v.id}"` });
    seen.add(v.id);
    const k = v.services.indexOf('network');
    if (k >= 0)
      problems.push({
        path: `vendors[${i}].services[${k}]`,
        message: '"network" is the commune network, charged to no vendor',
      });
  });
  return problems;
}

/** The vendor with this id, or undefined. */
export function vendorById(vendors: readonly Vendor[], id: string): Vendor | undefined {
  return vendors.find((v) => v.id === id);
}

/** The vendors running any of these services. */
export function vendorsOf(vendors: readonly Vendor[], services: readonly string[]): Vendor[] {
  return vendors.filter((v) => v.services.some((s) => services.includes(s)));
}

/**
 * Admins and viewers see every vendor; a vendor account only a vendor all of whose services it may see
 * (a vendor's figures include every one of its services, so a partial view would leak the others).
 */
export function canSeeVendor(
  principal: Pick<ApiPrincipal, 'role' | 'services'>,
  vendor: { readonly services: readonly string[] },
): boolean {
  if (principal.role === 'admin' || principal.role === 'viewer') return true;
  if (principal.role !== 'vendor') return false;
  const own = principal.services;
  return own === undefined || vendor.services.every((s) => own.includes(s));
}

/**
 * Who may take a vendor's evidence bundle: the province's admins and that vendor's own account (issue 14). A
 * viewer reads every incident and figure on the pages, but the signed bundle is the document handed between
 * the province and the vendor, so it is not one more thing for every viewer to download.
 */
export function mayFetchBundle(principal: Pick<ApiPrincipal, 'role' | 'services'>, vendor: Vendor): boolean {
  return principal.role !== 'viewer' && canSeeVendor(principal, vendor);
}
