import { replayMomentAt, segmentBands, type TimelineEvent } from '@calma/core';
import type { BoardAt, BoardMoments, ReplayTimeline } from '@calma/protocol';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Session } from '../../lib/contract';
import { Link } from '../../lib/router';
import { useToken } from '../../lib/token';
import { useApiQuery } from '../../lib/use-api-query';
import { BoardCanvas } from '../board/board-canvas';
import { SignInFirst } from '../home/remembered-sign-ins';
import { replayBoard, replayCards, replayLayoutKey } from './replay-board';
import { clockTime, TimelineScrubber } from './timeline-scrubber';
import './replay.css';

/** Scrubbing asks the server for the board once the slider has rested this long. */
const settleMs = 150;

/**
 * A Discuss session replayed, for its analyst and moderator: the timeline to scrub through, what
 * the session was doing at the chosen moment (segment, clock, reveals, submission counts), and the
 * board drawn read-only as it stood then.
 */
export function ReplayPage({ sessionId }: { sessionId: string }) {
  const { t, i18n } = useTranslation('replay');
  const token = useToken();
  const path = (p: string) => (token ? `/api/sessions/${encodeURIComponent(sessionId)}${p}` : null);
  const session = useApiQuery<Session>(path(''), token);
  const timeline = useApiQuery<ReplayTimeline>(path('/timeline'), token);
  const moments = useApiQuery<BoardMoments>(path('/board/moments'), token);
  const events = useMemo(
    () => (timeline.status === 'success' ? (timeline.data.events as TimelineEvent[]) : []),
    [timeline],
  );
  const [opened] = useState(() => Date.now());
  const start = events[0]?.at ?? opened;
  const ended = events.findLast((e) => e.type === 'ended');
  const end = Math.max(start + 1000, ended?.at ?? opened);
  const [chosen, setChosen] = useState<number | null>(null);
  const at = chosen ?? end;
  // The board follows the slider once it rests, not at every step of a drag.
  const [settled, setSettled] = useState<number | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(at), settleMs);
    return () => clearTimeout(timer);
  }, [at]);
  const board = useApiQuery<BoardAt>(
    settled !== null && timeline.status === 'success' ? path(`/board?at=${settled}`) : null,
    token,
  );
  const [shown, setShown] = useState<{ at: number; board: BoardAt } | null>(null);
  useEffect(() => {
    if (board.status === 'success' && settled !== null) setShown({ at: settled, board: board.data });
  }, [board, settled]);
  const drawn = useMemo(
    () => (shown ? replayBoard(replayCards(shown.board.cards), shown.board.clusters) : null),
    [shown],
  );

  const back = (
    <p>
      <Link href={`/sessions/${encodeURIComponent(sessionId)}/analysis`}>{t('backToAnalysis')}</Link>
      {' · '}
      <Link href={`/sessions/${encodeURIComponent(sessionId)}`}>{t('backToSession')}</Link>
    </p>
  );
  if (!token) return <SignInFirst refused={null} />;
  if (timeline.status === 'error')
    return (
      <section className="card">
        <h1>{t('title')}</h1>
        <p className="error" role="alert">
          {timeline.error.status === 403 ? t('forbidden') : timeline.error.message}
        </p>
        {back}
      </section>
    );
  if (timeline.status !== 'success' || session.status !== 'success') return <p className="status">{t('loading')}</p>;

  const moment = replayMomentAt(events, at);
  const kept = moments.status === 'success' ? moments.data.length : 0;
  return (
    <div className="replay-page">
      <header>
        <h1>{t('title')}</h1>
        {back}
        <p className="hint">{t('intro', { count: kept })}</p>
      </header>
      {events.length === 0 ? (
        <p className="card">{t('empty')}</p>
      ) : (
        <TimelineScrubber
          events={events}
          bands={segmentBands(events, end)}
          start={start}
          end={end}
          at={at}
          onChange={setChosen}
        />
      )}
      {events.length > 0 && (
        <section className="card replay-moment" aria-labelledby="replay-moment-title" aria-live="polite">
          <h2 id="replay-moment-title">{t('moment.title', { time: clockTime(at, i18n.language) })}</h2>
          <dl className="replay-facts">
            <dt>{t('moment.segment')}</dt>
            <dd data-testid="replay-segment">
              {t('session:segment', { n: moment.segment })} · {t(`session:names.${moment.segment}`)} ·{' '}
              {t(`session:status.${moment.status}`)}
            </dd>
            <dt>{t('moment.submitted')}</dt>
            <dd>{t('moment.counts', { one: moment.submitted[1], five: moment.submitted[5] })}</dd>
            <dt>{t('moment.revealed')}</dt>
            <dd>{moment.revealed.length > 0 ? moment.revealed.join(', ') : t('moment.none')}</dd>
          </dl>
        </section>
      )}
      <section className="replay-board" aria-labelledby="replay-board-title">
        <h2 id="replay-board-title">{events.length > 0 ? t('board.title') : t('board.titleNow')}</h2>
        <p className="hint" role="status">
          {shown ? t('board.asOf', { time: clockTime(shown.at, i18n.language) }) : t('board.loading')}
          {board.status === 'error' ? ` ${board.error.message}` : ''}
        </p>
        {drawn && (
          <BoardCanvas
            board={drawn}
            me=""
            readOnly={{ type: 'role' }}
            groupId={session.data.groupId}
            token={token ?? ''}
            interactions={[]}
            names={{}}
            refitKey={replayLayoutKey(drawn.cards)}
          />
        )}
      </section>
    </div>
  );
}
