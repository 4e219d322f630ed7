import { HealthResponse } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../../app.js';

/** `GET /api/health`: no auth; says which database is behind the server. */
export const healthRoutes: FastifyPluginAsyncTypebox<Pick<AppDeps, 'db' | 'version'>> = async (
  app,
  { db, version },
) => {
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
};
