import { once } from 'node:events';
import net from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeContext } from '../../../agent/probes/probe.js';
import { tcp } from '../../../agent/probes/tcp.js';
import { unusedPort } from '../../helpers/ports.js';

function ctx(timeoutMs = 2000, signal = new AbortController().signal): ProbeContext {
  return { signal, timeoutMs, now: Date.now, log: pino({ level: 'silent' }) };
}

describe('tcp probe', () => {
  let server: net.Server;
  let port: number;
  const accepted: net.Socket[] = [];
  beforeAll(async () => {
    server = net.createServer((s) => accepted.push(s)).listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of accepted) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('connects to an open port and reports the handshake time', async () => {
    const out = await tcp.run({ host: '127.0.0.1', port }, ctx());
    expect(out.ok).toBe(true);
    expect(out.error).toBeUndefined();
    expect(out.tcp?.connectMs).toBeGreaterThan(0);
    expect(out.tcp?.address).toBe('127.0.0.1');
    expect(out.latencyMs).toBe(out.tcp?.connectMs);
    expect(out.durationMs).toBeGreaterThanOrEqual(out.latencyMs ?? 0);
  });

  it('resolves a host name and binds the source address', async () => {
    const out = await tcp.run({ host: 'localhost', port }, { ...ctx(), sourceAddress: '127.0.0.1' });
    // localhost may resolve to ::1 first; the listener is IPv4 only, and Node falls back to 127.0.0.1.
    expect(out.ok).toBe(true);
    expect(out.tcp?.address).toBe('127.0.0.1');
  });

  it('a closed port → CW_ERR_PROBE_CONN_REFUSED with Node’s message as evidence', async () => {
    const closed = await unusedPort();
    const out = await tcp.run({ host: '127.0.0.1', port: closed }, ctx());
    expect(out.ok).toBe(false);
    expect(out.error).toEqual({
      code: 'CW_ERR_PROBE_CONN_REFUSED',
      message: `connect ECONNREFUSED 127.0.0.1:${closed}`,
    });
    expect(out.tcp).toEqual({});
  });

  it('an aborted round → CW_ERR_PROBE_TIMEOUT', async () => {
    const controller = new AbortController();
    controller.abort();
    const out = await tcp.run({ host: '127.0.0.1', port }, ctx(2000, controller.signal));
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe('CW_ERR_PROBE_TIMEOUT');
    expect(out.error?.message).toBe(`no TCP connect to 127.0.0.1:${port} within 2000 ms`);
  });
});
