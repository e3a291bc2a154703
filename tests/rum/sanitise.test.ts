/**
 * rum.js's privacy filter (rum/sanitise.ts) on Faro items shaped like those the real SDK 2.12.1 sent in
 * headless Chromium (../shared/reference/libraries.md §1.3), with citizens' data added where real pages put it:
 * query strings, fragments, credentials in URLs, ID numbers in paths and messages, e-mail addresses, and
 * context keys a page may add.
 */
import { describe, expect, it } from 'vitest';
import type { Meta, TransportItem } from '@grafana/faro-web-sdk';
import { COMMUNE_PATTERN } from '../../protocol/wire.js';
import {
  cleanUrl,
  COMMUNE_CODE,
  isCommuneCode,
  MAX_TEXT,
  sanitiseItem,
  scrubText,
  stripQuery,
  withCommune,
} from '../../rum/sanitise.js';

const CCCD = '079123456789'; // a 12-digit citizen ID number

function meta(): Meta {
  return {
    sdk: { name: 'faro-web', version: '2.12.1' },
    app: { name: 'motcua-web', version: '1.2.3', environment: 'test', namespace: 'vn.commune' },
    user: {
      id: 'officer-42',
      email: 'can.bo@xa.gov.vn',
      fullName: 'Nguyễn Văn A',
      attributes: { communeId: '26734', province: '01' },
    },
    view: { name: 'ho-so-list' },
    browser: {
      name: 'Chrome Headless',
      version: '156.0.0.0',
      os: 'Linux unknown',
      language: 'en-US',
      mobile: false,
      viewportWidth: '1280',
      viewportHeight: '720',
    },
    page: {
      url: `http://127.0.0.1:8080/ho-so/${CCCD}/sua?cccd=${CCCD}&ten=Nguyen#tab-2`,
      attributes: { communeId: '26734' },
    },
    session: { id: 'bmRdcnk6GY', attributes: { isSampled: 'true', communeId: '26734' } },
  };
}

function item(type: string, payload: unknown): TransportItem {
  return { type, payload, meta: meta() } as TransportItem;
}

const TS = '2026-11-25T16:51:42.806Z';

