/**
 * docs/openapi.json is what the source generates (CI fails here when a change to the API was not followed
 * by `npm run build`), it is a structurally sound OpenAPI 3.0 document, and the server serves it to
 * anyone logged in, to nobody else.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOpenApi } from '../../../server/api/openapi-build.js';
import { startApiApp, type ApiApp } from '../../helpers/api-app.js';

interface Operation {
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { description?: string; content?: Record<string, { schema?: object }> }>;
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, object> };
}

const JSON_ROUTES = [
  'GET /api/v1/status',
  'GET /api/v1/incidents',
  'POST /api/v1/incidents',
  'GET /api/v1/incidents/{id}',
  'PATCH /api/v1/incidents/{id}',
  'DELETE /api/v1/incidents/{id}',
  'POST /api/v1/incidents/{id}/ack',
  'GET /api/v1/incidents/{id}/record',
  'POST /api/v1/incidents/{id}/replies',
  'GET /api/v1/uptime',
  'GET /api/v1/silences',
  'POST /api/v1/silences',
  'DELETE /api/v1/silences/{id}',
  'GET /api/v1/notifications',
  'GET /api/v1/calendar',
  'PUT /api/v1/calendar/days/{date}',
  'DELETE /api/v1/calendar/days/{date}',
  'POST /api/v1/calendar/import',
  'GET /api/v1/results',
  'GET /api/v1/rollups',
  'GET /api/v1/profile/hour-of-day',
  'GET /api/v1/inventory',
  'GET /api/v1/health',
  'GET /api/v1/dossiers/attribution',
  'POST /api/v1/dossiers',
  'GET /api/v1/rum/errors',
  'GET /api/v1/rum/fetch-failures',
  'POST /collect',
  'POST /api/v1/ingest',
  'GET /api/v1/agent/config',
  'GET /api/v1/openapi.json',
  'GET /api/v1/reports/vendor/{id}',
  'GET /.well-known/communewatch/signing-key.pem',
  'GET /.well-known/communewatch/signing-key.json',
  'GET /healthz',
  'GET /readyz',
];

describe('docs/openapi.json', () => {
  let generated: string;
  let doc: Document;
  beforeAll(async () => {
    generated = await generateOpenApi();
    doc = JSON.parse(generated) as Document;
  }, 60_000);

  it('is current: what the source generates, byte for byte', () => {
    let committed = '';
    try {
      committed = readFileSync('docs/openapi.json', 'utf8');
    } catch {
      // missing: reported below like a stale file
    }
    if (committed !== generated)
      expect.fail(
        'docs/openapi.json differs from what the route schemas generate: run npm run build and commit docs/openapi.json',
      );
  });

  it('is an OpenAPI 3.0 document of the whole JSON API, and of nothing else', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string };
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
    expect(doc.info).toMatchObject({ title: pkg.name, version: pkg.version });
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual([...JSON_ROUTES].sort());
  });

  it('gives every operation a tag, a known credential, a described 2xx with a schema, and its errors', () => {
    const tags = new Set(doc.tags.map((t) => t.name));
    const schemes = new Set(Object.keys(doc.components.securitySchemes));
    expect(schemes).toEqual(new Set(['apiToken', 'sessionCookie', 'agentToken', 'rumAppKey']));
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.tags?.length, where).toBe(1);
        expect(tags.has(op.tags![0]!), where).toBe(true);
        for (const requirement of op.security ?? [])
          for (const s of Object.keys(requirement)) expect(schemes).toContain(s);
        const ok = Object.keys(op.responses).filter((code) => /^2\d\d$/.test(code));
        expect(ok.length, where).toBeGreaterThan(0);
        for (const code of ok) {
          const content = op.responses[code]!.content ?? {};
          expect(Object.keys(content).length, `${where} ${code}`).toBeGreaterThan(0);
          for (const media of Object.values(content)) expect(media.schema, `${where} ${code}`).toBeTypeOf('object');
        }
        for (const [code, response] of Object.entries(op.responses)) {
          expect(code, where).toMatch(/^([2345]\d\d|4XX)$/);
          expect(response.description, `${where} ${code}`).toBeTruthy();
        }
        if (path.startsWith('/api/'))
          expect(
            Object.keys(op.responses).some((c) => c === '401' || c === '4XX'),
            where,
          ).toBe(true);
      }
    }
  });
});

describe('GET /api/v1/openapi.json', () => {
  let api: ApiApp;
  beforeAll(async () => {
    api = await startApiApp({ now: () => Date.now() });
  });
  afterAll(() => api?.close());

  it('needs a login', async () => {
    const res = await api.built.app.inject('/api/v1/openapi.json');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'CW_ERR_AUTH_MISSING' });
    expect(res.headers['www-authenticate']).toBe('Bearer');
    const bad = await api.built.app.inject({
      url: '/api/v1/openapi.json',
      headers: { authorization: 'Bearer cwk_nonsense' },
    });
    expect(bad.statusCode).toBe(401);
  });

  it('answers any role, a viewer or a vendor too', async () => {
    const vendor = api.store.apiTokens.create({ name: 'vnpt', role: 'vendor', services: ['civil-status'], now: 0 });
    for (const token of [api.viewer, vendor.token]) {
      const res = await api.built.app.inject({
        url: '/api/v1/openapi.json',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(200);
      const doc = res.json() as Document;
      expect(doc.openapi).toMatch(/^3\.0\./);
      expect(Object.keys(doc.paths)).toContain('/api/v1/incidents');
    }
  });
});
