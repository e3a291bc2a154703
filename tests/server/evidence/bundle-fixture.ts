/**
 * A seeded scenario for the vendor bundle, November 2026 (Vietnam time): vendor A (VNPT-IT) runs the
 * one-stop-shop and civil-status software, vendor B (Viettel) the payment service.
 * - #A1: one-stop-shop down at commune 26734, 03/11 08:00–10:00, while its network was fine (vendor A's);
 * - #N1: the commune network of 26734 down, 05/11 09:00–09:30 (nobody's vendor: listed apart);
 * - #B1: payment down centrally at 26734 and 26737, 10/11 14:00–16:00 (vendor B's);
 * - a RUM error group of vendor A's app; a certification dossier late because of #A1 (vendor A's), and one
 *   late because of #B1 only (not in A's bundle).
 * Free texts carry secrets in every form the builder must mask; each contains a SECRET marker to grep for.
 */
import type { Store } from '../../../server/store/store.js';
import type { Vendor } from '../../../server/evidence/vendors.js';

export const vn = (local: string): number => Date.parse(`${local}:00+07:00`);
export const PERIOD = { from: vn('2026-11-01T00:00'), to: vn('2026-12-01T00:00') };
export const NOW = vn('2026-12-02T09:00');

export const VENDOR_A: Vendor = {
  id: 'vnpt-it',
  name: 'VNPT-IT',
  services: ['one-stop-shop', 'civil-status'],
  sla: { targetPct: 99.5 },
};
export const VENDOR_B: Vendor = { id: 'viettel', name: 'Viettel', services: ['payment'], sla: { targetPct: 99 } };

/** A literal a transaction probe logs in with: masked because the builder is told it (`secrets`). */
export const TXN_PASSWORD = 'Txn-Literal-SECRET-9';

export function seedScenario(store: Store): { apiKey: string; ids: { a1: number; n1: number; b1: number } } {
  const apiKey = store.apiTokens.create({ name: 'leaky', role: 'admin', now: 0 }).token;
  const a1 = store.incidents.create({
    scope: 'local',
    cause: 'local-service',
    severity: 'down',
    service: 'one-stop-shop',
    commune: '26734',
    startedAt: vn('2026-11-03T08:00'),
    endedAt: vn('2026-11-03T10:00'),
    manual: true,
    recordedBy: 'tran.it',
    note:
      `sổ trực: GET https://motcua.example.vn/login?sid=QS-SECRET-1&x=1 answered 503; ` +
      `token=TOK-SECRET-2; Cookie: cw_session=COOKIE-SECRET-3; password=PASS-SECRET-4; ` +
      `key ${apiKey}; hash scrypt$131072$8$1$SALTSECRET5$HASHSECRET5; https://canbo:CRED-SECRET-6@motcua.example.vn/; ` +
      `logged in with ${TXN_PASSWORD}`,
    now: vn('2026-11-03T10:05'),
  });
  store.incidents.setCommune(a1, {
    commune: '26734',
    startedAt: vn('2026-11-03T08:00'),
    endedAt: vn('2026-11-03T10:00'),
  });
  const n1 = store.incidents.create({
    scope: 'local',
    cause: 'commune-network',
    severity: 'down',
    commune: '26734',
    startedAt: vn('2026-11-05T09:00'),
    endedAt: vn('2026-11-05T09:30'),
    now: vn('2026-11-05T09:31'),
  });
  store.incidents.setCommune(n1, {
    commune: '26734',
    startedAt: vn('2026-11-05T09:00'),
    endedAt: vn('2026-11-05T09:30'),
  });
  const b1 = store.incidents.create({
    scope: 'central',
    cause: 'central-service',
    severity: 'down',
    service: 'payment',
    startedAt: vn('2026-11-10T14:00'),
    endedAt: vn('2026-11-10T16:00'),
    now: vn('2026-11-10T16:01'),
  });
  for (const c of ['26734', '26737'])
    store.incidents.setCommune(b1, { commune: c, startedAt: vn('2026-11-10T14:00'), endedAt: vn('2026-11-10T16:00') });

  const { app } = store.rum.createApp({
    name: 'motcua-laocai',
    origins: ['https://motcua.example.vn'],
    services: ['one-stop-shop'],
    now: 0,
  });
  for (const [browser, version] of [
    ['Chrome 120', '2.3.1'],
    ['Firefox 115', '2.3.1'],
    ['Chrome 120', '2.3.0'],
  ] as const)
    store.rum.recordError({
      appId: app.id,
      key: {
        fingerprint: 'f1',
        type: 'TypeError',
        message: `Cannot read properties of undefined; request {"password":"RUM-SECRET-7"} Bearer BEARERSECRET8`,
        frames: [{ function: 'submitForm', file: 'https://motcua.example.vn/app.js?v=1&token=STACK-SECRET-10' }],
      },
      at: vn('2026-11-03T08:15'),
      stack: [
        {
          function: 'submitForm',
          file: 'https://motcua.example.vn/app.js?token=STACK-SECRET-10',
          lineno: 12,
          colno: 4,
        },
      ],
      page: '/ho-so/tiep-nhan?session=PAGE-SECRET-11',
      commune: '26734',
      browser,
      version,
    });

  const importId = store.dossiers.begin({ source: 'motcua-laocai', actor: 'test', now: 0 });
  store.dossiers.stage(importId, [
    {
      row: 2,
      dossier: {
        code: 'CT-0311-1',
        procedureCode: '1.001',
        procedureName: 'Chứng thực bản sao từ bản chính',
        field: 'Chứng thực',
        commune: '26734',
        channel: 'direct',
        receivedAt: vn('2026-11-03T07:45'),
        dueAt: vn('2026-11-03T09:00'),
        finishedAt: vn('2026-11-03T10:30'),
        firstHandledAt: null,
        status: null,
      },
    },
    {
      row: 3,
      dossier: {
        code: 'TT-1011-1',
        procedureCode: '2.002',
        procedureName: 'Nộp lệ phí trực tuyến',
        field: 'Khác',
        commune: '26737',
        channel: 'online',
        receivedAt: vn('2026-11-10T13:30'),
        dueAt: vn('2026-11-10T15:00'),
        finishedAt: vn('2026-11-10T16:30'),
        firstHandledAt: null,
        status: null,
      },
    },
  ]);
  store.dossiers.commit(importId, { rows: 2, invalid: 0, problems: [] }, 0);
  return { apiKey, ids: { a1, n1, b1 } };
}

/** Markers of every seeded secret (and the API key itself): none may appear in any file of a bundle. */
export const SECRET_MARKERS = [
  'QS-SECRET-1',
  'TOK-SECRET-2',
  'COOKIE-SECRET-3',
  'PASS-SECRET-4',
  'SECRET5',
  'CRED-SECRET-6',
  'RUM-SECRET-7',
  'BEARERSECRET8',
  TXN_PASSWORD,
  'STACK-SECRET-10',
  'PAGE-SECRET-11',
  'REC-SECRET-12',
];
