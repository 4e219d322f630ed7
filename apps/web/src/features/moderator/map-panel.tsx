import { useState } from 'react';
import { ApiError, api } from '../../lib/api';
import type { AffinityMapResponse } from '../../lib/contract';
import type { SessionChannel } from '../../lib/session-channel';

/** Segment 2's trigger: lay the board's cards out by meaning, with progress while it runs. */
export function MapPanel({ sessionId, token, channel }: { sessionId: string; token: string; channel: SessionChannel }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
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
            try {
              const map = await api<AffinityMapResponse>(
                `/api/sessions/${encodeURIComponent(sessionId)}/affinity-map`,
                {
                  method: 'POST',
                  token,
                  body: {},
                },
              );
              setMessage({
                ok: true,
                text: `Placed ${map.points.length} cards in ${map.clusters.length} suggested clusters (${map.model}, ${(map.ms / 1000).toFixed(1)} s).`,
              });
            } catch (error) {
              setMessage({
                ok: false,
                text: error instanceof ApiError ? error.message : 'The map could not be computed.',
              });
            } finally {
              setBusy(false);
            }
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
      {message && (
        <p className={message.ok ? 'notice' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
