/**
 * What the lab reads back from a world: the server's read API through the Unix-socket bridge (dc-aux.ts;
 * no route into the namespaces is needed) with an admin API key, and the webhook messages the receiver
 * wrote as JSON lines. Shapes are typed loosely (only the fields the lab looks at), so the engines can add
 * fields without breaking it.
 */
import { request } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';

export interface LabIncident {
  id: number;
  scope: 'local' | 'central';
  cause: string;
  severity: string;
  service: string | null;
  commune: string | null;
  target: string | null;
  layer: string | null;
  startedAt: number;
  endedAt: number | null;
  flapping: boolean;
  mergedInto: number | null;
  superseded: boolean;
  corrected: boolean;
  deletedAt: number | null;
  statusNote: string | null;
  figures?: Record<string, unknown> | null;
  communes: Array<{ commune: string; startedAt: number; endedAt: number | null }>;
}

export interface LabResult {
  id: string;
  target: string;
  commune: string;
  ts: number;
  ok: boolean;
  layer?: string;
  role?: string;
  service: string;
  icmp?: { lossRatio: number; sent: number };
  latencyMs?: number;
}

export interface AlertItemView {
  id: number;
  cause: string;
  service: string | null;
  severity: string;
  layer: string | null;
  startedAt: number;
  endedAt: number | null;
  flapping: boolean;
  communes: Array<{ code: string; startedAt: number; endedAt: number | null }>;
}

export interface LabMessage {
  receivedAt: number;
  signatureOk: boolean;
  kind: string;
  generatedAt: number;
  groupKey: string;
  firing: AlertItemView[];
  resolved: AlertItemView[];
  /** Incidents already over when first told (the alert engine's `confirmed` kind). */
  confirmed: AlertItemView[];
  subject: string;
  text: string;
}

export interface UptimeRowView {
  commune: string;
  service: string;
  networkDownMs: number;
  serviceDownMs: number;
  observedMs: number;
}

/** Counts towards uptime: not deleted, superseded or merged into a central incident. */
export const countsTowardsUptime = (i: LabIncident) => i.deletedAt === null && !i.superseded && i.mergedInto === null;

/** The communes an incident concerns (a local incident's own, a central incident's list). */
export const communesOf = (i: LabIncident): string[] => (i.commune ? [i.commune] : i.communes.map((c) => c.commune));

export class LabApi {
  constructor(
    private readonly socketPath: string,
    private readonly key: string,
  ) {}

  get<T>(path: string, timeoutMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          path,
          headers: { authorization: `Bearer ${this.key}`, host: 'lab' },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) reject(new Error(`GET ${path}: ${res.statusCode} ${body.slice(0, 300)}`));
            else resolve(JSON.parse(body) as T);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  /** True when the server answers /readyz (false while it is down or starting). */
  async ready(): Promise<boolean> {
    try {
      await this.get('/readyz', 2000);
      return true;
    } catch {
      return false;
    }
  }

  async incidents(from: number): Promise<LabIncident[]> {
    return (await this.get<{ incidents: LabIncident[] }>(`/api/v1/incidents?from=${from}&limit=5000&deleted=true`))
      .incidents;
  }

  async results(q: {
    commune: string;
    target?: string;
    from: number;
    to?: number;
    limit?: number;
  }): Promise<LabResult[]> {
    const params = new URLSearchParams({ commune: q.commune, from: String(q.from), limit: String(q.limit ?? 2000) });
    if (q.target) params.set('target', q.target);
    if (q.to) params.set('to', String(q.to));
    return (await this.get<{ results: LabResult[] }>(`/api/v1/results?${params}`)).results;
  }

  async uptime(q: { commune: string; from: number; to: number }): Promise<UptimeRowView[]> {
    return (await this.get<{ rows: UptimeRowView[] }>(`/api/v1/uptime?commune=${q.commune}&from=${q.from}&to=${q.to}`))
      .rows;
  }
}

/** Every webhook message received so far, in arrival order. */
export function readMessages(file: string): LabMessage[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const line = JSON.parse(l) as { receivedAt: number; signatureOk: boolean; body: Record<string, unknown> };
      const b = line.body as {
        kind?: string;
        generatedAt?: number;
        groupKey?: string;
        firing?: AlertItemView[];
        resolved?: AlertItemView[];
        confirmed?: AlertItemView[];
        message?: { subject?: string; text?: string };
      };
      return {
        receivedAt: line.receivedAt,
        signatureOk: line.signatureOk,
        kind: b.kind ?? '?',
        generatedAt: b.generatedAt ?? line.receivedAt,
        groupKey: b.groupKey ?? '',
        firing: b.firing ?? [],
        resolved: b.resolved ?? [],
        confirmed: b.confirmed ?? [],
        subject: b.message?.subject ?? '',
        text: b.message?.text ?? '',
      };
    });
}

/** The communes a message is about (all its items). */
export const messageCommunes = (m: LabMessage): string[] => [
  ...new Set([...m.firing, ...m.resolved, ...m.confirmed].flatMap((a) => a.communes.map((c) => c.code))),
];
