import type { GroupSummary, LabelList } from '../../lib/contract';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { WordCloud } from './word-cloud';

/** Segment 0's group summary: the word cloud, the topics explored, and the labels. */
export function SummaryPage({ groupId }: { groupId: string }) {
  const token = useToken();
  const summary = useApiQuery<GroupSummary>(token ? `/api/groups/${encodeURIComponent(groupId)}/summary` : null, token);
  const labels = useApiQuery<LabelList>(token ? `/api/groups/${encodeURIComponent(groupId)}/labels` : null, token);
  if (summary.status === 'error') return <p className="error">{summary.error.message}</p>;
  if (summary.status !== 'success') return <p className="status">Loading…</p>;
  return (
    <section className="card" aria-labelledby="summary-title">
      <h1 id="summary-title">Group summary</h1>
      <h2>Word cloud</h2>
      <WordCloud terms={summary.data.wordCloud} />
      <h2>Topics explored</h2>
      <ul className="topics">
        {summary.data.topics.map((topic) => (
          <li key={topic.name + topic.size}>
            <strong>{topic.name}</strong> · {topic.size} {topic.source === 'labels' ? 'labels' : 'questions'}
            <span className="hint"> — {topic.terms.join(', ')}</span>
          </li>
        ))}
      </ul>
      {labels.status === 'success' && (
        <>
          <h2>Labels ({labels.data.labels.length})</h2>
          <ul className="label-list">
            {labels.data.labels.map((l) => (
              <li key={l.id} title={l.annotation ?? undefined}>
                {l.text}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
