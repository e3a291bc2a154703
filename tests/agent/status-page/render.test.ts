/**
 * The status page's words: the verdict for each kind of fault, the layer in plain words per service class,
 * "since" in Vietnam time, the outbox lines, and escaping of every untrusted string.
 */
import { describe, expect, it } from 'vitest';
import type { AgentSnapshot, TargetStatus } from '../../../agent/snapshot.js';
import type { ProbeResult } from '../../../protocol/wire.js';
import {
  formatDuration,
  formatTime,
  parseLang,
  renderPage,
  servicePhrase,
  verdictOf,
  type Lang,
} from '../../../agent/status-page/render.js';
import vi from '../../../agent/status-page/i18n/vi.json' with { type: 'json' };
import en from '../../../agent/status-page/i18n/en.json' with { type: 'json' };

const T0 = Date.UTC(2026, 10, 25, 1, 15); // 08:15 on 25/11/2026 in Vietnam (UTC+7)
const NOW = T0 + (2 * 60 + 5) * 60_000;

let seq = 0;
function target(r: Partial<ProbeResult> & { target: string }, since = T0): TargetStatus {
  seq++;
  return {
    since,
    result: {
      id: `result-${seq}`,
      seq,
      ts: NOW - 30_000,
      kind: 'http',
      service: 'one-stop-shop',
      role: 'service',
      ok: true,
      durationMs: 120,
      latencyMs: 120,
      ...r,
    },
  };
}
const hop = (role: string, ok: boolean) =>
  target({ target: `path-${role}`, role, service: 'network', kind: 'icmp', ok });
const healthyPath = () => [hop('gateway', true), hop('resolver', true), hop('uplink', true)];

function snapshot(over: Partial<AgentSnapshot> = {}): AgentSnapshot {
  return {
    commune: '10345',
    version: '0.1.0',
    startedAt: T0 - 3_600_000,
    services: [target({ target: 'motcua' }), target({ target: 'hotich', service: 'civil-status' })],
    path: healthyPath(),
    outbox: { pending: 0, oldestTs: null, droppedTotal: 0, deadLettered: 0, lastSeq: 42 },
    push: { lastAckAt: NOW - 60_000, skewMs: 0, failing: false, lastError: null },
    ...over,
  };
}
const down = (name: string, layer: string | undefined, service = 'one-stop-shop') =>
  target({
    target: name,
    service,
    ok: false,
    ...(layer && { layer }),
    error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'status 503' },
  });
const verdictText = (html: string) => /<div class="verdict (\w+)"[^>]*>([^<]*)/.exec(html)?.slice(1);

