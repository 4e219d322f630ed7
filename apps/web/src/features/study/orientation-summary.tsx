import { useTranslation } from 'react-i18next';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useApiQuery } from '../../lib/use-api-query';
import type { StudyOrientation } from './types';

/**
 * The study's orientation at a glance (pages, practice, check), and the way to the familiarize
 * part's orientation editor (`/studies/:studyId/orientation`), which edits all of it.
 */
export function OrientationSummary({ studyId, token }: { studyId: string; token: string | null }) {
  const { t } = useTranslation('study');
  const orientation = useApiQuery<StudyOrientation & { isDefault?: boolean }>(
    token ? `/api/studies/${encodeURIComponent(studyId)}/orientation` : null,
    token,
  );
  return (
    <section aria-labelledby="orientation-title" data-testid="orientation-summary">
      <h2 id="orientation-title">{t('orientation.title')}</h2>
      <p className="hint">{t('orientation.intro')}</p>
      {orientation.status === 'error' && (
        <p className="error" role="alert">
          {errorText(orientation.error)}
        </p>
      )}
      {orientation.status === 'loading' && <p className="status">{t('loading')}</p>}
      {orientation.status === 'success' && (
        <>
          {orientation.data.isDefault && <p className="notice">{t('orientation.isDefault')}</p>}
          <ul>
            <li>{t('orientation.pages', { count: orientation.data.pages.length })}</li>
            <li>{t('orientation.practice', { count: orientation.data.practice.length })}</li>
            <li>
              {t('orientation.check', {
                count: orientation.data.check.questions.length,
                passMark: orientation.data.check.passMark,
              })}{' '}
              {orientation.data.required ? t('orientation.required') : t('orientation.optional')}
            </li>
          </ul>
        </>
      )}
      <p>
        <Link href={`/studies/${encodeURIComponent(studyId)}/orientation`}>{t('orientation.edit')}</Link>
      </p>
    </section>
  );
}
