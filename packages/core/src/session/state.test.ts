import { describe, expect, it } from 'vitest';
import {
  acceptsSubmissions,
  applySessionAction,
  initialSessionState,
  restoreSessionState,
  type SessionAction,
  type SessionState,
  viewSessionState,
} from './state.js';

/** Applies actions in order at the given times, failing the test on a refused one. */
function run(steps: [number, SessionAction][], from: SessionState = initialSessionState()): SessionState {
  let state = from;
  for (const [now, action] of steps) {
    const result = applySessionAction(state, action, now);
    if (!result.ok) throw new Error(`${action.type} at ${now} refused: ${result.reason}`);
    state = result.state;
  }
  return state;
}

const refusal = (state: SessionState, action: SessionAction, now = 0) => {
  const result = applySessionAction(state, action, now);
  return result.ok ? null : result.reason;
};

describe('the session clock', () => {
  it('starts pending at segment 0 with no clock', () => {
    expect(viewSessionState(initialSessionState(), 5)).toMatchObject({
      segment: 0,
      status: 'pending',
      remainingMs: null,
      serverNow: 5,
      revealed: [],
    });
  });

  it('counts down while running and never below zero', () => {
    const state = run([[1_000, { type: 'start', segment: 0, durationMs: 60_000 }]]);
    expect(viewSessionState(state, 21_000)).toMatchObject({
      status: 'running',
      startedAt: 1_000,
      endsAt: 61_000,
      remainingMs: 40_000,
    });
    expect(viewSessionState(state, 99_000).remainingMs).toBe(0);
  });

  it('freezes on pause and resumes with what was left', () => {
    const state = run([
      [0, { type: 'start', segment: 1, durationMs: 60_000 }],
      [10_000, { type: 'pause' }],
    ]);
    expect(viewSessionState(state, 500_000)).toMatchObject({ status: 'paused', remainingMs: 50_000, endsAt: null });
    const resumed = run([[700_000, { type: 'resume' }]], state);
    expect(viewSessionState(resumed, 710_000)).toMatchObject({
      status: 'running',
      endsAt: 750_000,
      remainingMs: 40_000,
    });
  });

  it('extends a running clock, from now once it has run out', () => {
    const running = run([[0, { type: 'start', segment: 2, durationMs: 10_000 }]]);
    expect(run([[5_000, { type: 'extend', durationMs: 30_000 }]], running).endsAt).toBe(40_000);
    expect(run([[25_000, { type: 'extend', durationMs: 30_000 }]], running).endsAt).toBe(55_000);
    const paused = run(
      [
        [4_000, { type: 'pause' }],
        [9_000, { type: 'extend', durationMs: 1_000 }],
      ],
      running,
    );
    expect(viewSessionState(paused, 9_000).remainingMs).toBe(7_000);
    expect(paused.durationMs).toBe(11_000);
  });

  it('keeps absolute deadlines, so a state restored later still knows the time left', () => {
    const state = run([[1_000, { type: 'start', segment: 1, durationMs: 300_000 }]]);
    const restored: SessionState = JSON.parse(JSON.stringify(state));
    expect(viewSessionState(restored, 61_000).remainingMs).toBe(240_000);
  });
});

describe('segment transitions', () => {
  it('walks 0 → 5 with advance and start, then ends', () => {
    let state = run([[0, { type: 'start', segment: 0, durationMs: 1_000 }]]);
    for (let segment = 1; segment <= 5; segment++) {
      state = run([[segment * 10, { type: 'advance' }]], state);
      expect(state).toMatchObject({ segment, status: 'pending', startedAt: null });
      state = run([[segment * 10 + 1, { type: 'start', segment: state.segment, durationMs: 5_000 }]], state);
    }
    expect(refusal(state, { type: 'advance' })).toMatch(/last/);
    state = run([[99, { type: 'end' }]], state);
    expect(viewSessionState(state, 100)).toMatchObject({ status: 'ended', remainingMs: 0, segment: 5 });
  });

  it('advances straight into a running segment when given a duration', () => {
    const state = run([[0, { type: 'advance', durationMs: 120_000 }]]);
    expect(state).toMatchObject({ segment: 1, status: 'running', endsAt: 120_000 });
  });

  it('may skip forward but never back, and never restarts a started segment', () => {
    const at2 = run([[0, { type: 'start', segment: 2, durationMs: 1_000 }]]);
    expect(at2.segment).toBe(2);
    expect(refusal(at2, { type: 'start', segment: 1, durationMs: 1_000 })).toMatch(/only go forward/);
    expect(refusal(at2, { type: 'start', segment: 2, durationMs: 1_000 })).toMatch(/already running/);
    expect(run([[5, { type: 'start', segment: 4, durationMs: 1_000 }]], at2).segment).toBe(4);
  });

  it.each<[string, SessionAction]>([
    ['pause', { type: 'pause' }],
    ['resume', { type: 'resume' }],
    ['extend', { type: 'extend', durationMs: 1_000 }],
  ])('refuses %s before the segment runs', (_, action) => {
    expect(refusal(initialSessionState(), action)).not.toBeNull();
  });

  it('refuses resume while running and pause while paused', () => {
    const running = run([[0, { type: 'start', segment: 0, durationMs: 1_000 }]]);
    expect(refusal(running, { type: 'resume' })).toMatch(/paused/);
    const paused = run([[1, { type: 'pause' }]], running);
    expect(refusal(paused, { type: 'pause' })).toMatch(/running/);
  });

  it('accepts only reveal once ended', () => {
    const ended = run([
      [0, { type: 'advance', durationMs: 1_000 }],
      [1, { type: 'end' }],
    ]);
    expect(refusal(ended, { type: 'end' })).toMatch(/ended/);
    expect(refusal(ended, { type: 'start', segment: 2, durationMs: 1 })).toMatch(/ended/);
    expect(run([[2, { type: 'reveal', segment: 1 }]], ended).revealed).toEqual([1]);
  });
});