describe('verdict', () => {
  const cases: Array<[string, AgentSnapshot, string, string]> = [
    ['all up', snapshot(), 'allUp', 'Mọi dịch vụ hoạt động bình thường'],
    [
      'LAN down',
      snapshot({
        services: [down('motcua', 'lan'), down('hotich', 'lan', 'civil-status')],
        path: [hop('gateway', false), hop('uplink', false)],
      }),
      'network',
      'Lỗi mạng tại xã',
    ],
    [
      'uplink down',
      snapshot({ services: [down('motcua', 'uplink')], path: [hop('gateway', true), hop('uplink', false)] }),
      'network',
      'Lỗi mạng tại xã',
    ],
    [
      'one service down at the service layer',
      snapshot({ services: [down('motcua', 'service'), target({ target: 'hotich' })] }),
      'software',
      'Mạng của xã bình thường; lỗi ở phía phần mềm',
    ],
    [
      'a certificate fault',
      snapshot({ services: [down('motcua', 'tls')] }),
      'software',
      'Mạng của xã bình thường; lỗi ở phía phần mềm',
    ],
    [
      'slow only',
      snapshot({
        services: [target({ target: 'motcua', layer: 'slow', latencyMs: 4321 }), target({ target: 'hotich' })],
      }),
      'slow',
      'Mọi dịch vụ hoạt động, nhưng có dịch vụ đang chậm hơn mức cho phép',
    ],
    [
      'DNS',
      snapshot({ services: [down('motcua', 'dns')] }),
      'dns',
      'Lỗi phân giải tên miền (DNS); đường truyền của xã vẫn thông',
    ],
    [
      'a failure on no layer',
      snapshot({ services: [down('motcua', undefined)] }),
      'unknown',
      'Có dịch vụ đang lỗi; chưa xác định được nguyên nhân',
    ],
    [
      'nothing measured yet',
      snapshot({ services: [], path: [] }),
      'empty',
      'Chưa có kết quả đo nào; kết quả đầu tiên sẽ có trong vòng vài phút',
    ],
    [
      'the gateway down before any service result',
      snapshot({ services: [], path: [hop('gateway', false)] }),
      'network',
      'Lỗi mạng tại xã',
    ],
  ];
  it.each(cases)('%s', (_name, s, verdict, words) => {
    expect(verdictOf(s)).toBe(verdict);
    expect(verdictText(renderPage(s, { lang: 'vi', now: NOW }))?.[1]).toBe(words);
  });

  it('colours the verdict by severity and counts failing services', () => {
    expect(verdictText(renderPage(snapshot(), { lang: 'vi', now: NOW }))?.[0]).toBe('up');
    const html = renderPage(snapshot({ services: [down('motcua', 'service'), target({ target: 'hotich' })] }), {
      lang: 'vi',
      now: NOW,
    });
    expect(verdictText(html)?.[0]).toBe('down');
    expect(html).toContain('<small>1/2 dịch vụ đang lỗi</small>');
  });

  it('the network wins over a software fault seen at the same time', () => {
    expect(verdictOf(snapshot({ services: [down('a', 'service'), down('b', 'uplink')] }))).toBe('network');
  });
});

describe('layer in plain words', () => {
  const phrase = (lang: Lang, t: TargetStatus) => servicePhrase(lang, t);
  it('names the software of the service class', () => {
    expect(phrase('vi', down('motcua', 'service'))).toBe('Phần mềm một cửa đang lỗi ở phía máy chủ');
    expect(phrase('vi', down('hotich', 'service', 'civil-status'))).toBe('Phần mềm hộ tịch đang lỗi ở phía máy chủ');
    expect(phrase('vi', down('x', 'service', 'custom-app'))).toBe('Phần mềm đang lỗi ở phía máy chủ');
    expect(phrase('en', down('motcua', 'service'))).toBe('The one-stop-shop software is failing on the server side');
  });
  it('has one phrase per network layer', () => {
    expect(phrase('vi', down('a', 'uplink'))).toBe('Mất kết nối Internet tại xã');
    expect(phrase('vi', down('a', 'lan'))).toBe('Mạng nội bộ tại xã có sự cố (không tới được modem/router)');
    expect(phrase('vi', down('a', 'dns'))).toBe('Lỗi phân giải tên miền (DNS)');
    expect(phrase('vi', down('a', 'tls'))).toBe('Lỗi chứng thư số của máy chủ');
    expect(phrase('vi', target({ target: 'a', layer: 'slow', latencyMs: 4321.4 }))).toBe(
      'Đang chậm hơn mức cho phép (thời gian phản hồi 4321 ms)',
    );
    expect(phrase('vi', down('a', 'quantum'))).toBe('Đang lỗi; chưa xác định được vị trí lỗi');
    expect(phrase('vi', target({ target: 'a' }))).toBe('Hoạt động bình thường');
  });
  it('names the upstream link a failure is blamed on', () => {
    expect(phrase('vi', { ...down('a', 'service'), result: { ...down('a', 'service').result, blame: 'tslcd' } })).toBe(
      'Phần mềm một cửa đang lỗi ở phía máy chủ do “tslcd” đang lỗi',
    );
  });
});

