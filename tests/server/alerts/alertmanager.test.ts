/**
 * Alertmanager as a receiver: Debian's real prometheus-alertmanager, started by the test on a free port.
 * An incident detected from ingested results must appear in its v2 API with our labels, and be resolved
 * there when the incident ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { buildApp, type App } from '../../../server/app.js';
import { ServerConfigSchema, type ServerConfig } from '../../../server/config.js';
import { openSqliteStore } from '../../../server/store/sqlite-store.js';
import type { Store } from '../../../server/store/store.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { unusedPort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait.js';
import { IngestDriver, MIN } from '../../helpers/ingest-driver.js';

const BIN = 'prometheus-alertmanager';

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

describe('Alertmanager receiver (real prometheus-alertmanager)', () => {
  const dir = tempDir();
  let am: ChildProcess;
  let amUrl: string;
  let store: Store;
  let built: App;
  const time = { now: Math.floor(Date.now() / MIN) * MIN - 30 * MIN };

  beforeAll(async () => {
    if (spawnSync(BIN, ['--version']).status !== 0)
      throw new Error(`${BIN} not found: apt-get install prometheus-alertmanager (.ci/run does)`);
    const port = await unusedPort();
    amUrl = `http://127.0.0.1:${port}`;
    const config = join(dir.path, 'alertmanager.yml');
    writeFileSync(config, 'route:\n  receiver: blackhole\n  group_wait: 1s\nreceivers:\n  - name: blackhole\n');
    am = spawn(
      BIN,
      [
        `--config.file=${config}`,
        `--storage.path=${join(dir.path, 'am-data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(
      'alertmanager ready',
      async () => (await fetch(`${amUrl}/-/ready`).catch(() => undefined))?.ok === true,
      (ok) => ok,
      { timeoutMs: 20_000 },
    );

    store = openSqliteStore({ file: join(dir.path, `${randomUUID()}.db`) });
    const cfg = Value.Default(ServerConfigSchema, {}) as ServerConfig;
    cfg.alerts = {
      ...cfg.alerts,
      baseUrl: 'https://giamsat.example.gov.vn',
      receivers: [{ name: 'am', alertmanager: [{ url: amUrl }] }],
      route: { receiver: 'am', groupWaitSec: 0 },
    };
    built = await buildApp({ store, config: cfg, now: () => time.now, timers: false });
  }, 30_000);

  afterAll(async () => {
    await built?.app.close();
    store?.close();
    if (am && am.exitCode === null) {
      am.kill('SIGTERM');
      await once(am, 'exit');
    }
    dir.remove();
  });

  const active = async (): Promise<AmAlert[]> =>
    (await (await fetch(`${amUrl}/api/v2/alerts?active=true&silenced=true&inhibited=true`)).json()) as AmAlert[];

  async function tick() {
    store.transaction(() => built.alerting.tick());
    await built.alerting.deliver();
  }

  it('shows the incident with our labels, then resolves it', async () => {
    const driver = new IngestDriver(built, store, ['26734'], time);
    const start = time.now;
    await driver.rounds('26734', 'hotich', start, 3, false, { service: 'civil-status', layer: 'tls' });
    await tick();
    expect(store.alerts.listNotifications({ limit: 10 })).toMatchObject([{ channel: 'alertmanager', status: 'sent' }]);
    const [incident] = store.incidents.list({ limit: 1 });
    const alerts = await waitFor('the alert in Alertmanager', active, (a) => a.length === 1, { timeoutMs: 10_000 });
    expect(alerts[0]!.labels).toEqual({
      alertname: 'CommuneWatchIncident',
      incident_id: String(incident!.id),
      cause: 'local-service',
      severity: 'critical',
      scope: 'local',
      service: 'civil-status',
      commune: '26734',
      layer: 'tls',
    });
    expect(alerts[0]!.annotations).toMatchObject({
      summary: 'Phần mềm hộ tịch lỗi khi truy cập từ xã',
      url: `https://giamsat.example.gov.vn/incidents/${incident!.id}`,
    });
    expect(Date.parse(alerts[0]!.startsAt)).toBe(start);
    expect(alerts[0]!.status.state).toBe('active');

    await driver.rounds('26734', 'hotich', start + 5 * MIN, 2, true, { service: 'civil-status' });
    time.now += 10 * MIN; // past groupInterval (5 min)
    await tick();
    expect(store.alerts.listNotifications({ limit: 10 }).map((n) => [n.kind, n.status])).toEqual([
      ['resolved', 'sent'],
      ['firing', 'sent'],
    ]);
    await waitFor('the alert resolved in Alertmanager', active, (a) => a.length === 0, { timeoutMs: 10_000 });
  });

  it(
    'a local incident merged into a central one is resolved there (not left active for 24 h); a ' +
      'confirmed one is posted once, already resolved',
    async () => {
      const communes = ['20001', '20002', '20003', '20004', '20005'];
      const driver = new IngestDriver(built, store, communes, time);
      // Alertmanager judges ends against its real clock: keep the injected one well behind it.
      time.now = Math.floor(Date.now() / MIN) * MIN - 60 * MIN;
      const start = time.now;
      for (const c of communes) await driver.rounds(c, 'motcua', start, 1, true);
      await driver.rounds('20002', 'motcua', start + MIN, 3, false, { layer: 'service' });
      await tick();
      const local = store.incidents.list({ commune: '20002', cause: 'local-service', limit: 1 })[0]!;
      await waitFor('the local alert', active, (a) => a.some((x) => x.labels.incident_id === String(local.id)), {
        timeoutMs: 10_000,
      });
      for (let k = 4; k <= 6; k++)
        for (const c of ['20002', '20003'])
          await driver.rounds(c, 'motcua', start + k * MIN, 1, false, { layer: 'service' });
      time.now += 30_000;
      await tick();
      const central = store.incidents.list({ cause: 'central-service', limit: 1 })[0]!;
      expect(central.communes.map((c) => c.commune)).toEqual(['20002', '20003']);
      const after = await waitFor(
        'only the central alert',
        active,
        (a) => a.length === 1 && a[0]!.labels.incident_id === String(central.id),
        { timeoutMs: 10_000 },
      );
      expect(after[0]!.labels).toMatchObject({ cause: 'central-service', severity: 'critical' });
      for (const c of ['20002', '20003']) await driver.rounds(c, 'motcua', time.now + MIN, 2, true);
      time.now += 10 * MIN;
      await tick();
      await waitFor('nothing active', active, (a) => a.length === 0, { timeoutMs: 10_000 });

      // Over before it was told: one post, both times in the past, so Alertmanager records it resolved.
      await driver.rounds('20004', 'hotich', time.now, 3, false, { service: 'civil-status', layer: 'tls' });
      await driver.rounds('20004', 'hotich', time.now + 5_000, 2, true, { service: 'civil-status' });
      await tick();
      const confirmed = store.alerts.listNotifications({ limit: 1 })[0]!;
      expect([confirmed.kind, confirmed.status]).toEqual(['confirmed', 'sent']);
      expect(await active()).toEqual([]);
    },
  );
});
