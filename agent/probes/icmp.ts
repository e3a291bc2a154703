/**
 * ICMP echo probe through the system `ping` program (the `ping` package), so the agent needs no raw-socket
 * privileges. Only the received RTTs (`times`) and the "N packets transmitted" footer are trusted: the package's
 * min/avg/max/packetLoss are locale-dependent strings (see docs in shared/reference/libraries.md §3).
 */
import { accessSync, constants } from 'node:fs';
import { isIPv6 } from 'node:net';
import os from 'node:os';
import { delimiter, join } from 'node:path';
import ping, { type PingConfig } from 'ping';
import type { IcmpDetail, ProbeOutcome } from '../../protocol/wire.js';
import { ProbeErrorCode } from './errors.js';
import { errorMessage, failure, roundMs, since, startDeadline } from './outcome.js';
import { defineProbe } from './probe.js';
import { ICMP_DEFAULT_COUNT, ICMP_DEFAULT_INTERVAL_MS, IcmpTarget } from './schemas.js';

/** Per-reply wait (ping -W), seconds. */
const REPLY_WAIT_SEC = 2;
/** Time kept back from timeoutMs for spawning ping and parsing its output. */
const SPAWN_MARGIN_MS = 250;
const NO_BINARY_MESSAGE = 'ping program not found on PATH; install iputils-ping';

/** PATH values under which `ping` was found. Positive results only: a fixed install must be noticed at once. */
const pathsWithPing = new Set<string>();

/**
 * On Linux the package spawns plain `ping` from PATH, and a missing binary surfaces only as a generic
 * "error while executing the ping program" rejection without err.code — so look it up ourselves first.
 * Other platforms use absolute paths; there we rely on that rejection.
 */
function pingOnPath(): boolean {
  const path = process.env.PATH ?? '';
  if (pathsWithPing.has(path)) return true;
  for (const dir of path.split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, 'ping'), constants.X_OK);
      pathsWithPing.add(path);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

const NAME_FAILURE =
  /name or service not known|temporary failure in name resolution|unknown host|cannot resolve|could not find host|no address associated/i;
const CANNOT_RUN = /operation not permitted|permission denied/i;
const UNREACHABLE = /unreachable|no route to host|cannot assign requested address|network is down/i;

/** Why nothing came back, judged from ping's own words (LANG=C on Linux), with the line that says so. */
function classify(output: string, sent: number): { code: ProbeErrorCode; message: string } {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const find = (re: RegExp): string | undefined => lines.find((l) => re.test(l));
  const lost = `${sent} of ${sent} echo requests lost`;
  let line = find(NAME_FAILURE);
  if (line) return { code: ProbeErrorCode.DNS, message: line };
  line = find(CANNOT_RUN);
  if (line) return { code: ProbeErrorCode.ICMP_NO_PING_BINARY, message: `ping cannot run: ${line}` };
  line = find(UNREACHABLE);
  if (line) return { code: ProbeErrorCode.UNREACHABLE, message: `${lost}: ${line}` };
  // No footer at all means ping stopped before sending (bad argument…): its first line is the evidence.
  line = /packets transmitted/.test(output) ? undefined : lines[0];
  return { code: ProbeErrorCode.ICMP_NO_REPLY, message: line ? `${lost}: ${line}` : lost };
}

/** RTT statistics over the received replies; jitter is the mean absolute difference of consecutive RTTs. */
function rttStats(times: number[]): Pick<IcmpDetail, 'rttMinMs' | 'rttAvgMs' | 'rttMaxMs' | 'jitterMs'> {
  if (times.length === 0) return {};
  let jitter = 0;
  for (let i = 1; i < times.length; i++) jitter += Math.abs(times[i]! - times[i - 1]!);
  return {
    rttMinMs: roundMs(Math.min(...times)),
    rttAvgMs: roundMs(times.reduce((a, b) => a + b, 0) / times.length),
    rttMaxMs: roundMs(Math.max(...times)),
    ...(times.length >= 2 ? { jitterMs: roundMs(jitter / (times.length - 1)) } : {}),
  };
}

/**
 * `icmp` probe. ok when at least one reply came back — partial loss is still ok, `icmp.lossRatio` is the signal;
 * `latencyMs` = mean RTT. All lost → CW_ERR_PROBE_ICMP_NO_REPLY (or UNREACHABLE / DNS when ping says why);
 * no ping program → CW_ERR_PROBE_ICMP_NO_PING_BINARY. `icmp` detail is present only when requests were sent.
 *
 * `sent` is read from ping's footer. It equals `count` unless the round had to be cut short by timeoutMs
 * (then a deadline, -w, is passed and iputils may send more or fewer), so `count` alone is never trusted.
 */
