import { useState } from 'react';
import { api } from '../../lib/api';
import { FeedbackLine, useFeedback } from '../../lib/feedback';
import { RankList } from './rank-list';

interface Draft {
  key: string;
  name: string;
  definition: string;
}

/** Segment 1: a participant names and defines up to three attributes, best first (private). */
export function Segment1Form({ sessionId, token, open }: { sessionId: string; token: string; open: boolean }) {
  const [items, setItems] = useState<Draft[]>(() => [1, 2, 3].map((n) => ({ key: `a${n}`, name: '', definition: '' })));
  const { feedback, attempt } = useFeedback();
  const update = (key: string, field: 'name' | 'definition', value: string) =>
    setItems((prev) => prev.map((item) => (item.key === key ? { ...item, [field]: value } : item)));
  const filled = items.filter((i) => i.name.trim() !== '' && i.definition.trim() !== '');

  return (
    <form
      className="card segment-form"
      aria-labelledby="segment1-title"
      onSubmit={async (event) => {
        event.preventDefault();
        const n = filled.length;
        await attempt(
          () =>
            api(`/api/sessions/${encodeURIComponent(sessionId)}/segment1`, {
              method: 'PUT',
              token,
              body: {
                attributes: filled.map(({ name, definition }) => ({
                  name: name.trim(),
                  definition: definition.trim(),
                })),
              },
            }),
          `Saved your ${n} attribute${n === 1 ? '' : 's'}. You can change them until the segment ends.`,
        );
      }}
    >
      <h2 id="segment1-title">Your top-3 attributes</h2>
      <p>
        Name and define the attributes that matter most to you, best first. Only you see them until the moderator
        reveals them.
      </p>
      <RankList
        label="Your attributes, best first"
        items={items}
        onChange={setItems}
        render={(item, index) => (
          <div className="attribute-fields">
            <label>
              Attribute {index + 1}
              <input
                value={item.name}
                onChange={(e) => update(item.key, 'name', e.target.value)}
                maxLength={200}
                disabled={!open}
              />
            </label>
            <label>
              Definition
              <textarea
                value={item.definition}
                onChange={(e) => update(item.key, 'definition', e.target.value)}
                rows={2}
                maxLength={2000}
                disabled={!open}
              />
            </label>
          </div>
        )}
      />
      <div className="actions">
        <button type="submit" disabled={!open || filled.length === 0}>
          Submit my attributes
        </button>
        {!open && <span className="hint">Opens while segment 1 runs.</span>}
      </div>
      <FeedbackLine feedback={feedback} />
    </form>
  );
}
