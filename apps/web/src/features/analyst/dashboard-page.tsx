import { useState } from 'react';
import { ApiError } from '../../lib/api';
import type { Analysis, FinalAttributesResponse, GroupSummary, ParticipantList, Session } from '../../lib/contract';
import { Link } from '../../lib/router';
import { getToken, useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { WordCloud } from '../summary/word-cloud';
import { ConsensusCharts, LikertChart, ShiftChart } from './charts';

interface Axis {
  rank: number;
  id: string;
  name: string;
  definition: string;
  inGroupTop3: boolean;
  inGroupTop5: boolean;
  agreement: { n: number; mean: number | null; median: number | null; agreeShare: number | null };
  examples: { interactionId: string; excerpt: string }[];
}

async function download(sessionId: string, format: 'json' | 'csv' | 'md'): Promise<void> {
  const response = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/export?format=${format}`, {
    headers: { authorization: `Bearer ${getToken() ?? ''}` },
  });
  if (!response.ok) throw new ApiError(response.status, 'EXPORT_FAILED', 'The export failed.');
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `calma-axes-${sessionId}.${format}`;
  link.click();
  URL.revokeObjectURL(url);
}

/** The analyst's view of a session: derived axes, consensus-shift charts, word cloud, exports. */
export function DashboardPage({ sessionId }: { sessionId: string }) {
  const token = useToken();
  const path = (p: string) => (token ? `/api/sessions/${encodeURIComponent(sessionId)}${p}` : null);
  const session = useApiQuery<Session>(path(''), token);
  const analysis = useApiQuery<Analysis>(path('/analysis'), token);
  const exported = useApiQuery<{ axes: Axis[] }>(path('/export?format=json'), token);
  const finals = useApiQuery<FinalAttributesResponse>(path('/final-attributes'), token);
  const groupId = session.status === 'success' ? session.data.groupId : null;
  const participants = useApiQuery<ParticipantList>(groupId ? `/api/groups/${groupId}/participants` : null, token);
  const summary = useApiQuery<GroupSummary>(groupId ? `/api/groups/${groupId}/summary` : null, token);
  const [exportError, setExportError] = useState<string | null>(null);

  if (analysis.status === 'error')
    return (
      <section className="card">
        <h1>Analysis</h1>
        <p className="error" role="alert">
          {analysis.error.message}
        </p>
      </section>
    );
  if (analysis.status !== 'success') return <p className="status">Loading…</p>;
  const names: Record<string, string> = {
    ...Object.fromEntries(
      (participants.status === 'success' ? participants.data.participants : []).map((p) => [p.id, p.displayName]),
    ),
    ...Object.fromEntries((finals.status === 'success' ? finals.data.attributes : []).map((f) => [f.id, f.name])),
  };
  const axes = exported.status === 'success' ? exported.data.axes : [];
  return (
    <div className="dashboard">
      <header className="dashboard-header">
        <h1>Analysis</h1>
        <p>
          {analysis.data.participants} participants ·{' '}
          <Link href={`/sessions/${encodeURIComponent(sessionId)}`}>back to the session</Link>
        </p>
        <fieldset className="actions">
          <legend className="visually-hidden">Export the derived axes</legend>
          {(['json', 'csv', 'md'] as const).map((format) => (
            <button
              key={format}
              type="button"
              onClick={() =>
                download(sessionId, format).then(
                  () => setExportError(null),
                  (e: Error) => setExportError(e.message),
                )
              }
            >
              Export {format.toUpperCase()}
            </button>
          ))}
        </fieldset>
        {exportError && <p className="error">{exportError}</p>}
      </header>
      <section className="card" aria-labelledby="axes-title">
        <h2 id="axes-title">Derived axes</h2>
        <table className="table" data-testid="axes-table">
          <thead>
            <tr>
              <th scope="col">Rank</th>
              <th scope="col">Axis</th>
              <th scope="col">Definition</th>
              <th scope="col">Group pick</th>
              <th scope="col">Agree</th>
              <th scope="col">Mean</th>
              <th scope="col">Examples</th>
            </tr>
          </thead>
          <tbody>
            {axes.map((axis) => (
              <tr key={axis.id}>
                <td>{axis.rank}</td>
                <th scope="row">{axis.name}</th>
                <td>{axis.definition}</td>
                <td>{axis.inGroupTop3 ? 'top-3' : axis.inGroupTop5 ? 'top-5' : ''}</td>
                <td>{axis.agreement.agreeShare === null ? '—' : `${Math.round(axis.agreement.agreeShare * 100)} %`}</td>
                <td>{axis.agreement.mean?.toFixed(2) ?? '—'}</td>
                <td>{axis.examples.map((e) => e.excerpt).join(' · ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card" aria-labelledby="shift-title">
        <h2 id="shift-title">How the discussion moved people</h2>
        <LikertChart analysis={analysis.data} names={names} />
        <ShiftChart analysis={analysis.data} names={names} />
        <ConsensusCharts analysis={analysis.data} names={names} />
      </section>
      <section className="card" aria-labelledby="cloud-title">
        <h2 id="cloud-title">Group summary</h2>
        {summary.status === 'success' && <WordCloud terms={summary.data.wordCloud} />}
      </section>
    </div>
  );
}
