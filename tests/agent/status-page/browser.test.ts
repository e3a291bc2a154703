/**
 * The status page in a real browser (Debian's chromium through playwright-core): the Vietnamese verdict,
 * a red service with its layer in plain words, the English link, no CSP violations (the inline style and
 * script hashes match), the 10-second refresh, and the stale-page note once the agent stops answering.
 * Saves screenshots to test-artifacts/screenshots/agent-status-page/ at the repository root (git-ignored)
 * and prints that path.
 *
 * On CI (CI=true) a missing chromium is a failure: .ci/run installs it. Elsewhere the test is skipped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { chromium, type BrowserContext } from 'playwright-core';
import type { AgentSnapshot, TargetStatus } from '../../../agent/snapshot.js';
import type { ProbeResult } from '../../../protocol/wire.js';
import { startAgentStatusPage, type AgentStatusPage } from '../../../agent/status-page/server.js';
import { tempDir } from '../../helpers/temp-dir.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../../test-artifacts/screenshots/agent-status-page/', import.meta.url));
const ON_CI = Boolean(process.env.CI) && process.env.CI !== 'false';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const NOW = Date.UTC(2026, 10, 25, 3, 20); // 10:20 in Vietnam
let seq = 0;
function target(r: Partial<ProbeResult> & { target: string; service: string }, sinceMinAgo: number): TargetStatus {
  seq++;
  return {
    since: NOW - sinceMinAgo * 60_000,
    result: {
      id: `result-${seq}`,
      seq,
      ts: NOW - 20_000,
      kind: 'http',
      role: 'service',
      ok: true,
      durationMs: 300,
      latencyMs: 300,
      ...r,
    },
  };
}
const hop = (role: string, name: string) =>
  target({ target: name, role, service: 'network', kind: 'icmp', latencyMs: 2 }, 300);

function snapshot(oneStopShopDown: boolean): AgentSnapshot {
  const motcua = oneStopShopDown
    ? target(
        {
          target: 'motcua-dang-nhap',
          service: 'one-stop-shop',
          ok: false,
          layer: 'service',
          error: { code: 'CW_ERR_PROBE_HTTP_STATUS', message: 'expected status 200, got 503 Service Unavailable' },
        },
        125,
      )
    : target({ target: 'motcua-dang-nhap', service: 'one-stop-shop' }, 0);
  return {
    commune: '10345',
    version: '0.1.0',
    startedAt: NOW - 26 * 3_600_000,
    services: [
      motcua,
      target({ target: 'hotich', service: 'civil-status' }, 300),
      target({ target: 'dichvucong', service: 'portal', layer: 'slow', latencyMs: 6480 }, 12),
      target({ target: 'ky-so-ocsp', service: 'e-signing', link: 'tslcd' }, 300),
    ],
    path: [hop('gateway', 'path-gateway'), hop('resolver', 'path-dns-1'), hop('uplink', 'path-uplink')],
    outbox: { pending: 12, oldestTs: NOW - 90_000, droppedTotal: 0, deadLettered: 0, lastSeq: 5210 },
    push: { lastAckAt: NOW - 95_000, skewMs: 40, failing: false, lastError: null },
  };
}

describe('agent status page in a browser', () => {
  let page: AgentStatusPage | undefined;
  let context: BrowserContext | undefined;
  const profile = tempDir('cw-chromium-profile-');

  afterEach(async () => {
    await context?.close();
    await page?.close();
    profile.remove();
  });

  it('shows the verdict and a red service in Vietnamese, switches to English, and refreshes', async (ctx) => {
    if (!existsSync(CHROMIUM)) {
      if (ON_CI) throw new Error(`${CHROMIUM} is missing: .ci/run must apt-get install chromium for this browser test`);
      console.warn(`skipped: ${CHROMIUM} not installed (apt-get install -y chromium)`);
      ctx.skip(`${CHROMIUM} not installed (apt-get install -y chromium)`);
    }
    let down = true;
    page = await startAgentStatusPage({
      host: '127.0.0.1',
      port: 0,
      snapshot: () => snapshot(down),
      log: pino({ level: 'silent' }),
      now: () => NOW,
    });
    context = await chromium.launchPersistentContext(profile.path, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1000, height: 900 },
    });
    const tab = context.pages()[0] ?? (await context.newPage());
    const violations: string[] = [];
    tab.on('console', (m) => m.type() === 'error' && violations.push(m.text()));
    tab.on('pageerror', (e) => violations.push(e.message));
    await tab.clock.install({ time: NOW });
    mkdirSync(SHOTS, { recursive: true });

    await tab.goto(page.url);
    expect(await tab.locator('.verdict').innerText()).toContain('Mạng của xã bình thường; lỗi ở phía phần mềm');
    const red = tab.locator('tr.down', { hasText: 'motcua-dang-nhap' });
    expect(await red.locator('.pill').innerText()).toBe('Lỗi');
    // Page-side code as strings: the tests compile without the DOM library.
    expect(await tab.evaluate("getComputedStyle(document.querySelector('tr.down .pill')).backgroundColor")).toBe(
      'rgb(198, 40, 40)',
    );
    expect(await red.innerText()).toContain('Phần mềm một cửa đang lỗi ở phía máy chủ');
    expect(await red.innerText()).toContain('từ 08:15 25/11/2026 (2 giờ 5 phút)');
    expect(await tab.locator('.pending').innerText()).toBe('12 kết quả đang chờ gửi');
    await tab.screenshot({ path: join(SHOTS, 'status-page-vi.png'), fullPage: true });

    await tab.getByRole('link', { name: 'English' }).click();
    await tab.waitForURL(/\?lang=en$/);
    expect(await tab.locator('html').getAttribute('lang')).toBe('en');
    expect(await tab.locator('.verdict').innerText()).toContain(
      "The commune's network is fine; the fault is on the software side",
    );
    expect(await tab.locator('tr.down').innerText()).toContain(
      'The one-stop-shop software is failing on the server side',
    );
    await tab.screenshot({ path: join(SHOTS, 'status-page-en.png'), fullPage: true });

    // The script re-fetches every 10 s: the service recovers, then the agent goes away.
    down = false;
    await tab.clock.runFor(10_000);
    await tab.waitForFunction(
      "document.querySelector('.verdict').textContent === 'All services work, but some are slower than allowed'",
      undefined,
      { timeout: 5000 },
    );
    expect(await tab.locator('#offline').isVisible()).toBe(false);
    await page.close();
    page = undefined;
    await tab.clock.runFor(10_000);
    await tab.locator('#offline').waitFor({ state: 'visible', timeout: 5000 });
    expect(await tab.locator('#offline').innerText()).toContain('Cannot reach the monitoring agent');
    await tab.screenshot({ path: join(SHOTS, 'status-page-offline-en.png'), fullPage: true });

    // The agent going away logs a failed request; nothing else may: no CSP violation, no script error.
    expect(violations.filter((v) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(v))).toEqual([]);
    console.log(`status page screenshots: ${SHOTS}`);
  });
});
