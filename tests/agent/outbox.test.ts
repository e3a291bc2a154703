/** The agent outbox on real SQLite files: durability, stable batches, bounds and the drop counter. */
import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Outbox, type UnsequencedResult } from '../../agent/outbox.js';
import { tempDir } from '../helpers/temp-dir.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-25T01:00:00Z');

function result(ts = T0): UnsequencedResult {
  return {
    id: randomUUID(),
    ts,
    target: 'gw',
    kind: 'icmp',
    service: 'network',
    ok: true,
    durationMs: 1,
    icmp: { sent: 1, received: 1, lossRatio: 0 },
  };
}

describe('Outbox', () => {
  const open: Outbox[] = [];
  const dirs: Array<{ remove: () => void }> = [];
  afterEach(() => {
    for (const o of open.splice(0)) o.close();
    for (const d of dirs.splice(0)) d.remove();
  });
  function make(opts: { maxRows?: number; maxAgeDays?: number; now?: () => number; file?: string } = {}) {
    let file = opts.file;
    if (!file) {
      const d = tempDir();
      dirs.push(d);
      file = join(d.path, 'sub', 'outbox.db');
    }
    const o = new Outbox({
      file,
      maxRows: opts.maxRows ?? 1000,
      maxAgeDays: opts.maxAgeDays ?? 30,
      now: opts.now ?? (() => T0),
    });
    open.push(o);
    return { o, file };
  }

  it('numbers results 1, 2, 3… and never reuses a number after deletes or a restart', () => {
    const { o, file } = make();
    expect([o.append(result()).seq, o.append(result()).seq]).toEqual([1, 2]);
    const b = o.nextBatch(10)!;
    o.acknowledge(b.batchId);
    o.close();
    const { o: reopened } = make({ file });
    expect(reopened.append(result()).seq).toBe(3);
    expect(reopened.stats()).toMatchObject({ pending: 1, lastSeq: 3 });
  });

  it('returns the same batch, same id and rows, until it is acknowledged — across a restart', () => {
    const { o, file } = make();
    for (let i = 0; i < 5; i++) o.append(result(T0 + i));
    const first = o.nextBatch(3)!;
    expect(first.results.map((r) => r.seq)).toEqual([1, 2, 3]);
    o.append(result());
    expect(o.nextBatch(3)).toEqual(first);
    o.close();
    const { o: reopened } = make({ file });
    expect(reopened.nextBatch(100)).toEqual(first);
    expect(reopened.acknowledge(first.batchId)).toBe(3);
    const second = reopened.nextBatch(100)!;
    expect(second.batchId).not.toBe(first.batchId);
    expect(second.results.map((r) => r.seq)).toEqual([4, 5, 6]);
    reopened.acknowledge(second.batchId);
    expect(reopened.nextBatch(100)).toBeUndefined();
  });

  it('keeps the full result body, including details and errors', () => {
    const { o } = make();
    const r = { ...result(), ok: false, error: { code: 'CW_ERR_PROBE_TIMEOUT', message: 'no reply in 1000 ms' } };
    o.append(r);
    expect(o.nextBatch(1)!.results[0]).toEqual({ ...r, seq: 1 });
  });

  it('release() lets rows be re-batched smaller (after a 413)', () => {
    const { o } = make();
    for (let i = 0; i < 4; i++) o.append(result());
    const big = o.nextBatch(4)!;
    o.release(big.batchId);
    const small = o.nextBatch(2)!;
    expect(small.results.map((r) => r.seq)).toEqual([1, 2]);
  });

  it('dead-letters a batch without losing its rows', () => {
    const { o } = make();
    o.append(result());
    o.append(result());
    const b = o.nextBatch(1)!;
    o.deadLetter(b.batchId, 'HTTP 400: body/results/0/ts must be integer');
    expect(o.stats()).toMatchObject({ pending: 1, deadLettered: 1 });
    expect(o.nextBatch(10)!.results.map((r) => r.seq)).toEqual([2]);
  });

  it('drops the oldest rows beyond maxRows and counts them', () => {
    const { o } = make({ maxRows: 100 });
    for (let i = 0; i < 130; i++) o.append(result(T0 + i));
    const s = o.stats();
    expect(s).toMatchObject({ pending: 100, droppedTotal: 30, lastSeq: 130 });
    expect(o.nextBatch(1)!.results[0]!.seq).toBe(31);
  });

  it('drops rows older than maxAgeDays and counts them', () => {
    let now = T0;
    const { o } = make({ maxAgeDays: 2, now: () => now });
    o.append(result(T0));
    o.append(result(T0 + DAY));
    now = T0 + 2 * DAY + 1; // the first is now past two days
    o.append(result(now));
    expect(o.stats()).toMatchObject({ pending: 2, droppedTotal: 1, oldestTs: T0 + DAY });
  });

  it('names the file when it cannot be opened', () => {
    const d = tempDir();
    dirs.push(d);
    const notADir = join(d.path, 'plain-file');
    writeFileSync(notADir, '');
    const file = join(notADir, 'outbox.db');
    expect(() => new Outbox({ file, maxRows: 10, maxAgeDays: 1 })).toThrow(`cannot open agent outbox ${file}`);
  });
});
