/**
 * `communewatch demo` — what the README's run command starts — shows results for its targets, healthy
 * and failing, within a minute, on a page labelled demo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { CLI } from '../helpers/agent-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { webLogin } from '../helpers/web-login.js';

interface Status {
  targets: Array<{ target: string; ok: boolean; error: { code: string } | null }>;
}

describe('communewatch demo', () => {
  const dir = tempDir();
  let child: ChildProcess;
  let url: string;
  let cookie: string;
  let output = '';

  beforeAll(async () => {
    child = spawn(process.execPath, [CLI, 'demo', '--no-gateway', '--port', '0', '--data', join(dir.path, 'data')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    url = await waitFor(
      'the demo URL',
      () => /open:\s+(http:\/\/\S+?)\/?\s/.exec(output)?.[1],
      (u) => u !== undefined,
      { timeoutMs: 20_000 },
    ).then((u) => u!);
    const login = await waitFor(
      'the demo login',
      () => /log in:\s+(\S+) \/ (\S+)/.exec(output),
      (m) => m !== null,
      { timeoutMs: 20_000 },
    );
    cookie = await webLogin(url, login![1]!, login![2]!);
  });
  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGINT');
      await once(child, 'exit');
    }
    dir.remove();
  });

  it('shows healthy and failing demo targets within a minute', async () => {
    const expected = ['loopback', 'central-server', 'central-server-tcp', 'motcua', 'hotich', 'thanhtoan'];
    const failures = new Set<string>();
    const status = await waitFor(
      'every demo target measured and at least one vendor failure seen',
      async () => {
        const s = (await (await fetch(`${url}/api/v1/status`, { headers: { cookie } })).json()) as Status;
        for (const t of s.targets) if (!t.ok) failures.add(`${t.target}:${t.error?.code}`);
        return s;
      },
      (s) => expected.every((name) => s.targets.some((t) => t.target === name)) && failures.size > 0,
      { timeoutMs: 60_000, everyMs: 500 },
    );
    expect(status.targets.find((t) => t.target === 'loopback')!.ok).toBe(true);
    expect(status.targets.find((t) => t.target === 'central-server')!.ok).toBe(true);
    expect([...failures].some((f) => f.startsWith('thanhtoan:CW_ERR_PROBE_HTTP_STATUS'))).toBe(true);
  });

  it('labels the page as a demo, in Vietnamese first', async () => {
    const html = await (await fetch(`${url}/`, { headers: { cookie } })).text();
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain('CHẾ ĐỘ TRÌNH DIỄN');
    expect(html).not.toContain('DEMO MODE');
    const en = await (await fetch(`${url}/?lang=en`, { headers: { cookie } })).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('DEMO MODE');
  });

  it('stops cleanly on Ctrl+C', async () => {
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
