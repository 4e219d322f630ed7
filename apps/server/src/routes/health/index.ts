import { pingDatabase } from '@calma/db';
import { ErrorBody, ErrorCode, HealthResponse, ReadyResponse } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../app.js';
import type { DrainState } from '../../cluster/drain.js';
import type { RedisConnections } from '../../cluster/redis.js';
import { AppError } from '../../errors.js';
import { safeError } from '../../safe-error.js';

/** How long the readiness check waits for the database before it says the node cannot serve. */
const readyTimeoutMs = 2_000;

/** What the health routes check besides the database. */
export interface HealthOptions extends Pick<AppDeps, 'db' | 'version'> {
  /** Several nodes: Redis must answer too. */
  readonly redis?: RedisConnections | null;
  /** A node shutting down is not ready, whatever else answers. */
  readonly drain?: DrainState;
}

/**
 * `GET /api/health` (liveness: the process answers; says which database is behind it) and
 * `GET /api/health/ready` (readiness: the database answers too, and Redis when configured; a
 * node that is draining is not ready), both with no auth, for load balancers and orchestrators.
 */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthOptions> = async (app, { db, version, redis, drain }) => {
  app.get(
    '/api/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness and database kind',
        security: [],
        response: { 200: HealthResponse },
      },
    },
    async () => ({ status: 'ok' as const, db: db.kind, version }),
  );

  app.get(
    '/api/health/ready',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary:
          'Readiness: 200 when this node can serve (its database answers, and Redis when configured), 503 otherwise or while it shuts down',
        security: [],
        response: { 200: ReadyResponse, 503: ErrorBody },
      },
    },
    async () => {
      if (drain?.draining) throw new AppError(503, ErrorCode.notReady, 'This node is shutting down');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${readyTimeoutMs} ms`)), readyTimeoutMs);
      });
      try {
        await Promise.race([pingDatabase(db.db), timeout]);
      } catch (err) {
        app.log.warn({ err: safeError(err) }, 'not ready: the database does not answer');
        throw new AppError(503, ErrorCode.notReady, 'The database does not answer; this node cannot serve now');
      } finally {
        clearTimeout(timer);
      }
      if (redis) {
        try {
          await redis.ping(readyTimeoutMs);
        } catch (err) {
          app.log.warn({ err: safeError(err) }, 'not ready: Redis does not answer');
          throw new AppError(503, ErrorCode.notReady, 'Redis does not answer; this node cannot serve now');
        }
        return { status: 'ready' as const, checks: { database: 'ok' as const, redis: 'ok' as const } };
      }
      return { status: 'ready' as const, checks: { database: 'ok' as const } };
    },
  );
};
