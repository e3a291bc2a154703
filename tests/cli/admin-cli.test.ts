/**
 * The admin commands as a user runs them (built CLI, real processes, a real database): API keys, incidents
 * recorded from the helpdesk log, and the working-time calendar.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/agent-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { openSqliteStore } from '../../server/store/sqlite-store.js';

describe('admin commands', () => {
  const dir = tempDir();
  const data = join(dir.path, 'data');
  afterAll(() => dir.remove());
  const cli = (...args: string[]) => runCli([...args, '--data', data]);

  it('api-key create prints the key once and stores only its hash; a vendor key needs its services', async () => {
    const made = await cli('api-key', 'create', '--name', 'so-khcn-it', '--role', 'admin');
    expect(made.code).toBe(0);
    expect(made.stdout.trim()).toMatch(/^cwk_[a-f0-9]{16}_[A-Za-z0-9_-]{43}$/);
    const store = openSqliteStore({ file: join(data, 'communewatch.db') });
    try {
      const row = store.db.prepare('SELECT token_hash FROM api_tokens').get() as { token_hash: string };
      expect(made.stdout).not.toContain(row.token_hash);
      expect(store.apiTokens.verify(made.stdout.trim(), Date.now())).toMatchObject({
        name: 'so-khcn-it',
        role: 'admin',
      });
    } finally {
      store.close();
    }
    const vendor = await cli('api-key', 'create', '--name', 'vnpt', '--role', 'vendor');
    expect(vendor).toMatchObject({
      code: 1,
      stderr: 'communewatch: a vendor needs --services (the service classes it owns, e.g. civil-status)\n',
    });
    const bad = await cli('api-key', 'create', '--name', 'x', '--role', 'root');
    expect(bad.stderr).toBe('communewatch: --role must be one of admin, viewer, vendor\n');
    const list = await cli('api-key', 'list');
    expect(list.stdout).toMatch(/^id\s+name\s+role/);
    expect(list.stdout).toContain('so-khcn-it');
  });

  it('incident add / list / edit / delete, in Vietnam time, with clear errors', async () => {
    const add = await cli(
      'incident',
      'add',
      '--cause',
      'commune-network',
      '--commune',
      '26734',
      '--from',
      '24/11/2026 08:15',
      '--to',
      '24/11/2026 10:40',
      '--note',
      'Mất điện, theo sổ trực',
    );
    expect(add).toMatchObject({ code: 0, stdout: 'Recorded incident 1 (commune-network, 26734).\n' });
    const central = await cli(
      'incident',
      'add',
      '--cause',
      'central-service',
      '--service',
      'civil-status',
      '--commune',
      '26734',
      '--commune',
      '26737',
      '--from',
      '2026-11-20T13:30',
      '--note',
      'VNPT báo lỗi',
    );
    expect(central.stdout).toBe('Recorded incident 2 (central-service, civil-status, 26734, 26737).\n');
    const list = await cli('incident', 'list');
    expect(list.stdout.split('\n')[1]).toMatch(
      /^2\s+central-service\s+civil-status\s+26734,26737\s+20\/11\/2026 13:30\s+open\s+manual$/,
    );
    expect(list.stdout).toMatch(/1\s+commune-network\s+-\s+26734\s+24\/11\/2026 08:15\s+24\/11\/2026 10:40\s+manual/);
    const edit = await cli(
      'incident',
      'edit',
      '--id',
      '1',
      '--to',
      '24/11/2026 11:00',
      '--reason',
      'điện có lại lúc 11h',
    );
    expect(edit.stdout).toBe('Corrected incident 1: 24/11/2026 08:15 – 24/11/2026 11:00.\n');
    expect((await cli('incident', 'delete', '--id', '2', '--reason', 'trùng')).code).toBe(0);
    expect((await cli('incident', 'list')).stdout).not.toContain('central-service');
    const badTime = await cli(
      'incident',
      'add',
      '--cause',
      'commune-network',
      '--commune',
      '26734',
      '--from',
      '31/02/2026 08:00',
      '--note',
      'x',
    );
    expect(badTime.stderr).toBe(
      'communewatch: --from "31/02/2026 08:00": use dd/MM/yyyy HH:mm (Vietnam time) or ISO 8601, e.g. "25/11/2026 08:30"\n',
    );
    const backwards = await cli(
      'incident',
      'add',
      '--cause',
      'commune-network',
      '--commune',
      '26734',
      '--from',
      '24/11/2026 10:00',
      '--to',
      '24/11/2026 09:00',
      '--note',
      'x',
    );
    expect(backwards.stderr).toBe('communewatch: endedAt must be after startedAt\n');
    expect((await cli('incident', 'edit', '--id', '99', '--to', 'open', '--reason', 'x')).stderr).toBe(
      'communewatch: no incident 99\n',
    );
  });

  it('calendar show lists the shipped year; set-day and import change it, with located errors', async () => {
    const show = await cli('calendar', 'show', '--year', '2026');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('2026-08-22  làm bù / work');
    expect(show.stdout.trim().split('\n').at(-1)).toBe('2026: 1992.0 working hours (national calendar).');
    expect(
      (await cli('calendar', 'set-day', '--date', '2026-12-31', '--kind', 'off', '--name', 'Nghỉ do bão')).code,
    ).toBe(0);
    expect((await cli('calendar', 'show', '--year', '2026')).stdout).toContain('2026: 1984.0 working hours');
    const file = join(dir.path, 'province.yaml');
    writeFileSync(
      file,
      'scope: { province: "15" }\nschedules:\n  - effectiveFrom: "2026-01-01"\n' +
        '    seasons:\n      - { from: "01-01", sessions: ["07:00-11:00"] }\n',
    );
    expect((await cli('calendar', 'import', file)).stdout).toBe(
      `Imported 0 day rules and 1 timetables for p:15 from ${file}.\n`,
    );
    const bad = join(dir.path, 'bad.yaml');
    writeFileSync(
      bad,
      'days:\n  - { date: "2026-02-30", kind: off, name: x }\n  - { date: "2026-03-01", kind: holiday, name: y }\n',
    );
    const refused = await cli('calendar', 'import', bad);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`invalid config ${bad}:`);
    expect(refused.stderr).toContain('days[1].kind (line 3)');
  });

  it('silence add / list / delete: one-off and recurring maintenance windows', async () => {
    const once = await cli(
      'silence',
      'add',
      '--kind',
      'maintenance',
      '--match',
      'commune=26734',
      '--from',
      '01/12/2099 08:00',
      '--to',
      '01/12/2099 10:00',
      '--comment',
      'VNPT nâng cấp đường truyền',
    );
    expect(once).toMatchObject({ code: 0, stdout: 'Created maintenance 1: 01/12/2099 08:00 – 01/12/2099 10:00.\n' });
    const weekly = await cli(
      'silence',
      'add',
      '--match',
      'service=e-signing',
      '--match',
      'province=15',
      '--from',
      '01/12/2099 00:00',
      '--to',
      '01/03/2100 00:00',
      '--weekdays',
      '1,2,3,4,5',
      '--between',
      '12:00-13:00',
      '--comment',
      'nghỉ trưa',
    );
    expect(weekly.code).toBe(0);
    const list = await cli('silence', 'list');
    expect(list.stdout).toMatch(/1\s+maintenance\s+commune=26734\s+01\/12\/2099 08:00\s+01\/12\/2099 10:00\s+-\s+VNPT/);
    expect(list.stdout).toMatch(/2\s+silence\s+service=e-signing province=15 .* 1,2,3,4,5 12:00-13:00\s+nghỉ trưa/);
    expect(
      (
        await cli(
          'silence',
          'add',
          '--match',
          'town=1',
          '--from',
          '01/12/2099 08:00',
          '--to',
          '01/12/2099 09:00',
          '--comment',
          'x',
        )
      ).stderr,
    ).toMatch(/--match "town=1": use label=value/);
    expect(
      (
        await cli(
          'silence',
          'add',
          '--match',
          'commune=1',
          '--from',
          '01/12/2099 08:00',
          '--to',
          '01/12/2099 07:00',
          '--comment',
          'x',
        )
      ).stderr,
    ).toBe('communewatch: endsAt must be after startsAt\n');
    expect((await cli('silence', 'delete', '--id', '1')).stdout).toBe('Deleted silence 1.\n');
    expect((await cli('silence', 'list')).stdout).not.toContain('VNPT');
  });

  it(
    'dossiers import: a report per bad cell and nothing imported, then the good rows with ' +
      '--partial; re-import changes nothing',
    async () => {
      const csv = join(dir.path, 'hoso.csv');
      writeFileSync(
        csv,
        'Mã hồ sơ,Đơn vị,Ngày tiếp nhận,Ngày hẹn trả\nH1,26734,24/11/2026 08:15,26/11/2026 17:00\nH2,26734,hôm qua,26/11/2026 17:00\n',
      );
      const refused = await cli('dossiers', 'import', csv, '--source', 'motcua');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('row 3, Ngày tiếp nhận = "hôm qua": not a date');
      expect(refused.stderr).toMatch(/import \d+ refused: 1 of 2 rows have problems; nothing was imported/);
      const partial = await cli('dossiers', 'import', csv, '--source', 'motcua', '--partial');
      expect(partial.stdout).toMatch(
        /^Import \d+: 2 rows in [\d.]+ s — 1 new, 0 updated, 0 unchanged, 1 skipped \(bad\)\.\n$/,
      );
      const again = await cli('dossiers', 'import', csv, '--source', 'motcua', '--partial');
      expect(again.stdout).toMatch(/0 new, 0 updated, 1 unchanged/);
      const mapping = join(dir.path, 'mapping.yaml');
      writeFileSync(mapping, 'Số biên nhận: code\nXã: commune\nNhận lúc: receivedAt\nHẹn trả: dueAt\n');
      const custom = join(dir.path, 'custom.csv');
      writeFileSync(custom, 'Số biên nhận,Xã,Nhận lúc,Hẹn trả\nB1,26734,24/11/2026 08:15,26/11/2026 17:00\n');
      expect((await cli('dossiers', 'import', custom, '--source', 'motcua', '--mapping', mapping)).stdout).toMatch(
        /1 new/,
      );
      expect((await cli('dossiers', 'import', join(dir.path, 'x.pdf'), '--source', 'motcua')).stderr).toBe(
        `communewatch: ${join(dir.path, 'x.pdf')}: give a .csv or .xlsx file\n`,
      );
    },
  );
});
