/**
 * The administrative hierarchy the server reports and routes by: province → (optional district) → commune,
 * from a YAML file named by the server config (`units:`). Since 1 July 2025 most provinces have no district
 * level, so districts are optional per province; both shapes load into the same lookup.
 *
 *   provinces:
 *     - code: "15"
 *       name: Lào Cai
 *       communes:                         # directly under the province (two-tier government)
 *         - { code: "26734", name: "Xã Bảo Hà", aliases: ["02683"] }
 *       districts:                        # or grouped under districts, where a province still has them
 *         - code: "080"
 *           name: Huyện Bảo Yên
 *           communes: [{ code: "02671", name: "Xã Bảo Hà" }]
 *
 * `aliases` are earlier unit codes of a merged commune, so records that still carry a pre-2025 code (dossier
 * exports, old agents) land on the unit that exists now. A commune missing from the file still works:
 * it is reported under an unknown province and uses the national calendar.
 */
import Type, { type Static } from 'typebox';
import { COMMUNE_PATTERN } from '../../protocol/wire.js';
import { foldVietnamese } from '../../common/text.js';
import { checkConfig, readYamlConfig, throwIfProblems, type ConfigProblem } from '../../common/config-file.js';

const strict = { additionalProperties: false } as const;
const Code = Type.String({ pattern: '^[0-9A-Za-z-]{1,16}$' });
const Name = Type.String({ minLength: 1, maxLength: 200 });

const CommuneSchema = Type.Object(
  {
    code: Type.String({ pattern: COMMUNE_PATTERN }),
    name: Name,
    aliases: Type.Array(Type.String({ pattern: COMMUNE_PATTERN }), { maxItems: 50, default: [] }),
  },
  strict,
);
const Communes = Type.Array(CommuneSchema, { maxItems: 20_000, default: [] });

export const UnitsSchema = Type.Object(
  {
    provinces: Type.Array(
      Type.Object(
        {
          code: Code,
          name: Name,
          communes: Communes,
          districts: Type.Array(Type.Object({ code: Code, name: Name, communes: Communes }, strict), {
            maxItems: 1000,
            default: [],
          }),
        },
        strict,
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  strict,
);
type UnitsData = Static<typeof UnitsSchema>;

export interface CommuneUnit {
  code: string;
  name: string;
  province: { code: string; name: string };
  district?: { code: string; name: string };
}

/** Lookup over the hierarchy. Empty (every commune unknown) when the server has no units file. */
export class Units {
  private readonly byCode = new Map<string, CommuneUnit>();
  private readonly aliasOf = new Map<string, string>();
  private readonly nameOf = new Map<string, string | null>();

  constructor(data?: UnitsData) {
    for (const p of data?.provinces ?? []) {
      const province = { code: p.code, name: p.name };
      const add = (c: Static<typeof CommuneSchema>, district?: { code: string; name: string }) => {
        this.byCode.set(c.code, { code: c.code, name: c.name, province, ...(district && { district }) });
        // Names are matched without diacritics, case or the unit word ("Xã", "Phường", "UBND xã");
        // two communes with the same name make it ambiguous (null), never a guess.
        const key = nameKey(c.name);
        this.nameOf.set(key, this.nameOf.has(key) ? null : c.code);
        for (const a of c.aliases) this.aliasOf.set(a, c.code);
      };
      p.communes.forEach((c) => add(c));
      for (const d of p.districts) d.communes.forEach((c) => add(c, { code: d.code, name: d.name }));
    }
  }

  /** The commune as it exists now, following an alias (an old code) if needed. */
  commune(code: string): CommuneUnit | undefined {
    return this.byCode.get(code) ?? this.byCode.get(this.aliasOf.get(code) ?? '');
  }

  /** The commune with this name ("Xã Bảo Hà", "UBND xã Bảo Hà", "bao ha"), if exactly one has it. */
  byName(name: string): CommuneUnit | undefined {
    const code = this.nameOf.get(nameKey(name));
    return code ? this.byCode.get(code) : undefined;
  }

  /** The current code for a code or an alias; the code itself when unknown. */
  canonical(code: string): string {
    return this.byCode.has(code) ? code : (this.aliasOf.get(code) ?? code);
  }

  all(): CommuneUnit[] {
    return [...this.byCode.values()];
  }

  /** Calendar scopes for a commune, least specific first: national, province, commune. */
  calendarScopes(code: string): string[] {
    const unit = this.commune(code);
    return ['', ...(unit ? [`p:${unit.province.code}`] : []), `c:${this.canonical(code)}`];
  }
}

function nameKey(name: string): string {
  return foldVietnamese(name)
    .replace(/^(uy ban nhan dan|ubnd)\s+/, '')
    .replace(/^(xa|phuong|thi tran|dac khu)\s+/, '')
    .replace(/[^a-z0-9]/g, '');
}

function checkUnits(data: UnitsData): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, string>();
  const claim = (code: string, at: string) => {
    const other = seen.get(code);
    if (other) problems.push({ path: at, message: `code ${code} is already used at ${other}` });
    else seen.set(code, at);
  };
  const provinceCodes = new Set<string>();
  data.provinces.forEach((p, i) => {
    if (provinceCodes.has(p.code))
      problems.push({ path: `provinces[${i}].code`, message: `province ${p.code} is listed twice` });
    provinceCodes.add(p.code);
    const communes = (list: UnitsData['provinces'][number]['communes'], at: string) =>
      list.forEach((c, j) => {
        claim(c.code, `${at}[${j}].code`);
        c.aliases.forEach((a, k) => claim(a, `${at}[${j}].aliases[${k}]`));
      });
    communes(p.communes, `provinces[${i}].communes`);
    p.districts.forEach((d, k) => communes(d.communes, `provinces[${i}].districts[${k}].communes`));
  });
  return problems;
}

/** Reads and checks a units file; throws ConfigError naming file, key path and line of every problem. */
export function loadUnits(file: string): Units {
  const parsed = readYamlConfig(file);
  const { value, problems } = checkConfig(parsed, UnitsSchema);
  if (problems.length === 0) problems.push(...checkUnits(value));
  throwIfProblems(parsed, problems);
  return new Units(value);
}
