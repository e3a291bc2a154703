/**
 * The UI's words: one catalogue per language (i18n/vi.json, i18n/en.json, same keys, checked by a test),
 * Vietnamese first. `{name}` placeholders are filled from the vars given to `t`.
 */
import vi from './i18n/vi.json' with { type: 'json' };
import en from './i18n/en.json' with { type: 'json' };

export const LANGS = ['vi', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export type MessageKey = keyof typeof vi;
export const CATALOGUES: Record<Lang, Record<MessageKey, string>> = { vi, en: en as Record<MessageKey, string> };

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const catalogue = CATALOGUES[lang];
  return (key, vars) => {
    const text = catalogue[key] ?? CATALOGUES.vi[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
  };
}

export function isLang(s: unknown): s is Lang {
  return s === 'vi' || s === 'en';
}
