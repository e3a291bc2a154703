/**
 * A seeded scenario for the vendor bundle, November 2026 (Vietnam time): vendor A (VNPT-IT) runs the
 * one-stop-shop and civil-status software, vendor B (Viettel) the payment service.
 * - #A1: one-stop-shop down at commune 26734, 03/11 08:00–10:00, while its network was fine (vendor A's);
 * - #N1: the commune network of 26734 down, 05/11 09:00–09:30 (nobody's vendor: listed apart);
 * - #B1: payment down centrally at 26734 and 26737, 10/11 14:00–16:00 (vendor B's);
 * - a RUM error group of vendor A's app; a certification dossier late because of #A1 (vendor A's), and one
 *   late because of #B1 only (not in A's bundle);
 * - the province acknowledged #A1; vendor A acknowledged it and replied.
 * seedObservations adds the communes' probe targets from 01/11 00:00 (so the SLA sees them observed all month)
 * and #A1's stored evidence results; seedOverlap adds #A2 (vendor A's civil-status down at 26737, 10/11
 * 15:00–17:00, overlapping #B1) and a fee dossier there that depends on both (charged split).
 * Free texts and stored results carry secrets in every form the builder must mask; each contains a marker of
 * SECRET_MARKERS to grep for, and the agent token, API key and password hash are grepped for themselves.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { ProbeResult } from '../../../protocol/wire.js';
import { createAgentToken } from '../../../server/auth/agent-tokens.js';
import type { DossierConfig } from '../../../server/dossiers/dossier-config.js';
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

/** The quoted secrets of the review (a note and a reply): HTML escaping once hid them from the scrubber. */
export const QUOTED = `{"password":"QUOTED-PW-77"} and token: 'QTOK-88'`;
/** A password hash as the users table keeps it (server/auth/passwords.ts format). */
export const PASSWORD_HASH = 'scrypt$16384$8$1$SALTSECRET5$HASHSECRET5';

/** The scenario's incidents, RUM errors, dossiers, acknowledgements and replies (see the module header). */
export function seedScenario(store: Store): { apiKey: string; ids: { a1: number; n1: number; b1: number } } {
  const apiKey = store.apiTokens.create({ name: 'leaky', role: 'admin', now: 0 }).token;
  store.users.create({ username: 'canbo', role: 'admin', passwordHash: PASSWORD_HASH, now: 0 });
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
      `key ${apiKey}; hash ${PASSWORD_HASH}; https://canbo:CRED-SECRET-6@motcua.example.vn/; ` +
      `the vendor's log said ${QUOTED}`,
    now: vn('2026-11-03T10:05'),
  });
  // The province acknowledges; the vendor acknowledges and replies (quoting what it saw, secrets included).
  store.incidents.update(
    a1,
    { acknowledgedAt: vn('2026-11-03T08:20'), acknowledgedBy: 'tran.it' },
    vn('2026-11-03T08:20'),
  );
  const reply = { incidentId: a1, author: 'vnpt-hotro', role: 'vendor' as const };
  store.incidents.addReply({ ...reply, at: vn('2026-11-03T08:40'), kind: 'ack', text: '' });
  store.incidents.addReply({
    ...reply,
    at: vn('2026-11-03T10:15'),
    kind: 'reply',
    text: `Máy chủ một cửa quá tải, đã khởi động lại. Log: ${QUOTED}; GET /api?session=REPLY-SECRET-13`,
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
  'STACK-SECRET-10',
  'PAGE-SECRET-11',
  'REPLY-SECRET-13',
  'QUOTED-PW-77',
  'QTOK-88',
  // Stored probe results (seedObservations).
  'URL-PW-21',
  'URLTOK-22',
  'URLFRAG-23',
  'BODY-PW-24',
  'BODY-PW-25',
  'ERRTOK-26',
  'ERRBEARER27',
  'COOKIE-SECRET-28',
  'COND-SECRET-29',
  'SUM-SECRET-30',
  'STATUS-SECRET-31',
];

const SERVICES: Array<[target: string, service: string, role: string, kind: string]> = [
  ['path-gateway', 'network', 'gateway', 'icmp'],
  ['motcua', 'one-stop-shop', 'service', 'http'],
  ['hotich', 'civil-status', 'service', 'http'],
  ['thanhtoan', 'payment', 'service', 'http'],
];

/**
 * Agents at 26734 and 26737 probing the network path and three services from 01/11 00:00 (the targets' first
 * sight: the SLA counts the communes observed from then), and #A1's evidence: two stored failures of the
 * one-stop-shop carrying secrets an old or foreign agent might send unmasked, and the recovery. Returns the
 * agent token, which must appear in no bundle file either.
 */
export function seedObservations(store: Store, a1: number): { agentToken: string } {
  let agentToken = '';
  for (const commune of ['26734', '26737']) {
    const { agent, token } = createAgentToken(store, { commune, name: `agent-${commune}`, now: PERIOD.from });
    agentToken ||= token;
    let seq = 0;
    const result = (ts: number, target: string, ok: boolean, extra: Partial<ProbeResult> = {}): ProbeResult => {
      const [, service, role, kind] = SERVICES.find(([t]) => t === target)!;
      return {
        id: randomUUID(),
        seq: ++seq,
        ts,
        target,
        service,
        role,
        kind,
        ok,
        durationMs: 50,
        latencyMs: 48,
        ...extra,
      };
    };
    const results = SERVICES.map(([target]) => result(PERIOD.from, target, true));
    if (commune === '26734') {
      const failing = (ts: number, message: string): ProbeResult =>
        result(ts, 'motcua', false, {
          layer: 'service',
          error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message },
          http: {
            statusCode: 503,
            phases: { resolveMs: 3, connectMs: 6, tlsMs: 14, firstByteMs: 43, totalMs: 48 },
            url: 'https://canbo:URL-PW-21@motcua.example.vn/dang-nhap?token=URLTOK-22#URLFRAG-23',
            address: '10.20.30.40:443',
            statusLine: 'HTTP/1.1 503 Service Unavailable session=STATUS-SECRET-31',
            bodyPreview:
              '<form><input type="password" name="matkhau" value="BODY-PW-24"></form> ' +
              '{"user":"canbo","password":"BODY-PW-25"} Hệ thống đang bảo trì',
            conditions: [
              { subject: 'STATUS', condition: '== 200-399', actual: '503', ok: false },
              { subject: 'BODY', condition: 'contains "Đăng nhập"', actual: '{"token":"COND-SECRET-29"}', ok: false },
            ],
          },
        });
      const evidence = [
        failing(vn('2026-11-03T08:00'), 'status 503, expected 200-399; GET /api/login?access_token=ERRTOK-26'),
        failing(
          vn('2026-11-03T08:01'),
          'status 503, expected 200-399; Authorization: Bearer ERRBEARER27; Set-Cookie: JSESSIONID=COOKIE-SECRET-28',
        ),
        result(vn('2026-11-03T10:00'), 'motcua', true),
      ];
      results.push(...evidence);
      store.incidents.addEvidence(
        a1,
        evidence.map((r) => ({
          resultId: r.id,
          commune,
          target: r.target,
          ts: r.ts,
          ok: r.ok,
          layer: r.layer ?? null,
          errorCode: r.error?.code ?? null,
          summary: r.ok ? 'ok' : `FAIL http 503 https://motcua.example.vn/dang-nhap?sid=SUM-SECRET-30`,
        })),
        50,
      );
    }
    store.ingestBatch({
      agentId: agent.id,
      commune,
      batchId: randomUUID(),
      receivedAt: PERIOD.from,
      skewMs: 0,
      results: results.map((r) => ({ ...r, agentTs: r.ts })),
    });
  }
  return { agentToken };
}

