/**
 * rum.js: the browser side of CommuneWatch's real-user monitoring, bundled by scripts/bundle-rum.mjs into
 * one IIFE that the server serves as GET /rum.js. A vendor page (or the district's extension/userscript)
 * loads it with one tag:
 *
 *   <script src="https://monitor.example.vn/rum.js" data-key="motcua-web-key" data-app="motcua-web"
 *           data-version="1.2.3" data-env="production" data-commune="26734"></script>
 *
 * It starts the unmodified Grafana Faro web SDK sending to <script's directory>/collect with the app key in
 * `x-api-key`, gzip bodies, and every item passed through the privacy filter (sanitise.ts) with the commune
 * code added to its meta. Without `data-key` it warns once and does nothing; loaded twice it starts once.
 * It never throws into the host page. Docs: docs/rum.md.
 */
import {
  getWebInstrumentations,
  initializeFaro,
  LogLevel,
  WebVitalsInstrumentation,
  type Faro,
  type TransportItem,
} from '@grafana/faro-web-sdk';
import { isCommuneCode, sanitiseItem, withCommune } from './sanitise.js';

/** What the page (or the extension) sees as window.CommuneWatchRUM. */
export interface CommuneWatchRUM {
  /** The Faro instance (isolated: it does not take window.faro, so a vendor's own Faro keeps working). */
  readonly faro: Faro;
  /** The commune code sent from now on, for pages that learn it late (after login); not persisted. */
  setCommune(code: string): void;
  /** The commune code currently sent, if any. */
  readonly commune: string | undefined;
}

declare global {
  interface Window {
    CommuneWatchRUM?: CommuneWatchRUM;
  }
}

/** Written by the district's extension or userscript on commune PCs (same origin as the vendor page). */
const COMMUNE_STORAGE_KEY = 'communewatch.commune';
const LOG_PREFIX = 'CommuneWatch RUM:';

function ownScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current && current.tagName === 'SCRIPT') return current as HTMLScriptElement;
  return document.querySelector<HTMLScriptElement>('script[src*="/rum.js"]');
}

function storedCommune(): string | null {
  try {
    return window.localStorage.getItem(COMMUNE_STORAGE_KEY);
  } catch {
    return null; // storage disabled, sandboxed frame
  }
}

/**
 * web-vitals 6 calls Array.prototype.at/findLast (Chromium 92/97); on older browsers its observers would
 * throw into the page's error handler. Those browsers lack INP and most attribution anyway, so they send
 * errors, logs and resource timings but no web vitals. Nothing is polyfilled: this runs on vendors' pages.
 */
function webVitalsSupported(): boolean {
  const proto = Array.prototype as unknown as Record<string, unknown>;
  return typeof proto.at === 'function' && typeof proto.findLast === 'function';
}

function start(): void {
  if (window.CommuneWatchRUM) return; // the vendor's tag and the district's extension on the same page
  const script = ownScript();
  const key = script?.dataset.key;
  if (!script || !key) {
    console.warn(`${LOG_PREFIX} the rum.js <script> tag has no data-key; not started (docs/rum.md)`);
    return;
  }
  const data = script.dataset;
  let commune: string | undefined;
  for (const candidate of [data.commune, storedCommune()]) {
    if (isCommuneCode(candidate)) {
      commune = candidate;
      break;
    }
  }
  const communeAttributes = commune === undefined ? undefined : { commune };

  const faro = initializeFaro({
    // Relative to the script, so a server behind a path prefix (/communewatch/rum.js) is reached too.
    url: new URL('collect', script.src).href,
    apiKey: key,
    requestCompression: true,
    app: {
      name: data.app || 'web-app',
      version: data.version || undefined,
      environment: data.env || undefined,
    },
    user: communeAttributes && { attributes: communeAttributes },
    sessionTracking: {
      enabled: true,
      persistent: false,
      session: communeAttributes && { attributes: communeAttributes },
    },
    pageTracking: { page: communeAttributes && { attributes: communeAttributes } },
    instrumentations: getWebInstrumentations({
      captureConsole: true,
      enableContentSecurityPolicyInstrumentation: false,
    }).filter((i) => !(i instanceof WebVitalsInstrumentation) || webVitalsSupported()),
    // console.error (as exceptions) and console.warn only: info/log/debug output of vendor apps is chatty
    // and more likely to print the data being worked on.
    consoleInstrumentation: { disabledLevels: [LogLevel.TRACE, LogLevel.DEBUG, LogLevel.LOG, LogLevel.INFO] },
    webVitalsInstrumentation: { trackAttributionSources: false },
    // trackResources stays unset: undefined means fetch/XHR timings only, while `false` turns them all off.
    trackGeolocation: false,
    ignoreErrors: [/ResizeObserver loop/],
    // One POST a second at most while the page is open (plus the flush when it is hidden or left): commune
    // links are slow, and every cross-origin POST costs a preflight until the browser caches it.
    batching: { enabled: true, sendTimeout: 1000, itemLimit: 50 },
    isolate: true,
    preventGlobalExposure: true,
    beforeSend: (item: TransportItem) => {
      try {
        const clean = sanitiseItem(item);
        return clean && withCommune(clean, commune);
      } catch {
        return null; // fail closed: an item the filter cannot read is not sent
      }
    },
  });

  window.CommuneWatchRUM = {
    faro,
    setCommune(code: string) {
      if (isCommuneCode(code)) commune = code;
      else console.warn(`${LOG_PREFIX} ignored commune code ${JSON.stringify(code)}`);
    },
    get commune() {
      return commune;
    },
  };
}

try {
  start();
} catch (err) {
  console.warn(LOG_PREFIX, 'not started:', err); // never break the host page
}
