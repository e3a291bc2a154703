/** The `communewatch` command as a user runs it (built CLI, real processes): help, config errors, tokens. */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { AGENT_BIN, CLI, runCli } from '../helpers/agent-process.js';
import { waitFor } from '../helpers/wait.js';
import { tempDir } from '../helpers/temp-dir.js';
import { openSqliteStore } from '../../server/store/sqlite-store.js';
import { verifyToken } from '../../server/auth/agent-tokens.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/agent-config/', import.meta.url));

describe('communewatch CLI', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it.each([
    [[]],
    [['server']],
    [['agent']],
    [['token']],
    [['token', 'create']],
    [['token', 'list']],
    [['token', 'revoke']],
    [['demo']],
  ])('%j --help explains itself', async (args) => {
    const { code, stdout } = await runCli([...args, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: communewatch/);
    if (args[0] === 'agent') expect(stdout).toContain('--check-config');
    if (args[1] === 'create') expect(stdout).toContain('--commune <code>');
  });

  it('exits 2 on a config error, naming the file, key path and problem', async () => {
    const file = join(FIXTURES, 'unknown-target-key.yaml');
    const { code, stderr } = await runCli(['agent', '--config', file, '--check-config'], {
      COMMUNEWATCH_AGENT_TOKEN: 'x',
    });
    expect(code).toBe(2);
    expect(stderr).toBe(
      `communewatch: invalid config ${file}:\n  - targets[0].cout (line 9): unknown key (not allowed here; check the spelling)\n`,
    );
  });

  it('--check-config accepts a valid agent config and exits 0 without running', async () => {
    // The fixture names a token file; this copy takes the token from the environment instead.
    const file = join(dir.path, 'agent.yaml');
    writeFileSync(file, readFileSync(join(FIXTURES, 'valid.yaml'), 'utf8').replace(/^\s*tokenFile:.*$/m, ''));
    const { code, stdout, stderr } = await runCli(['agent', '--config', file, '--check-config'], {
      COMMUNEWATCH_AGENT_TOKEN: 'x',
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`config OK: ${file} (4 targets, commune 26734)\n`);
  });

  it('communewatch-agent, the bundled executable installs run, takes the same options and gives the same errors', async () => {
    const help = await runCli(['--help'], {}, AGENT_BIN);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: communewatch-agent \[options\]/);
    expect(help.stdout).toContain('--check-config');
    const bad = join(FIXTURES, 'unknown-target-key.yaml');
    const refused = await runCli(['--config', bad, '--check-config'], { COMMUNEWATCH_AGENT_TOKEN: 'x' }, AGENT_BIN);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `communewatch-agent: invalid config ${bad}:\n  - targets[0].cout (line 9): unknown key (not allowed here; check the spelling)\n`,
    );
    const file = join(dir.path, 'bundle-agent.yaml');
    writeFileSync(file, readFileSync(join(FIXTURES, 'valid.yaml'), 'utf8').replace(/^\s*tokenFile:.*$/m, ''));
    const ok = await runCli(['--config', file, '--check-config'], { COMMUNEWATCH_AGENT_TOKEN: 'x' }, AGENT_BIN);
    expect(ok).toEqual({ code: 0, stdout: `config OK: ${file} (4 targets, commune 26734)\n`, stderr: '' });
    expect((await runCli(['--version'], {}, AGENT_BIN)).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('communewatch-agent runs as an executable: this Node accepts the V8 flags on its first line', async () => {
    // Run through the kernel's shebang (env -S node <flags>), as systemd and npm's shims do; an unknown flag
    // would stop node with "bad option" before the agent starts.
    const child = spawn(AGENT_BIN, ['--version'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(readFileSync(AGENT_BIN, 'utf8').split('\n', 1)[0]).toMatch(
      /^#!\/usr\/bin\/env -S node --max-semi-space-size=1 /,
    );
  });

  it('refuses to start an agent without a token', async () => {
    const { code, stderr } = await runCli(['agent', '--config', join(FIXTURES, 'valid.yaml')], {
      COMMUNEWATCH_AGENT_TOKEN: '',
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/server\.tokenFile.*token\.txt: ENOENT|no agent token/);
  });

  it('validates the server config', async () => {
    const file = join(dir.path, 'server.yaml');
    writeFileSync(file, 'port: 80800\nretention:\n  rawDay: 3\n');
    const { code, stderr } = await runCli(['server', '--config', file, '--check-config']);
    expect(code).toBe(2);
    expect(stderr).toContain(`invalid config ${file}:`);
    expect(stderr).toContain('port (line 1): must be <= 65535');
    expect(stderr).toContain('retention.rawDay (line 3): unknown key');
    writeFileSync(file, 'port: 8081\nretention:\n  rawDays: 60\n');
    expect((await runCli(['server', '--config', file, '--check-config'])).code).toBe(0);
  });

  it('rejects a bad port flag', async () => {
    const { code, stderr } = await runCli(['server', '--port', 'eighty']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('must be an integer 0-65535');
  });

  it('server starts on the given port, prints its URL, and stops cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'server', '--data', join(dir.path, 'srv'), '--host', '127.0.0.1', '--port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const url = await waitFor(
      'the server URL',
      () => /server: (http:\/\/[\d.:]+)/.exec(out)?.[1],
      (u) => u !== undefined,
    ).then((u) => u!);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(out).toContain('server stopped');
  });

  it('token create prints the token once and stores only its hash', async () => {
    const data = join(dir.path, 'data');
    const { code, stdout, stderr } = await runCli([
      'token',
      'create',
      '--commune',
      '26734',
      '--name',
      'ubnd-xa-a',
      '--data',
      data,
    ]);
    expect(code).toBe(0);
    const token = stdout.trim();
    expect(token).toMatch(/^cwa_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(stderr).toContain('not shown again');
    const secret = token.split('_').slice(2).join('_');
    const db = new Database(join(data, 'communewatch.db'), { readonly: true });
    const rows = db.prepare('SELECT * FROM agents').all();
    db.close();
    expect(JSON.stringify(rows)).not.toContain(secret);
    for (const f of ['communewatch.db', 'communewatch.db-wal']) {
      try {
        expect(readFileSync(join(data, f)).includes(secret)).toBe(false);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    const store = openSqliteStore({ file: join(data, 'communewatch.db') });
    try {
      expect(verifyToken(store, token)).toMatchObject({ commune: '26734', name: 'ubnd-xa-a' });
    } finally {
      store.close();
    }
  });

  it('token list shows agents and token revoke makes the token useless', async () => {
    const data = join(dir.path, 'data-revoke');
    const token = (await runCli(['token', 'create', '--commune', '10001', '--data', data])).stdout.trim();
    const list = await runCli(['token', 'list', '--data', data]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /^id\s+commune\s+name\s+created\s+last push\s+state\n1\s+10001\s+agent-10001\s+\S+Z\s+-\s+active\n$/,
    );
    expect((await runCli(['token', 'revoke', '--id', '1', '--data', data])).code).toBe(0);
    expect((await runCli(['token', 'list', '--data', data])).stdout).toMatch(/revoked \S+Z/);
    const again = await runCli(['token', 'revoke', '--id', '1', '--data', data]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no active agent with id 1');
    const store = openSqliteStore({ file: join(data, 'communewatch.db') });
    try {
      expect(verifyToken(store, token)).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('token create refuses an invalid commune code', async () => {
    const { code, stderr } = await runCli(['token', 'create', '--commune', 'xã 1', '--data', join(dir.path, 'data2')]);
    expect(code).toBe(1);
    expect(stderr).toContain('is not a valid commune code');
  });
});
