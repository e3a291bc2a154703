/**
 * One commune's plan from the catalogue: selection (all, include, exclude), overrides (set and remove a
 * key), defaults, path; and the ETag: the same for the same plan, new when what the commune probes changes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalogue } from '../../../server/plan/catalogue.js';
import { buildPlan } from '../../../server/plan/plan-builder.js';
import { canonicalJson } from '../../../protocol/plan.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { CATALOGUE } from './catalogue-text.js';

describe('plan builder', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  const load = (text: string, name = 'catalogue.yaml') => {
    const file = join(dir.path, name);
    writeFileSync(file, text);
    return loadCatalogue(file);
  };
  const catalogue = load(CATALOGUE);
  const byName = (commune: string) =>
    Object.fromEntries(buildPlan(catalogue, commune).plan.targets.map((t) => [t.name, t]));

  it('gives a commune without an entry the `all` services, with defaults and the service class filled in', () => {
    const { plan } = buildPlan(catalogue, '99999');
    expect(plan).toMatchObject({ v: 1, commune: '99999', path: { datacentre: '10.10.0.1:443' } });
    expect(plan.targets.map((t) => t.name)).toEqual(['dvcqg', 'dvcqg-sso', 'hotich-moj', 'paygov']);
    expect(plan.targets[0]).toEqual({
      name: 'dvcqg',
      kind: 'http',
      url: 'https://dichvucong.gov.vn/',
      service: 'portal',
      intervalSec: 300,
      timeoutMs: 20000,
    });
    expect(plan.targets[2]).toEqual({
      name: 'hotich-moj',
      kind: 'tcp',
      host: 'hotichdientu.moj.gov.vn',
      port: 443,
      service: 'civil-status',
      intervalSec: 300,
      timeoutMs: 15000,
    });
  });

  it('applies an entry: include, exclude, overrides and its path over the catalogue path', () => {
    const { plan } = buildPlan(catalogue, '26734');
    // Catalogue order, not the order of all/include.
    expect(plan.targets.map((t) => t.name)).toEqual(['dvcqg', 'dvcqg-sso', 'hotich-moj', 'motcua-tinh']);
    expect(byName('26734')['hotich-moj']).toMatchObject({
      link: 'tslcd',
      intervalSec: 600,
      host: 'hotichdientu.moj.gov.vn',
    });
    expect(byName('26734')['motcua-tinh']!.url).toBe('https://dichvucong.laocai.gov.vn/yenbai/');
    expect(plan.path).toEqual({ datacentre: '10.10.0.1:443', uplink: '10.0.0.1' });
  });

  it('removes a key overridden with null, for every code of the entry', () => {
    expect(byName('99999').paygov!.keyword).toBe('PayGov');
    for (const commune of ['26737', '26740']) expect(byName(commune).paygov).not.toHaveProperty('keyword');
  });

  it('sends canonical JSON whose content hash is the strong ETag', () => {
    const { plan, body, etag } = buildPlan(catalogue, '26734');
    expect(body).toBe(canonicalJson(JSON.parse(body)));
    const { version, ...content } = plan;
    expect(version).toBe(createHash('sha256').update(canonicalJson(content)).digest('base64url'));
    expect(etag).toBe(`"${version}"`);
    expect(etag).not.toMatch(/^W\//);
  });

  it('keeps the ETag for the same plan: rebuilt, reloaded, keys reordered, other communes edited', () => {
    const { etag } = buildPlan(catalogue, '26734');
    expect(buildPlan(catalogue, '26734').etag).toBe(etag);
    expect(buildPlan(load(CATALOGUE, 'again.yaml'), '26734').etag).toBe(etag);
    const reordered = CATALOGUE.replace(
      '{ name: dvcqg, kind: http, url: "https://dichvucong.gov.vn/", timeoutMs: 20000 }',
      '{ timeoutMs: 20000, url: "https://dichvucong.gov.vn/", kind: http, name: dvcqg }',
    );
    expect(buildPlan(load(reordered, 'reordered.yaml'), '26734').etag).toBe(etag);
    const otherCommune = CATALOGUE.replace('paygov: { keyword: null }', 'paygov: { keyword: Thanh toán }');
    expect(buildPlan(load(otherCommune, 'other.yaml'), '26734').etag).toBe(etag);
    expect(buildPlan(load(otherCommune, 'other.yaml'), '26737').etag).not.toBe(buildPlan(catalogue, '26737').etag);
  });

  it('changes the ETag when what the commune probes changes', () => {
    const { etag } = buildPlan(catalogue, '26734');
    const changes = [
      CATALOGUE.replace(
        'hotich-moj: { link: tslcd, intervalSec: 600 }',
        'hotich-moj: { link: tslcd, intervalSec: 900 }',
      ),
      CATALOGUE.replace('defaults: { intervalSec: 300', 'defaults: { intervalSec: 240'),
      CATALOGUE.replace('path: { uplink: "10.0.0.1" }', 'path: { uplink: "10.0.0.2" }'),
      CATALOGUE.replace('    exclude: [paygov]\n', ''),
    ];
    const etags = changes.map((text, i) => buildPlan(load(text, `changed-${i}.yaml`), '26734').etag);
    expect(new Set([etag, ...etags]).size).toBe(changes.length + 1);
    // The plan is per commune: the same catalogue gives different communes different ETags.
    expect(buildPlan(catalogue, '26737').etag).not.toBe(buildPlan(catalogue, '26740').etag);
  });
});
