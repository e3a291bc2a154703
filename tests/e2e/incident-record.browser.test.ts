/**
 * The incident record page in a real browser (Debian's chromium through playwright-core, headless): the
 * server of the incident-record scenario (tests/server/evidence/incident-record-scenario.ts) listening on an
 * ephemeral port, a vendor logging in through the form, opening the incident, following the "Biên bản sự cố"
 * button, replying through the incident page's form; then the record printed by Chromium (page.pdf, A4) is
 * exactly one page, without navigation or buttons, and its text (pdftotext) has the title and the commune.
 *
 * Screenshots and the PDF go to test-artifacts/ (ignored by git). On CI (CI=true) a missing chromium is a
 * failure; elsewhere the test is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { hashPassword } from '../../server/auth/passwords.js';
import { startRecordScenario, type RecordScenario } from '../server/evidence/incident-record-scenario.js';

const CHROMIUM = '/usr/bin/chromium';
const ON_CI = Boolean(process.env.CI) && process.env.CI !== 'false';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && !ON_CI) console.warn(`skipped: ${CHROMIUM} not installed (apt-get install -y chromium)`);
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/incident-record/', import.meta.url));

describe.skipIf(!HAVE_CHROMIUM && !ON_CI)('incident record in a browser (chromium)', () => {
  let s: RecordScenario;
  let browser: Browser;
  let page: Page;
  let url = '';
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    s = await startRecordScenario();
    s.api.store.users.create({
      username: 'viettel',
      role: 'vendor',
      services: ['one-stop-shop'],
      passwordHash: await hashPassword('viettel secret pw'),
      now: s.clock.now,
    });
    await s.api.built.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(s.api.built.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      locale: 'vi-VN',
      timezoneId: 'Asia/Ho_Chi_Minh',
    });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await s?.api.close();
  });

  it('a vendor opens the incident, follows the record button and replies through the form', async () => {
    await page.goto(`${url}/login`);
    await page.fill('input[name="username"]', 'viettel');
    await page.fill('input[name="password"]', 'viettel secret pw');
    await Promise.all([page.waitForURL(`${url}/`), page.click('button[type="submit"]')]);
    await page.goto(`${url}/incidents/${s.service.id}`);
    await page.fill('textarea[name="text"]', 'Máy chủ ứng dụng quá tải; đã khởi động lại lúc 09:20.');
    await Promise.all([page.waitForURL(/#replies$/), page.click('form.reply-form button')]);
    expect(await page.textContent('#replies')).toContain('Máy chủ ứng dụng quá tải; đã khởi động lại lúc 09:20.');
    await Promise.all([page.waitForURL(/\/record$/), page.click('a.button:has-text("Biên bản sự cố")')]);
    await expect.poll(() => page.textContent('h1.record-title')).toBe('BIÊN BẢN SỰ CỐ');
    const verdict = await page.textContent('.record-control .record-verdict');
    expect(verdict).toContain('các kiểm tra mạng của xã đạt 30/30 lần');
    expect(verdict).toContain('không đạt 10/10 lần');
    await page.screenshot({ path: join(ARTIFACTS, 'record-screen.png'), fullPage: true });
    // The print button opens the browser's print dialog (counted here instead of shown).
    await page.evaluate(() => {
      const w = globalThis as unknown as { printed: number; print: () => void };
      w.printed = 0;
      w.print = () => {
        w.printed++;
      };
    });
    await page.click('button[data-print]');
    expect(await page.evaluate(() => (globalThis as unknown as { printed: number }).printed)).toBe(1);
    expect(problems).toEqual([]);
  });

  it('prints as exactly one A4 page, without navigation or buttons, with the title and the commune', async () => {
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('header nav')).toBe(false);
    expect(await page.isVisible('.record-toolbar')).toBe(false);
    expect(await page.isVisible('.record-signs')).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'record-print.png'), fullPage: true });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    const file = join(ARTIFACTS, 'bien-ban-su-co.pdf');
    writeFileSync(file, pdf);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/^Pages:\s+1$/m);
    expect(info).toMatch(/^Page size:.*\(A4\)$/m);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('BIÊN BẢN SỰ CỐ');
    expect(text).toContain('Xã Bảo Hà');
    expect(text).toContain('ĐẠI DIỆN ĐƠN VỊ VẬN HÀNH');
    expect(text).toContain('ĐẠI DIỆN NHÀ CUNG CẤP');
    expect(text).not.toContain('Đăng xuất');
    expect(text).not.toContain('SECRET');
  });
});
