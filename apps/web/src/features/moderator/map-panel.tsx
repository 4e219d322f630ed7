import { useState } from 'react';
import { api } from '../../lib/api';
import type { AffinityMapResponse } from '../../lib/contract';
import { FeedbackLine, useFeedback } from '../../lib/feedback';
import type { SessionChannel } from '../../lib/session-channel';

/** Segment 2's trigger: lay the board's cards out by meaning, with progress while it runs. */
export function MapPanel({ sessionId, token, channel }: { sessionId: string; token: string; channel: SessionChannel }) {
  const [busy, setBusy] = useState(false);
  const { feedback, attempt } = useFeedback('The map could not be computed.');
  const progress = channel.mapProgress;
  return (
    <section className="card" aria-labelledby="map-title">
      <h2 id="map-title">Affinity map</h2>
      <p className="hint">
        Lays the labels and revealed attributes out by meaning and suggests clusters. People move cards freely
        afterwards.
      </p>
      <div className="actions">
        <button
          type="button"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            await attempt(
              () =>
                api<AffinityMapResponse>(`/api/sessions/${encodeURIComponent(sessionId)}/affinity-map`, {
                  method: 'POST',
                  token,
                  body: {},
                }),
              (map) =>
                `Placed ${map.points.length} cards in ${map.clusters.length} suggested clusters (${map.model}, ${(map.ms / 1000).toFixed(1)} s).`,
            );
            setBusy(false);
          }}
        >
          Compute affinity map
        </button>
        {progress && (
          <progress max={1} value={progress.fraction} aria-label={`Affinity map: ${progress.stage}`}>
            {Math.round(progress.fraction * 100)}%
          </progress>
        )}
      </div>
      <FeedbackLine feedback={feedback} />
    </section>
  );
}
