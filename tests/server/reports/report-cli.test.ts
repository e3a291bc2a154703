/**
 * `communewatch report monthly` as its command module runs it: a server config file and data directory, a
 * database seeded through the store, output and clock injected, a real SMTP server for the sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, type CommanderError } from 'commander';
import { openSqliteStore } from '../../../server/store/sqlite-store.js';
import { databaseFile } from '../../../server/main.js';
import { createAgentToken } from '../../../server/auth/agent-tokens.js';
import { recordIncident } from '../../../server/outages/manual-incidents.js';
import { createReportLog } from '../../../server/store/sqlite-report-log.js';
import { reportCommand, runReportMonthly, type ReportIo } from '../../../cli/report-cmd.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { vn } from './fixture.js';

describe('communewatch report monthly', () => {
  const dir = tempDir('cw-report-cli-');
  const data = join(dir.path, 'data');
  const config = join(dir.path, 'server.yaml');
  let smtp: TestSmtp;
  let printed: string;
  const io: ReportIo = { out: { write: (text: string) => (printed += text) }, now: () => vn('2026-11-25T09:00') };
  const run = (flags: Parameters<typeof runReportMonthly>[0]) => {
    printed = '';
    return runReportMonthly({ config, ...flags }, io);
  };

  beforeAll(async () => {
    smtp = await startSmtp();
    mkdirSync(data);
    writeFileSync(
      join(dir.path, 'units.yaml'),
      'provinces:\n  - { code: "15", name: Lào Cai, communes: [{ code: "26734", name: Xã Bảo Hà }] }\n',
    );
    writeFileSync(
      config,
      [
        'dataDir: data',
        'units: units.yaml',
        'alerts:',
        `  smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false, requireTls: false, from: "CommuneWatch <giamsat@laocai.gov.vn>" }`,
        '',
      ].join('\n'),
    );
    // Xã Bảo Hà probes the civil-status software from 1 October; it was down 15 Oct 13:00–17:00 (4 of 176 working hours).
    const store = openSqliteStore({ file: databaseFile(data) });
    const agent = createAgentToken(store, { commune: '26734', name: 'ubnd-bao-ha', now: vn('2026-10-01T07:00') });
    const ts = vn('2026-10-01T07:00');
    store.ingestBatch({
      agentId: agent.agent.id,
      commune: '26734',
      batchId: randomUUID(),
      receivedAt: ts,
      skewMs: 0,
      results: [
        {
          id: randomUUID(),
          seq: 1,
          ts,
          agentTs: ts,
          target: 'hotich',
          kind: 'http',
          service: 'civil-status',
          ok: true,
          durationMs: 90,
          latencyMs: 90,
        },
      ],
    });
    recordIncident(
      store,
      {
        cause: 'local-service',
        service: 'civil-status',
        communes: ['26734'],
        startedAt: vn('2026-10-15T13:00'),
        endedAt: vn('2026-10-15T17:00'),
        note: 'sổ trực',
      },
      'test',
      vn('2026-11-02T08:00'),
    );
    store.close();
  });
  afterAll(async () => {
    await smtp.close();
    dir.remove();
  });

  it('--print writes the plain-text report of last month (or of --month)', async () => {
    await run({ print: true });
    expect(printed).toMatch(/^BÁO CÁO THÁNG 10\/2026\n/);
    expect(printed).toMatch(/Xã Bảo Hà \(26734\)\s+100 %\s+—\s+97,7 %\s+Phần mềm hộ tịch: 97,7 % \(4 giờ\)/);
    expect(printed).toContain('15/10/2026 13:00 – 15/10/2026 17:00 (4 giờ); trong giờ hành chính: 4 giờ');
    await run({ print: true, month: { year: 2026, month: 9 } });
    expect(printed).toMatch(/^BÁO CÁO THÁNG 09\/2026\n/);
    expect(smtp.mails).toHaveLength(0);
  });

  it('--to sends a test that leaves the scheduled delivery alone; without it, the configured recipients are needed', async () => {
    await run({ to: ['it@laocai.gov.vn'] });
    expect(printed).toBe(
      'Sent the report for 10/2026 to it@laocai.gov.vn: "CommuneWatch — Báo cáo tháng 10/2026".\n' +
        'A test send: the scheduled delivery to the configured recipients is unchanged.\n',
    );
    expect(smtp.mails.map((m) => m.subject)).toEqual(['CommuneWatch — Báo cáo tháng 10/2026']);
    expect(smtp.envelopes).toEqual([['it@laocai.gov.vn']]);
    const store = openSqliteStore({ file: databaseFile(data) });
    expect(createReportLog(store.db).list('monthly', 10)).toEqual([]);
    store.close();
    await expect(run({})).rejects.toThrow(
      'no recipients: set reports.monthly.recipients in the server config, or give --to',
    );
    await expect(run({ print: true, to: ['it@laocai.gov.vn'] })).rejects.toThrow('--print and --to do not go together');
    await expect(run({ print: true, month: { year: 2026, month: 12 } })).rejects.toThrow(
      '--month 12/2026 has not begun yet',
    );
  });

  it('checks --month and --to as commander parses them', async () => {
    const parse = async (...args: string[]) => {
      const program = new Command('communewatch')
        .exitOverride()
        .configureOutput({ writeErr: () => {}, writeOut: () => {} });
      reportCommand(program);
      return program.parseAsync(['report', 'monthly', ...args], { from: 'user' }).then(
        () => undefined,
        (err: CommanderError) => err.message,
      );
    };
    expect(await parse('--month', '2026-13')).toBe(
      "error: option '--month <yyyy-MM>' argument '2026-13' is invalid. use yyyy-MM, e.g. 2026-10",
    );
    expect(await parse('--to', 'it@laocai.gov.vn,lanh dao')).toBe(
      "error: option '--to <addresses>' argument 'it@laocai.gov.vn,lanh dao' is invalid. " +
        '"lanh dao" is not an e-mail address; use a@b.vn,c@d.vn',
    );
  });
});
