// ==UserScript==
// @name         CommuneWatch RUM
// @namespace    communewatch
// @version      1.0.0
// @description  Loads CommuneWatch's rum.js on this commune's e-government apps (errors and page speed; no personal data).
// @match        https://motcua.example.gov.vn/*
// @match        https://dichvucong.example.gov.vn/*
// @grant        none
// @run-at       document-start
// @noframes
// ==/UserScript==

// For Tampermonkey or Violentmonkey, where district IT cannot deploy the extension in rum/extension/ (the
// two do the same; see rum/extension/README.md and docs/rum.md). Edit SETTINGS and the @match lines
// (one per app domain) before installing; keep one copy per commune (the commune code differs).
// Adds <script src="<server>/rum.js" data-key data-app data-env data-commune> to the page and stores the
// commune in the page's localStorage ('communewatch.commune'), where rum.js also looks when the vendor's
// own tag has no data-commune (apps marked `embedded`: then nothing is injected).
(() => {
  var SETTINGS = {
    server: 'https://monitor.example.vn', // the CommuneWatch server (no trailing slash)
    commune: '', // the commune's code (5-digit GSO code)
    apps: [
      { domain: 'motcua.example.gov.vn', key: 'REPLACE-WITH-APP-KEY', app: 'motcua-web', env: 'production' },
      {
        domain: 'dichvucong.example.gov.vn',
        key: 'REPLACE-WITH-APP-KEY',
        app: 'dvc-web',
        env: 'production',
        embedded: false,
      },
    ],
  };

  var host = location.hostname;
  var app = SETTINGS.apps.filter((a) => host === a.domain || host.slice(-(a.domain.length + 1)) === `.${a.domain}`)[0];
  if (!app) return;
  var commune = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/.test(SETTINGS.commune) ? SETTINGS.commune : '';
  if (commune) {
    try {
      localStorage.setItem('communewatch.commune', commune);
    } catch (_e) {
      // storage disabled for this site: data-commune below still carries it
    }
  }
  if (app.embedded) return;
  if (!app.key || /^REPLACE-/.test(app.key)) {
    console.warn(`CommuneWatch RUM userscript: no app key configured for ${app.domain}; rum.js not loaded`);
    return;
  }
  var script = document.createElement('script');
  script.src = `${SETTINGS.server.replace(/\/+$/, '')}/rum.js`;
  script.setAttribute('data-key', app.key);
  if (app.app) script.setAttribute('data-app', app.app);
  if (app.env) script.setAttribute('data-env', app.env);
  if (commune) script.setAttribute('data-commune', commune);
  // Some managers run document-start scripts before the parser has created <html>: wait for it then.
  if (document.documentElement) {
    document.documentElement.appendChild(script);
  } else {
    new MutationObserver((_, observer) => {
      if (!document.documentElement) return;
      observer.disconnect();
      document.documentElement.appendChild(script);
    }).observe(document, { childList: true });
  }
})();
