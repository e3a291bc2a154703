import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { ProbeErrorCode } from '../../../agent/probes/errors.js';
import { getProbe, probes } from '../../../agent/probes/index.js';
import { errorCode, errorMessage } from '../../../agent/probes/outcome.js';
import { targetSchemas } from '../../../agent/probes/schemas.js';
import { PROBE_KINDS, type ProbeKind } from '../../../protocol/wire.js';

/** The smallest valid kind-specific target of each kind. */
const MINIMAL: Record<ProbeKind, Record<string, unknown>> = {
  icmp: { host: '10.0.0.1' },
  http: { url: 'https://dichvucong.gov.vn/' },
  tcp: { host: 'example.vn', port: 443 },
  dns: { query: 'example.vn' },
  transaction: { steps: [{ name: 'home', url: 'https://motcua.example.vn/' }] },
};

describe('probe registry', () => {
  it.each(PROBE_KINDS)('%s is registered under its own kind', (kind) => {
    expect(probes[kind].kind).toBe(kind);
    expect(getProbe(kind)).toBe(probes[kind]);
  });

  it.each(PROBE_KINDS)('%s runs targets of the schema the config and plan checks apply (schemas.ts)', (kind) => {
    expect(probes[kind].targetSchema).toBe(targetSchemas[kind]);
  });

  it.each(PROBE_KINDS)('%s targetSchema accepts its minimal target and rejects an unknown key', (kind) => {
    const schema = probes[kind].targetSchema as TSchema;
    expect(Value.Check(schema, MINIMAL[kind])).toBe(true);
    expect(Value.Check(schema, { ...MINIMAL[kind], colour: 'blue' })).toBe(false);
  });

  it.each(PROBE_KINDS)('%s targetSchema documents every field', (kind) => {
    const { properties } = probes[kind].targetSchema as unknown as {
      properties: Record<string, { description?: string }>;
    };
    for (const [name, field] of Object.entries(properties)) expect(field.description, `${kind}.${name}`).toBeTruthy();
  });

  it('defaults are declared in the schemas, matching what run() applies', () => {
    expect(Value.Default(probes.icmp.targetSchema, { host: 'a' })).toEqual({ host: 'a', count: 5, intervalMs: 1000 });
    expect(Value.Default(probes.dns.targetSchema, { query: 'a' })).toEqual({ query: 'a', recordType: 'A' });
    expect(Value.Default(probes.http.targetSchema, { url: 'http://a/' })).toEqual({
      url: 'http://a/',
      method: 'GET',
      expectStatus: [{ min: 200, max: 399 }],
      maxBodyBytes: 1048576,
      followRedirects: true,
      insecureSkipVerify: false,
    });
    const step = { name: 'api', url: 'http://a/', jsonPath: { path: '$.ok' } };
    expect(Value.Default(probes.transaction.targetSchema, { steps: [step] })).toEqual({
      steps: [
        {
          ...step,
          method: 'GET',
          expectStatus: [{ min: 200, max: 399 }],
          followRedirects: true,
          jsonPath: { path: '$.ok', exists: true },
        },
      ],
      maxBodyBytes: 1048576,
      insecureSkipVerify: false,
    });
  });

  // Each row: a kind, a target that must be rejected, and why it matters.
  const INVALID: [ProbeKind, Record<string, unknown>, string][] = [
    ['icmp', { host: '-f' }, 'would reach ping as an option'],
    ['icmp', { host: 'a', count: 0 }, 'count below 1'],
    ['icmp', { host: 'a', intervalMs: 5 }, 'interval below the 10 ms floor'],
    ['icmp', { host: 'a', packetSize: 8 }, 'too small for ping to time replies'],
    ['tcp', { host: 'a', port: 70000 }, 'port out of range'],
    ['tcp', { host: 'a' }, 'port missing'],
    ['http', { url: 'ftp://example.vn/' }, 'not http(s)'],
    ['http', { url: 'https://a/', method: 'DELETE' }, 'method not allowed'],
    ['http', { url: 'https://a/', headers: { 'X-A': 'v\r\nInjected: 1' } }, 'header injection'],
    ['http', { url: 'https://a/', headers: { 'Bad Name': 'v' } }, 'header name not a token'],
    ['http', { url: 'https://a/', expectStatus: [{ min: 200 }] }, 'range without max'],
    ['http', { url: 'https://a/', maxBodyBytes: 32 * 1024 * 1024 }, 'body limit above 16 MiB'],
    ['http', { url: 'https://a/', minCertValidDays: 0 }, 'certificate lifetime below one day'],
    ['dns', { query: 'a', recordType: 'SOA' }, 'record type not supported'],
    ['dns', { query: 'a', server: 'dns.google' }, 'server must be an address'],
    ['transaction', { steps: [] }, 'no steps'],
    [
      'transaction',
      { steps: Array.from({ length: 21 }, (_, i) => ({ name: `s${i}`, url: 'http://a/' })) },
      'more than 20 steps',
    ],
    [
      'transaction',
      {
        steps: [
          { name: 'a', url: 'http://a/' },
          { name: 'a', url: 'http://a/x' },
        ],
      },
      'duplicate step names',
    ],
    ['transaction', { steps: [{ name: 'a', url: 'http://a/', colour: 'blue' }] }, 'unknown key inside a step'],
    ['transaction', { steps: [{ name: 'a', url: 'http://a/', form: { u: 'x' } }] }, 'form without method POST'],
    [
      'transaction',
      { steps: [{ name: 'a', url: 'http://a/', method: 'POST', form: { u: 'x' }, json: {} }] },
      'form and json together',
    ],
    [
      'transaction',
      { steps: [{ name: 'a', url: 'http://a/', jsonPath: { path: 'data.total' } }] },
      'json path without $',
    ],
    [
      'transaction',
      { steps: [{ name: 'a', url: 'http://a/', jsonPath: { path: '$..total' } }] },
      'json path outside the subset',
    ],
    [
      'transaction',
      { steps: [{ name: 'a', url: 'http://a/', jsonPath: { path: '$.a', equals: 1, exists: false } }] },
      'equals with exists: false',
    ],
    [
      'transaction',
      { steps: [{ name: 'a', url: 'http://a/', form: { p: '${password}' }, method: 'POST' }] },
      'placeholder without credentials',
    ],
    [
      'transaction',
      { steps: [{ name: 'a', url: 'http://a/' }], credentials: { env: 'A', file: '/b' } },
      'two credential sources',
    ],
    [
      'transaction',
      { steps: [{ name: 'a', url: 'http://a/' }], credentials: { file: 'secrets.json' } },
      'relative credentials file',
    ],
    [
      'transaction',
      { steps: [{ name: 'a', url: 'http://a/' }], credentials: { password: 'hunter2' } },
      'a secret in the config text',
    ],
  ];
  it.each(INVALID)('%s rejects %j (%s)', (kind, target) => {
    expect(Value.Check(probes[kind].targetSchema as TSchema, target)).toBe(false);
  });
});

