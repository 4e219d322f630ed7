import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import { api } from '../../lib/api';
import type { AffinityMapResponse } from '../../lib/contract';
import { FeedbackLine, useFeedback } from '../../lib/feedback';
import type { SessionChannel } from '../../lib/session-channel';
import { atLeastSettled, consoleGate } from './control';
import './moderator.css';

/** Segment 2's trigger: lay the board's cards out by meaning, with progress while it runs. */
export function MapPanel({ sessionId, token, channel }: { sessionId: string; token: string; channel: SessionChannel }) {
  const { t } = useTranslation('moderator');
  const { feedback, attempt } = useFeedback(t('map.failed'));
  const progress = channel.mapProgress;
  const ended = channel.state?.status === 'ended';
  return (
    <section className="card console-card" aria-labelledby="map-title">
      <h2 id="map-title">{t('map.title')}</h2>
      <p className="hint">{t('map.hint')}</p>
      <div className="actions console-actions">
        {/* The button stays busy until the map is computed: a second click does not start another. */}
        <ActionButton
          disabledReason={ended ? t('reason.ended') : progress ? t('map.running') : null}
          onClick={(event) =>
            consoleGate.pass(event, () =>
              atLeastSettled(() =>
                attempt(
                  () =>
                    api<AffinityMapResponse>(`/api/sessions/${encodeURIComponent(sessionId)}/affinity-map`, {
                      method: 'POST',
                      token,
                      body: {},
                    }),
                  (map) =>
                    t('map.done', {
                      count: map.points.length,
                      clusters: map.clusters.length,
                      model: map.model,
                      seconds: (map.ms / 1000).toFixed(1),
                    }),
                ),
              ),
            )
          }
        >
          {t('map.compute')}
        </ActionButton>
        {progress && (
          <progress max={1} value={progress.fraction} aria-label={t('map.progress', { stage: progress.stage })}>
            {Math.round(progress.fraction * 100)}%
          </progress>
        )}
      </div>
      <FeedbackLine feedback={feedback} />
    </section>
  );
}
