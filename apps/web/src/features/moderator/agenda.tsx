import { useState } from 'react';
import { type SegmentNumber, segmentNames } from '../../lib/contract';
import { controlReporting, type SessionChannel } from '../../lib/session-channel';

/** Default minutes per segment: the pilot's shape of a 90-minute Discuss session. */
const defaultMinutes = [10, 10, 15, 20, 25, 10];

/** The agenda of segments 0–5 with durations, and the clock controls. */
export function Agenda({ channel, onError }: { channel: SessionChannel; onError: (message: string | null) => void }) {
  const [minutes, setMinutes] = useState(defaultMinutes);
  const state = channel.state;
  if (!state) return null;
  const run = controlReporting(channel, onError);
  const ms = (segment: number) => Math.max(1, minutes[segment] ?? 10) * 60_000;
  const current = state.segment;
  const ended = state.status === 'ended';
  return (
    <section className="card" aria-labelledby="agenda-title">
      <h2 id="agenda-title">Agenda</h2>
      <ol className="agenda">
        {segmentNames.map((name, segment) => (
          <li key={name} className={segment === current ? 'current' : segment < current ? 'done' : undefined}>
            <span>
              {segment}. {name}
              {state.revealed.includes(segment as SegmentNumber) && <span className="badge">revealed</span>}
            </span>
            <label>
              <span className="visually-hidden">Minutes for segment {segment}</span>
              <input
                type="number"
                min={1}
                max={360}
                value={minutes[segment]}
                onChange={(e) => setMinutes((prev) => prev.map((m, i) => (i === segment ? Number(e.target.value) : m)))}
              />{' '}
              min
            </label>
            {!ended && (segment > current || (segment === current && state.status === 'pending')) && (
              <button
                type="button"
                onClick={() => run({ action: 'start', segment: segment as SegmentNumber, durationMs: ms(segment) })}
              >
                Start {segment}
              </button>
            )}
          </li>
        ))}
      </ol>
      <div className="actions wrap">
        {state.status === 'running' && (
          <button type="button" onClick={() => run({ action: 'pause' })}>
            Pause
          </button>
        )}
        {state.status === 'paused' && (
          <button type="button" onClick={() => run({ action: 'resume' })}>
            Resume
          </button>
        )}
        {(state.status === 'running' || state.status === 'paused') && (
          <button type="button" onClick={() => run({ action: 'extend', durationMs: 2 * 60_000 })}>
            +2 min
          </button>
        )}
        {!ended && current < 5 && (
          <button type="button" onClick={() => run({ action: 'advance', durationMs: ms(current + 1) })}>
            Advance to {current + 1}
          </button>
        )}
        {[1, 5].map((segment) =>
          segment <= current && !state.revealed.includes(segment as SegmentNumber) ? (
            <button
              key={segment}
              type="button"
              onClick={() => run({ action: 'reveal', segment: segment as SegmentNumber })}
            >
              Reveal segment {segment}
            </button>
          ) : null,
        )}
        {!ended && (
          <button type="button" onClick={() => run({ action: state.boardLocked ? 'unlock-board' : 'lock-board' })}>
            {state.boardLocked ? 'Unlock board' : 'Lock board'}
          </button>
        )}
        {!ended && (
          <button type="button" className="danger" onClick={() => run({ action: 'end' })}>
            End session
          </button>
        )}
      </div>
    </section>
  );
}
