import { useEffect, useState } from 'react';
import { api } from '../../lib/api';
import type { FinalAttribute } from '../../lib/contract';
import { FeedbackLine, useFeedback } from '../../lib/feedback';
import { RankList } from './rank-list';

const scale = ['Strongly disagree', 'Disagree', 'Neutral', 'Agree', 'Strongly agree'];

/** Segment 5: rate agreement with every final definition (1–5) and rank them, best first (private). */
export function Segment5Form({
  sessionId,
  token,
  open,
  finals,
}: {
  sessionId: string;
  token: string;
  open: boolean;
  finals: FinalAttribute[];
}) {
  const [likert, setLikert] = useState<Record<string, number>>({});
  const [order, setOrder] = useState<{ key: string; attribute: FinalAttribute }[]>([]);
  const { feedback, attempt } = useFeedback();
  const saved = JSON.stringify(finals);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `saved` stands for finals (a new array on every render)
  useEffect(() => setOrder(finals.map((attribute) => ({ key: attribute.id, attribute }))), [saved]);
  const complete = finals.every((f) => likert[f.id] !== undefined);

  return (
    <form
      className="card segment-form"
      aria-labelledby="segment5-title"
      onSubmit={async (event) => {
        event.preventDefault();
        await attempt(
          () =>
            api(`/api/sessions/${encodeURIComponent(sessionId)}/segment5`, {
              method: 'PUT',
              token,
              body: { likert, ranking: order.map((o) => o.key) },
            }),
          'Saved your ratings and ranking.',
        );
      }}
    >
      <h2 id="segment5-title">Rate and rank the final attributes</h2>
      {finals.length === 0 && <p>The group has not set its final attributes yet.</p>}
      {finals.map((attribute) => (
        <fieldset key={attribute.id} className="likert" disabled={!open}>
          <legend>
            <strong>{attribute.name}</strong>: {attribute.definition}
          </legend>
          {scale.map((label, i) => (
            <label key={label} className="likert-option">
              <input
                type="radio"
                name={`likert-${attribute.id}`}
                value={i + 1}
                checked={likert[attribute.id] === i + 1}
                onChange={() => setLikert((prev) => ({ ...prev, [attribute.id]: i + 1 }))}
              />
              {label}
            </label>
          ))}
        </fieldset>
      ))}
      {finals.length > 0 && (
        <>
          <h3>Your ranking, best first</h3>
          <RankList
            label="Your ranking of the final attributes"
            items={order}
            onChange={setOrder}
            render={(item) => item.attribute.name}
          />
        </>
      )}
      <div className="actions">
        <button type="submit" disabled={!open || !complete || finals.length === 0}>
          Submit ratings and ranking
        </button>
        {!open && <span className="hint">Opens while segment 5 runs.</span>}
      </div>
      <FeedbackLine feedback={feedback} />
    </form>
  );
}
