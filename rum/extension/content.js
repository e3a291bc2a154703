// CommuneWatch RUM extension, content script: runs in the extension's isolated world at document_start in
// the top frame of the app domains listed in manifest.json. It adds
//   <script src="<server>/rum.js" data-key data-app data-env data-commune>
// to the page, so rum.js runs in the page's own world (as if the vendor had embedded it), and stores the
// commune code in the page's localStorage under 'communewatch.commune', where rum.js also looks when a
// vendor's own tag carries no data-commune (apps marked `embedded`: then nothing is injected).
// Settings: config.js, overridden key by key by browser policy (chrome.storage.managed, schema.json).
// Plain ES2017 with no build step: district IT reads and edits this folder as it is.
(() => {
  const STORAGE_KEY = 'communewatch.commune';
  const LOG_PREFIX = 'CommuneWatch RUM extension:';
  const defaults = self.COMMUNEWATCH_RUM_CONFIG || {};

  function policy() {
    try {
      return chrome.storage.managed.get(null).catch(() => ({}));
    } catch (_e) {
      return Promise.resolve({}); // no storage permission or no managed storage (unpacked test installs)
    }
  }

  function appFor(host, apps) {
    return (Array.isArray(apps) ? apps : []).find(
      (a) => a?.domain && (host === a.domain || host.endsWith(`.${a.domain}`)),
    );
  }

  function start(managed) {
    const cfg = Object.assign({}, defaults, managed);
    const app = appFor(location.hostname, cfg.apps);
    if (!app || !cfg.server) return;
    const commune = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/.test(cfg.commune || '') ? cfg.commune : '';
    if (commune) {
      try {
        localStorage.setItem(STORAGE_KEY, commune);
      } catch (_e) {
        // storage disabled for this site: the data-commune attribute below still carries it
      }
    }
    if (app.embedded) return;
    if (!app.key || /^REPLACE-/.test(app.key)) {
      console.warn(`${LOG_PREFIX} no app key configured for ${app.domain}; rum.js not loaded`);
      return;
    }
    const script = document.createElement('script');
    script.src = `${String(cfg.server).replace(/\/+$/, '')}/rum.js`;
    script.dataset.key = app.key;
    if (app.app) script.dataset.app = app.app;
    if (app.env) script.dataset.env = app.env;
    if (commune) script.dataset.commune = commune;
    // At document_start there is no <head> yet (and rarely no <html>: then wait for the parser to add it).
    // The element stays in the page so rum.js can find its own tag.
    if (document.documentElement) {
      document.documentElement.appendChild(script);
    } else {
      new MutationObserver((_, observer) => {
        if (!document.documentElement) return;
        observer.disconnect();
        document.documentElement.appendChild(script);
      }).observe(document, { childList: true });
    }
  }

  policy().then(start, () => start({}));
})();
