/**
 * The incident record masks what an old or foreign agent sent unmasked (defence in depth): recordResult runs
 * the stored URL through common/redact.ts redactUrl and every free text — error message, status line, body
 * preview, condition outcomes, the evidence summary — through bundle-sanitize.ts scrubText.
 */
import { describe, expect, it } from 'vitest';
import type { EvidenceRow } from '../../../server/outages/incident.js';
import type { StoredResult } from '../../../server/store/store.js';
import { recordResult } from '../../../server/evidence/incident-record-checks.js';

const row: EvidenceRow = {
  resultId: 'r-1',
  commune: '26734',
  target: 'motcua',
  ts: 1_000,
  ok: false,
  layer: 'service',
  errorCode: 'CW_ERR_PROBE_HTTP_STATUS',
  summary: 'FAIL http 503 https://motcua.example.vn/login?sid=SUM-1',
};

const stored = {
  id: 'r-1',
  seq: 1,
  ts: 1_000,
  target: 'motcua',
  kind: 'http',
  service: 'one-stop-shop',
  ok: false,
  durationMs: 50,
  latencyMs: 48,
  error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'status 503; GET /a?access_token=ERR-2 Cookie: sid=ERR-3' },
  http: {
    statusCode: 503,
    url: 'https://u:URL-4@motcua.example.vn/dang-nhap?token=URL-5#URL-6',
    statusLine: 'HTTP/1.1 503 Unavailable token=STATUS-7',
    bodyPreview: `<input type="password" value="BODY-8"> {"password":"BODY-9"} token: 'BODY-10'`,
    conditions: [{ subject: 'BODY', condition: 'contains "Đăng nhập"', actual: 'secret=COND-11', ok: false }],
  },
} as unknown as StoredResult;

describe('recordResult', () => {
  it('masks every secret an agent left in a stored result, and keeps what happened', () => {
    const r = recordResult(row, stored);
    const text = JSON.stringify(r);
    for (const marker of [
      'SUM-1',
      'ERR-2',
      'ERR-3',
      'URL-4',
      'URL-5',
      'URL-6',
      'STATUS-7',
      'BODY-8',
      'BODY-9',
      'BODY-10',
      'COND-11',
    ])
      expect(text, marker).not.toContain(marker);
    expect(r.url).toBe('https://motcua.example.vn/dang-nhap');
    expect(r.statusLine).toContain('HTTP/1.1 503 Unavailable');
    expect(r.errorMessage).toContain('status 503');
    expect(r.conditions[0]).toMatchObject({ subject: 'BODY', ok: false });
  });
});