export const icmp = defineProbe({
  kind: 'icmp',
  targetSchema: IcmpTarget,
  async run(target, ctx): Promise<ProbeOutcome> {
    const start = performance.now();
    const count = target.count ?? ICMP_DEFAULT_COUNT;
    const intervalMs = target.intervalMs ?? ICMP_DEFAULT_INTERVAL_MS;
    const platform = os.platform();
    const windows = platform === 'win32';
    if ((platform === 'linux' || platform === 'android') && !pingOnPath()) {
      return failure(start, ProbeErrorCode.ICMP_NO_PING_BINARY, NO_BINARY_MESSAGE);
    }

    // Seconds, whole: ping takes integers. Enough for count replies, never past the round's budget.
    const budgetSec = Math.max(1, Math.floor((ctx.timeoutMs - SPAWN_MARGIN_MS) / 1000));
    const neededSec = Math.ceil(((count - 1) * intervalMs) / 1000) + REPLY_WAIT_SEC;
    const deadlineSec = Math.min(budgetSec, neededSec);
    if (neededSec > budgetSec)
      ctx.log.debug({ host: target.host, count, intervalMs, deadlineSec }, 'icmp round cut short by timeoutMs');

    const extra = windows ? [] : ['-i', String(intervalMs / 1000)];
    // A fresh object per call: the package writes its defaults (and v6) into it.
    const config: PingConfig = {
      numeric: true,
      min_reply: count,
      timeout: Math.min(REPLY_WAIT_SEC, budgetSec),
      // Only when the round would not fit its budget: with -w, iputils keeps sending past -c until it has
      // `count` replies, so "loss over N echoes" would silently become "over N + lost echoes". Without -w,
      // -c N sends exactly N and the run is bounded by (N-1)·interval plus the wait for the last reply.
      // Windows ping has no deadline option (the package throws on it); there the wait per reply bounds it.
      deadline: windows || neededSec <= budgetSec ? undefined : deadlineSec,
      // iputils ping picks the family from the address itself; `ping6` is missing on some distributions.
      v6: platform === 'linux' ? false : isIPv6(target.host),
      sourceAddr: ctx.sourceAddress,
      packetSize: target.packetSize,
      extra,
    };

    const deadline = startDeadline(ctx);
    let onAbort = (): void => {};
    const aborted = new Promise<undefined>((resolve) => {
      onAbort = () => resolve(undefined);
      if (deadline.signal.aborted) onAbort();
      else deadline.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const settled = await Promise.race([
        ping.promise.probe(target.host, config).then(
          (res) => ({ res }),
          (err: unknown) => ({ err }),
        ),
        aborted,
      ]);
      // The package exposes no handle on the child; it exits by itself at -w, which fits the budget.
      if (settled === undefined) {
        return failure(start, ProbeErrorCode.TIMEOUT, `ping ${target.host}: no result within ${ctx.timeoutMs} ms`);
      }
      if ('err' in settled) {
        // Spawn failures reject with a generic message: the binary is missing or not executable.
        return failure(
          start,
          ProbeErrorCode.ICMP_NO_PING_BINARY,
          `ping could not be started: ${errorMessage(settled.err)}`,
        );
      }
      // `times` exists at run time but not in the bundled d.ts.
      const res = settled.res as typeof settled.res & { times?: unknown };
      const output = typeof res.output === 'string' ? res.output : '';
      const times = Array.isArray(res.times)
        ? res.times.filter((t): t is number => typeof t === 'number' && Number.isFinite(t))
        : [];
      const transmitted = /(\d+) packets transmitted/.exec(output);
      const sent = transmitted ? Number(transmitted[1]) : count;
      // The package counts duplicated replies (DUP!) as replies; they must not push received past sent.
      const received = Math.min(times.length, sent);
      const lossRatio = sent === 0 ? 1 : Math.round((1 - received / sent) * 1000) / 1000;
      const detail: IcmpDetail = { sent, received, lossRatio, ...rttStats(times) };
      if (received > 0) return { ok: true, durationMs: since(start), latencyMs: detail.rttAvgMs ?? 0, icmp: detail };

      const { code, message } = classify(output, sent);
      const ranPing = transmitted !== null;
      return failure(start, code, `ping ${target.host}: ${message}`, ranPing ? { icmp: detail } : {});
    } finally {
      deadline.signal.removeEventListener('abort', onAbort);
      deadline.dispose();
    }
  },
});
