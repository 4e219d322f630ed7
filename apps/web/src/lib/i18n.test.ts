import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '@calma/protocol';
import { describe, expect, it } from 'vitest';

/** Every translation file, read as the bundle reads it: locales/<language>/<namespace>.json. */
const localesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'locales');
const languages = readdirSync(localesDir);

function flatten(value: unknown, prefix = ''): Record<string, string> {
  if (typeof value === 'string') return { [prefix]: value };
  if (typeof value !== 'object' || value === null) throw new Error(`${prefix}: not a string or an object`);
  return Object.assign(
    {},
    ...Object.entries(value).map(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key)),
  );
}

const read = (language: string, namespace: string) =>
  flatten(JSON.parse(readFileSync(join(localesDir, language, `${namespace}.json`), 'utf8')));

/** i18next's plural forms: `key_one`, `key_other`, … stand for `key`. Hindi has one and other. */
const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');
const variables = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  it('say every error code of the contract in a sentence of its own', () => {
    for (const language of languages) {
      const errors = read(language, 'errors');
      const missing = Object.values(ErrorCode).filter((code) => !errors[code]);
      expect(missing, `${language}/errors.json`).toEqual([]);
    }
  });

  it('come in English and Hindi', () => {
    expect(languages.sort()).toEqual(['en', 'hi']);
  });

  const namespaces = readdirSync(join(localesDir, 'en')).map((f) => f.replace(/\.json$/, ''));
  it.each(namespaces)('%s: Hindi has every English string, with the same placeholders', (namespace) => {
    const en = read('en', namespace);
    const hi = read('hi', namespace);
    expect(Object.keys(en).length).toBeGreaterThan(0);
    expect(new Set(Object.keys(hi).map(base))).toEqual(new Set(Object.keys(en).map(base)));
    for (const [key, text] of Object.entries(hi)) {
      expect(text.trim(), `hi ${namespace}:${key} is empty`).not.toBe('');
      const english = en[key] ?? en[`${base(key)}_other`] ?? en[base(key)] ?? '';
      expect(variables(text), `hi ${namespace}:${key} placeholders`).toEqual(variables(english));
    }
  });

  it('Hindi is not English copied over', () => {
    const copied = namespaces.flatMap((namespace) => {
      const en = read('en', namespace);
      const hi = read('hi', namespace);
      // Words with Latin letters only in both (names like Calma, PGlite, JSON are fine when short).
      return Object.entries(hi)
        .filter(([key, text]) => text === en[key] && /[a-z]{4,}.*\s.*[a-z]{4,}/i.test(text))
        .map(([key]) => `${namespace}:${key}`);
    });
    expect(copied).toEqual([]);
  });
});
