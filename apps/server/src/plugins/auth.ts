import { timingSafeEqual } from 'node:crypto';
import { decideGroupAccess, hasRole, type Principal, type RoleName } from '@calma/core';
import { type Database, findTokenGrant } from '@calma/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, unauthorized } from '../errors.js';
import { hashToken } from '../tokens.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Who may call the route, checked in `onRequest` — before the body is parsed or validated, so
     * a request without the right token is a 401/403 whatever its body. Group membership, which
     * needs the resource, is checked in the handler.
     */
    roles?: readonly RoleName[] | 'public';
  }
  interface FastifyRequest {
    /** Resolves the bearer token once per request; throws 401 when there is none or it is unknown. */
    principal(): Promise<Principal>;
  }
}

/** What the auth plugin needs: the database and the admin token's hash. */
export interface AuthOptions {
  db: Database;
  adminTokenHash: string;
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
export function requireGroupAccess(principal: Principal, groupId: string, roles: readonly RoleName[]): void {
  const decision = decideGroupAccess(principal, groupId, roles);
  if (decision.ok) return;
  throw forbidden(
    decision.reason === 'role' ? `This needs the ${roles.join(' or ')} role` : 'This token belongs to another group',
  );
}

/** Decorates every request with `principal()`, resolved lazily and at most once. */
export const authPlugin = fp(
  async (app: FastifyInstance, options: AuthOptions) => {
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
      const roles = request.routeOptions.config.roles;
      if (roles === undefined || roles === 'public') return;
      requireRole(await request.principal(), roles);
    });
  },
  { name: 'calma-auth' },
);
