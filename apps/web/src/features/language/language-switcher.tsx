import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { chooseLanguage, isLanguage, languages } from '../../lib/i18n';

/** Lets a person read the interface in another language; the choice stays on this device. */
export function LanguageSwitcher() {
  const { t, i18n } = useTranslation('common');
  const id = useId();
  return (
    <div className="language-switcher">
      <label htmlFor={id}>{t('language.label')}</label>
      <select
        id={id}
        value={i18n.resolvedLanguage ?? i18n.language}
        onChange={(event) => {
          if (isLanguage(event.target.value)) chooseLanguage(event.target.value);
        }}
      >
        {Object.entries(languages).map(([code, { name }]) => (
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </div>
  );
}
