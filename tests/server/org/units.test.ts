/** The hierarchy file: both shapes (with and without districts), old codes, located errors; and what uses it. */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadUnits } from '../../../server/org/units.js';
import { ConfigError } from '../../../common/config-file.js';
import { route } from '../../../server/alerts/routing.js';
import { placeLabels } from '../../../server/alerts/labels.js';
import type { RouteNode } from '../../../server/alerts/alert-config.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/units/${name}`, import.meta.url));

describe('units', () => {
  const units = loadUnits(fixture('units.yaml'));

  it('loads a two-tier province and one with districts into the same lookup', () => {
    expect(units.commune('26734')).toEqual({
      code: '26734',
      name: 'Xã Bảo Hà',
      province: { code: '15', name: 'Lào Cai' },
    });
    expect(units.commune('99001')).toEqual({
      code: '99001',
      name: 'Xã Một',
      province: { code: '99', name: 'Tỉnh Thử' },
      district: { code: '990', name: 'Huyện Một' },
    });
    expect(units.commune('12345')).toBeUndefined();
  });

  it('maps the codes of merged communes to the unit that exists now', () => {
    expect(units.commune('02686')?.code).toBe('26734');
    expect(units.canonical('02683')).toBe('26734');
    expect(units.canonical('12345')).toBe('12345');
    expect(units.calendarScopes('02683')).toEqual(['', 'p:15', 'c:26734']);
    expect(units.calendarScopes('12345')).toEqual(['', 'c:12345']);
  });

  it('routes by province and district labels, with or without districts', () => {
    const tree: RouteNode = {
      receiver: 'so-khcn',
      routes: [
        { match: { district: ['990'] }, receiver: 'huyen-mot' },
        { match: { province: ['15'] }, receiver: 'lao-cai' },
      ],
    };
    expect(route(tree, placeLabels(['26734'], units)).map((m) => m.receiver)).toEqual(['lao-cai']);
    expect(route(tree, placeLabels(['99001'], units)).map((m) => m.receiver)).toEqual(['huyen-mot']);
    expect(route(tree, placeLabels(['12345'], units)).map((m) => m.receiver)).toEqual(['so-khcn']);
  });

  it('refuses a code used twice, naming where', () => {
    const file = fixture('duplicate.yaml');
    expect(() => loadUnits(file)).toThrow(ConfigError);
    expect(() => loadUnits(file)).toThrow(
      `invalid config ${file}:\n` +
        '  - provinces[0].communes[1].aliases[0] (line 6): code 26734 is already used at provinces[0].communes[0].code',
    );
  });
});
