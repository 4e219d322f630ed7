import { useEffect, useState } from 'react';
import { api } from '../../lib/api';
import type { FinalAttribute } from '../../lib/contract';
import { FeedbackLine, useFeedback } from '../../lib/feedback';

interface Draft {
  id?: string;
  key: string;
  name: string;
  definition: string;
  examples: string[];
  top3: boolean;
  top5: boolean;
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
  interactions: { id: string; title: string }[];
  open: boolean;
  onSaved: () => void;
}) {
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const { feedback, attempt } = useFeedback();
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
    const saved = await attempt(
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
            })),
            groupTop3: withIds.filter((d) => d.top3).map((d) => d.id),
            groupTop5: withIds.filter((d) => d.top5).map((d) => d.id),
          },
        }),
      'Saved the final attributes.',
    );
    if (saved) onSaved();
  };

  return (
    <section className="card" aria-labelledby="finals-title">
      <h2 id="finals-title">Final attributes</h2>
      {!open && <p className="hint">Editable while segment 4 runs.</p>}
      {drafts.map((d, i) => (
        <fieldset key={d.key} className="final-attribute" disabled={!open}>
          <legend>Attribute {i + 1}</legend>
          <label>
            Name
            <input value={d.name} onChange={(e) => update(d.key, { name: e.target.value })} />
          </label>
          <label>
            Definition
            <textarea rows={2} value={d.definition} onChange={(e) => update(d.key, { definition: e.target.value })} />
          </label>
          <label>
            Example interactions
            <select
              multiple
              value={d.examples}
              onChange={(e) => update(d.key, { examples: [...e.target.selectedOptions].map((o) => o.value) })}
            >
              {interactions.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.title}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={d.top3} onChange={(e) => update(d.key, { top3: e.target.checked })} /> Group
            top-3
          </label>
          <label className="check">
            <input type="checkbox" checked={d.top5} onChange={(e) => update(d.key, { top5: e.target.checked })} /> Group
            top-5
          </label>
          <button
            type="button"
            className="secondary"
            onClick={() => setDrafts((prev) => prev.filter((x) => x.key !== d.key))}
          >
            Remove
          </button>
        </fieldset>
      ))}
      <div className="actions">
        <button
          type="button"
          disabled={!open}
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
          Add attribute
        </button>
        <button
          type="button"
          disabled={!open || drafts.length === 0 || drafts.some((d) => !d.name.trim() || !d.definition.trim())}
          onClick={save}
        >
          Save final attributes
        </button>
      </div>
      <FeedbackLine feedback={feedback} />
    </section>
  );
}
