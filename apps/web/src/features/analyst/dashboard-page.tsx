import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import type {
  Analysis,
  FinalAttributesResponse,
  Group,
  GroupSummary,
  ParticipantList,
  Session,
} from '../../lib/contract';
import { download } from '../../lib/download';
import { Link } from '../../lib/router';
import { getToken, useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { ComparisonLink } from '../comparison/comparison-link';
import { SignInFirst } from '../home/remembered-sign-ins';
import { WordCloud } from '../summary/word-cloud';
import './analyst.css';
import { AxesTable, type ExportedAxis } from './axes-table';
import { ConsensusCharts, LikertChart, ShiftChart } from './charts';
import { readingsOf } from './readings';

const formats = ['json', 'csv', 'md'] as const;

/** The analyst's view of a session: derived axes, consensus-shift charts read out in words, word cloud, exports. */
export function DashboardPage({ sessionId }: { sessionId: string }) {
  const { t } = useTranslation('analyst');
  const token = useToken();
  const path = (p: string) => (token ? `/api/sessions/${encodeURIComponent(sessionId)}${p}` : null);
  const session = useApiQuery<Session>(path(''), token);
  const analysis = useApiQuery<Analysis>(path('/analysis'), token);
  const exported = useApiQuery<{ axes: ExportedAxis[] }>(path('/export?format=json'), token);
  const finals = useApiQuery<FinalAttributesResponse>(path('/final-attributes'), token);
  const groupId = session.status === 'success' ? session.data.groupId : null;
  const participants = useApiQuery<ParticipantList>(groupId ? `/api/groups/${groupId}/participants` : null, token);
  const summary = useApiQuery<GroupSummary>(groupId ? `/api/groups/${groupId}/summary` : null, token);
  const group = useApiQuery<Group>(groupId ? `/api/groups/${encodeURIComponent(groupId)}` : null, token);

  if (!token) return <SignInFirst refused={null} />;
  if (analysis.status === 'error')
    return (
      <section className="card">
        <h1>{t('title')}</h1>
        <p className="error" role="alert">
          {analysis.error.status === 403 ? t('forbidden') : analysis.error.message}
        </p>
        <p>
          <Link href={`/sessions/${encodeURIComponent(sessionId)}`}>{t('back')}</Link>
        </p>
      </section>
    );
  // The page shows once its links are known: the links to the group's summary and the study's
  // comparison, which came after the rest, wrapped the line and moved the export buttons below.
  if (analysis.status !== 'success' || session.status === 'loading' || (groupId && group.status === 'loading'))
    return <p className="status">{t('loading')}</p>;
  const names: Record<string, string> = {
    ...Object.fromEntries(
      (participants.status === 'success' ? participants.data.participants : []).map((p) => [p.id, p.displayName]),
    ),
    ...Object.fromEntries((finals.status === 'success' ? finals.data.attributes : []).map((f) => [f.id, f.name])),
  };
  const axes = exported.status === 'success' ? exported.data.axes : [];
  const readings = readingsOf(analysis.data);
  return (
    <div className="dashboard analyst-page">
      <header className="dashboard-header">
        <h1>{t('title')}</h1>
        <p>
          {t('participants', { count: analysis.data.participants })} ·{' '}
          <Link href={`/sessions/${encodeURIComponent(sessionId)}`}>{t('back')}</Link>
          {' · '}
          <Link href={`/sessions/${encodeURIComponent(sessionId)}/rubrics`}>{t('rubricsLink')}</Link>
          {' · '}
          <Link href={`/sessions/${encodeURIComponent(sessionId)}/judge`}>{t('judge:link')}</Link>
          {' · '}
          <Link href={`/sessions/${encodeURIComponent(sessionId)}/replay`}>{t('replay:dashboardLink')}</Link>
          {groupId && (
            <>
              {' · '}
              <Link href={`/groups/${encodeURIComponent(groupId)}/summary?session=${encodeURIComponent(sessionId)}`}>
                {t('summaryLink')}
              </Link>
              {group.status === 'success' && <ComparisonLink studyId={group.data.studyId} />}
            </>
          )}
        </p>
        <fieldset className="actions export-actions">
          <legend>{t('export.legend')}</legend>
          {formats.map((format) => (
            <ActionButton
              key={format}
              pendingLabel={t('export.pending')}
              onClick={() =>
                download(
                  `/api/sessions/${encodeURIComponent(sessionId)}/export?format=${format}`,
                  `calma-axes-${sessionId}.${format}`,
                  getToken() ?? '',
                )
              }
            >
              {t(`export.${format}`)}
            </ActionButton>
          ))}
        </fieldset>
        <p className="hint">{t('export.hint')}</p>
      </header>
      <section className="card" aria-labelledby="axes-title">
        <h2 id="axes-title">{t('axes.title')}</h2>
        <p className="hint">{t('axes.intro')}</p>
        {exported.status === 'error' ? <p className="error">{exported.error.message}</p> : <AxesTable axes={axes} />}
      </section>
      <section className="card" aria-labelledby="shift-title">
        <h2 id="shift-title">{t('shift.title')}</h2>
        <p className="hint">{t('shift.intro')}</p>
        <LikertChart analysis={analysis.data} names={names} readings={readings} />
        <ShiftChart analysis={analysis.data} names={names} readings={readings} />
        <ConsensusCharts analysis={analysis.data} names={names} readings={readings} />
      </section>
      <section className="card" aria-labelledby="cloud-title">
        <h2 id="cloud-title">{t('cloud.title')}</h2>
        {summary.status === 'success' && <WordCloud terms={summary.data.wordCloud} />}
      </section>
    </div>
  );
}
