import { boardAccess, initialSessionState, type Principal, type ReadOnlyReason } from '@calma/core';
import type { Me, SessionState } from '../../lib/contract';

/** Whom `/api/me` says this tab speaks for, as core's rules take it (null: an answer that makes no sense). */
export function principalOf(me: Me): Principal | null {
  switch (me.role) {
    case 'admin':
      return { role: 'admin' };
    case 'moderator':
    case 'analyst':
      return me.groupId ? { role: me.role, groupId: me.groupId } : null;
    case 'participant':
      return me.groupId && me.participantId
        ? {
            role: 'participant',
            groupId: me.groupId,
            participantId: me.participantId,
            displayName: me.displayName ?? '',
          }
        : null;
  }
}

/**
 * Why the board is read-only for this person now, or null when they may edit: core's rule, the one
 * the server enforces. Until the state arrives the person is judged as on a new session (by role).
 * The board says it in the person's language (`board:readOnly.<type>`).
 */
export function boardReadOnly(principal: Principal | null, state: SessionState | null): ReadOnlyReason | null {
  if (!principal) return null;
  const access = boardAccess(principal, state ?? initialSessionState());
  return access.writable ? null : access.reason;
}
