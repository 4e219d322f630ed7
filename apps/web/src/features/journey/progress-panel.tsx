import type { GroupProgress } from '@calma/protocol';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../lib/errors';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { SignInFirst } from '../home/remembered-sign-ins';
import { groupApi, leftToDo } from './journey-data';
import './journey.css';

/** Every participant's stage and what is left, for the group's moderator and analyst. */
export function ProgressPanel({ groupId, token }: { groupId: string; token: string | null }) {
  const { t } = useTranslation('journey');
  const progress = useApiQuery<GroupProgress>(token ? groupApi(groupId, 'progress') : null, token);
  if (progress.status === 'error')
    return (
      <p className="error" role="alert">
        {errorText(progress.error)}
      </p>
    );
  if (progress.status !== 'success') return <p className="status">{t('loading')}</p>;
  const people = progress.data.participants;
  if (people.length === 0) return <p className="hint">{t('panel.none')}</p>;
  const counts = Object.fromEntries(
    (['familiarize', 'interact', 'reflect', 'discuss'] as const).map((s) => [
      s,
      people.filter((p) => p.progress.stage === s).length,
    ]),
  );
  return (
    <>
      <p>
        {(['familiarize', 'interact', 'reflect', 'discuss'] as const)
          .map((s) => t('panel.count', { count: counts[s], stage: t(`stage.${s}`) }))
          .join(' · ')}
      </p>
      <table className="table journey-progress-table">
        <caption className="visually-hidden">{t('panel.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('panel.name')}</th>
            <th scope="col">{t('panel.stage')}</th>
            <th scope="col">{t('panel.left')}</th>
          </tr>
        </thead>
        <tbody>
          {people.map((person) => (
            <tr key={person.participantId} data-testid="progress-row">
              <th scope="row" dir="auto">
                {person.displayName}
              </th>
              <td>{t(`stage.${person.progress.stage}`)}</td>
              <td>
                {leftToDo(person.progress)
                  .map((item) => t(item.key, { ...item.values, stage: t(`stage.${person.progress.stage}`) }))
                  .join('; ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** `/groups/:groupId/progress`: the progress panel as a page of its own. */
export function ProgressPage({ groupId }: { groupId: string }) {
  const { t } = useTranslation('journey');
  const token = useToken();
  if (!token) return <SignInFirst refused={null} />;
  return (
    <section className="card journey" aria-labelledby="progress-title">
      <nav className="journey-nav" aria-label={t('nav.label')}>
        <Link href="/">{t('home')}</Link>
      </nav>
      <h1 id="progress-title">{t('panel.title')}</h1>
      <ProgressPanel groupId={groupId} token={token} />
    </section>
  );
}
