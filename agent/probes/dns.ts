/**
 * DNS probe: ask one resolver (the system's, or a named server) for one record set and time the answer.
 * Uses a private c-ares Resolver with a single try, so a silent server shows up as a timeout instead of
 * being hidden by retries, and the agent's own lookups are not affected by setServers().
 */
import { Resolver } from 'node:dns/promises';
import { isIPv6 } from 'node:net';
import type { ProbeOutcome } from '../../protocol/wire.js';
import { ProbeErrorCode } from './errors.js';
import { errorCode, errorMessage, failure, since, startDeadline } from './outcome.js';
import { defineProbe } from './probe.js';
import { DnsTarget, type DnsRecordType } from './schemas.js';

/** DnsDetail.answers is bounded on the wire (64 items of ≤ 512 chars). */
const MAX_ANSWERS = 64;
const MAX_ANSWER_LENGTH = 512;

/** One string per record, comparable with expectAnswers: MX "priority exchange", TXT chunks joined. */
async function query(resolver: Resolver, name: string, type: DnsRecordType): Promise<string[]> {
  switch (type) {
    case 'A':
      return resolver.resolve4(name);
    case 'AAAA':
      return resolver.resolve6(name);
    case 'CNAME':
      return resolver.resolveCname(name);
    case 'NS':
      return resolver.resolveNs(name);
    case 'MX':
      return (await resolver.resolveMx(name)).map((mx) => `${mx.priority} ${mx.exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  }
}

/** Names compare case-insensitively and with or without the root dot. */
const normalise = (value: string): string => value.trim().toLowerCase().replace(/\.$/, '');

/**
 * `dns` probe. ok when the server answers with at least one record of `recordType` (default A) and every
 * `expectAnswers` value is among them; `latencyMs` = `dns.resolveMs`. NXDOMAIN/SERVFAIL → CW_ERR_PROBE_DNS,
 * no records of that type → CW_ERR_PROBE_DNS_NO_ANSWER, expected value missing → CW_ERR_PROBE_DNS_ANSWER_MISMATCH.
 */
export const dns = defineProbe({
  kind: 'dns',
  targetSchema: DnsTarget,
  async run(target, ctx): Promise<ProbeOutcome> {
    const start = performance.now();
    const type = target.recordType ?? 'A';
    const resolver = new Resolver({ timeout: Math.max(1, Math.ceil(ctx.timeoutMs)), tries: 1 });
    try {
      if (target.server !== undefined) resolver.setServers([target.server]);
      if (ctx.sourceAddress !== undefined) {
        if (isIPv6(ctx.sourceAddress)) resolver.setLocalAddress('0.0.0.0', ctx.sourceAddress);
        else resolver.setLocalAddress(ctx.sourceAddress);
      }
    } catch (err) {
      // The schema admits shapes like 999.1.1.1 that only setServers can reject; report it as evidence.
      return failure(start, ProbeErrorCode.DNS, `invalid DNS server "${target.server}": ${errorMessage(err)}`, {
        dns: { answers: [], server: target.server },
      });
    }
    const server = target.server ?? resolver.getServers()[0] ?? 'system';
    const deadline = startDeadline(ctx);
    const cancel = (): void => resolver.cancel();
    deadline.signal.addEventListener('abort', cancel, { once: true });
    const asked = `${target.query} ${type} @${server}`;

    try {
      if (deadline.signal.aborted) throw Object.assign(new Error('aborted before start'), { code: 'ECANCELLED' });
      const raw = await query(resolver, target.query, type);
      const resolveMs = since(start);
      const answers = raw.slice(0, MAX_ANSWERS).map((a) => a.slice(0, MAX_ANSWER_LENGTH));
      const detail = { resolveMs, answers, server };
      if (answers.length === 0) {
        return failure(start, ProbeErrorCode.DNS_NO_ANSWER, `no ${type} records for ${asked}`, {
          latencyMs: resolveMs,
          dns: detail,
        });
      }
      const got = new Set(answers.map(normalise));
      const missing = (target.expectAnswers ?? []).filter((want) => !got.has(normalise(want)));
      if (missing.length > 0) {
        const message = `expected ${missing.join(', ')} among answers to ${asked}, got ${answers.join(', ')}`;
        return failure(start, ProbeErrorCode.DNS_ANSWER_MISMATCH, message, { latencyMs: resolveMs, dns: detail });
      }
      return { ok: true, durationMs: since(start), latencyMs: resolveMs, dns: detail };
    } catch (err) {
      // c-ares may give up (ETIMEOUT) a moment before our own deadline fires: same fault, same message.
      const code = deadline.signal.aborted ? ProbeErrorCode.TIMEOUT : errorCode(err, ProbeErrorCode.DNS);
      const message =
        code === ProbeErrorCode.TIMEOUT
          ? `no DNS answer for ${asked} within ${ctx.timeoutMs} ms`
          : `${errorMessage(err)} (${asked})`;
      return failure(start, code, message, { dns: { answers: [], server } });
    } finally {
      deadline.signal.removeEventListener('abort', cancel);
      deadline.dispose();
    }
  },
});
