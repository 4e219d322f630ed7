import { useTranslation } from 'react-i18next';
import { errorText } from '../../lib/errors';
import type { QueryState } from '../../lib/use-api-query';

/**
 * What a Familiarize page shows until its data has loaded: the failure under the page's title,
 * or that it is loading.
 */
export function NotReady({ state, titleId, title }: { state: QueryState<unknown>; titleId: string; title: string }) {
  const { t } = useTranslation('journey');
  if (state.status === 'error')
    return (
      <section className="card" aria-labelledby={titleId}>
        <h1 id={titleId}>{title}</h1>
        <p className="error" role="alert">
          {errorText(state.error)}
        </p>
      </section>
    );
  return (
    <p className="status" aria-live="polite">
      {t('loading')}
    </p>
  );
}
