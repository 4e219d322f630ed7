import { segmentNames } from '../../lib/contract';
import { formatClock, type SessionChannel, useRemaining } from '../../lib/session-channel';

/** Current segment, a big synced timer, who speaks, and submission counts. */
export function SessionBar({
  channel,
  names,
  participants,
}: {
  channel: SessionChannel;
  names: Record<string, string>;
  participants: number;
}) {
  const { state } = channel;
  const remaining = useRemaining(
    state?.status === 'running' ? state.endsAt : null,
    channel.skewMs,
    state?.status === 'paused' ? state.remainingMs : null,
  );
  const turn = useRemaining(state?.status === 'running' ? state.speakers.turnEndsAt : null, channel.skewMs);
  if (!state) return <p className="status">{channel.error ?? 'Connecting to the session…'}</p>;
  const segment = state.segment;
  const speaker = state.speakers.currentSpeakerId;
  return (
    <section className="session-bar" aria-label="Session">
      <div>
        <span className="segment-number">Segment {segment}</span>
        <h1 className="segment-name">{segmentNames[segment]}</h1>
        <span className={`session-status status-${state.status}`} data-testid="session-status">
          {state.status}
        </span>
        {state.boardLocked && <span className="badge">board locked</span>}
        {!channel.connected && <span className="badge warn">reconnecting…</span>}
      </div>
      <div className="timer" role="timer" aria-live="off" aria-label="Time left in this segment" data-testid="timer">
        {remaining === null ? '—' : formatClock(remaining)}
      </div>
      <div className="speaking">
        {speaker ? (
          <>
            <span>
              Speaking: <strong>{names[speaker] ?? speaker}</strong>
            </span>
            {turn !== null && <span className="turn-clock"> {formatClock(turn)}</span>}
            {state.speakers.nextSpeakerId && (
              <span className="hint"> · next: {names[state.speakers.nextSpeakerId] ?? '…'}</span>
            )}
          </>
        ) : (
          <span className="hint">No one is presenting</span>
        )}
        {(segment === 1 || segment === 5) && (
          <div className="hint" data-testid="submitted-count">
            {channel.submitted[segment] ?? 0} of {participants} submitted
          </div>
        )}
      </div>
    </section>
  );
}