describe('reveal', () => {
  it('reveals reached segments once, in order, and refuses future ones', () => {
    const at5 = run([[0, { type: 'start', segment: 5, durationMs: 1_000 }]]);
    const state = run(
      [
        [1, { type: 'reveal', segment: 5 }],
        [2, { type: 'reveal', segment: 1 }],
        [3, { type: 'reveal', segment: 1 }],
      ],
      at5,
    );
    expect(state.revealed).toEqual([1, 5]);
    expect(refusal(initialSessionState(), { type: 'reveal', segment: 1 })).toMatch(/not been reached/);
  });
});

describe('submissions window', () => {
  it('is open only while the segment is current and running', () => {
    const running = run([[0, { type: 'start', segment: 1, durationMs: 1_000 }]]);
    expect(acceptsSubmissions(running, 1)).toBe(true);
    expect(acceptsSubmissions(running, 5)).toBe(false);
    expect(acceptsSubmissions(run([[1, { type: 'pause' }]], running), 1)).toBe(false);
    expect(acceptsSubmissions(run([[1, { type: 'advance' }]], running), 1)).toBe(false);
  });
});

describe('the speaking queue', () => {
  const inSegment3 = () =>
    run([
      [0, { type: 'set-speakers', participantIds: ['ana', 'bo', 'cy'], turnMs: 60_000 }],
      [0, { type: 'start', segment: 3, durationMs: 600_000 }],
    ]);

  it('shows who speaks and who is next, each turn timed', () => {
    let state = inSegment3();
    expect(viewSessionState(state, 0).speakers).toMatchObject({ currentSpeakerId: null, nextSpeakerId: 'ana' });
    state = run([[1_000, { type: 'next-speaker' }]], state);
    expect(viewSessionState(state, 31_000).speakers).toMatchObject({
      currentSpeakerId: 'ana',
      nextSpeakerId: 'bo',
      turnEndsAt: 61_000,
      turnRemainingMs: 30_000,
    });
    state = run(
      [
        [40_000, { type: 'next-speaker' }],
        [41_000, { type: 'next-speaker' }],
      ],
      state,
    );
    expect(viewSessionState(state, 41_000).speakers).toMatchObject({ currentSpeakerId: 'cy', nextSpeakerId: null });
    expect(refusal(state, { type: 'next-speaker' }, 50_000)).toMatch(/Everyone/);
  });

  it('pauses and resumes the turn with the segment', () => {
    const speaking = run([[0, { type: 'next-speaker' }]], inSegment3());
    const paused = run([[20_000, { type: 'pause' }]], speaking);
    expect(viewSessionState(paused, 90_000).speakers.turnRemainingMs).toBe(40_000);
    const resumed = run([[100_000, { type: 'resume' }]], paused);
    expect(viewSessionState(resumed, 110_000).speakers).toMatchObject({ turnEndsAt: 140_000, turnRemainingMs: 30_000 });
  });

  it('gives turns only in a running segment 3, and refuses duplicate speakers', () => {
    const queued = run([[0, { type: 'set-speakers', participantIds: ['ana'], turnMs: 1_000 }]]);
    expect(refusal(queued, { type: 'next-speaker' })).toMatch(/segment 3/);
    expect(refusal(queued, { type: 'set-speakers', participantIds: ['ana', 'ana'], turnMs: 1_000 })).toMatch(/twice/);
  });

  it('clears the current turn when the segment changes', () => {
    const speaking = run([[0, { type: 'next-speaker' }]], inSegment3());
    const next = run([[1, { type: 'advance' }]], speaking);
    expect(viewSessionState(next, 1).speakers).toMatchObject({ currentSpeakerId: null, order: ['ana', 'bo', 'cy'] });
  });
});