describe('time', () => {
  it('shows since in Vietnam time with the duration', () => {
    expect(formatTime(T0)).toBe('08:15 25/11/2026');
    expect(formatDuration('vi', NOW - T0)).toBe('2 giờ 5 phút');
    expect(formatDuration('vi', 3 * 86_400_000 + 2 * 3_600_000 + 59_000)).toBe('3 ngày 2 giờ');
    expect(formatDuration('vi', 7 * 60_000)).toBe('7 phút');
    expect(formatDuration('vi', 2 * 3_600_000)).toBe('2 giờ');
    expect(formatDuration('en', -5_000)).toBe('under 1 min');
    expect(renderPage(snapshot({ services: [down('motcua', 'service')] }), { lang: 'vi', now: NOW })).toContain(
      'từ 08:15 25/11/2026 (2 giờ 5 phút)',
    );
  });
});

describe('outbox', () => {
  it('counts waiting results and shows the last successful push', () => {
    const html = renderPage(
      snapshot({ outbox: { pending: 1234, oldestTs: NOW - 600_000, droppedTotal: 0, deadLettered: 0, lastSeq: 9 } }),
      { lang: 'vi', now: NOW },
    );
    expect(html).toContain('1.234 kết quả đang chờ gửi');
    expect(html).toContain('Lần gửi thành công gần nhất: 10:19 25/11/2026 (1 phút trước)');
    expect(html).not.toContain('class="alert"');
  });
  it('shows a red note with the error while pushing fails', () => {
    const s = snapshot({
      outbox: { pending: 7, oldestTs: T0, droppedTotal: 3, deadLettered: 2, lastSeq: 9 },
      push: { lastAckAt: null, skewMs: null, failing: true, lastError: 'connect ECONNREFUSED 10.0.0.1:443 <b>' },
    });
    const html = renderPage(s, { lang: 'vi', now: NOW });
    expect(html).toMatch(
      /<p class="alert">Đang không gửi được kết quả về máy chủ\.[^<]*<br><small>Lỗi: connect ECONNREFUSED 10\.0\.0\.1:443 &lt;b&gt;<\/small>/,
    );
    expect(html).toContain('Chưa gửi thành công lần nào');
    expect(html).toContain('3 kết quả đã bị bỏ');
    expect(html).toContain('2 kết quả bị máy chủ từ chối');
    expect(renderPage(s, { lang: 'en', now: NOW })).toContain('7 results waiting to be sent');
  });
});

describe('page', () => {
  it('escapes target names, services, links, error messages and the commune', () => {
    const evil = '<script>alert(1)</script>';
    const s = snapshot({
      commune: evil,
      services: [
        target({
          target: evil,
          service: evil,
          ok: false,
          layer: evil,
          link: evil,
          blame: evil,
          error: { code: evil, message: evil },
        }),
      ],
      path: [target({ target: evil, role: evil, ok: false })],
      push: { lastAckAt: null, skewMs: null, failing: true, lastError: evil },
    });
    for (const lang of ['vi', 'en'] as const) {
      const html = renderPage(s, { lang, now: NOW });
      expect(html.match(/<script>/g)).toHaveLength(1); // the page's own
      expect(html).not.toContain('alert(1)</');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });

  it('is Vietnamese by default and links to the other language', () => {
    expect(parseLang(null)).toBe('vi');
    expect(parseLang('fr')).toBe('vi');
    const viPage = renderPage(snapshot(), { lang: 'vi', now: NOW });
    expect(viPage).toContain('<html lang="vi">');
    expect(viPage).toContain('<a href="?lang=en" hreflang="en" lang="en">English</a>');
    const enPage = renderPage(snapshot(), { lang: parseLang('en'), now: NOW });
    expect(enPage).toContain('All services are working normally');
    expect(enPage).toContain('<a href="?lang=vi" hreflang="vi" lang="vi">Tiếng Việt</a>');
  });

  it('lists the path hops in order with their role in plain words', () => {
    const html = renderPage(snapshot({ path: [hop('uplink', false), hop('gateway', true)] }), { lang: 'vi', now: NOW });
    expect(html.indexOf('Modem/router của xã')).toBeLessThan(html.indexOf('Đường truyền Internet'));
    expect(html).toContain('Không ra được Internet');
  });

  it('catalogues have the same keys and placeholders, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
    const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const [k, v] of Object.entries(vi)) {
      expect(v.trim(), k).not.toBe('');
      expect(holes(en[k as keyof typeof en]), k).toEqual(holes(v));
    }
  });
});
