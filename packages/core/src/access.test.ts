import { describe, expect, it } from 'vitest';
import { decideGroupAccess, hasRole, type Principal } from './access.js';

const admin: Principal = { role: 'admin' };
const moderator: Principal = { role: 'moderator', groupId: 'g1' };
const analyst: Principal = { role: 'analyst', groupId: 'g1' };
const participant: Principal = { role: 'participant', groupId: 'g1', participantId: 'p1', displayName: 'Ana' };

describe('hasRole', () => {
  it('lets the admin pass every role check', () => {
    expect(hasRole(admin, ['moderator'])).toBe(true);
    expect(hasRole(admin, [])).toBe(true);
  });
  it('checks other roles against the list', () => {
    expect(hasRole(moderator, ['moderator', 'analyst'])).toBe(true);
    expect(hasRole(participant, ['moderator', 'analyst'])).toBe(false);
  });
});

describe('decideGroupAccess', () => {
  it('allows members of the group with a listed role', () => {
    expect(decideGroupAccess(analyst, 'g1', ['analyst'])).toEqual({ ok: true });
    expect(decideGroupAccess(participant, 'g1', ['participant'])).toEqual({ ok: true });
  });
  it('refuses a token of another group even with the right role', () => {
    expect(decideGroupAccess(moderator, 'g2', ['moderator'])).toEqual({ ok: false, reason: 'group' });
  });
  it('reports a wrong role before a wrong group', () => {
    expect(decideGroupAccess(participant, 'g2', ['moderator'])).toEqual({ ok: false, reason: 'role' });
  });
  it('lets the admin into any group', () => {
    expect(decideGroupAccess(admin, 'g9', ['moderator'])).toEqual({ ok: true });
  });
});
