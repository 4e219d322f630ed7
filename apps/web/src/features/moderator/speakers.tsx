import { useEffect, useState } from 'react';
import { controlReporting, type SessionChannel } from '../../lib/session-channel';
import { RankList } from '../segments/rank-list';

/** Segment 3's speaking queue: who presents, in which order, for how long; next speaker. */
export function Speakers({
  channel,
  participants,
  onError,
}: {
  channel: SessionChannel;
  participants: { id: string; displayName: string }[];
  onError: (message: string | null) => void;
}) {
  const [order, setOrder] = useState<{ key: string; name: string }[]>([]);
  const [turnMinutes, setTurnMinutes] = useState(2);
  useEffect(() => {
    setOrder((prev) => {
      const known = new Set(prev.map((p) => p.key));
      // Removed or merged people leave the order; renamed ones show their new name.
      const current = new Map(participants.map((p) => [p.id, p.displayName]));
      return [
        ...prev.flatMap((p) => (current.has(p.key) ? [{ key: p.key, name: current.get(p.key) ?? p.name }] : [])),
        ...participants.filter((p) => !known.has(p.id)).map((p) => ({ key: p.id, name: p.displayName })),
      ];
    });
  }, [participants]);
  const state = channel.state;
  if (!state) return null;
  const run = controlReporting(channel, onError);
  return (
    <section className="card" aria-labelledby="speakers-title">
      <h2 id="speakers-title">Speaking queue</h2>
      <RankList label="Presentation order" items={order} onChange={setOrder} render={(p) => p.name} />
      <p className="hint" data-testid="speaker-queue">
        {state.speakers.order.length === 0
          ? 'No queue set yet.'
          : `Queue: ${state.speakers.order.map((id) => order.find((p) => p.key === id)?.name ?? id).join(' → ')}`}
      </p>
      <div className="actions wrap">
        <label>
          Turn{' '}
          <input
            type="number"
            min={1}
            max={30}
            value={turnMinutes}
            onChange={(e) => setTurnMinutes(Number(e.target.value))}
          />{' '}
          min
        </label>
        <button
          type="button"
          disabled={order.length === 0}
          onClick={() =>
            run({ action: 'set-speakers', participantIds: order.map((p) => p.key), turnMs: turnMinutes * 60_000 })
          }
        >
          Set queue
        </button>
        <button
          type="button"
          disabled={state.segment !== 3 || state.status !== 'running'}
          onClick={() => run({ action: 'next-speaker' })}
        >
          Next speaker
        </button>
      </div>
    </section>
  );
}
