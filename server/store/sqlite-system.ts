/**
 * Storage of commune PC health samples and equipment inventories (tables from migration 003). Inserts run
 * inside the ingest transaction of their batch and are deduplicated on the record id, like results.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { AgentHealth, AgentInventory, HealthToStore, InventoryToStore, InventoryFilter } from './store.js';

export function createSystemStore(db: BetterSqlite3.Database) {
  const insertHealth =
    db.prepare(`INSERT INTO health_samples (record_id, agent_id, commune, seq, ts, agent_ts, received_at,
      cpu_load_pct, mem_total_bytes, mem_available_bytes, uptime_sec, clock_offset_ms, min_disk_free_ratio, doc)
    VALUES (@id, @agentId, @commune, @seq, @ts, @agentTs, @receivedAt, @cpu, @memTotal, @memAvailable, @uptime, @clockOffset,
      @minDiskFree, @doc) ON CONFLICT DO NOTHING`);
  const insertInventory =
    db.prepare(`INSERT INTO inventory_docs (record_id, agent_id, commune, seq, ts, agent_ts, received_at,
      hostname, model, os, mem_total_bytes, smartcard_readers, signing_tokens, scanners, printers, doc)
    VALUES (@id, @agentId, @commune, @seq, @ts, @agentTs, @receivedAt, @hostname, @model, @os, @memTotal, @smartcardReaders,
      @signingTokens, @scanners, @printers, @doc) ON CONFLICT DO NOTHING`);
  const latestHealth =
    db.prepare(`SELECT a.id AS agentId, a.commune, a.name AS agent, h.doc, h.ts, h.received_at AS receivedAt
    FROM agents a JOIN health_samples h ON h.record_id =
      (SELECT record_id FROM health_samples WHERE agent_id = a.id ORDER BY ts DESC, record_id DESC LIMIT 1)
    WHERE a.revoked_at IS NULL ORDER BY a.commune, a.name`);
  const inventorySql = (
    f: InventoryFilter,
  ) => `SELECT i.agent_id AS agentId, i.commune, a.name AS agent, i.doc, i.ts, i.received_at AS receivedAt
    FROM latest_inventory i JOIN agents a ON a.id = i.agent_id
    WHERE a.revoked_at IS NULL
      ${f.lacks ? `AND i.${LACKS_COLUMN[f.lacks]} = 0` : ''}
      ${f.maxMemBytes !== undefined ? 'AND i.mem_total_bytes < @maxMemBytes' : ''}
      ${f.commune !== undefined ? 'AND i.commune = @commune' : ''}
    ORDER BY i.commune, a.name`;

  return {
    /** Inserts the records not seen before; returns those that were new. */
    insert(
      agentId: number,
      commune: string,
      receivedAt: number,
      health: HealthToStore[],
      inventory: InventoryToStore[],
    ) {
      const storedHealth = health.filter(
        (h) =>
          insertHealth.run({
            id: h.id,
            agentId,
            commune,
            seq: h.seq,
            ts: h.ts,
            agentTs: h.agentTs,
            receivedAt,
            cpu: h.cpuLoadPct ?? null,
            memTotal: h.memTotalBytes ?? null,
            memAvailable: h.memAvailableBytes ?? null,
            uptime: h.uptimeSec,
            clockOffset: h.clockOffsetMs ?? null,
            minDiskFree: minDiskFreeRatio(h),
            doc: JSON.stringify(h),
          }).changes > 0,
      );
      const storedInventory = inventory.filter(
        (i) =>
          insertInventory.run({
            id: i.id,
            agentId,
            commune,
            seq: i.seq,
            ts: i.ts,
            agentTs: i.agentTs,
            receivedAt,
            hostname: i.hostname,
            model: i.system ? `${i.system.manufacturer} ${i.system.model}`.trim() : null,
            os: i.os ? `${i.os.distro} ${i.os.release}`.trim() : null,
            memTotal: i.memTotalBytes ?? null,
            smartcardReaders: i.counts.smartcardReaders,
            signingTokens: i.counts.signingTokens ?? null,
            scanners: i.counts.scanners,
            printers: i.counts.printers,
            doc: JSON.stringify(i),
          }).changes > 0,
      );
      return { storedHealth, storedInventory };
    },
    latestHealth(): AgentHealth[] {
      return (latestHealth.all() as RawRow[]).map((r) => ({
        ...fromRow(r),
        sample: JSON.parse(r.doc) as AgentHealth['sample'],
      }));
    },
    latestInventory(filter: InventoryFilter = {}): AgentInventory[] {
      const params: Record<string, unknown> = {};
      if (filter.maxMemBytes !== undefined) params.maxMemBytes = filter.maxMemBytes;
      if (filter.commune !== undefined) params.commune = filter.commune;
      return (db.prepare(inventorySql(filter)).all(params) as RawRow[]).map((r) => ({
        ...fromRow(r),
        doc: JSON.parse(r.doc) as AgentInventory['doc'],
      }));
    },
  };
}

const LACKS_COLUMN = { 'smartcard-reader': 'smartcard_readers', scanner: 'scanners', printer: 'printers' } as const;

interface RawRow {
  agentId: number;
  commune: string;
  agent: string;
  doc: string;
  ts: number;
  receivedAt: number;
}

function fromRow(r: RawRow) {
  return { agentId: r.agentId, commune: r.commune, agent: r.agent, ts: r.ts, receivedAt: r.receivedAt };
}

function minDiskFreeRatio(h: HealthToStore): number | null {
  const ratios = h.disks.filter((d) => d.sizeBytes > 0).map((d) => d.freeBytes / d.sizeBytes);
  return ratios.length === 0 ? null : Math.min(...ratios);
}
