import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionButton } from '../../lib/action-button';
import type { SessionChannel } from '../../lib/session-channel';
import { RankList } from '../segments/rank-list';
import { consoleGate, useControl } from './control';
import { parseMinutes } from './duration';
import { MinutesField } from './minutes-field';
import './moderator.css';

/**
 * Segment 3's speaking queue: who presents, in which order, for how long; next speaker, and the
 * way back to the previous one when someone was skipped.
 */
export function Speakers({
  channel,
  participants,
  onError,
}: {
  channel: SessionChannel;
  participants: { id: string; displayName: string }[];
  onError: (message: string | null) => void;
}) {
  const { t } = useTranslation('moderator');
  const [order, setOrder] = useState<{ key: string; name: string }[]>([]);
  const [turnMinutes, setTurnMinutes] = useState('2');
  const run = useControl(channel, onError);
  useEffect(() => {
    setOrder((prev) => {
      const known = new Set(prev.map((p) => p.key));
      const present = new Set(participants.map((p) => p.id));
      const names = new Map(participants.map((p) => [p.id, p.displayName]));
      // Keep the moderator's order; add newcomers at the end, drop people no longer in the group.
      return [
        ...prev.filter((p) => present.has(p.key)).map((p) => ({ ...p, name: names.get(p.key) ?? p.name })),
        ...participants.filter((p) => !known.has(p.id)).map((p) => ({ key: p.id, name: p.displayName })),
      ];
    });
  }, [participants]);
  const state = channel.state;
  if (!state) return null;
  const turn = parseMinutes(turnMinutes);
  const queue = state.speakers.order;
  const nameOf = (id: string) =>
    order.find((p) => p.key === id)?.name ?? participants.find((p) => p.id === id)?.displayName ?? id;
  const currentId = state.speakers.currentSpeakerId;
  const currentIndex = currentId === null ? -1 : queue.indexOf(currentId);
  const ended = state.status === 'ended';

  const turnsReason = ended
    ? t('reason.ended')
    : state.segment !== 3 || state.status === 'pending'
      ? t('reason.startFirst', { segment: 3 })
      : state.status === 'paused'
        ? t('speakers.reason.paused')
        : null;
  const nextReason =
    turnsReason ??
    (queue.length === 0
      ? t('speakers.reason.noQueue')
      : currentIndex >= queue.length - 1 && currentIndex !== -1
        ? t('speakers.reason.allSpoken')
        : null);
  const previousReason =
    turnsReason ??
    (currentIndex === -1
      ? t('speakers.reason.noneYet')
      : currentIndex === 0
        ? t('speakers.reason.first', { name: nameOf(queue[0] ?? '') })
        : null);
  const setReason = ended
    ? t('reason.ended')
    : order.length === 0
      ? t('speakers.reason.noParticipants')
      : turn.ok
        ? null
        : t('speakers.reason.turn');

  return (
    <section className="card console-card" aria-labelledby="speakers-title">
      <h2 id="speakers-title">{t('speakers.title')}</h2>
      {order.length > 0 ? (
        <RankList
          label={t('speakers.order')}
          items={order}
          onChange={setOrder}
          render={(p) => <span dir="auto">{p.name}</span>}
        />
      ) : (
        <p className="hint">{t('speakers.noParticipants')}</p>
      )}
      <div className="hint" data-testid="speaker-queue">
        {queue.length === 0 ? (
          t('speakers.noQueue')
        ) : (
          <>
            {t('speakers.queue')}{' '}
            {queue.map((id, i) => (
              <span key={id}>
                {i > 0 && ' → '}
                <span dir="auto" className={id === currentId ? 'speaking-now' : undefined}>
                  {nameOf(id)}
                </span>
              </span>
            ))}
          </>
        )}
      </div>
      <div className="actions console-actions">
        <span className="turn-field">
          {t('speakers.turn')}{' '}
          <MinutesField label={t('speakers.turnLabel')} value={turnMinutes} parsed={turn} onChange={setTurnMinutes} />
        </span>
        <ActionButton
          className="secondary"
          disabledReason={setReason}
          onClick={(event) =>
            consoleGate.pass(event, () =>
              turn.ok
                ? run({ action: 'set-speakers', participantIds: order.map((p) => p.key), turnMs: turn.ms })
                : null,
            )
          }
        >
          {t('speakers.set')}
        </ActionButton>
      </div>
      <div className="actions console-actions">
        <ActionButton
          className="secondary"
          disabledReason={previousReason}
          onClick={(event) => consoleGate.pass(event, () => run({ action: 'previous-speaker' }))}
        >
          {t('speakers.previous')}
        </ActionButton>
        <ActionButton
          disabledReason={nextReason}
          onClick={(event) => consoleGate.pass(event, () => run({ action: 'next-speaker' }))}
        >
          {t('speakers.next')}
        </ActionButton>
      </div>
    </section>
  );
}
