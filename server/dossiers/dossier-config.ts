/**
 * The `dossiers:` section of the server config: which services each procedure field (lĩnh vực) depends on,
 * and when an online dossier counts as idle. The commune network is always a dependency.
 */
import Type, { type Static } from 'typebox';
import { foldVietnamese } from '../../common/text.js';

const strict = { additionalProperties: false } as const;
const Service = Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' });

/** The `dossiers:` section's schema, with its defaults (civil status and certification fields). */
export const DossierConfigSchema = Type.Object(
  {
    fields: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 100 }),
          /** Matched against the dossier's field and procedure name, without diacritics or case. */
          match: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 50 }),
          services: Type.Array(Service, { maxItems: 20 }),
        },
        strict,
      ),
      {
        maxItems: 200,
        default: [
          {
            name: 'civil-status',
            match: ['hộ tịch', 'khai sinh', 'khai tử', 'kết hôn'],
            services: ['civil-status', 'portal', 'e-signing'],
          },
          { name: 'certification', match: ['chứng thực'], services: ['one-stop-shop', 'e-signing'] },
        ],
      },
    ),
    /** Services of dossiers whose field matches none of the above. */
    otherServices: Type.Array(Service, { maxItems: 20, default: ['one-stop-shop', 'portal'] }),
    /**
     * Deprecated: the top-level `vendors:` section (server/evidence/vendors.ts) says this and more. Still read:
     * its entries join that section, with ids derived from their names.
     */
    vendors: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 100 }),
          services: Type.Array(Service, { minItems: 1, maxItems: 50 }),
        },
        strict,
      ),
      { maxItems: 100, default: [] },
    ),
    /** Online dossiers not handled within this many working hours of receipt are flagged idle-online. */
    idleOnlineHours: Type.Number({ minimum: 0, maximum: 1000, default: 8 }),
  },
  { ...strict, default: {} },
);
/**
 * Once the server config is loaded, `vendors` holds every vendor (the top-level section merged with this
 * one's), each with its id: the per-vendor summaries key on ids without the callers passing them.
 */
export type DossierConfig = Omit<Static<typeof DossierConfigSchema>, 'vendors'> & {
  vendors: Array<{ id?: string; name: string; services: string[] }>;
};

/** The services a dossier depends on, from its field or procedure name. */
export function servicesFor(
  config: DossierConfig,
  d: { field: string | null; procedureName: string | null },
): { fieldName: string; services: string[] } {
  const text = foldVietnamese(`${d.field ?? ''} ${d.procedureName ?? ''}`);
  for (const f of config.fields) {
    if (f.match.some((m) => text.includes(foldVietnamese(m)))) return { fieldName: f.name, services: f.services };
  }
  return { fieldName: 'other', services: config.otherServices };
}
