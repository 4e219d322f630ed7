import { useEffect, useState } from 'react';
import { api } from '../../lib/api';
import type { FinalAttribute, MappingResponse } from '../../lib/contract';
import { FeedbackLine, useFeedback } from '../../lib/feedback';

/** The segment-1 → final mapping: each participant's attribute, the suggestion, the confirmed choice. */
export function MappingPanel({
  sessionId,
  token,
  mapping,
  finals,
  names,
  onSaved,
}: {
  sessionId: string;
  token: string;
  mapping: MappingResponse | null;
  finals: FinalAttribute[];
  names: Record<string, string>;
  onSaved: () => void;
}) {
  const [choice, setChoice] = useState<Record<string, string>>({});
  const { feedback, attempt } = useFeedback();
  useEffect(() => {
    if (!mapping) return;
    const next: Record<string, string> = {};
    for (const a of mapping.attributes) {
      const confirmed = mapping.mapping?.[a.id];
      next[a.id] = confirmed === undefined ? (mapping.suggested[a.id]?.finalAttributeId ?? '') : (confirmed ?? '');
    }
    setChoice(next);
  }, [mapping]);
  if (!mapping || mapping.attributes.length === 0 || finals.length === 0) return null;
  const finalName = (id: string) => finals.find((f) => f.id === id)?.name ?? id;
  return (
    <section className="card" aria-labelledby="mapping-title">
      <h2 id="mapping-title">Segment-1 mapping</h2>
      <p className="hint">Suggestions by {mapping.suggestedBy}; confirm or change each.</p>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Participant</th>
            <th scope="col">Segment-1 attribute</th>
            <th scope="col">Suggested</th>
            <th scope="col">Becomes</th>
          </tr>
        </thead>
        <tbody>
          {mapping.attributes.map((a) => {
            const s = mapping.suggested[a.id];
            return (
              <tr key={a.id}>
                <td>{names[a.participantId] ?? a.participantId}</td>
                <td>
                  {a.rank}. <strong>{a.name}</strong>
                </td>
                <td>{s ? `${finalName(s.finalAttributeId)} (${s.similarity.toFixed(2)})` : '—'}</td>
                <td>
                  <select
                    aria-label={`Final attribute for ${a.name}`}
                    value={choice[a.id] ?? ''}
                    onChange={(e) => setChoice((prev) => ({ ...prev, [a.id]: e.target.value }))}
                  >
                    <option value="">none</option>
                    {finals.map((f) => (
                      <option key={f.id} value={f.id}>
                        {f.name}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="actions">
        <button
          type="button"
          onClick={async () => {
            const saved = await attempt(
              () =>
                api(`/api/sessions/${encodeURIComponent(sessionId)}/segment1-mapping`, {
                  method: 'PUT',
                  token,
                  body: {
                    mapping: Object.fromEntries(Object.entries(choice).map(([k, v]) => [k, v === '' ? null : v])),
                  },
                }),
              'Saved the mapping.',
            );
            if (saved) onSaved();
          }}
        >
          Save mapping
        </button>
      </div>
      <FeedbackLine feedback={feedback} />
    </section>
  );
}
