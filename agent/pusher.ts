/**
 * Drains the outbox to the server: one batch at a time, gzip, bearer token, and deletion only after the
 * server's acknowledgement. Modelled on sentry-javascript's offline transport: capped backoff with
 * jitter, Retry-After honoured, a failed batch stays at the head and is retried unchanged.
 *
 * Reply handling:
 * - 200: acknowledged (stored now, or a replay of a batch stored before) → delete it.
 * - 413: too big → release the rows, halve the batch size, retry at once.
 * - 400: the server will never take this batch → park it in the dead-letter table (kept, counted, logged),
 *   so one bad result cannot block days of good ones.
 * - 401/403: token or commune problem → keep everything, retry at the maximum backoff, log loudly.
 * - 429/503 and other failures: keep, back off (Retry-After when given).
 */
import { gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import { WIRE_VERSION, type AgentStatus, type IngestAck, type IngestBatch } from '../protocol/wire.js';
import type { Outbox } from './outbox.js';
import { backoffDelayMs, parseRetryAfterMs } from './backoff.js';
import { serverRequest, type ServerResponse } from './server-client.js';

/** An ack is a few hundred bytes; an error page from a proxy may be more, and only its start is logged. */
const MAX_ANSWER_BYTES = 1024 * 1024;

export interface PusherOptions {
  outbox: Outbox;
  serverUrl: string;
  token: string;
  commune: string;
  batchSize: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** How often to look at an empty outbox when nobody calls notify(). */
  idleMs: number;
  /**
   * After new results arrive, wait this long for more before sending, so the results of one round (path
   * hops and services finishing within moments) travel in one batch: one request and one commit instead
   * of one per result. 0 sends at once.
   */
  lingerMs?: number;
  requestTimeoutMs: number;
  log: Logger;
  agentStatus: () => AgentStatus;
  now?: () => number;
  random?: () => number;
  /** Warn when the server clock differs from ours by more than this. */
  skewWarnMs?: number;
}

export type PushOutcome =
  | { kind: 'empty' }
  | { kind: 'acked'; batchId: string; count: number; ack: IngestAck }
  | { kind: 'retry'; batchId: string; delayMs: number; reason: string }
  | { kind: 'split'; batchId: string; newBatchSize: number }
  | { kind: 'dead-lettered'; batchId: string; reason: string };

export class Pusher {
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private batchSize: number;
  private inFlight: AbortController | undefined;
  private readonly now: () => number;
  private readonly random: () => number;
  /** Relative to the configured URL, so a server behind a proxy sub-path (https://host/communewatch/) works. */
  private readonly ingestUrl: URL;
  private acksSinceSplit = 0;
  private lastAckAt: number | null = null;
  private lastSkewMs: number | null = null;
  private lastError: string | null = null;
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: PusherOptions) {
    this.batchSize = opts.batchSize;
    this.ingestUrl = new URL('api/v1/ingest', opts.serverUrl.endsWith('/') ? opts.serverUrl : `${opts.serverUrl}/`);
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** For the status page: when the server last acknowledged, and the last failure if pushing is failing. */
  status(): { lastAckAt: number | null; skewMs: number | null; failing: boolean; lastError: string | null } {
    return {
      lastAckAt: this.lastAckAt,
      skewMs: this.lastSkewMs,
      failing: this.failures > 0,
      lastError: this.failures > 0 ? this.lastError : null,
    };
  }

  /** New results are in the outbox: stop idling. */
  notify(): void {
    if (this.failures > 0 || this.lingerTimer) return;
    const linger = this.opts.lingerMs ?? 0;
    if (linger <= 0) return this.interruptSleep();
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      this.interruptSleep();
    }, linger);
  }

  /**
   * Stops after the current request; queued results stay in the outbox. A request in flight gets `graceMs` to be
   * answered before it is aborted: the server may already have stored its batch, and an acknowledgement heard
   * here spares a re-send (answered as a replay) after the restart, and leaves the outbox and the server never
   * both holding a result after a clean stop.
   */
  async stop(graceMs = 2000): Promise<void> {
    this.running = false;
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.interruptSleep();
    if (this.inFlight && graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([this.loopDone, grace]);
      clearTimeout(timer);
    }
    this.inFlight?.abort();
    await this.loopDone;
  }

  /** Sends at most one batch. Exposed for tests. */
  async pushOnce(): Promise<PushOutcome> {
    const batch = this.opts.outbox.nextBatch(this.batchSize);
    if (!batch) return { kind: 'empty' };
    const body: IngestBatch = {
      v: WIRE_VERSION,
      batchId: batch.batchId,
      commune: this.opts.commune,
      sentAt: this.now(),
      agent: this.opts.agentStatus(),
      results: batch.results,
      ...(batch.health.length > 0 && { health: batch.health }),
      ...(batch.inventory.length > 0 && { inventory: batch.inventory }),
    };
    const count = batch.results.length + batch.health.length + batch.inventory.length;
    let res: ServerResponse;
    this.inFlight = new AbortController();
    try {
      res = await serverRequest({
        method: 'POST',
        url: this.ingestUrl,
        headers: {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          authorization: `Bearer ${this.opts.token}`,
        },
        body: gzipSync(JSON.stringify(body)),
        timeoutMs: this.opts.requestTimeoutMs,
        maxResponseBytes: MAX_ANSWER_BYTES,
        signal: this.inFlight.signal,
      });
    } catch (err) {
      return this.retry(batch.batchId, `network: ${(err as Error).message}`);
    } finally {
      this.inFlight = undefined;
    }
    const text = res.body ?? '';
    if (res.status === 200) return this.acked(batch.batchId, count, text);
    const detail = `HTTP ${res.status}: ${serverMessage(text)}`;
    if (res.status === 413) return this.split(batch.batchId, detail);
    if (res.status === 400) {
      this.opts.outbox.deadLetter(batch.batchId, detail);
      this.opts.log.error(
        { batchId: batch.batchId, count, reason: detail },
        'server rejected batch; kept in dead-letter table',
      );
      return { kind: 'dead-lettered', batchId: batch.batchId, reason: detail };
    }
    if (res.status === 401 || res.status === 403) {
      this.opts.log.error(
        { status: res.status, reason: detail },
        'server refused the agent token; results are kept until it is fixed',
      );
      this.failures = Math.max(this.failures, 30);
    }
    return this.retry(batch.batchId, detail, parseRetryAfterMs(res.headers['retry-after'], this.now()));
  }

  private acked(batchId: string, count: number, text: string): PushOutcome {
    const ack = parseAck(text);
    // A 200 that is not our ack comes from something in between (a captive portal, a misrouted proxy):
    // the batch was not stored, so it stays and is retried.
    if (!ack) return this.retry(batchId, `HTTP 200 without an acknowledgement: ${text.slice(0, 200)}`);
    this.opts.outbox.acknowledge(batchId);
    this.failures = 0;
    this.lastAckAt = this.now();
    this.lastSkewMs = ack.skewMs;
    // After a 413 split, grow back towards the configured size once smaller batches go through, in case
    // the limit was temporary (a proxy being reconfigured) rather than the server's.
    if (this.batchSize < this.opts.batchSize && ++this.acksSinceSplit >= 10) {
      this.batchSize = Math.min(this.opts.batchSize, this.batchSize * 2);
      this.acksSinceSplit = 0;
    }
    const skewWarnMs = this.opts.skewWarnMs ?? 60_000;
    if (Math.abs(ack.skewMs) > skewWarnMs) {
      this.opts.log.warn(
        { skewMs: ack.skewMs, serverTime: ack.serverTime },
        'agent clock differs from the server clock; check NTP',
      );
    }
    this.opts.log.debug(
      { batchId, count, stored: ack.stored, duplicates: ack.duplicates, replay: ack.replay },
      'batch acknowledged',
    );
    return { kind: 'acked', batchId, count, ack };
  }

  private split(batchId: string, detail: string): PushOutcome {
    this.opts.outbox.release(batchId);
    if (this.batchSize === 1) {
      this.opts.outbox.deadLetter(this.opts.outbox.nextBatch(1)!.batchId, detail);
      return { kind: 'dead-lettered', batchId, reason: detail };
    }
    this.batchSize = Math.max(1, Math.floor(this.batchSize / 2));
    this.acksSinceSplit = 0;
    this.opts.log.warn({ batchSize: this.batchSize }, 'server said the batch is too large; splitting');
    return { kind: 'split', batchId, newBatchSize: this.batchSize };
  }

  private retry(batchId: string, reason: string, retryAfterMs?: number): PushOutcome {
    this.failures++;
    this.lastError = reason;
    const backoff = backoffDelayMs(
      this.failures,
      { minMs: this.opts.minBackoffMs, maxMs: this.opts.maxBackoffMs },
      this.random,
    );
    // The server's Retry-After wins (it knows its load), but never beyond an hour.
    const delayMs = retryAfterMs !== undefined ? Math.min(retryAfterMs, 3_600_000) : backoff;
    const log = this.failures === 1 || this.failures % 10 === 0 ? this.opts.log.warn : this.opts.log.debug;
    log.call(this.opts.log, { batchId, attempt: this.failures, delayMs, reason }, 'push failed; will retry');
    return { kind: 'retry', batchId, delayMs, reason };
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let outcome: PushOutcome;
      try {
        outcome = await this.pushOnce();
      } catch (err) {
        // A bug or a corrupt reply: never lose the batch, never spin.
        outcome = this.retry('-', `unexpected: ${(err as Error).message}`);
      }
      if (!this.running) break;
      if (outcome.kind === 'empty') await this.sleep(this.opts.idleMs);
      else if (outcome.kind === 'retry') await this.sleep(outcome.delayMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  private interruptSleep(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

function serverMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: string };
    return parsed.message ?? text.slice(0, 300);
  } catch {
    return text.slice(0, 300);
  }
}

function parseAck(text: string): IngestAck | undefined {
  try {
    const ack = JSON.parse(text) as Partial<IngestAck> | null;
    return ack && typeof ack === 'object' && typeof ack.skewMs === 'number' ? (ack as IngestAck) : undefined;
  } catch {
    return undefined;
  }
}
