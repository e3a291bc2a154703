/**
 * The server's periodic jobs, in one place: each is named, runs on its own interval, never overlaps itself
 * (a tick that finds the previous run still going is skipped and counted), is stopped — and awaited — when
 * the app closes, and reports its last run and duration on /metrics (server/metrics/job-metrics.ts).
 *
 * Why a runner rather than bare setInterval: a delivery run that waits on a slow SMTP server must not be
 * started again ten seconds later, a job that throws must be logged and retried at its next tick rather than
 * kill the process, and shutdown must not close the store under a job still writing to it.
 */
import type { FastifyBaseLogger } from 'fastify';

/** What a run says about the work left: 'more' asks for another run soon (a bounded pass with a backlog). */
export type JobResult = undefined | 'more';

export interface JobSpec {
  /** Stable, kebab-case: the `job` label on /metrics and the name in logs. */
  name: string;
  everyMs: number;
  /** Delay before the first run (default: one interval), e.g. to keep heavy work out of start-up. */
  firstDelayMs?: number;
  /** When a run returns 'more', the next run comes after this delay instead of a whole interval (default 1 s). */
  backlogDelayMs?: number;
  // biome-ignore lint/suspicious/noConfusingVoidType: most jobs have no backlog and return nothing
  run(): JobResult | void | Promise<JobResult | void>;
}

export type JobOutcome = 'ok' | 'failed' | 'skipped';

export interface JobStatus {
  name: string;
  everyMs: number;
  running: boolean;
  /** End of the last finished run (ok or failed), epoch ms; null before the first. */
  lastRunAt: number | null;
  lastDurationMs: number | null;
  lastOutcome: Exclude<JobOutcome, 'skipped'> | null;
  runs: Record<JobOutcome, number>;
}

export interface JobsDeps {
  log: FastifyBaseLogger;
  /** Wall clock for the figures on /metrics (durations use a monotonic clock). */
  now?: () => number;
  onRun?: (name: string, outcome: JobOutcome, durationMs: number) => void;
}

interface JobState extends Omit<JobStatus, 'running'> {
  spec: JobSpec;
  timer: NodeJS.Timeout | undefined;
  inFlight: Promise<void> | undefined;
}

export class Jobs {
  private readonly jobs = new Map<string, JobState>();
  private started = false;
  private stopped = false;

  constructor(private readonly deps: JobsDeps) {}

  add(spec: JobSpec): void {
    if (this.jobs.has(spec.name)) throw new Error(`job ${spec.name} is registered twice`);
    if (!(spec.everyMs > 0)) throw new Error(`job ${spec.name}: everyMs must be positive, got ${spec.everyMs}`);
    const state: JobState = {
      spec,
      name: spec.name,
      everyMs: spec.everyMs,
      lastRunAt: null,
      lastDurationMs: null,
      lastOutcome: null,
      runs: { ok: 0, failed: 0, skipped: 0 },
      timer: undefined,
      inFlight: undefined,
    };
    this.jobs.set(spec.name, state);
    if (this.started) this.schedule(state, spec.firstDelayMs ?? spec.everyMs);
  }

  /** Starts every job's timer (unref'd: jobs never hold the process open). Jobs added later start at once. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    for (const state of this.jobs.values()) this.schedule(state, state.spec.firstDelayMs ?? state.spec.everyMs);
  }

  /** Clears every timer and waits for runs in flight; no job starts afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const state of this.jobs.values()) clearTimeout(state.timer);
    await Promise.all([...this.jobs.values()].map((s) => s.inFlight));
  }

  /**
   * Runs one job now (tests, and the CLI), unless a run is already in flight, which is then awaited
   * instead: the guard holds whoever asks.
   */
  async runNow(name: string): Promise<JobOutcome> {
    const state = this.jobs.get(name);
    if (!state) throw new Error(`no job named ${name}`);
    if (state.inFlight) {
      await state.inFlight;
      return 'skipped';
    }
    return this.execute(state).then(() => state.lastOutcome ?? 'failed');
  }

  status(): JobStatus[] {
    return [...this.jobs.values()].map(({ spec, timer, inFlight, ...status }) => ({
      ...status,
      running: inFlight !== undefined,
      runs: { ...status.runs },
    }));
  }

  private schedule(state: JobState, delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(state.timer);
    state.timer = setTimeout(() => this.tick(state), delayMs);
    state.timer.unref();
  }

  private tick(state: JobState): void {
    if (state.inFlight) {
      state.runs.skipped++;
      this.deps.onRun?.(state.name, 'skipped', 0);
      this.schedule(state, state.everyMs);
      return;
    }
    void this.execute(state);
  }

  private execute(state: JobState): Promise<void> {
    const started = performance.now();
    let more = false;
    const run = (async () => {
      try {
        more = (await state.spec.run()) === 'more';
        this.finish(state, 'ok', started);
      } catch (err) {
        this.finish(state, 'failed', started);
        this.deps.log.error({ err, job: state.name }, `${state.name} failed; will try again`);
      }
    })();
    state.inFlight = run.finally(() => {
      state.inFlight = undefined;
      if (this.started) this.schedule(state, more ? (state.spec.backlogDelayMs ?? 1000) : state.everyMs);
    });
    return state.inFlight;
  }

  private finish(state: JobState, outcome: 'ok' | 'failed', started: number): void {
    const durationMs = performance.now() - started;
    state.lastRunAt = (this.deps.now ?? Date.now)();
    state.lastDurationMs = durationMs;
    state.lastOutcome = outcome;
    state.runs[outcome]++;
    this.deps.onRun?.(state.name, outcome, durationMs);
  }
}
