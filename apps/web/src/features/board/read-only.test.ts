import type { SessionState } from '@calma/protocol';
import { describe, expect, it } from 'vitest';
import type { Me } from '../../lib/contract';
import en from '../../locales/en/board.json' with { type: 'json' };
import { boardReadOnly, principalOf } from './read-only';

const me = (role: Me['role'], ids = true): Me => ({
  role,
  groupId: role === 'admin' || !ids ? null : 'g1',
  participantId: role === 'participant' && ids ? 'p1' : null,
  displayName: role === 'participant' ? 'Ana' : null,
});

const at = (segment: SessionState['segment'], extra: Partial<SessionState> = {}): SessionState => ({
  segment,
  status: 'running',
  startedAt: 0,
  endsAt: null,
  remainingMs: null,
  serverNow: 0,
  revealed: [],
  durationMs: null,
  boardLocked: false,
  speakers: {
    order: [],
    currentSpeakerId: null,
    nextSpeakerId: null,
    turnMs: 120_000,
    turnEndsAt: null,
    turnRemainingMs: null,
  },
  ...extra,
});

describe('the board’s read-only banner (core’s boardAccess, in the page’s words)', () => {
  /** The banner's English sentence, as the board renders `readOnly.<type>` from the locale. */
  const reason = (role: Me['role'], state: SessionState | null) => {
    const why = boardReadOnly(principalOf(me(role)), state);
    if (!why) return null;
    const text = en.readOnly[why.type];
    return why.type === 'private-segment' ? text.replace('{{segment}}', String(why.segment)) : text;
  };

  it('says why a participant may not edit now', () => {
    expect(reason('participant', at(2))).toBeNull();
    expect(reason('participant', at(1))).toBe('The board is read-only during segment 1: this is private work.');
    expect(reason('participant', at(5))).toBe('The board is read-only during segment 5: this is private work.');
    expect(reason('participant', at(3, { boardLocked: true }))).toBe('The moderator has locked the board for now.');
    expect(reason('participant', at(4, { status: 'ended' }))).toBe('The session has ended: the board is read-only.');
  });

  it('judges by role alone until the state arrives', () => {
    expect(reason('analyst', null)).toBe('Analysts see the board read-only.');
    expect(reason('analyst', at(2))).toBe('Analysts see the board read-only.');
    expect(reason('participant', null)).toBeNull();
    expect(reason('moderator', at(1, { boardLocked: true }))).toBeNull();
    expect(reason('admin', at(5))).toBeNull();
  });

  it('builds core’s principal from /api/me, and none from an answer without its ids', () => {
    expect(principalOf(me('participant'))).toEqual({
      role: 'participant',
      groupId: 'g1',
      participantId: 'p1',
      displayName: 'Ana',
    });
    expect(principalOf(me('analyst'))).toEqual({ role: 'analyst', groupId: 'g1' });
    expect(principalOf(me('participant', false))).toBeNull();
    expect(boardReadOnly(null, at(1))).toBeNull();
  });
});
