import { describe, expect, it } from 'vitest';
import {
  boardMomentReason,
  type ReplaySessionFacts,
  replayFactsOf,
  replayInitialFacts,
  replayMomentAt,
  replaySessionChanges,
  segmentBands,
  type TimelineEvent,
} from './timeline.js';

const facts = (over: Partial<ReplaySessionFacts> = {}): ReplaySessionFacts => ({ ...replayInitialFacts, ...over });

describe('replaySessionChanges', () => {
  it('tells a segment entered with the status it was entered in, and no separate start', () => {
    expect(replaySessionChanges(facts(), facts({ segment: 2, status: 'running' }))).toEqual([
      { type: 'segment', segment: 2, status: 'running' },
    ]);
  });

  it('tells the clock of one segment: started, paused, resumed', () => {
    const pending = facts({ segment: 1 });
    const running = facts({ segment: 1, status: 'running' });
    const paused = facts({ segment: 1, status: 'paused' });
    expect(replaySessionChanges(pending, running)).toEqual([{ type: 'started', segment: 1 }]);
    expect(replaySessionChanges(running, paused)).toEqual([{ type: 'paused', segment: 1 }]);
    expect(replaySessionChanges(paused, running)).toEqual([{ type: 'resumed', segment: 1 }]);
  });

  it('tells new reveals only, the board lock, and the end last', () => {
    const prev = facts({ segment: 5, status: 'running', revealed: [1] });
    const next = facts({ segment: 5, status: 'ended', revealed: [1, 5], boardLocked: true });
    expect(replaySessionChanges(prev, next)).toEqual([
      { type: 'reveal', segment: 5 },
      { type: 'board-locked', segment: 5 },
      { type: 'ended', segment: 5 },
    ]);
  });

  it('tells nothing when nothing it follows changed (an extension, a speaker)', () => {
    const state = facts({ segment: 3, status: 'running', revealed: [1] });
    expect(replaySessionChanges(state, { ...state })).toEqual([]);
  });
});

describe('boardMomentReason', () => {
  it('keeps a moment at a new segment and at the end, not for a pause', () => {
    expect(boardMomentReason({ segment: 1, status: 'running' }, { segment: 2, status: 'pending' })).toBe('segment');
    expect(boardMomentReason({ segment: 4, status: 'running' }, { segment: 4, status: 'ended' })).toBe('end');
    expect(boardMomentReason({ segment: 4, status: 'running' }, { segment: 4, status: 'paused' })).toBeNull();
    expect(boardMomentReason({ segment: 4, status: 'ended' }, { segment: 4, status: 'ended' })).toBeNull();
  });
});

describe('replayFactsOf', () => {
  it('is null for no history, and folds a history back into the state that made it', () => {
    expect(replayFactsOf([])).toBeNull();
    const states = [
      facts(),
      facts({ segment: 1, status: 'running' }),
      facts({ segment: 1, status: 'paused' }),
      facts({ segment: 1, status: 'running', boardLocked: true }),
      facts({ segment: 2, status: 'pending', revealed: [1], boardLocked: true }),
      facts({ segment: 2, status: 'running', revealed: [1] }),
      facts({ segment: 2, status: 'ended', revealed: [1, 2] }),
    ];
    const history = [{ type: 'created' as const, segment: 0 }];
    for (let i = 1; i < states.length; i++) {
      history.push(
        ...(replaySessionChanges(states[i - 1] as ReplaySessionFacts, states[i] as ReplaySessionFacts) as []),
      );
      expect(replayFactsOf(history)).toEqual(states[i]);
    }
  });
});

const timeline: TimelineEvent[] = [
  { at: 1000, type: 'created', segment: 0 },
  { at: 2000, type: 'segment', segment: 1, status: 'running' },
  { at: 2500, type: 'submission', segment: 1, count: 1 },
  { at: 2600, type: 'submission', segment: 1, count: 2 },
  { at: 3000, type: 'reveal', segment: 1 },
  { at: 4000, type: 'segment', segment: 2, status: 'running' },
  { at: 4500, type: 'paused', segment: 2 },
  { at: 6000, type: 'ended', segment: 2 },
];

describe('replayMomentAt', () => {
  it('says the segment, clock, reveals and counts at a moment, events at that moment included', () => {
    expect(replayMomentAt(timeline, 500)).toEqual({ ...replayInitialFacts, submitted: { 1: 0, 5: 0 } });
    expect(replayMomentAt(timeline, 2500)).toMatchObject({ segment: 1, status: 'running', submitted: { 1: 1, 5: 0 } });
    expect(replayMomentAt(timeline, 3999)).toMatchObject({ segment: 1, revealed: [1], submitted: { 1: 2 } });
    expect(replayMomentAt(timeline, 4700)).toMatchObject({ segment: 2, status: 'paused' });
    expect(replayMomentAt(timeline, 9999)).toMatchObject({ segment: 2, status: 'ended', submitted: { 1: 2 } });
  });
});

describe('segmentBands', () => {
  it('covers the session from its first event to its end, one band per segment', () => {
    expect(segmentBands(timeline, 99_999)).toEqual([
      { segment: 0, from: 1000, to: 2000 },
      { segment: 1, from: 2000, to: 4000 },
      { segment: 2, from: 4000, to: 6000 },
    ]);
  });

  it('runs a session not ended yet up to `end`, and is empty without events', () => {
    expect(segmentBands(timeline.slice(0, 6), 5000).at(-1)).toEqual({ segment: 2, from: 4000, to: 5000 });
    expect(segmentBands([], 5000)).toEqual([]);
  });
});
