// CommuneWatch RUM extension: the settings district IT edits before packing (see README.md).
// Values set by browser policy (schema.json, per PC) override these, so one package can serve a whole
// district and each commune's PCs get their own `commune` from policy.
// Every `domain` here must also be covered by "matches" in manifest.json.
self.COMMUNEWATCH_RUM_CONFIG = {
  // The CommuneWatch server that serves /rum.js and receives /collect (no trailing slash).
  server: 'https://monitor.example.vn',
  // The commune's code (5-digit GSO code), or '' to leave it to policy or to the vendor's page.
  commune: '',
  // One entry per app: the host it runs on (subdomains included), its app key and name from CommuneWatch.
  // embedded: true when the vendor's pages already load rum.js themselves: then only the commune is set.
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
