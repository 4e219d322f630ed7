import { describe, expect, it } from 'vitest';
import type { Principal } from '../access.js';
import { applySessionAction, initialSessionState, type SessionState } from '../session/state.js';
import { type BoardChange, boardAccess, boardWritable, refuseBoardChanges } from './permissions.js';

const ana: Principal = { role: 'participant', groupId: 'g', participantId: 'ana', displayName: 'Ana' };
const moderator: Principal = { role: 'moderator', groupId: 'g' };
const analyst: Principal = { role: 'analyst', groupId: 'g' };

const at = (segment: 0 | 1 | 2 | 3 | 4 | 5, locked = false): SessionState => {
  const started = applySessionAction(initialSessionState(), { type: 'start', segment, durationMs: 60_000 }, 0);
  if (!started.ok) throw new Error(started.reason);
  return { ...started.state, boardLocked: locked };
};

describe('boardWritable', () => {
  it('makes the board read-only for participants in segments 1 and 5 and when locked', () => {
    expect([0, 1, 2, 3, 4, 5].map((s) => boardWritable(ana, at(s as 0)))).toEqual([
      true,
      false,
      true,
      true,
      true,
      false,
    ]);
    expect(boardWritable(ana, at(2, true))).toBe(false);
  });
  it('never lets analysts write and always lets moderators', () => {
    expect(boardWritable(analyst, at(2))).toBe(false);
    expect(boardWritable(moderator, at(1, true))).toBe(true);
  });
});

describe('boardAccess', () => {
  it('says why the board is read-only', () => {
    expect(boardAccess(analyst, at(2))).toEqual({ writable: false, reason: { type: 'role' } });
    expect(boardAccess(ana, at(5))).toEqual({ writable: false, reason: { type: 'private-segment', segment: 5 } });
    expect(boardAccess(ana, at(2, true))).toEqual({ writable: false, reason: { type: 'locked' } });
    expect(boardAccess(ana, { ...at(3), status: 'ended' })).toEqual({ writable: false, reason: { type: 'ended' } });
    expect(boardAccess(ana, at(3))).toEqual({ writable: true });
  });
});

describe('refuseBoardChanges', () => {
  const mine = (change: Partial<BoardChange> & { type: BoardChange['type'] }) =>
    refuseBoardChanges(ana, [{ cardId: 'c', authorId: 'ana', ...change } as BoardChange]);

  it("lets a participant move anyone's card but edit or delete only their own", () => {
    expect(refuseBoardChanges(ana, [{ type: 'card-field', cardId: 'c', field: 'x', authorId: 'bo' }])).toBeNull();
    expect(
      refuseBoardChanges(ana, [{ type: 'card-field', cardId: 'c', field: 'clusterId', authorId: 'bo' }]),
    ).toBeNull();
    expect(refuseBoardChanges(ana, [{ type: 'card-field', cardId: 'c', field: 'text', authorId: 'bo' }])).toMatch(
      /not change its text/,
    );
    expect(refuseBoardChanges(ana, [{ type: 'card-removed', cardId: 'c', authorId: 'bo' }])).toMatch(/did not author/);
    expect(mine({ type: 'card-field', field: 'text' })).toBeNull();
    expect(mine({ type: 'card-removed' })).toBeNull();
  });

  it('refuses forged authorship, odd kinds, non-map cards and changing an author', () => {
    expect(
      refuseBoardChanges(ana, [{ type: 'card-added', cardId: 'n', card: { kind: 'note', authorId: 'ana' } }]),
    ).toBeNull();
    expect(
      refuseBoardChanges(ana, [{ type: 'card-added', cardId: 'n', card: { kind: 'note', authorId: 'bo' } }]),
    ).toMatch(/authorId/);
    expect(
      refuseBoardChanges(ana, [{ type: 'card-added', cardId: 'n', card: { kind: 'attribute', authorId: 'ana' } }]),
    ).toMatch(/note or label/);
    expect(refuseBoardChanges(ana, [{ type: 'card-added', cardId: 'n', card: null }])).toMatch(/Y.Map/);
    expect(mine({ type: 'card-field', field: 'authorId' })).toMatch(/cannot change/);
  });

  it('allows shared roots only, and anything for moderators; nothing for analysts', () => {
    expect(refuseBoardChanges(ana, [{ type: 'other', root: 'clusters' }])).toBeNull();
    expect(refuseBoardChanges(ana, [{ type: 'other', root: 'meta' }])).toMatch(/meta/);
    expect(refuseBoardChanges(moderator, [{ type: 'card-removed', cardId: 'c', authorId: 'bo' }])).toBeNull();
    expect(refuseBoardChanges(analyst, [])).toMatch(/read-only/);
  });
});
