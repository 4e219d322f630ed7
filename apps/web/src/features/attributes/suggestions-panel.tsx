import type { AttributeSuggestion, AttributeSuggestionList } from '@calma/protocol';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../lib/errors';
import type { QueryState } from '../../lib/use-api-query';

/** One suggestion's codes, one per text, with their sign. */
const codesOf = (s: AttributeSuggestion) => {
  const seen = new Map<string, 1 | -1>();
  for (const c of s.codes) if (!seen.has(c.text)) seen.set(c.text, c.sign);
  return [...seen];
};

/**
 * Groupings suggested from the meaning of the person's codes. Each can be opened in the editor
 * (to edit, then save) or dismissed (remembered on this device); none is ever applied by itself.
 */
export function SuggestionsPanel({
  state,
  dismissed,
  onOpen,
  onDismiss,
  onRestore,
}: {
  state: QueryState<AttributeSuggestionList>;
  dismissed: readonly string[];
  onOpen: (suggestion: AttributeSuggestion) => void;
  onDismiss: (id: string) => void;
  onRestore: () => void;
}) {
  const { t } = useTranslation('attributes');
  const shown = state.status === 'success' ? state.data.suggestions.filter((s) => !dismissed.includes(s.id)) : [];
  const hidden = state.status === 'success' ? state.data.suggestions.length - shown.length : 0;
  return (
    <section className="suggestions" aria-labelledby="suggestions-title">
      <h2 id="suggestions-title">{t('suggestions.title')}</h2>
      <p className="hint">{t('suggestions.hint')}</p>
      {state.status === 'loading' && <p className="status">{t('loading')}</p>}
      {state.status === 'error' && (
        <p className="error" role="alert">
          {errorText(state.error)}
        </p>
      )}
      {state.status === 'success' && shown.length === 0 && <p>{t('suggestions.none')}</p>}
      <ul className="suggestion-list" data-testid="suggestions">
        {shown.map((s) => (
          <li key={s.id} className="suggestion">
            <p className="suggestion-name" dir="auto">
              {s.name}
            </p>
            <ul className="code-chips" aria-label={t('suggestions.codesOf', { name: s.name })}>
              {codesOf(s).map(([text, sign]) => (
                <li key={text} className={`code-chip ${sign === 1 ? 'for' : 'against'}`}>
                  <span dir="auto">{text}</span>{' '}
                  <span className="code-count">{t(sign === 1 ? 'sign.for' : 'sign.against')}</span>
                </li>
              ))}
            </ul>
            <div className="actions">
              <button type="button" onClick={() => onOpen(s)} aria-label={t('suggestions.openNamed', { name: s.name })}>
                {t('suggestions.open')}
              </button>
              <button
                type="button"
                className="secondary"
                onClick={() => onDismiss(s.id)}
                aria-label={t('suggestions.dismissNamed', { name: s.name })}
              >
                {t('suggestions.dismiss')}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {hidden > 0 && (
        <p>
          {t('suggestions.dismissedCount', { count: hidden })}{' '}
          <button type="button" className="link-button" onClick={onRestore}>
            {t('suggestions.restore')}
          </button>
        </p>
      )}
    </section>
  );
}
