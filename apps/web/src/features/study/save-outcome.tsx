import { useTranslation } from 'react-i18next';
import type { SaveState } from './use-save';

/** What came of a form's last save, announced politely; an error as an alert. */
export function SaveOutcome({ state, testId }: { state: SaveState; testId?: string }) {
  const { t } = useTranslation('study');
  return (
    <div aria-live="polite" data-testid={testId}>
      {state.status === 'saved' && <p className="saved-note">{t('saved')}</p>}
      {state.status === 'error' && (
        <p className="error" role="alert">
          {state.message}
        </p>
      )}
    </div>
  );
}
