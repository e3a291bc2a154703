/** What the pages read from: the store, the in-memory latest results, the hierarchy and the calendars. */
import type { Store } from '../store/store.js';
import type { LiveState } from '../metrics/live-state.js';
import type { Units } from '../org/units.js';
import type { CalendarBook } from '../calendar/calendar-book.js';
import type { DossierConfig } from '../dossiers/dossier-config.js';
import type { Lang } from './i18n.js';
import { TimedCache, uptimeWindows, type UptimeWindows } from './views/uptime-windows.js';
import { attributeDossiers } from '../dossiers/attribution-report.js';

/** Names of the service classes every province has (domain.md); others show their id. */
const SERVICE_NAMES: Record<string, Record<Lang, string>> = {
  'one-stop-shop': { vi: 'Một cửa điện tử', en: 'One-stop shop' },
  'civil-status': { vi: 'Hộ tịch', en: 'Civil status' },
  'e-signing': { vi: 'Ký số', en: 'Digital signing' },
  'e-certification': { vi: 'Chứng thực điện tử', en: 'E-certification' },
  payment: { vi: 'Thanh toán trực tuyến', en: 'Online payment' },
  portal: { vi: 'Cổng DVC quốc gia', en: 'National public-service portal' },
  network: { vi: 'Mạng của xã', en: 'Commune network' },
};

export interface WebDataDeps {
  store: Store;
  live: LiveState;
  units: Units;
  calendars: CalendarBook;
  offsetMin: number;
  dossiers: DossierConfig;
}

export class WebData implements WebDataDeps {
  readonly store: Store;
  readonly live: LiveState;
  readonly units: Units;
  readonly calendars: CalendarBook;
  readonly offsetMin: number;
  readonly dossiers: DossierConfig;

  constructor(deps: WebDataDeps) {
    this.store = deps.store;
    this.live = deps.live;
    this.units = deps.units;
    this.calendars = deps.calendars;
    this.offsetMin = deps.offsetMin;
    this.dossiers = deps.dossiers;
  }

  private readonly uptimeCache = new TimedCache<UptimeWindows>(60_000);
  private readonly dossierCache = new TimedCache<ReturnType<typeof attributeDossiers>>(300_000, 20);

  /** Uptime over today / 7 d / 30 d, from the incident accounting, cached for a minute per question. */
  uptime(q: { now: number; services?: readonly string[]; commune?: string }): UptimeWindows {
    const key = JSON.stringify([q.services ?? null, q.commune ?? null]);
    return this.uptimeCache.get(key, q.now, () => uptimeWindows(this, q)).value;
  }

  /**
   * The dossiers page as it opens (the last 30 days, every commune), cached five minutes like the overdue
   * gauge: attributing a month of a province takes most of a second. Other filters are computed on demand.
   */
  recentDossiers(
    now: number,
    listVerdict: 'late' | 'outage' | 'partly-outage' | 'not-outage' | 'idle-online' | 'on-time',
  ): { at: number; value: ReturnType<typeof attributeDossiers> } {
    // Keyed by the newest import too: a new import shows at once rather than after five minutes.
    return this.dossierCache.get(`${listVerdict}:${this.store.dossiers.lastImportId()}`, now, () =>
      attributeDossiers(
        { store: this.store, calendars: this.calendars, config: this.dossiers },
        { from: now - 30 * 86_400_000, to: now, listVerdict, now, limit: 5000 },
      ),
    );
  }

  /** Refreshes what pages read most (called every minute in the background). */
  warm(now: number): void {
    this.uptime({ now });
    this.recentDossiers(now, 'late');
  }

  serviceName(service: string, lang: Lang = 'vi'): string {
    return SERVICE_NAMES[service]?.[lang] ?? service;
  }

  /** "Xã Bảo Hà (26734)", or the code alone when the units file does not know it. */
  communeName(code: string): string {
    const u = this.units.commune(code);
    return u ? `${u.name} (${code})` : code;
  }

  /** Provinces and districts for the area filter. */
  areas(): Array<{ code: string; name: string }> {
    const seen = new Map<string, string>();
    for (const u of this.units.all()) {
      seen.set(u.province.code, u.province.name);
      if (u.district) seen.set(u.district.code, `— ${u.district.name}`);
    }
    return [...seen].map(([code, name]) => ({ code, name }));
  }
}
