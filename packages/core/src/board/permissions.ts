import { CardField, layoutFields, participantCardKinds, sharedRoots } from '@calma/protocol/board';
import type { Principal } from '../access.js';
import type { SessionState } from '../session/state.js';

/**
 * Who may change what on the shared board. The realtime layer turns each incoming Yjs update into
 * a list of {@link BoardChange}s (against the board as accepted so far) and asks here; nothing in
 * this module knows Yjs.
 */

/** One effect of an update, described against the board before it. */
export type BoardChange =
  /** A card id that did not exist gets a card; `card` is null when the value is not a Y.Map. */
  | { readonly type: 'card-added'; readonly cardId: string; readonly card: { kind: unknown; authorId: unknown } | null }
  /** An existing card is deleted or replaced by another value under the same id. */
  | { readonly type: 'card-removed'; readonly cardId: string; readonly authorId: string | null }
  /** A field of an existing card changes. */
  | { readonly type: 'card-field'; readonly cardId: string; readonly field: string; readonly authorId: string | null }
  /** Anything outside `cards` changes; `root` names the top-level type. */
  | { readonly type: 'other'; readonly root: string };

/** Why the board is read-only for someone now. */
export type ReadOnlyReason =
  /** Analysts watch; they never write. */
  | { readonly type: 'role' }
  /** The session has ended. */
  | { readonly type: 'ended' }
  /** The moderator locked the board. */
  | { readonly type: 'locked' }
  /** Segments 1 and 5 are private work. */
  | { readonly type: 'private-segment'; readonly segment: 1 | 5 };

/** Whether the principal may write to the board in this session state, and if not, why. */
export function boardAccess(
  principal: Principal,
  state: Pick<SessionState, 'segment' | 'status' | 'boardLocked'>,
): { readonly writable: true } | { readonly writable: false; readonly reason: ReadOnlyReason } {
  switch (principal.role) {
    case 'admin':
    case 'moderator':
      return { writable: true };
    case 'analyst':
      return { writable: false, reason: { type: 'role' } };
    case 'participant':
      if (state.status === 'ended') return { writable: false, reason: { type: 'ended' } };
      if (state.boardLocked) return { writable: false, reason: { type: 'locked' } };
      if (state.segment === 1 || state.segment === 5)
        return { writable: false, reason: { type: 'private-segment', segment: state.segment } };
      return { writable: true };
  }
}

/** Whether the principal's updates are accepted at all in this session state. */
export function boardWritable(
  principal: Principal,
  state: Pick<SessionState, 'segment' | 'status' | 'boardLocked'>,
): boolean {
  return boardAccess(principal, state).writable;
}

/** Why a board change is refused, or null when every change is allowed. */
export function refuseBoardChanges(principal: Principal, changes: readonly BoardChange[]): string | null {
  if (principal.role === 'admin' || principal.role === 'moderator') return null;
  if (principal.role !== 'participant') return 'This connection is read-only';
  const me = principal.participantId;
  for (const change of changes) {
    switch (change.type) {
      case 'card-added': {
        if (change.card === null) return `Card ${change.cardId} must be a Y.Map`;
        if (change.card.authorId !== me)
          return `A new card's authorId must be your participant id (card ${change.cardId})`;
        if (typeof change.card.kind !== 'string' || !participantCardKinds.has(change.card.kind)) {
          return `Participants add only note or label cards (card ${change.cardId})`;
        }
        break;
      }
      case 'card-removed':
        if (change.authorId !== me)
          return `You may not delete or replace a card you did not author (card ${change.cardId})`;
        break;
      case 'card-field':
        if (change.field === CardField.authorId) return `A card's author cannot change (card ${change.cardId})`;
        if (change.authorId !== me && !layoutFields.has(change.field)) {
          return `You may move another person's card but not change its ${change.field} (card ${change.cardId})`;
        }
        break;
      case 'other':
        if (!sharedRoots.has(change.root)) return `Participants may not change ${change.root}`;
        break;
    }
  }
  return null;
}
