/**
 * The app with two webhook receivers ('first', 'second') on a local HTTP recorder, an injected clock and no
 * timers, for the alert story tests: what each receiver got, in order, with each incident's part in it.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { buildApp, type App } from '../../../server/app.js';
import { ServerConfigSchema, type ServerConfig } from '../../../server/config.js';
import { openSqliteStore } from '../../../server/store/sqlite-store.js';
import type { Store } from '../../../server/store/store.js';
import type { AlertConfig } from '../../../server/alerts/alert-config.js';
import type { AlertItem, NotificationPayload } from '../../../server/alerts/message.js';
import type { NewIncident } from '../../../server/store/incident-store.js';
import { startRecorder, type Recorder } from '../../helpers/recorder.js';
import { IngestDriver } from '../../helpers/ingest-driver.js';
import { tempDir } from '../../helpers/temp-dir.js';

export const T0 = Date.parse('2026-11-24T01:00:00Z'); // Tuesday 08:00 in Vietnam: office hours
export const COMMUNES = ['10001', '10002', '10003', '10004', '10005'];

export type Message = NotificationPayload & { message: { subject: string; text: string } };

export interface Harness {
  store: Store;
  built: App;
  driver: IngestDriver;
  time: { now: number };
  hooks: Recorder;
  admin: string;
  /** What the background timer does, at `at` (or the current time). */
  tick(at?: number): Promise<void>;
  /** Webhook bodies a receiver got, in order. */
  got(receiver?: 'first' | 'second'): Message[];
  /** An incident in a precise shape, announced to alerting as the engine would. */
  incident(input: Omit<NewIncident, 'now'>, communes?: string[]): number;
  update(id: number, patch: Parameters<Store['incidents']['update']>[1]): void;
  close(): Promise<void>;
}

export async function alertHarness(
  route: Partial<NonNullable<AlertConfig['route']>> = {},
  incidents: Partial<ServerConfig['incidents']> = {},
): Promise<Harness> {
  const dir = tempDir();
  const hooks = await startRecorder();
  const store = openSqliteStore({ file: join(dir.path, `${randomUUID()}.db`) });
  const config = Value.Default(ServerConfigSchema, {}) as ServerConfig;
  config.incidents = { ...config.incidents, ...incidents };
  config.alerts = {
    ...config.alerts,
    baseUrl: 'https://giamsat.example.gov.vn',
    receivers: [
      { name: 'first', webhook: [{ url: `${hooks.url}/first`, timeoutMs: 5000 }] },
      { name: 'second', webhook: [{ url: `${hooks.url}/second`, timeoutMs: 5000 }] },
    ],
    route: { receiver: 'first', groupWaitSec: 30, groupIntervalSec: 60, repeatIntervalSec: 3600, ...route },
    delivery: { minBackoffSec: 10, maxBackoffSec: 60, maxAttempts: 5, tickSec: 5 },
  };
  const time = { now: T0 };
  const built = await buildApp({ store, config, now: () => time.now, timers: false });
  const driver = new IngestDriver(built, store, COMMUNES, time);
  return {
    store,
    built,
    driver,
    time,
    hooks,
    admin: store.apiTokens.create({ name: 'it', role: 'admin', now: T0 }).token,
    async tick(at) {
      if (at !== undefined) time.now = at;
      store.transaction(() => built.alerting.tick());
      await built.alerting.deliver();
    },
    got: (receiver = 'first') =>
      hooks.requests.filter((r) => r.url === `/${receiver}`).map((r) => JSON.parse(r.body) as Message),
    incident(input, communes) {
      return store.transaction(() => {
        const id = store.incidents.create({ ...input, now: time.now });
        for (const c of communes ?? [])
          store.incidents.setCommune(id, { commune: c, startedAt: input.startedAt, endedAt: input.endedAt ?? null });
        built.alerting.onIncident(id);
        return id;
      });
    },
    update(id, patch) {
      store.transaction(() => {
        store.incidents.update(id, patch, time.now);
        built.alerting.onIncident(id);
      });
    },
    async close() {
      await built.app.close();
      store.close();
      await hooks.close();
      dir.remove();
    },
  };
}

/** Per incident, the parts it had in the messages, in order: 'firing', 'ongoing', 'resolved', 'confirmed'. */
export function stories(messages: readonly Message[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const add = (a: AlertItem) => out.set(a.id, [...(out.get(a.id) ?? []), a.change]);
  for (const m of messages) [...m.firing, ...m.resolved, ...(m.confirmed ?? [])].forEach(add);
  return out;
}

/** FIRING (+ still failing in updates and reminders) then exactly one RESOLVED; or exactly one CONFIRMED. */
export function wellTold(story: readonly string[]): boolean {
  return /^(firing( ongoing)* resolved|confirmed)$/.test(story.join(' '));
}
