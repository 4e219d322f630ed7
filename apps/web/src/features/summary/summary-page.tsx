import { useTranslation } from 'react-i18next';
import type { GroupSummary, LabelList, SessionList } from '../../lib/contract';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { ArtifactsLink } from '../artifacts/artifacts-list-page';
import './summary.css';
import { WordCloud } from './word-cloud';

/**
 * The session to go back to: the one named in `?session=` (the session page links here with it),
 * else the group's latest session that has not ended, else its latest.
 */
function backSession(named: string | null, sessions: SessionList['sessions'] | null): string | null {
  if (named) return named;
  if (!sessions || sessions.length === 0) return null;
  const open = sessions.filter((s) => s.state.status !== 'ended');
  return (open[open.length - 1] ?? sessions[sessions.length - 1])?.id ?? null;
}

/** Segment 0's group summary: the word cloud, the topics explored, and the labels; with a way back. */
export function SummaryPage({ groupId }: { groupId: string }) {
  const { t } = useTranslation('summary');
  const token = useToken();
  const base = `/api/groups/${encodeURIComponent(groupId)}`;
  const summary = useApiQuery<GroupSummary>(token ? `${base}/summary` : null, token);
  const labels = useApiQuery<LabelList>(token ? `${base}/labels` : null, token);
  const named = new URLSearchParams(window.location.search).get('session');
  const sessions = useApiQuery<SessionList>(token && !named ? `${base}/sessions` : null, token);
  const back = backSession(named, sessions.status === 'success' ? sessions.data.sessions : null);

  const nav = (
    <nav className="summary-nav" aria-label={t('navLabel')}>
      {back && (
        <Link href={`/sessions/${encodeURIComponent(back)}`} className="summary-back">
          {t('backToSession')}
        </Link>
      )}
      <ArtifactsLink groupId={groupId} />
      <Link href="/">{t('home')}</Link>
    </nav>
  );

  // The page shows once it knows its way back: a "Back to the session" link that came later
  // pushed the links beside it away from under the pointer.
  if (sessions.status === 'loading') return <p className="status">{t('loading')}</p>;

  return (
    <section className="card summary-page" aria-labelledby="summary-title">
      {nav}
      <h1 id="summary-title">{t('title')}</h1>
      {summary.status === 'error' ? (
        <p className="error" role="alert">
          {summary.error.status === 401 ? t('signedOut') : summary.error.message}
        </p>
      ) : summary.status !== 'success' ? (
        <p className="status">{t('loading')}</p>
      ) : (
        <>
          <h2>{t('wordCloud')}</h2>
          <WordCloud terms={summary.data.wordCloud} />
          <h2>{t('topics')}</h2>
          {summary.data.topics.length === 0 ? (
            <p className="hint">{t('noTopics')}</p>
          ) : (
            <ul className="topics">
              {summary.data.topics.map((topic) => (
                <li key={topic.name + topic.size}>
                  <strong dir="auto">{topic.name}</strong> ·{' '}
                  {topic.source === 'labels'
                    ? t('topicLabels', { count: topic.size })
                    : t('topicQuestions', { count: topic.size })}
                  <span className="hint">
                    {' — '}
                    <bdi>{topic.terms.join(', ')}</bdi>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {labels.status === 'success' && (
        <>
          <h2>{t('labels', { count: labels.data.labels.length })}</h2>
          <ul className="label-list">
            {labels.data.labels.map((l) => (
              <li key={l.id} dir="auto">
                {l.text}
                {l.annotation && (
                  <span className="hint summary-annotation" dir="auto">
                    {' '}
                    — {l.annotation}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {/* The second way out, under the labels, once what is above it has come (it would move). */}
      {summary.status !== 'loading' && labels.status !== 'loading' && nav}
    </section>
  );
}
