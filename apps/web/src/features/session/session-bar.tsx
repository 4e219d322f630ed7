import { Trans, useTranslation } from 'react-i18next';
import { formatClock, type SessionChannel, useRemaining } from '../../lib/session-channel';
import { clockPhase } from '../segments/segment-rules';
import './session-bar.css';

/**
 * Current segment, a big synced timer, who speaks, and submission counts. When the clock of a
 * running segment reaches 0:00 the bar says so (once, politely, to screen readers too) instead of
 * still reading "Running"; a paused clock says it is paused.
 */
export function SessionBar({
  channel,
  names,
  participants,
  mine = null,
}: {
  channel: SessionChannel;
  names: Record<string, string>;
  participants: number;
  /** For a participant: whether they have submitted this segment's private work (segments 1 and 5). */
  mine?: boolean | null;
}) {
  const { t } = useTranslation('session');
  const { state } = channel;
  const remaining = useRemaining(
    state?.status === 'running' ? state.endsAt : null,
    channel.skewMs,
    state?.status === 'paused' ? state.remainingMs : null,
  );
  const turn = useRemaining(state?.status === 'running' ? state.speakers.turnEndsAt : null, channel.skewMs);
  const phase = clockPhase(state?.status, remaining);
  if (!state) return <p className="status">{channel.error ?? t('connecting')}</p>;
  const segment = state.segment;
  const speaker = state.speakers.currentSpeakerId;
  const counted = segment === 1 || segment === 5;
  return (
    <section className={`session-bar phase-${phase}`} aria-label={t('barLabel')}>
      <div>
        <span className="segment-number">{t('segment', { n: segment })}</span>
        <h1 className="segment-name">{t(`names.${segment}`)}</h1>
        <span className={`session-status status-${state.status}`} data-testid="session-status">
          {t(`status.${phase === 'none' ? state.status : phase}`)}
        </span>
        {state.boardLocked && <span className="badge">{t('boardLocked')}</span>}
        {!channel.connected && <span className="badge warn">{t('reconnecting')}</span>}
      </div>
      <div className="timer-box">
        <div className="timer" role="timer" aria-live="off" aria-label={t('timerLabel')} data-testid="timer">
          {remaining === null ? '—' : formatClock(remaining)}
        </div>
        {/* Always in the page, so that its text appearing is announced once (a polite live region). */}
        <p className="clock-note" role="status" data-testid="clock-note">
          {phase === 'timeUp' ? t('timeUp') : phase === 'paused' ? t('paused') : ''}
        </p>
      </div>
      <div className="speaking">
        {speaker ? (
          <>
            <span>
              <Trans
                t={t}
                i18nKey="speaking"
                values={{ name: names[speaker] ?? speaker }}
                components={{ strong: <strong dir="auto" /> }}
              />
            </span>
            {turn !== null && <span className="turn-clock"> {formatClock(turn)}</span>}
            {state.speakers.nextSpeakerId && (
              <span className="hint">
                {' · '}
                <bdi dir="auto">{t('next', { name: names[state.speakers.nextSpeakerId] ?? '…' })}</bdi>
              </span>
            )}
          </>
        ) : (
          <span className="hint">{t('noSpeaker')}</span>
        )}
        {counted && (
          <div className="hint" data-testid="submitted-count">
            {t('submitted', { count: channel.submitted[segment] ?? 0, total: participants })}
          </div>
        )}
        {counted && mine !== null && (
          <div className={mine ? 'you-submitted' : 'hint'} data-testid="you-submitted">
            {mine ? `✓ ${t('youSubmitted')}` : t('youHaveNot')}
          </div>
        )}
      </div>
    </section>
  );
}
