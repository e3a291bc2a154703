import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dns } from '../../../agent/probes/dns.js';
import type { ProbeContext } from '../../../agent/probes/probe.js';
import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server.js';

function ctx(timeoutMs = 2000): ProbeContext {
  return { signal: new AbortController().signal, timeoutMs, now: Date.now, log: pino({ level: 'silent' }) };
}

describe('dns probe', () => {
  let ns: TestDnsServer;
  beforeAll(async () => {
    ns = await startDnsServer({
      'ok.test': {
        A: ['10.1.2.3', '10.1.2.4'],
        AAAA: ['2001:db8::7'],
        MX: [{ priority: 10, exchange: 'mail.ok.test' }],
        TXT: [['v=spf1 ', '-all']],
        NS: ['ns1.ok.test'],
      },
      'alias.test': { CNAME: ['ok.test'] },
      'silent.test': 'silent',
    });
  });
  afterAll(async () => {
    await ns.close();
  });

  it('resolves A records and reports answers, server and resolve time', async () => {
    const out = await dns.run({ query: 'ok.test', server: ns.server }, ctx());
    expect(out.ok).toBe(true);
    expect(out.error).toBeUndefined();
    expect(out.dns?.answers).toEqual(['10.1.2.3', '10.1.2.4']);
    expect(out.dns?.server).toBe(ns.server);
    expect(out.dns?.resolveMs).toBeGreaterThan(0);
    expect(out.latencyMs).toBe(out.dns?.resolveMs);
    expect(out.durationMs).toBeGreaterThanOrEqual(out.latencyMs ?? 0);
    expect(ns.queries).toContain('ok.test A');
  });

  it.each([
    ['AAAA', ['2001:db8::7']],
    ['MX', ['10 mail.ok.test']],
    ['TXT', ['v=spf1 -all']],
    ['NS', ['ns1.ok.test']],
  ] as const)('normalises %s answers to strings', async (recordType, answers) => {
    const out = await dns.run({ query: 'ok.test', recordType, server: ns.server }, ctx());
    expect(out.ok).toBe(true);
    expect(out.dns?.answers).toEqual(answers);
  });

  it('resolves CNAME records', async () => {
    const out = await dns.run({ query: 'alias.test', recordType: 'CNAME', server: ns.server }, ctx());
    expect(out.dns?.answers).toEqual(['ok.test']);
  });

  it('NXDOMAIN → CW_ERR_PROBE_DNS', async () => {
    const out = await dns.run({ query: 'missing.test', server: ns.server }, ctx());
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe('CW_ERR_PROBE_DNS');
    expect(out.error?.message).toMatch(/ENOTFOUND/);
    expect(out.error?.message).toContain('missing.test A');
    expect(out.dns?.answers).toEqual([]);
  });

  it('a name without records of the type → CW_ERR_PROBE_DNS_NO_ANSWER', async () => {
    const out = await dns.run({ query: 'alias.test', recordType: 'MX', server: ns.server }, ctx());
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe('CW_ERR_PROBE_DNS_NO_ANSWER');
  });

  it('a server that never answers → CW_ERR_PROBE_TIMEOUT within timeoutMs', async () => {
    const started = performance.now();
    const out = await dns.run({ query: 'silent.test', server: ns.server }, ctx(300));
    const took = performance.now() - started;
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe('CW_ERR_PROBE_TIMEOUT');
    expect(out.error?.message).toContain('within 300 ms');
    expect(took).toBeLessThan(1500);
    expect(ns.queries).toContain('silent.test A');
  });

  it('expectAnswers: passes when every value is present (case and root dot ignored)', async () => {
    const out = await dns.run(
      { query: 'ok.test', recordType: 'MX', server: ns.server, expectAnswers: ['10 MAIL.ok.test.'] },
      ctx(),
    );
    expect(out.ok).toBe(true);
  });

  it('expectAnswers: a missing value fails with the answers as evidence', async () => {
    const out = await dns.run({ query: 'ok.test', server: ns.server, expectAnswers: ['10.1.2.3', '10.9.9.9'] }, ctx());
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe('CW_ERR_PROBE_DNS_ANSWER_MISMATCH');
    expect(out.error?.message).toBe(
      `expected 10.9.9.9 among answers to ok.test A @${ns.server}, got 10.1.2.3, 10.1.2.4`,
    );
    expect(out.dns?.answers).toEqual(['10.1.2.3', '10.1.2.4']);
    expect(out.latencyMs).toBeGreaterThan(0);
  });

  it('an already aborted signal → TIMEOUT without waiting', async () => {
    const controller = new AbortController();
    controller.abort();
    const out = await dns.run({ query: 'ok.test', server: ns.server }, { ...ctx(5000), signal: controller.signal });
    expect(out.error?.code).toBe('CW_ERR_PROBE_TIMEOUT');
  });

  it('an invalid server address is reported, not thrown', async () => {
    const out = await dns.run({ query: 'ok.test', server: '999.1.1.1' }, ctx());
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe('CW_ERR_PROBE_DNS');
    expect(out.error?.message).toContain('invalid DNS server "999.1.1.1"');
  });
});
