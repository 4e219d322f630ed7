/** Roles as core sees them (mirrors `@calma/protocol`'s `Role`, which core does not import). */
export type RoleName = 'admin' | 'moderator' | 'analyst' | 'participant';

/** Whom an authenticated request speaks for. Every principal but the admin belongs to one group. */
export type Principal =
  | { readonly role: 'admin' }
  | { readonly role: 'moderator' | 'analyst'; readonly groupId: string }
  | {
      readonly role: 'participant';
      readonly groupId: string;
      readonly participantId: string;
      readonly displayName: string;
    };

/** Why access was refused: the role can never do this, or the token is for another group. */
export type AccessDecision = { readonly ok: true } | { readonly ok: false; readonly reason: 'role' | 'group' };

const allowed: AccessDecision = { ok: true };

/** Whether the principal's role is one of `roles`. The admin passes every role check. */
export function hasRole(principal: Principal, roles: readonly RoleName[]): boolean {
  return principal.role === 'admin' || roles.includes(principal.role);
}

/**
 * Decides access to something that belongs to `groupId`: the role must be listed, and a group
 * token only ever reaches its own group. The admin reaches every group.
 */
export function decideGroupAccess(principal: Principal, groupId: string, roles: readonly RoleName[]): AccessDecision {
  if (!hasRole(principal, roles)) return { ok: false, reason: 'role' };
  if (principal.role !== 'admin' && principal.groupId !== groupId) return { ok: false, reason: 'group' };
  return allowed;
}

/** Everyone who belongs to a group: they see its board, sessions and material. */
export const memberRoles: readonly RoleName[] = ['moderator', 'analyst', 'participant'];

/** A group's staff: they see everyone's work and the analysis. */
export const staffRoles: readonly RoleName[] = ['moderator', 'analyst'];
