/**
 * A Discuss session's timeline, for replay: what changed between two states of a session, told
 * as events, and what the timeline says about any moment (segment, status, submission counts).
 * Pure: the server records the events, the replay page reads them.
 */

/** What the timeline follows of a session's state. */
export interface ReplaySessionFacts {
  readonly segment: number;
  readonly status: 'pending' | 'running' | 'paused' | 'ended';
  readonly revealed: readonly number[];
  readonly boardLocked: boolean;
}

/**
 * One event of a session's timeline, without its time: a union tagged by `type`. `segment` is,
 * on a `segment` event, the segment entered; on the others, the segment it happened in.
 */
export type TimelineEventDraft =
  | { readonly type: 'created'; readonly segment: number }
  | { readonly type: 'segment'; readonly segment: number; readonly status: ReplaySessionFacts['status'] }
  | { readonly type: 'started'; readonly segment: number }
  | { readonly type: 'paused'; readonly segment: number }
  | { readonly type: 'resumed'; readonly segment: number }
  | { readonly type: 'reveal'; readonly segment: number }
  | { readonly type: 'board-locked'; readonly segment: number }
  | { readonly type: 'board-unlocked'; readonly segment: number }
  | { readonly type: 'submission'; readonly segment: number; readonly count: number }
  | { readonly type: 'ended'; readonly segment: number };

/** A recorded event: a draft and when it happened (epoch ms). */
export type TimelineEvent = TimelineEventDraft & { readonly at: number };

/** The facts of a session that was just created. */
export const replayInitialFacts: ReplaySessionFacts = {
  segment: 0,
  status: 'pending',
  revealed: [],
  boardLocked: false,
};

/**
 * The events that take a session from `prev` to `next`, in the order a reader expects: the
 * segment entered first (it carries the new status, so a segment started at once needs no
 * `started`), then the clock, reveals, the board lock, and the end last.
 */
export function replaySessionChanges(prev: ReplaySessionFacts, next: ReplaySessionFacts): TimelineEventDraft[] {
  const out: TimelineEventDraft[] = [];
  const segment = next.segment;
  if (next.segment !== prev.segment) {
    // The end is its own event: a segment entered and ended at once is told as both.
    out.push({ type: 'segment', segment, status: next.status === 'ended' ? 'pending' : next.status });
  } else if (prev.status !== next.status) {
    if (prev.status === 'pending' && next.status === 'running') out.push({ type: 'started', segment });
    else if (prev.status === 'running' && next.status === 'paused') out.push({ type: 'paused', segment });
    else if (prev.status === 'paused' && next.status === 'running') out.push({ type: 'resumed', segment });
  }
  for (const revealed of next.revealed)
    if (!prev.revealed.includes(revealed)) out.push({ type: 'reveal', segment: revealed });
  if (next.boardLocked !== prev.boardLocked)
    out.push({ type: next.boardLocked ? 'board-locked' : 'board-unlocked', segment });
  if (next.status === 'ended' && prev.status !== 'ended') out.push({ type: 'ended', segment });
  return out;
}

/**
 * Why the board should keep a moment when the session goes from `prev` to `next`: a new segment
 * (`segment`), the end (`end`), or nothing worth one (null).
 */
export function boardMomentReason(
  prev: Pick<ReplaySessionFacts, 'segment' | 'status'>,
  next: Pick<ReplaySessionFacts, 'segment' | 'status'>,
): 'segment' | 'end' | null {
  if (next.status === 'ended' && prev.status !== 'ended') return 'end';
  if (next.segment !== prev.segment) return 'segment';
  return null;
}

/**
 * The facts the recorded events lead to, or null when there are none (a session recorded before
 * replay existed): what the recorder compares the next state with after a restart.
 */
export function replayFactsOf(events: readonly TimelineEventDraft[]): ReplaySessionFacts | null {
  if (events.length === 0) return null;
  let facts: ReplaySessionFacts = replayInitialFacts;
  for (const event of events) {
    switch (event.type) {
      case 'created':
        facts = replayInitialFacts;
        break;
      case 'segment':
        facts = { ...facts, segment: event.segment, status: event.status };
        break;
      case 'started':
      case 'resumed':
        facts = { ...facts, status: 'running' };
        break;
      case 'paused':
        facts = { ...facts, status: 'paused' };
        break;
      case 'reveal':
        if (!facts.revealed.includes(event.segment))
          facts = { ...facts, revealed: [...facts.revealed, event.segment].sort((a, b) => a - b) };
        break;
      case 'board-locked':
      case 'board-unlocked':
        facts = { ...facts, boardLocked: event.type === 'board-locked' };
        break;
      case 'ended':
        facts = { ...facts, status: 'ended' };
        break;
      case 'submission':
        break;
    }
  }
  return facts;
}

/** What the timeline says about one moment: the segment and clock, reveals, submission counts. */
export interface ReplayMoment extends ReplaySessionFacts {
  /** How many had submitted segment 1 and segment 5 by then. */
  readonly submitted: { readonly 1: number; readonly 5: number };
}

/** The session as the timeline tells it at `at` (events at `at` included). */
export function replayMomentAt(events: readonly TimelineEvent[], at: number): ReplayMoment {
  const before = events.filter((event) => event.at <= at);
  const facts = replayFactsOf(before) ?? replayInitialFacts;
  const submitted = { 1: 0, 5: 0 };
  for (const event of before)
    if (event.type === 'submission' && (event.segment === 1 || event.segment === 5))
      submitted[event.segment] = event.count;
  return { ...facts, submitted };
}

/** A stretch of the timeline spent in one segment. */
export interface SegmentBand {
  readonly segment: number;
  readonly from: number;
  readonly to: number;
}

/**
 * The segments as bands from the first event to `end` (the session's end, or now): one band per
 * segment entered, each until the next segment or the end.
 */
export function segmentBands(events: readonly TimelineEvent[], end: number): SegmentBand[] {
  const first = events[0];
  if (!first) return [];
  const bands: { segment: number; from: number }[] = [{ segment: 0, from: first.at }];
  let last = first.at;
  for (const event of events) {
    if (event.type === 'segment') bands.push({ segment: event.segment, from: event.at });
    if (event.type === 'ended') last = event.at;
    else last = Math.max(last, event.at);
  }
  const ended = events.some((event) => event.type === 'ended');
  const stop = ended ? last : Math.max(end, last);
  return bands
    .map((band, i) => ({ ...band, to: Math.min(stop, bands[i + 1]?.from ?? stop) }))
    .filter((band, i, all) => band.to > band.from || i === all.length - 1);
}
