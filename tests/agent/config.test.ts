/**
 * Agent config: each invalid fixture file is paired with its exact error (key path, line, message), in
 * the manner of blackbox_exporter's config tests. A config error must tell a district IT officer what to
 * fix without reading source code.
 */
import { describe, expect, it } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAgentConfig, readAgentToken } from '../../agent/config.js';
import { COMMON_KEYS } from '../../protocol/plan.js';
import { probes } from '../../agent/probes/index.js';
import { ConfigError } from '../../common/config-file.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/agent-config/', import.meta.url));

const INVALID: Array<[file: string, problems: string[]]> = [
  ['unknown-top-key.yaml', ['targtes (line 4): unknown key (not allowed here; check the spelling)']],
  ['unknown-target-key.yaml', ['targets[0].cout (line 9): unknown key (not allowed here; check the spelling)']],
  ['bad-timeout.yaml', ['targets[1].timeoutMs (line 15): must be >= 100']],
  [
    'timeout-over-interval.yaml',
    ['targets[0].timeoutMs (line 11): timeoutMs 9000 exceeds the interval (5 s): rounds would overlap'],
  ],
  ['missing-server.yaml', ['(top level) (line 1): missing required key "server"']],
  ['unknown-kind.yaml', ['targets[0].kind (line 5): must be one of "icmp", "http", "tcp", "dns"']],
  ['duplicate-name.yaml', ['targets[1].name (line 6): duplicate target name "gw" (also targets[0])']],
  ['bad-port.yaml', ['targets[0].port (line 5): must be <= 65535']],
  ['bad-yaml.yaml', ['(top level) (line 6): YAML syntax: Sequence item without - indicator']],
  ['bad-service.yaml', ['targets[0].service (line 5): must match pattern "^[a-z][a-z0-9-]{0,39}$"']],
  [
    'bad-url.yaml',
    ['server.url (line 3): must match pattern "^https?://"', 'targets[0].url (line 5): must match pattern'],
  ],
];

describe('agent config', () => {
  it('loads a valid file with defaults applied and paths resolved', () => {
    const config = loadAgentConfig(join(FIXTURES, 'valid.yaml'));
    expect(config.commune).toBe('26734');
    expect(config.dataDir).toBe(join(FIXTURES, 'agent-data'));
    expect(config.push).toEqual({ batchSize: 500, minBackoffSec: 1, maxBackoffSec: 300, idleSec: 5, lingerMs: 2000 });
    expect(config.outbox).toEqual({ maxRows: 2_000_000, maxAgeDays: 30 });
    expect(config.targets.map((t) => [t.name, t.kind, t.service, t.intervalSec, t.timeoutMs])).toEqual([
      ['gateway', 'icmp', 'network', 60, 10_000],
      ['motcua', 'http', 'one-stop-shop', 120, 10_000],
      ['hotich-tcp', 'tcp', 'civil-status', 60, 10_000],
      ['resolver', 'dns', 'network', 60, 10_000],
    ]);
    expect(config.targets[3]!.params).toEqual({ query: 'dichvucong.gov.vn', server: '192.0.2.53', recordType: 'A' });
    expect(config.targets[0]!.params).toMatchObject({ host: '192.0.2.1', count: 5 });
    expect(config.targets[1]!.params).toMatchObject({
      url: 'https://dichvucong.laocai.gov.vn/',
      keyword: 'Dịch vụ công',
    });
  });

  for (const [file, expected] of INVALID) {
    it(`rejects ${file}`, () => {
      const path = join(FIXTURES, file);
      let error: unknown;
      try {
        loadAgentConfig(path);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const e = error as ConfigError;
      expect(e.file).toBe(path);
      expect(e.message.startsWith(`invalid config ${path}:`)).toBe(true);
      const lines = e.message
        .split('\n')
        .slice(1)
        .map((l) => l.replace(/^ {2}- /, ''));
      expect(lines).toHaveLength(expected.length);
      expected.forEach((want, i) =>
        expect(lines[i]!.startsWith(want), `${lines[i]} should start with ${want}`).toBe(true),
      );
    });
  }

  it('no probe reuses a common target key for its own fields (they are stripped before the probe sees them)', () => {
    for (const [kind, probe] of Object.entries(probes)) {
      const own = Object.keys((probe.targetSchema as unknown as { properties: object }).properties);
      expect(
        own.filter((k) => (COMMON_KEYS as readonly string[]).includes(k)),
        kind,
      ).toEqual([]);
    }
  });

  it('accepts a pinned link by address or interface, not both', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'agent.yaml');
      const target = (extra: string) =>
        'commune: "1"\nserver: { url: "http://127.0.0.1:1" }\ntargets:\n' +
        `  - { name: t, kind: tcp, service: portal, host: 10.0.0.1, port: 443, ${extra} }\n`;
      writeFileSync(file, target('sourceInterface: eth1, link: tslcd'));
      expect(loadAgentConfig(file).targets[0]).toMatchObject({
        sourceInterface: 'eth1',
        link: 'tslcd',
        params: { host: '10.0.0.1', port: 443 },
      });
      writeFileSync(file, target('sourceAddress: 10.1.1.2, sourceInterface: eth1'));
      expect(() => loadAgentConfig(file)).toThrow(
        'targets[0].sourceInterface (line 4): set sourceAddress or sourceInterface, not both',
      );
      writeFileSync(file, target('sourceAddress: eth0'));
      expect(() => loadAgentConfig(file)).toThrow(/targets\[0\]\.sourceAddress/);
    } finally {
      dir.remove();
    }
  });

  it('reserves target names starting with path- for the path checks', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'agent.yaml');
      writeFileSync(
        file,
        'commune: "1"\nserver: { url: "http://127.0.0.1:1" }\ntargets:\n' +
          '  - { name: path-gateway, kind: tcp, service: network, host: 10.0.0.1, port: 80 }\n',
      );
      expect(() => loadAgentConfig(file)).toThrow(
        'targets[0].name (line 4): names starting with "path-" are reserved for the path checks',
      );
    } finally {
      dir.remove();
    }
  });

  it('names a missing file', () => {
    expect(() => loadAgentConfig('/nonexistent/agent.yaml')).toThrow(
      /invalid config \/nonexistent\/agent.yaml:\n {2}- \(top level\): cannot read file: ENOENT/,
    );
  });

  describe('token', () => {
    it('comes from a 0600 token file, refusing one others can read', () => {
      const dir = tempDir();
      try {
        const file = join(dir.path, 'token.txt');
        writeFileSync(file, 'cwa_0123456789abcdef_secret\n', { mode: 0o644 });
        const config = { ...loadAgentConfig(join(FIXTURES, 'valid.yaml')), file: join(dir.path, 'agent.yaml') };
        expect(() => readAgentToken(config, {})).toThrow(/readable by other users \(mode 644\); run: chmod 600/);
        chmodSync(file, 0o600);
        expect(readAgentToken(config, {})).toBe('cwa_0123456789abcdef_secret');
      } finally {
        dir.remove();
      }
    });

    it('else from COMMUNEWATCH_AGENT_TOKEN, else a clear error', () => {
      const { server, ...rest } = loadAgentConfig(join(FIXTURES, 'valid.yaml'));
      const config = { ...rest, server: { ...server, tokenFile: undefined } };
      expect(readAgentToken(config, { COMMUNEWATCH_AGENT_TOKEN: ' tok ' })).toBe('tok');
      expect(() => readAgentToken(config, {})).toThrow(
        /server.tokenFile: no agent token: set server.tokenFile or the COMMUNEWATCH_AGENT_TOKEN environment variable/,
      );
    });
  });
});
