import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { BoardMoments, type MomentReason, type MomentRoom } from './moments.js';

const log = { debug: () => undefined, warn: () => undefined, error: vi.fn() };

/** A room's durable document, changed the way stored updates change it. */
function fakeRoom(sessionId = 'se_1'): MomentRoom & { write(text: string): void } {
  const doc = new Y.Doc();
  return {
    sessionId,
    doc,
    write(text: string) {
      doc.getMap('cards').set(text, text);
    },
  };
}

/** What a moment held: the card ids of the board it kept. */
const cardsOf = (state: Uint8Array) => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return [...doc.getMap('cards').keys()].sort();
};

describe('BoardMoments', () => {
  let saved: { sessionId: string; at: number; reason: MomentReason; cards: string[] }[];
  let moments: BoardMoments;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    saved = [];
    moments = new BoardMoments(
      async (sessionId, moment) => {
        saved.push({ sessionId, at: moment.at.getTime(), reason: moment.reason, cards: cardsOf(moment.state) });
      },
      30_000,
      log,
    );
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a changing board at most every interval, and an unchanged one never', async () => {
    const room = fakeRoom();
    moments.watch(room, { segment: 2, status: 'running' });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(saved).toEqual([]);
    // The first change after a quiet spell is kept at once (the last moment is long past)…
    room.write('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(saved).toEqual([{ sessionId: 'se_1', at: 1_120_000, reason: 'interval', cards: ['a'] }]);
    // …and a burst after it waits for the interval: one moment for all of it.
    await vi.advanceTimersByTimeAsync(1_000);
    room.write('b');
    await vi.advanceTimersByTimeAsync(10_000);
    room.write('c');
    await vi.advanceTimersByTimeAsync(18_000);
    expect(saved).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(saved.map((m) => [m.at, m.cards])).toEqual([
      [1_120_000, ['a']],
      [1_150_000, ['a', 'b', 'c']],
    ]);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(saved).toHaveLength(2);
  });

  it('keeps a moment at a new segment and at the end, not at a pause', async () => {
    const room = fakeRoom();
    moments.watch(room, { segment: 1, status: 'running' });
    room.write('a');
    moments.stateChanged(room, { segment: 1, status: 'paused' });
    moments.stateChanged(room, { segment: 2, status: 'pending' });
    moments.stateChanged(room, { segment: 2, status: 'ended' });
    await vi.advanceTimersByTimeAsync(0);
    expect(saved.map((m) => [m.reason, m.cards])).toEqual([
      ['segment', ['a']],
      ['end', ['a']],
    ]);
    // The segment moment took the change: no interval moment follows for it.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(saved).toHaveLength(2);
  });

  it('keeps a last moment when a changed room is let go, and forgets its timer', async () => {
    const room = fakeRoom();
    moments.watch(room, { segment: 2, status: 'running' });
    room.write('a');
    await moments.release(room);
    expect(saved.map((m) => [m.reason, m.cards])).toEqual([['interval', ['a']]]);
    expect(moments.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    // Changes after it was let go are not followed.
    room.write('b');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(saved).toHaveLength(1);
    // An unchanged room, or one let go without a final moment, keeps nothing more.
    const quiet = fakeRoom('se_2');
    moments.watch(quiet, { segment: 0, status: 'pending' });
    await moments.release(quiet);
    const broken = fakeRoom('se_3');
    moments.watch(broken, { segment: 0, status: 'pending' });
    broken.write('x');
    await moments.release(broken, false);
    expect(saved).toHaveLength(1);
  });

  it('logs a moment that could not be stored, and keeps the next', async () => {
    let fail = true;
    const failing = new BoardMoments(
      async (sessionId, moment) => {
        if (fail) throw new Error('disk full');
        saved.push({ sessionId, at: moment.at.getTime(), reason: moment.reason, cards: cardsOf(moment.state) });
      },
      30_000,
      log,
    );
    const room = fakeRoom();
    failing.watch(room, { segment: 0, status: 'pending' });
    await failing.keep(room, 'segment');
    expect(log.error).toHaveBeenCalledOnce();
    fail = false;
    room.write('a');
    await failing.keep(room, 'segment');
    expect(saved.map((m) => m.cards)).toEqual([['a']]);
  });
});
