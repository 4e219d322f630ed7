import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import type { SegmentNumber } from '../../lib/contract';
import type { SessionChannel } from '../../lib/session-channel';
import { type ConfirmRequest, useConfirm } from './confirm-dialog';
import { consoleGate, useControl } from './control';
import { parseMinutes } from './duration';
import { MinutesField } from './minutes-field';
import './moderator.css';

/** Default minutes per segment: the pilot's shape of a 90-minute Discuss session. */
const defaultMinutes = ['10', '10', '15', '20', '25', '10'];
const segments = [0, 1, 2, 3, 4, 5] as const;
/** The segments whose work is private until revealed. */
const privateSegments = [1, 5] as const;

/**
 * The agenda of segments 0–5 with durations, and the clock controls. Every control runs once per
 * click and names the revision it was chosen on; one that cannot be used says why. Ending, and
 * moving on or revealing while submissions are missing, ask first (in a modal dialog), because
 * they cannot be taken back.
 */
export function Agenda({
  channel,
  onError,
  participants,
  submitted,
}: {
  channel: SessionChannel;
  onError: (message: string | null) => void;
  /** How many people take part (for "2 of 3 have submitted"). */
  participants: number;
  /** Submissions per private segment, as far as known. */
  submitted: Partial<Record<1 | 5, number>>;
}) {
  const { t } = useTranslation('moderator');
  const [minutes, setMinutes] = useState(defaultMinutes);
  const run = useControl(channel, onError);
  const { ask, element: dialog } = useConfirm();
  const state = channel.state;
  if (!state) return null;
  const current = state.segment;
  const ended = state.status === 'ended';
  const parsed = minutes.map(parseMinutes);
  const durationOf = (segment: number) => {
    const p = parsed[segment];
    return p?.ok ? p.ms : null;
  };
  const missing = (segment: 1 | 5) => Math.max(0, participants - (submitted[segment] ?? 0));
  const clockOn = state.status === 'running' || state.status === 'paused';

  /** Runs `action`, first asking with `request` when there is one. */
  const guarded = async (request: ConfirmRequest | null, action: () => Promise<unknown>) => {
    if (request) await ask(request, action);
    else await action();
  };
  /** Leaving a private segment with submissions missing closes it for those still writing. */
  const leaving = (to: number): ConfirmRequest | null =>
    (current !== 1 && current !== 5) || state.status === 'pending' || missing(current) === 0
      ? null
      : {
          title: t('confirm.leave.title', { segment: to }),
          body: (
            <p>
              {t('confirm.leave.body', {
                count: submitted[current] ?? 0,
                total: participants,
                from: current,
                segment: to,
              })}
            </p>
          ),
          confirmLabel: t('confirm.leave.confirm', { segment: to }),
        };

  const start = async (segment: SegmentNumber) => {
    const durationMs = durationOf(segment);
    if (durationMs === null) return;
    await guarded(segment === current ? null : leaving(segment), () => run({ action: 'start', segment, durationMs }));
  };
  const advance = async () => {
    const durationMs = durationOf(current + 1);
    if (durationMs === null) return;
    await guarded(leaving(current + 1), () => run({ action: 'advance', durationMs }));
  };
  const reveal = (segment: 1 | 5) =>
    guarded(
      missing(segment) === 0
        ? null
        : {
            title: t('confirm.reveal.title', { segment }),
            body: (
              <>
                <p>{t(`confirm.reveal.what${segment}`)}</p>
                <p>{t('confirm.reveal.missing', { count: submitted[segment] ?? 0, total: participants })}</p>
                <p>{t('confirm.reveal.undo')}</p>
              </>
            ),
            confirmLabel: t('confirm.reveal.confirm', { segment }),
          },
      () => run({ action: 'reveal', segment }),
    );
  const end = () =>
    guarded(
      {
        title: t('confirm.end.title'),
        body: (
          <>
            <p>{t('confirm.end.body')}</p>
            {current === 5 && missing(5) > 0 && (
              <p>{t('confirm.end.missing', { count: submitted[5] ?? 0, total: participants })}</p>
            )}
            <p>
              <strong>{t('confirm.end.undo')}</strong>
            </p>
          </>
        ),
        confirmLabel: t('confirm.end.confirm'),
      },
      () => run({ action: 'end' }),
    );

  const startReason = (segment: number) => (durationOf(segment) === null ? t('reason.minutes', { segment }) : null);
  const clockReason = clockOn ? null : t('reason.startFirst', { segment: current });
  const advanceReason =
    current === 5 ? t('reason.lastSegment') : durationOf(current + 1) === null ? startReason(current + 1) : null;

  return (
    <section className="card console-card" aria-labelledby="agenda-title">
      <h2 id="agenda-title">{t('agenda.title')}</h2>
      <ol className="agenda">
        {segments.map((segment) => {
          const startable = !ended && (segment > current || (segment === current && state.status === 'pending'));
          const p = parsed[segment] ?? parseMinutes('');
          return (
            <li
              key={segment}
              className={`agenda-item ${segment === current ? 'current' : segment < current ? 'done' : ''}`}
              aria-current={segment === current ? 'step' : undefined}
            >
              <span className="agenda-name">
                {segment}. {t(`segment.${segment}`)}
                {state.revealed.includes(segment) && <span className="badge">{t('agenda.revealed')}</span>}
              </span>
              {segment >= current && !ended && (
                <MinutesField
                  label={t('agenda.minutesFor', { segment })}
                  value={minutes[segment] ?? ''}
                  parsed={p}
                  onChange={(value) => setMinutes((prev) => prev.map((m, i) => (i === segment ? value : m)))}
                />
              )}
              {startable && (
                <ActionButton
                  className="secondary"
                  disabledReason={startReason(segment)}
                  onClick={(event) => consoleGate.pass(event, () => start(segment))}
                >
                  {t('agenda.start', { segment })}
                </ActionButton>
              )}
            </li>
          );
        })}
      </ol>
      {ended ? (
        <p className="notice" role="status">
          {t('agenda.ended')}
        </p>
      ) : (
        <div className="actions console-actions">
          {/* One button for pause and resume, so a second click lands on the busy button. */}
          <ActionButton
            disabledReason={clockReason}
            onClick={(event) =>
              consoleGate.pass(event, () => run({ action: state.status === 'paused' ? 'resume' : 'pause' }))
            }
          >
            {state.status === 'paused' ? t('agenda.resume') : t('agenda.pause')}
          </ActionButton>
          <ActionButton
            className="secondary"
            disabledReason={clockReason}
            onClick={(event) => consoleGate.pass(event, () => run({ action: 'extend', durationMs: 2 * 60_000 }))}
          >
            {t('agenda.extend')}
          </ActionButton>
          <ActionButton disabledReason={advanceReason} onClick={(event) => consoleGate.pass(event, advance)}>
            {current === 5 ? t('agenda.advanceLast') : t('agenda.advance', { segment: current + 1 })}
          </ActionButton>
          <ActionButton
            className="secondary"
            onClick={(event) =>
              consoleGate.pass(event, () => run({ action: state.boardLocked ? 'unlock-board' : 'lock-board' }))
            }
          >
            {state.boardLocked ? t('agenda.unlock') : t('agenda.lock')}
          </ActionButton>
        </div>
      )}
      <div className="actions console-actions">
        {privateSegments.map((segment) =>
          state.revealed.includes(segment) ? null : (
            <ActionButton
              key={segment}
              className="secondary"
              disabledReason={segment > current ? t('reason.notReached', { segment }) : null}
              onClick={(event) => consoleGate.pass(event, () => reveal(segment))}
            >
              {t('agenda.reveal', { segment })}
            </ActionButton>
          ),
        )}
      </div>
      <p className="hint">{t('agenda.revealHint')}</p>
      {!ended && (
        <div className="actions console-actions">
          <ActionButton className="danger" onClick={(event) => consoleGate.pass(event, end)}>
            {t('agenda.end')}
          </ActionButton>
        </div>
      )}
      {dialog}
    </section>
  );
}