/** The fee field: dossiers whose procedure names "lệ phí" depend on civil status and payment (two vendors). */
export const FEE_FIELD = { name: 'fees', match: ['lệ phí'], services: ['civil-status', 'payment'] };

/**
 * #A2: vendor A's civil-status down at 26737, 10/11 15:00–17:00, overlapping vendor B's #B1 (payment,
 * 14:00–16:00), and a fee dossier at 26737 (FEE_FIELD in the dossier config) received 13:30, due 15:00,
 * finished 17:00. Its outage 14:00–17:00 (180 working minutes) splits: 14–15 payment alone (60), 15–16 both
 * (30 each), 16–17 civil-status alone (60) — 90 to each vendor. Late 120 minutes: `outage` in all, but only
 * `partly-outage` for either vendor alone.
 */
export function seedOverlap(store: Store): { a2: number } {
  const a2 = store.incidents.create({
    scope: 'local',
    cause: 'local-service',
    severity: 'down',
    service: 'civil-status',
    commune: '26737',
    startedAt: vn('2026-11-10T15:00'),
    endedAt: vn('2026-11-10T17:00'),
    now: vn('2026-11-10T17:01'),
  });
  store.incidents.setCommune(a2, {
    commune: '26737',
    startedAt: vn('2026-11-10T15:00'),
    endedAt: vn('2026-11-10T17:00'),
  });
  const importId = store.dossiers.begin({ source: 'motcua-laocai', actor: 'test', now: 0 });
  store.dossiers.stage(importId, [
    {
      row: 2,
      dossier: {
        code: 'LP-1011-2',
        procedureCode: '3.003',
        procedureName: 'Nộp lệ phí đăng ký khai sinh',
        field: 'Lệ phí',
        commune: '26737',
        channel: 'direct',
        receivedAt: vn('2026-11-10T13:30'),
        dueAt: vn('2026-11-10T15:00'),
        finishedAt: vn('2026-11-10T17:00'),
        firstHandledAt: null,
        status: null,
      },
    },
  ]);
  store.dossiers.commit(importId, { rows: 1, invalid: 0, problems: [] }, 0);
  return { a2 };
}

/** The default dossier config with FEE_FIELD first (so a fee for a birth registration is a fee, not civil status). */
export function dossierConfigWithFees(base: DossierConfig): DossierConfig {
  return { ...base, fields: [FEE_FIELD, ...base.fields] };
}

/** A bundle file's text as a reader would see it: XLSX unzipped, the PDF through pdftotext. */
export function readable(name: string, bytes: Uint8Array, scratchDir: string): string {
  if (name.endsWith('.xlsx'))
    return Object.values(unzipSync(bytes))
      .map((b) => Buffer.from(b).toString('utf8'))
      .join('\n');
  if (name.endsWith('.pdf')) {
    const path = join(scratchDir, 'probe.pdf');
    writeFileSync(path, bytes);
    return execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Every secret marker, token, key or hash found in any file of the bundle, as "what in which file". */
export function leaks(
  files: ReadonlyMap<string, Uint8Array>,
  scratchDir: string,
  literal: readonly string[],
): string[] {
  const found: string[] = [];
  for (const [name, bytes] of files) {
    const text = readable(name, bytes, scratchDir);
    for (const marker of [...SECRET_MARKERS, ...literal]) if (text.includes(marker)) found.push(`${marker} in ${name}`);
    if (/cw[akr]_[0-9a-f]{16}_/.test(text)) found.push(`a CommuneWatch token in ${name}`);
    if (/scrypt\$\d/.test(text)) found.push(`a password hash in ${name}`);
  }
  return found;
}
