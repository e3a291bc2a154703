/**
 * TCP connect probe: is something listening on host:port, and how long does the handshake take?
 * The socket is closed as soon as it connects; nothing is written.
 */
import net from 'node:net';
import type { ProbeOutcome } from '../../protocol/wire.js';
import { ProbeErrorCode } from './errors.js';
import { errorCode, errorMessage, failure, since, startDeadline } from './outcome.js';
import { defineProbe } from './probe.js';
import { TcpTarget } from './schemas.js';

/**
 * `tcp` probe. ok when the handshake completes; `latencyMs` = `tcp.connectMs` = handshake time only
 * (name resolution, if any, is in `durationMs`). Refused → CW_ERR_PROBE_CONN_REFUSED, timeout → CW_ERR_PROBE_TIMEOUT.
 */
export const tcp = defineProbe({
  kind: 'tcp',
  targetSchema: TcpTarget,
  run(target, ctx) {
    const start = performance.now();
    const deadline = startDeadline(ctx);
    const where = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;

    return new Promise<ProbeOutcome>((resolve) => {
      let connectFrom = start; // moved to the end of name resolution, if there is one
      let resolved = net.isIP(target.host) !== 0;
      const socket = net.connect({ host: target.host, port: target.port, localAddress: ctx.sourceAddress });

      let done = false;
      const finish = (outcome: ProbeOutcome): void => {
        if (done) return;
        done = true;
        deadline.signal.removeEventListener('abort', onAbort);
        deadline.dispose();
        socket.destroy();
        resolve(outcome);
      };
      const onAbort = (): void => {
        // Still resolving when the budget ran out: the name lookup hangs (a dead resolver), not the host.
        if (!resolved)
          finish(
            failure(start, ProbeErrorCode.DNS, `no DNS answer for ${target.host} within ${ctx.timeoutMs} ms`, {
              tcp: {},
            }),
          );
        else
          finish(
            failure(start, ProbeErrorCode.TIMEOUT, `no TCP connect to ${where} within ${ctx.timeoutMs} ms`, {
              tcp: {},
            }),
          );
      };

      socket.once('lookup', () => {
        resolved = true;
        connectFrom = performance.now();
      });
      socket.once('connect', () => {
        const connectMs = since(connectFrom);
        const address = socket.remoteAddress;
        const detail = address === undefined ? { connectMs } : { connectMs, address };
        finish({ ok: true, durationMs: since(start), latencyMs: connectMs, tcp: detail });
      });
      socket.on('error', (err) => {
        finish(failure(start, errorCode(err, ProbeErrorCode.UNREACHABLE), errorMessage(err), { tcp: {} }));
      });

      if (deadline.signal.aborted) onAbort();
      else deadline.signal.addEventListener('abort', onAbort, { once: true });
    });
  },
});
