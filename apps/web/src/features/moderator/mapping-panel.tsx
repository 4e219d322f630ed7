import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import type { FinalAttribute, MappingResponse } from '../../lib/contract';
import { FeedbackLine, useFeedback } from '../../lib/feedback';
import { atLeastSettled, consoleGate } from './control';
import './moderator.css';

/**
 * The segment-1 → final mapping: each participant's attribute, the suggestion, the confirmed
 * choice. One row per attribute, laid out as a small card (not a four-column table), so that the
 * choice ("Becomes") stays whole in the console's narrow column and on a phone.
 */
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
  const { t } = useTranslation('moderator');
  const [choice, setChoice] = useState<Record<string, string>>({});
  const { feedback, attempt } = useFeedback(t('mapping.failed'));
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
  const save = async () => {
    const ok = await attempt(
      () =>
        api(`/api/sessions/${encodeURIComponent(sessionId)}/segment1-mapping`, {
          method: 'PUT',
          token,
          body: {
            mapping: Object.fromEntries(Object.entries(choice).map(([k, v]) => [k, v === '' ? null : v])),
          },
        }),
      t('mapping.saved'),
    );
    if (ok) onSaved();
  };
  return (
    <section className="card console-card" aria-labelledby="mapping-title">
      <h2 id="mapping-title">{t('mapping.title')}</h2>
      <p className="hint">{t('mapping.hint', { by: mapping.suggestedBy })}</p>
      <ul className="mapping-list">
        {mapping.attributes.map((a) => {
          const s = mapping.suggested[a.id];
          return (
            <li key={a.id} className="mapping-row">
              <div className="mapping-source">
                <span dir="auto" className="mapping-person">
                  {names[a.participantId] ?? a.participantId}
                </span>
                <span>
                  {a.rank}. <strong dir="auto">{a.name}</strong>
                </span>
              </div>
              <div className="hint">
                {t('mapping.suggested')}{' '}
                {s ? (
                  <>
                    <span dir="auto">{finalName(s.finalAttributeId)}</span> ({s.similarity.toFixed(2)})
                  </>
                ) : (
                  '—'
                )}
              </div>
              <label className="mapping-choice">
                {t('mapping.becomes')}
                <select
                  dir="auto"
                  aria-label={t('mapping.becomesFor', { name: a.name })}
                  value={choice[a.id] ?? ''}
                  onChange={(e) => setChoice((prev) => ({ ...prev, [a.id]: e.target.value }))}
                >
                  <option value="">{t('mapping.none')}</option>
                  {finals.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.name}
                    </option>
                  ))}
                </select>
              </label>
            </li>
          );
        })}
      </ul>
      <div className="actions console-actions">
        <ActionButton onClick={(event) => consoleGate.pass(event, () => atLeastSettled(save))}>
          {t('mapping.save')}
        </ActionButton>
      </div>
      <FeedbackLine feedback={feedback} />
    </section>
  );
}
