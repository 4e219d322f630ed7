import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import type { FinalAttribute } from '../../lib/contract';
import { FeedbackLine, useFeedback } from '../../lib/feedback';
import { atLeastSettled, consoleGate } from './control';
import './moderator.css';

interface Draft {
  id?: string;
  key: string;
  name: string;
  definition: string;
  examples: string[];
  top3: boolean;
  top5: boolean;
}

/** An interaction the moderator may cite as an example: what was asked and how it was answered. */
export interface ExampleInteraction {
  id: string;
  prompt: string;
  response: string;
}

/**
 * Segment 4: the group's final attributes (name, definition, example interactions) and its top-3
 * and top-5, as the moderator writes them down during the discussion.
 */
export function FinalAttributesEditor({
  sessionId,
  token,
  finals,
  top3,
  top5,
  interactions,
  open,
  onSaved,
}: {
  sessionId: string;
  token: string;
  finals: FinalAttribute[];
  top3: string[];
  top5: string[];
  interactions: ExampleInteraction[];
  open: boolean;
  onSaved: () => void;
}) {
  const { t } = useTranslation('moderator');
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const { feedback, attempt } = useFeedback(t('finals.failed'));
  // The saved set, as a value: the props are new arrays on every render of the page.
  const saved = JSON.stringify([finals, top3, top5]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `saved` stands for finals, top3 and top5
  useEffect(() => {
    setDrafts(
      finals.map((f) => ({
        id: f.id,
        key: f.id,
        name: f.name,
        definition: f.definition,
        examples: f.exampleInteractionIds,
        top3: top3.includes(f.id),
        top5: top5.includes(f.id),
      })),
    );
  }, [saved]);
  const update = (key: string, patch: Partial<Draft>) =>
    setDrafts((prev) => prev.map((d) => (d.key === key ? { ...d, ...patch } : d)));

  const save = async () => {
    // New attributes get their ids from the server; top-3/top-5 refer to them by position first.
    const withIds = drafts.map((d, i) => ({ ...d, id: d.id ?? `fa-${Date.now().toString(36)}-${i}` }));
    const ok = await attempt(
      () =>
        api(`/api/sessions/${encodeURIComponent(sessionId)}/final-attributes`, {
          method: 'PUT',
          token,
          body: {
            attributes: withIds.map((d) => ({
              id: d.id,
              name: d.name.trim(),
              definition: d.definition.trim(),
              exampleInteractionIds: d.examples,
              // Kept as saved: source labels are set through the API, and a save here must not drop them.
              sourceLabelIds: finals.find((f) => f.id === d.id)?.sourceLabelIds ?? [],
            })),
            groupTop3: withIds.filter((d) => d.top3).map((d) => d.id),
            groupTop5: withIds.filter((d) => d.top5).map((d) => d.id),
          },
        }),
      t('finals.saved'),
    );
    if (ok) onSaved();
  };

  const incomplete = drafts.findIndex((d) => !d.name.trim() || !d.definition.trim());
  const countOf = (key: 'top3' | 'top5') => drafts.filter((d) => d[key]).length;
  const saveReason = !open
    ? t('reason.startFirst', { segment: 4 })
    : drafts.length === 0
      ? t('finals.reason.none')
      : incomplete >= 0
        ? t('finals.reason.incomplete', { n: incomplete + 1 })
        : countOf('top3') > 3
          ? t('finals.reason.top3')
          : countOf('top5') > 5
            ? t('finals.reason.top5')
            : null;

  return (
    <section className="card console-card" aria-labelledby="finals-title">
      <h2 id="finals-title">{t('finals.title')}</h2>
      {!open && <p className="hint">{t('finals.closed')}</p>}
      {drafts.map((d, i) => (
        <fieldset key={d.key} className="final-attribute" disabled={!open}>
          <legend>{t('finals.attribute', { n: i + 1 })}</legend>
          <label>
            {t('finals.name')}
            <input dir="auto" value={d.name} onChange={(e) => update(d.key, { name: e.target.value })} />
          </label>
          <label>
            {t('finals.definition')}
            <textarea
              dir="auto"
              rows={3}
              value={d.definition}
              onChange={(e) => update(d.key, { definition: e.target.value })}
            />
          </label>
          <ExamplePicker
            interactions={interactions}
            chosen={d.examples}
            onChange={(examples) => update(d.key, { examples })}
          />
          <label className="check">
            <input type="checkbox" checked={d.top3} onChange={(e) => update(d.key, { top3: e.target.checked })} />{' '}
            {t('finals.top3')}
          </label>
          <label className="check">
            <input type="checkbox" checked={d.top5} onChange={(e) => update(d.key, { top5: e.target.checked })} />{' '}
            {t('finals.top5')}
          </label>
          <button
            type="button"
            className="secondary"
            onClick={() => setDrafts((prev) => prev.filter((x) => x.key !== d.key))}
          >
            {t('finals.remove', { n: i + 1 })}
          </button>
        </fieldset>
      ))}
      <div className="actions console-actions">
        <ActionButton
          className="secondary"
          disabledReason={open ? null : t('reason.startFirst', { segment: 4 })}
          onClick={() =>
            setDrafts((prev) => [
              ...prev,
              {
                key: `new-${prev.length}-${Date.now()}`,
                name: '',
                definition: '',
                examples: [],
                top3: false,
                top5: false,
              },
            ])
          }
        >
          {t('finals.add')}
        </ActionButton>
        <ActionButton
          disabledReason={saveReason}
          onClick={(event) => consoleGate.pass(event, () => atLeastSettled(save))}
        >
          {t('finals.save')}
        </ActionButton>
      </div>
      <FeedbackLine feedback={feedback} />
    </section>
  );
}

/**
 * The example interactions of one attribute: a filter and a list of checkboxes, each with the
 * whole prompt and the start of the response, wrapped rather than cut.
 */
function ExamplePicker({
  interactions,
  chosen,
  onChange,
}: {
  interactions: ExampleInteraction[];
  chosen: string[];
  onChange: (ids: string[]) => void;
}) {
  const { t } = useTranslation('moderator');
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const shown = interactions
    .map((x, n) => ({ ...x, n: n + 1 }))
    .filter((x) => !needle || `${x.prompt}\n${x.response}`.toLowerCase().includes(needle) || chosen.includes(x.id));
  return (
    <fieldset className="example-picker">
      <legend className="example-picker-title">{t('finals.examples', { count: chosen.length })}</legend>
      {interactions.length === 0 ? (
        <p className="hint">{t('finals.noInteractions')}</p>
      ) : (
        <>
          <label className="example-filter">
            {t('finals.filter')}
            <input type="search" dir="auto" value={filter} onChange={(e) => setFilter(e.target.value)} />
          </label>
          <ul className="example-list">
            {shown.map((x) => (
              <li key={x.id} className="example-item">
                <label className="example-option">
                  <input
                    type="checkbox"
                    checked={chosen.includes(x.id)}
                    onChange={(e) =>
                      onChange(e.target.checked ? [...chosen, x.id] : chosen.filter((id) => id !== x.id))
                    }
                  />
                  <span>
                    <span className="example-number">{x.n}.</span>{' '}
                    {x.prompt && (
                      <>
                        <strong dir="auto">{x.prompt}</strong>{' '}
                      </>
                    )}
                    <span dir="auto" className="example-response">
                      {x.response.length > 180 ? `${x.response.slice(0, 180).trimEnd()}…` : x.response}
                    </span>
                  </span>
                </label>
              </li>
            ))}
            {shown.length === 0 && <li className="hint">{t('finals.noMatch')}</li>}
          </ul>
        </>
      )}
    </fieldset>
  );
}
