import type { MyProgress } from '@calma/protocol';
import { useTranslation } from 'react-i18next';
import { Link } from '../../lib/router';
import type { QueryState } from '../../lib/use-api-query';
import { journeyPaths, leftToDo } from './journey-data';
import './journey.css';

/**
 * The home page's prominent way into the journey for a signed-in participant, with where they
 * stand (`progress`, which the home page reads before it shows, so nothing moves the link).
 */
export function JourneyHomeLink({ groupId, progress }: { groupId: string; progress: QueryState<MyProgress> }) {
  const { t } = useTranslation('journey');
  const left = progress.status === 'success' ? leftToDo(progress.data) : [];
  return (
    <section className="journey-home notice" aria-labelledby="journey-home-title">
      <h2 id="journey-home-title">{t('homeLink.title')}</h2>
      {progress.status === 'success' && (
        <p>
          {t('journey.now', { stage: t(`stage.${progress.data.stage}`) })}{' '}
          {left.length > 0 &&
            t('homeLink.left', {
              what: left
                .map((item) => t(item.key, { ...item.values, stage: t(`stage.${progress.data.stage}`) }))
                .join('; '),
            })}
        </p>
      )}
      <Link className="journey-button" href={journeyPaths(groupId).journey}>
        {t('homeLink.continue')}
      </Link>
    </section>
  );
}

/** The home page's link to the progress page, for the group's staff. */
export function ProgressHomeLink({ groupId }: { groupId: string }) {
  const { t } = useTranslation('journey');
  return (
    <p>
      <Link href={journeyPaths(groupId).progress}>{t('panel.open')}</Link>
    </p>
  );
}