describe('error mapping (outcome.ts)', () => {
  it.each([
    ['ECONNREFUSED', ProbeErrorCode.REFUSED],
    ['ENOTFOUND', ProbeErrorCode.DNS],
    ['ETIMEDOUT', ProbeErrorCode.TIMEOUT],
    ['EHOSTUNREACH', ProbeErrorCode.UNREACHABLE],
    ['ECONNRESET', ProbeErrorCode.RESET],
    ['ENODATA', ProbeErrorCode.DNS_NO_ANSWER],
    ['CERT_HAS_EXPIRED', ProbeErrorCode.TLS],
    ['ERR_SSL_WRONG_VERSION_NUMBER', ProbeErrorCode.TLS],
    ['HPE_INVALID_CONSTANT', ProbeErrorCode.HTTP_PROTOCOL],
    ['ESOMETHINGNEW', ProbeErrorCode.INTERNAL],
  ])('%s → %s', (code, expected) => {
    expect(errorCode(Object.assign(new Error('x'), { code }), ProbeErrorCode.INTERNAL)).toBe(expected);
  });

  it('unwraps the AggregateError Node throws after trying every address of a host', () => {
    const err = new AggregateError([
      Object.assign(new Error('connect ECONNREFUSED ::1:9'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    ]);
    expect(errorCode(err, ProbeErrorCode.INTERNAL)).toBe(ProbeErrorCode.REFUSED);
    expect(errorMessage(err)).toBe('connect ECONNREFUSED ::1:9; connect ECONNREFUSED 127.0.0.1:9');
  });
});
