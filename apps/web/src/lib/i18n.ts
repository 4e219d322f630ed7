import i18next, { type Resource } from 'i18next';
import { initReactI18next } from 'react-i18next';

/**
 * The languages the interface is written in. `dir` is the writing direction of the interface
 * itself; what people type (labels, names, definitions) may be in any script and is marked
 * `dir="auto"` where it is shown.
 */
export const languages = {
  en: { name: 'English', dir: 'ltr' },
  hi: { name: 'हिन्दी', dir: 'ltr' },
} as const;

export type Language = keyof typeof languages;

export const isLanguage = (value: unknown): value is Language =>
  typeof value === 'string' && Object.hasOwn(languages, value);

/**
 * Translations live in `locales/<language>/<namespace>.json`, one namespace per feature (so that
 * each feature's strings sit in one file per language). They are bundled: nothing is fetched.
 */
const files = import.meta.glob<{ default: Record<string, unknown> }>('../locales/*/*.json', { eager: true });

function loadResources(): Resource {
  const resources: Resource = {};
  for (const [path, module] of Object.entries(files)) {
    const match = /locales\/([^/]+)\/([^/]+)\.json$/.exec(path);
    if (!match) continue;
    const [, language, namespace] = match as unknown as [string, string, string];
    resources[language] ??= {};
    (resources[language] as Record<string, unknown>)[namespace] = module.default;
  }
  return resources;
}

const choiceKey = 'calma.language';

/** The language this person chose on this device, if any (it outranks the study's default). */
function storedChoice(): Language | null {
  try {
    const value = window.localStorage.getItem(choiceKey);
    return isLanguage(value) ? value : null;
  } catch {
    return null;
  }
}

let studyDefault: Language = 'en';

function applyToDocument(language: string): void {
  const lang = isLanguage(language) ? language : 'en';
  document.documentElement.lang = lang;
  document.documentElement.dir = languages[lang].dir;
}

/** Sets up i18next once, before the first render. */
export function initI18n(): typeof i18next {
  const resources = loadResources();
  void i18next.use(initReactI18next).init({
    resources,
    lng: storedChoice() ?? studyDefault,
    fallbackLng: 'en',
    supportedLngs: Object.keys(languages),
    ns: Object.keys(resources.en ?? {}),
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  applyToDocument(i18next.language);
  i18next.on('languageChanged', applyToDocument);
  return i18next;
}

/** This person's own choice: kept on this device, and applied at once. */
export function chooseLanguage(language: Language): void {
  try {
    window.localStorage.setItem(choiceKey, language);
  } catch {
    // Storage blocked: the choice lasts as long as the page.
  }
  void i18next.changeLanguage(language);
}

/**
 * The study's default language (from the invite or the signed-in person's study): used unless
 * this person chose one on this device.
 */
export function applyStudyLanguage(language: string | null | undefined): void {
  if (!isLanguage(language) || language === studyDefault) return;
  studyDefault = language;
  if (storedChoice() === null && i18next.language !== language) void i18next.changeLanguage(language);
}

export { i18next };
