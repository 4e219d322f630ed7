import { useTranslation } from 'react-i18next';
import type { Health } from '../../lib/contract';
import { useApiQuery } from '../../lib/use-api-query';

/** A small footer naming the server version and its database, or saying it is unreachable. */
export function HealthFooter() {
  const { t } = useTranslation('common');
  const health = useApiQuery<Health>('/api/health');
  return (
    <footer className="site-footer">
      {health.status === 'success' && (
        <p>
          {t('footer.server', { version: health.data.version })} · {t(`footer.db.${health.data.db}`)}
        </p>
      )}
      {health.status === 'loading' && <p>{t('footer.checking')}</p>}
      {health.status === 'error' && <p>{t('footer.unreachable')}</p>}
    </footer>
  );
}