describe('the way back in the speaking queue', () => {
  const inSegment3 = () =>
    run([
      [0, { type: 'set-speakers', participantIds: ['ana', 'bo', 'cy'], turnMs: 60_000 }],
      [0, { type: 'start', segment: 3, durationMs: 600_000 }],
    ]);

  it('gives the floor back to the one skipped, with a fresh turn', () => {
    const skipped = run(
      [
        [0, { type: 'next-speaker' }],
        [10_000, { type: 'next-speaker' }],
        [10_200, { type: 'next-speaker' }],
      ],
      inSegment3(),
    );
    expect(viewSessionState(skipped, 10_200).speakers.currentSpeakerId).toBe('cy');
    const back = run([[11_000, { type: 'previous-speaker' }]], skipped);
    expect(viewSessionState(back, 11_000).speakers).toMatchObject({
      currentSpeakerId: 'bo',
      nextSpeakerId: 'cy',
      turnEndsAt: 71_000,
      turnRemainingMs: 60_000,
    });
  });

  it('refuses before the first turn, at the first speaker, and outside a running segment 3', () => {
    expect(refusal(inSegment3(), { type: 'previous-speaker' })).toMatch(/No one has spoken/);
    const first = run([[0, { type: 'next-speaker' }]], inSegment3());
    expect(refusal(first, { type: 'previous-speaker' })).toMatch(/first speaker/);
    const second = run([[1, { type: 'next-speaker' }]], first);
    const paused = run([[2, { type: 'pause' }]], second);
    expect(refusal(paused, { type: 'previous-speaker' })).toMatch(/segment 3/);
  });
});

describe('the revision guard', () => {
  it('counts every transition that changes the state, and none that changes nothing', () => {
    const started = run([[0, { type: 'start', segment: 0, durationMs: 60_000 }]]);
    expect(started.revision).toBe(1);
    const locked = run([[1, { type: 'lock-board' }]], started);
    expect(locked.revision).toBe(2);
    // Locking a locked board, unlocking an open one, revealing twice: the same state, no new revision.
    for (const action of [{ type: 'lock-board' }, { type: 'reveal', segment: 0 }] as SessionAction[]) {
      const once = run([[2, action]], locked);
      const twice = applySessionAction(once, action, 3);
      expect(twice.ok && twice.state).toBe(once);
    }
    const open = applySessionAction(started, { type: 'unlock-board' }, 2);
    expect(open.ok && open.state).toBe(started);
    expect(viewSessionState(locked, 1).revision).toBe(2);
  });

  it('refuses an action chosen on an older revision, so a double click cannot act twice', () => {
    const speaking = run([
      [0, { type: 'set-speakers', participantIds: ['ana', 'bo'], turnMs: 60_000 }],
      [0, { type: 'start', segment: 3, durationMs: 600_000 }],
      [0, { type: 'next-speaker' }],
    ]);
    const seen = speaking.revision;
    const first = applySessionAction(speaking, { type: 'next-speaker' }, 1_000, seen);
    if (!first.ok) throw new Error(first.reason);
    expect(viewSessionState(first.state, 1_000).speakers.currentSpeakerId).toBe('bo');
    // The second click of the double click was chosen on the same view: refused as stale.
    const second = applySessionAction(first.state, { type: 'next-speaker' }, 1_001, seen);
    expect(second).toMatchObject({ ok: false, stale: true });
    expect(second.ok ? null : second.reason).toMatch(/revision 4, not 3/);
    // Lock then a stale second lock/unlock does not toggle back.
    const locked = applySessionAction(first.state, { type: 'lock-board' }, 2_000, first.state.revision);
    if (!locked.ok) throw new Error(locked.reason);
    const toggled = applySessionAction(locked.state, { type: 'unlock-board' }, 2_001, first.state.revision);
    expect(toggled).toMatchObject({ ok: false, stale: true });
    // A current revision acts; no revision at all acts as before (the contract's clients).
    expect(applySessionAction(locked.state, { type: 'unlock-board' }, 3_000, locked.state.revision).ok).toBe(true);
    expect(applySessionAction(locked.state, { type: 'unlock-board' }, 3_000).ok).toBe(true);
  });

  it('is checked before the action itself: a stale illegal action is reported as stale', () => {
    const state = initialSessionState();
    expect(applySessionAction(state, { type: 'pause' }, 0, 7)).toMatchObject({ ok: false, stale: true });
    expect(applySessionAction(state, { type: 'pause' }, 0, 0)).toMatchObject({ ok: false });
    expect(applySessionAction(state, { type: 'pause' }, 0, 0)).not.toHaveProperty('stale');
  });

  it('loads a state persisted before revisions existed as revision 0', () => {
    const { revision: _, ...old } = run([[0, { type: 'start', segment: 2, durationMs: 60_000 }]]);
    const restored = restoreSessionState(old);
    expect(restored.revision).toBe(0);
    expect(restored.segment).toBe(2);
    const next = applySessionAction(restored, { type: 'pause' }, 1_000, 0);
    expect(next.ok && next.state.revision).toBe(1);
  });
});
