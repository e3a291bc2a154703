/**
 * Loading the service catalogue: each broken catalogue is paired with its exact errors (key path, line,
 * message), as for the agent config; and the shipped example catalogue must load and yield plans that an
 * agent accepts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogue } from '../../../server/plan/catalogue.js';
import { buildPlan } from '../../../server/plan/plan-builder.js';
import { checkPlan } from '../../../agent/probe-plan.js';
import { ConfigError } from '../../../common/config-file.js';
import { tempDir } from '../../helpers/temp-dir.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/catalogue.yaml', import.meta.url));

const SERVICES = `services:
  - id: portal
    service: portal
    name: Portal
    endpoints:
      - name: dvcqg
        kind: http
        url: https://dichvucong.gov.vn/
  - id: pay
    service: payment
    name: PayGov
    endpoints:
      - name: paygov
        kind: http
        url: https://pay.gov.vn/
all: [portal, pay]
`;

/** [what, file text, expected problem lines (each a prefix of the printed line)] */
const INVALID: Array<[string, string, string[]]> = [
  [
    'kind-specific typo, caught by the probe schema',
    SERVICES.replace('        url: https://pay.gov.vn/', '        ulr: https://pay.gov.vn/'),
    [
      'services[1].endpoints[0] (line 13): missing required key "url"',
      'services[1].endpoints[0].ulr (line 15): unknown key (not allowed here; check the spelling)',
    ],
  ],
  [
    'unknown service key',
    SERVICES.replace('    name: PayGov', '    name: PayGov\n    onwer: NAPAS'),
    ['services[1].onwer (line 12): unknown key (not allowed here; check the spelling)'],
  ],
  [
    'defaults below the floor',
    `defaults:\n  intervalSec: 30\n${SERVICES}`,
    ['defaults.intervalSec (line 2): must be >= 60'],
  ],
  [
    'an endpoint faster than 60 s',
    SERVICES.replace('        url: https://pay.gov.vn/', '        url: https://pay.gov.vn/\n        intervalSec: 30'),
    [
      'services[1].endpoints[0].intervalSec (line 16): 30 is below 60: every commune runs this plan; ' +
        "put faster local checks in the commune's own config file",
    ],
  ],
  [
    'unknown service id',
    SERVICES.replace('all: [portal, pay]', 'all: [portal, payy]'),
    ['all[1] (line 16): no service with id "payy"'],
  ],
  [
    'duplicate endpoint name',
    SERVICES.replace('      - name: paygov', '      - name: dvcqg'),
    ['services[1].endpoints[0].name (line 13): duplicate endpoint name "dvcqg" (also services[0].endpoints[0])'],
  ],
  [
    'bad value set by an override',
    `${SERVICES}communes:\n  - codes: ["26734"]\n    overrides:\n      paygov:\n        url: pay.gov.vn\n`,
    ['communes[0].overrides.paygov.url (line 21): must match pattern'],
  ],
  [
    'override of an excluded endpoint, and a rename',
    `${SERVICES}communes:\n  - codes: ["26734"]\n    exclude: [pay]\n    overrides:\n      paygov: { name: pay2 }\n`,
    [
      'communes[0].overrides.paygov (line 21): endpoint "paygov" is not in this entry\'s plan (service "pay" is not selected)',
      'communes[0].overrides.paygov.name (line 21): an override cannot rename an endpoint',
    ],
  ],
  [
    'a commune in two entries',
    `${SERVICES}communes:\n  - codes: ["26734", "26737"]\n  - codes: ["26737"]\n`,
    ['communes[1].codes[0] (line 19): commune 26737 already has an entry (communes[0])'],
  ],
  [
    'unquoted commune code',
    `${SERVICES}communes:\n  - codes: [26734]\n`,
    ['communes[0].codes[0] (line 18): must be string'],
  ],
  [
    'dependency excluded for one commune',
    `${SERVICES.replace(
      '        url: https://dichvucong.gov.vn/',
      '        url: https://dichvucong.gov.vn/\n        dependsOn: [paygov]',
    )}communes:\n  - codes: ["26734"]\n    exclude: [pay]\n`,
    ['services[0].endpoints[0].dependsOn[0] (line 9): no target named "paygov" (in the plan for communes[0] (26734))'],
  ],
  [
    'bad path key in a commune entry',
    `${SERVICES}communes:\n  - codes: ["26734"]\n    path: { gatway: none }\n`,
    ['communes[0].path.gatway (line 19): unknown key (not allowed here; check the spelling)'],
  ],
  [
    'a login with credentials, from the server',
    SERVICES.replace(
      '        kind: http\n        url: https://pay.gov.vn/',
      '        kind: transaction\n        steps: [{ name: home, url: https://pay.gov.vn/ }]\n        credentials: { env: PAY }',
    ),
    [
      'services[1].endpoints[0].credentials (line 16): not accepted from the server: define targets that log in in the local config file',
    ],
  ],
  ['YAML syntax', 'services:\n  - id: x\n   name: y\n', ['(top level) (line 3): YAML syntax:']],
];

describe('service catalogue', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  for (const [what, text, expected] of INVALID) {
    it(`rejects: ${what}`, () => {
      const file = join(dir.path, 'catalogue.yaml');
      writeFileSync(file, text);
      let error: unknown;
      try {
        loadCatalogue(file);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const lines = (error as ConfigError).message.split('\n');
      expect(lines[0]).toBe(`invalid config ${file}:`);
      const problems = lines.slice(1).map((l) => l.replace(/^ {2}- /, ''));
      expect(problems, problems.join('\n')).toHaveLength(expected.length);
      expected.forEach((want, i) =>
        expect(problems[i]!.startsWith(want), `${problems[i]} should start with ${want}`).toBe(true),
      );
    });
  }

  it('loads the example catalogue, and every plan it yields passes the agent checks', () => {
    const catalogue = loadCatalogue(EXAMPLE);
    const codes = ['99999', ...catalogue.communes.flatMap((e) => e.codes)];
    for (const commune of codes) {
      const { plan, body } = buildPlan(catalogue, commune);
      const check = checkPlan(JSON.parse(body), {
        commune,
        defaults: { intervalSec: 60, timeoutMs: 10_000, retryIntervalSec: 15 },
      });
      expect(check.ok, JSON.stringify(check)).toBe(true);
      expect(plan.targets.every((t) => (t.intervalSec as number) >= 60)).toBe(true);
    }
    // The real national endpoints of the issue are all there.
    const urls = buildPlan(catalogue, '99999').plan.targets.map((t) => t.url);
    for (const host of [
      'dichvucong.gov.vn',
      'xacthuc.dichvucong.gov.vn',
      'vneid.gov.vn',
      'sso.dancuquocgia.gov.vn',
      'hotichdientu.moj.gov.vn',
      'ocsp.ca.gov.vn',
      'tsa.ca.gov.vn',
      'pay.gov.vn',
    ]) {
      expect(
        urls.some((u) => new URL(u as string).hostname === host),
        host,
      ).toBe(true);
    }
  });

  it('says in its header that each province must confirm the endpoints', () => {
    expect(readFileSync(EXAMPLE, 'utf8').split('\n').slice(0, 4).join('\n')).toContain(
      'EXAMPLE — each province must confirm these endpoints',
    );
  });
});
