import { timingSafeEqual } from 'node:crypto';
import { decideGroupAccess, hasRole, type Principal, type RoleName } from '@calma/core';
import { type Database, findGroup, findTokenGrant, type GroupRow } from '@calma/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, notFound, unauthorized } from '../errors.js';
import type { LoadedSession, SessionService } from '../sessions/service.js';
import { hashToken } from '../tokens.js';

/**
 * Who may call a route, declared once in its config and enforced by the auth plugin:
 * `'public'`, or the roles that may call it and, with `scope`, the resource its path names
 * (`:sessionId` or `:groupId`), which the plugin loads (404) and checks the caller belongs to
 * (403) before the handler runs. Build it with {@link access}.
 */
export type RouteAccess = 'public' | { readonly roles: readonly RoleName[]; readonly scope?: 'session' | 'group' };

/** The declarations routes use: `config: { access: access.session(staffRoles) }`. */
export const access = {
  public: 'public',
  /** Any of `roles` (the admin always passes); nothing is loaded. */
  roles: (roles: readonly RoleName[]): RouteAccess => ({ roles }),
  /** The session in `:sessionId`, for members of its group with one of `roles`. */
  session: (roles: readonly RoleName[]): RouteAccess => ({ roles, scope: 'session' }),
  /** The group in `:groupId`, for its members with one of `roles`. */
  group: (roles: readonly RoleName[]): RouteAccess => ({ roles, scope: 'group' }),
} as const;

/** What a scoped route's handler gets: the caller and the resource it was checked against. */
export type RequestScope =
  | { readonly scope: 'session'; readonly principal: Principal; readonly session: LoadedSession }
  | { readonly scope: 'group'; readonly principal: Principal; readonly group: GroupRow };

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Who may call the route. Roles are checked in `onRequest` — before the body is parsed or
     * validated, so a request without the right token is a 401/403 whatever its body. The scoped
     * resource is loaded and group membership checked in `preHandler`, after validation: bad
     * input is a 400, an unknown id a 404 for everyone, another group's a 403.
     */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** Resolves the bearer token once per request; throws 401 when there is none or it is unknown. */
    principal(): Promise<Principal>;
    /** The checked resource of a scoped route (null on others). */
    scope: RequestScope | null;
  }
}

/** What token resolution needs: the database and the admin token's hash. */
export interface AuthOptions {
  db: Database;
  adminTokenHash: string;
}

/** What the auth plugin needs besides: where scoped resources are loaded from. */
export interface AuthPluginOptions extends AuthOptions {
  sessions: Pick<SessionService, 'get'>;
}

const bearer = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/** Reads a token from an `authorization` header value, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  return bearer.exec(header.trim())?.[1] ?? null;
}

/**
 * Resolves a raw token to a principal, or null. Shared by HTTP, socket.io and the Yjs upgrade so
 * that every transport grants exactly the same.
 */
export async function resolveToken(options: AuthOptions, token: string | null | undefined): Promise<Principal | null> {
  if (!token || token.length > 512) return null;
  const hash = hashToken(token);
  if (timingSafeEqual(Buffer.from(hash), Buffer.from(options.adminTokenHash))) return { role: 'admin' };
  const grant = await findTokenGrant(options.db, hash);
  if (!grant) return null;
  if (grant.role === 'admin') return { role: 'admin' };
  if (grant.groupId === null) return null;
  if (grant.role === 'participant') {
    if (grant.participantId === null) return null;
    return {
      role: 'participant',
      groupId: grant.groupId,
      participantId: grant.participantId,
      displayName: grant.displayName ?? '',
    };
  }
  return { role: grant.role, groupId: grant.groupId };
}

/** Throws 403 unless the principal's role is one of `roles` (admin always passes). */
export function requireRole(principal: Principal, roles: readonly RoleName[]): void {
  if (!hasRole(principal, roles)) throw forbidden(`This needs the ${roles.join(' or ')} role`);
}

/**
 * Throws 403 unless the principal may act on `groupId` with one of `roles`. Call it after the
 * group was found, so an unknown id is a 404 for everyone.
 */
function requireGroupAccess(principal: Principal, groupId: string, roles: readonly RoleName[]): void {
  const decision = decideGroupAccess(principal, groupId, roles);
  if (decision.ok) return;
  throw forbidden(
    decision.reason === 'role' ? `This needs the ${roles.join(' or ')} role` : 'This token belongs to another group',
  );
}

/**
 * Loads a session (404) and checks the principal may act on its group with one of `roles` (403):
 * what a session-scoped route, a socket.io event and the Yjs upgrade all ask.
 */
export async function authorizeSession(
  sessions: Pick<SessionService, 'get'>,
  principal: Principal,
  sessionId: string,
  roles: readonly RoleName[],
): Promise<LoadedSession> {
  const session = await sessions.get(sessionId);
  requireGroupAccess(principal, session.groupId, roles);
  return session;
}

/** Loads a group (404) and checks the principal may act on it with one of `roles` (403). */
export async function authorizeGroup(
  db: Database,
  principal: Principal,
  groupId: string,
  roles: readonly RoleName[],
): Promise<GroupRow> {
  const group = await findGroup(db, groupId);
  if (!group) throw notFound('Group');
  requireGroupAccess(principal, group.id, roles);
  return group;
}

/** The session a session-scoped route was checked against. */
export function sessionScope(request: FastifyRequest): { principal: Principal; session: LoadedSession } {
  const scope = request.scope;
  if (scope?.scope !== 'session') throw new Error(`${request.routeOptions.url} is not declared session-scoped`);
  return scope;
}

/** The group a group-scoped route was checked against. */
export function groupScope(request: FastifyRequest): { principal: Principal; group: GroupRow } {
  const scope = request.scope;
  if (scope?.scope !== 'group') throw new Error(`${request.routeOptions.url} is not declared group-scoped`);
  return scope;
}

/**
 * Enforces every route's declared {@link RouteAccess}, and decorates every request with
 * `principal()`, resolved lazily and at most once. A route without a declaration is refused at
 * start-up: access is never left to a handler to remember.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, options: AuthPluginOptions) => {
    app.addHook('onRoute', (route) => {
      if (route.config?.access === undefined && route.url.startsWith('/api/'))
        throw new Error(`${route.method} ${route.url} declares no access`);
    });
    app.decorateRequest('scope', null);
    const cache = new WeakMap<FastifyRequest, Promise<Principal | null>>();
    app.decorateRequest('principal', function (this: FastifyRequest) {
      let pending = cache.get(this);
      if (!pending) {
        pending = resolveToken(options, bearerToken(this.headers.authorization));
        cache.set(this, pending);
      }
      return pending.then((principal) => {
        if (!principal) throw unauthorized();
        return principal;
      });
    });
    app.addHook('onRequest', async (request) => {
      const declared = request.routeOptions.config.access;
      if (declared === undefined || declared === 'public') return;
      requireRole(await request.principal(), declared.roles);
    });
    app.addHook('preHandler', async (request) => {
      const declared = request.routeOptions.config.access;
      if (declared === undefined || declared === 'public' || declared.scope === undefined) return;
      const principal = await request.principal();
      const params = request.params as Record<string, string | undefined>;
      if (declared.scope === 'session') {
        const session = await authorizeSession(options.sessions, principal, params.sessionId ?? '', declared.roles);
        request.scope = { scope: 'session', principal, session };
      } else {
        const group = await authorizeGroup(options.db, principal, params.groupId ?? '', declared.roles);
        request.scope = { scope: 'group', principal, group };
      }
    });
  },
  { name: 'calma-auth' },
);