describe('sanitiseItem', () => {
  it('cleans the page URL and keeps only the commune in page and user meta', () => {
    const out = sanitiseItem(item('event', { name: 'session_start', domain: 'browser', timestamp: TS }))!;
    expect(out.meta.page).toEqual({ url: 'http://127.0.0.1:8080/ho-so/{num}/sua' });
    expect(out.meta.user).toBeUndefined(); // no commune attribute yet: id, e-mail and name go
    expect(out.meta.session).toEqual({ id: 'bmRdcnk6GY', attributes: { isSampled: 'true' } });
    expect(out.meta.app).toEqual(meta().app);
    expect(out.meta.browser).toEqual(meta().browser);
  });

  it('strips URLs in resource timing events and keeps their timings', () => {
    const attributes = {
      name: `http://127.0.0.1:8080/api/fail500?token=abc&cccd=${CCCD}`,
      initiatorType: 'fetch',
      responseStatus: '500',
      duration: '3',
      ttfb: '2',
      transferSize: '316',
      protocol: 'http/1.1',
      faroNavigationId: 'ucPXrEKSXq',
      faroResourceId: 'zu4HfBYAke',
    };
    const out = sanitiseItem(
      item('event', { name: 'faro.performance.resource', domain: 'browser', timestamp: TS, attributes }),
    )!;
    expect(out.payload).toEqual({
      name: 'faro.performance.resource',
      domain: 'browser',
      timestamp: TS,
      attributes: { ...attributes, name: 'http://127.0.0.1:8080/api/fail500' },
    });
  });

  it('cleans every event attribute value and drops CSP samples', () => {
    const out = sanitiseItem(
      item('event', {
        name: 'ho_so_submitted',
        domain: 'motcua',
        timestamp: TS,
        attributes: {
          url: `/api/ho-so?cccd=${CCCD}`,
          note: `gửi cho ${'dan@example.vn'} số ${CCCD}`,
          procedure: 'khai-sinh',
          sample: 'var cccd="0791',
        },
      }),
    )!;
    expect((out.payload as { attributes: unknown }).attributes).toEqual({
      url: '/api/ho-so',
      note: 'gửi cho {email} số {num}',
      procedure: 'khai-sinh',
    });
  });

  it('scrubs exception values, strips frame file names and allow-lists the context', () => {
    const out = sanitiseItem(
      item('exception', {
        type: 'TypeError',
        value: `Failed to fetch https://user:pw@dvc.gov.vn/api/tra-cuu?cccd=${CCCD}#x for can.bo@xa.gov.vn`,
        timestamp: TS,
        context: {
          url: 'http://127.0.0.1:9/nothing?sdt=0912345678',
          kind: 'fetch-failed',
          formValue: 'Nguyễn Văn A',
          cause: `Error: ${CCCD}`,
        },
        stacktrace: {
          frames: [
            { filename: 'http://127.0.0.1:8080/app.js?v=1700000000#x', function: 'submitHoSo', lineno: 4, colno: 35 },
            { filename: 'http://127.0.0.1:8080/static/app.1700000000.js', function: '?', lineno: 6, colno: 86 },
            // a message line parsed as a frame
            { filename: `https://dvc.gov.vn/x?cccd=${CCCD}`, function: 'TypeError: hồ sơ của can.bo@xa.gov.vn: ' },
          ],
        },
      }),
    )!;
    expect(out.payload).toEqual({
      type: 'TypeError',
      value: 'Failed to fetch https://dvc.gov.vn/api/tra-cuu for {email}',
      timestamp: TS,
      context: { url: 'http://127.0.0.1:9/nothing', kind: 'fetch-failed', cause: 'Error: {num}' },
      stacktrace: {
        frames: [
          { filename: 'http://127.0.0.1:8080/app.js', function: 'submitHoSo', lineno: 4, colno: 35 },
          { filename: 'http://127.0.0.1:8080/static/app.1700000000.js', function: '?', lineno: 6, colno: 86 }, // kept for source maps
          { filename: 'https://dvc.gov.vn/x', function: 'TypeError: hồ sơ của {email}: ' },
        ],
      },
    });
  });

  it('keeps the SDK web-vitals context and drops keys a page adds', () => {
    const context = {
      id: 'v6-1795625502797-7733141367913',
      rating: 'good',
      navigation_type: 'navigate',
      navigation_entry_id: 'ucPXrEKSXq',
      load_state: 'complete',
    };
    const values = { fcp: 96, delta: 96, first_byte_to_fcp: 86.4, time_to_first_byte: 9.6 };
    const vitals = sanitiseItem(item('measurement', { type: 'web-vitals', values, timestamp: TS, context }))!;
    expect(vitals.payload).toEqual({ type: 'web-vitals', values, timestamp: TS, context });

    const inp = sanitiseItem(
      item('measurement', {
        type: 'web-vitals',
        values: { inp: 40 },
        timestamp: TS,
        context: { interaction_target: `tr#row-${CCCD}>td`, rating: 'good' },
      }),
    )!;
    expect((inp.payload as { context: unknown }).context).toEqual({
      interaction_target: 'tr#row-{num}>td',
      rating: 'good',
    });

    const custom = sanitiseItem(
      item('measurement', {
        type: 'form_timing',
        values: { fill_ms: 1234 },
        timestamp: TS,
        context: { communeId: '26734', hoTen: 'Nguyễn Văn A' },
      }),
    )!;
    expect(custom.payload).toEqual({ type: 'form_timing', values: { fill_ms: 1234 }, timestamp: TS });
  });

  it('scrubs log messages and their context', () => {
    const out = sanitiseItem(
      item('log', { message: `warn test ${CCCD}`, level: 'warn', timestamp: TS, context: { communeId: '26734' } }),
    )!;
    expect(out.payload).toEqual({ message: 'warn test {num}', level: 'warn', timestamp: TS, context: undefined });
  });

  it('caps long texts', () => {
    const out = sanitiseItem(
      item('log', { message: 'x'.repeat(MAX_TEXT + 500), level: 'warn', timestamp: TS, context: undefined }),
    )!;
    expect((out.payload as { message: string }).message).toHaveLength(MAX_TEXT + 1);
  });

  it('drops traces and unknown item types', () => {
    expect(sanitiseItem(item('trace', { resourceSpans: [] }))).toBeNull();
    expect(sanitiseItem(item('profile', {}))).toBeNull();
  });

  it('does not mutate the item it is given', () => {
    const original = item('exception', {
      type: 'Error',
      value: `x ${CCCD}`,
      timestamp: TS,
      context: { secret: 'y' },
      stacktrace: { frames: [{ filename: 'a.js?q=1', function: 'f' }] },
    });
    const copy = JSON.parse(JSON.stringify(original));
    sanitiseItem(original);
    expect(original).toEqual(copy);
  });
});

describe('withCommune', () => {
  it('puts the commune into session, page and user attributes', () => {
    const out = withCommune(
      sanitiseItem(item('event', { name: 'session_start', domain: 'browser', timestamp: TS }))!,
      '26734',
    );
    expect(out.meta.session).toEqual({ id: 'bmRdcnk6GY', attributes: { isSampled: 'true', commune: '26734' } });
    expect(out.meta.page).toEqual({ url: 'http://127.0.0.1:8080/ho-so/{num}/sua', attributes: { commune: '26734' } });
    expect(out.meta.user).toEqual({ attributes: { commune: '26734' } });
  });

  it('survives the sanitiser and a later commune wins', () => {
    const first = withCommune(
      sanitiseItem(item('log', { message: 'a', level: 'warn', timestamp: TS, context: undefined }))!,
      '26734',
    );
    const again = withCommune(sanitiseItem(first)!, '26737');
    expect(sanitiseItem(first)!.meta.user).toEqual({ attributes: { commune: '26734' } });
    expect(again.meta.session?.attributes?.commune).toBe('26737');
  });

  it('leaves the item alone without a commune and adds no session when there is none', () => {
    const it0 = item('log', { message: 'a', level: 'warn', timestamp: TS, context: undefined });
    expect(withCommune(it0, undefined)).toBe(it0);
    const noSession = { ...it0, meta: { ...it0.meta, session: undefined } };
    expect(withCommune(noSession, '26734').meta.session).toBeUndefined();
  });
});

describe('isCommuneCode', () => {
  it('accepts what the server accepts (protocol/wire.ts COMMUNE_PATTERN)', () => {
    expect(COMMUNE_CODE.source).toBe(COMMUNE_PATTERN);
    expect(isCommuneCode('26734')).toBe(true);
    for (const bad of ['', '-1', '26734 ', 'x'.repeat(33), '26734"><script>', 26734, null])
      expect(isCommuneCode(bad)).toBe(false);
  });
});

describe('URL and text helpers', () => {
  it.each([
    ['https://dvc.gov.vn/tra-cuu?ma=1#top', 'https://dvc.gov.vn/tra-cuu'],
    ['https://u:p@host:8443/a/b', 'https://host:8443/a/b'],
    ['/relative/path?x=1', '/relative/path'],
    [`https://host/ho-so/${CCCD}`, 'https://host/ho-so/{num}'],
    ['https://host/ho-so/12345', 'https://host/ho-so/12345'],
  ])('cleanUrl(%s)', (input, expected) => {
    expect(cleanUrl(input)).toBe(expected);
  });

  it('stripQuery keeps the path as it is', () => {
    expect(stripQuery(`https://host/${CCCD}.js?v=2#x`)).toBe(`https://host/${CCCD}.js`);
  });

  it('scrubText keeps Vietnamese text and short numbers', () => {
    expect(scrubText('Không thể nộp hồ sơ: thiếu mã xã 26734')).toBe('Không thể nộp hồ sơ: thiếu mã xã 26734');
    expect(scrubText(`số điện thoại +84912345678, email a.b@c.vn`)).toBe('số điện thoại +{num}, email {email}');
  });
});
