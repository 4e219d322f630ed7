import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Builds the OpenAPI document from the route schemas (the same objects that validate requests)
 * and serves it at `GET /api/openapi.json`. Register before the routes so it sees them all.
 */
export const openApiPlugin = fp(
  async (app: FastifyInstance, options: { version: string }) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Calma API',
          version: options.version,
          description:
            'Calma runs the Discuss stage of CALMA (Context-aligned Axes for Language Model Alignment). ' +
            'Errors are always {"error": {"code", "message"}}.',
        },
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        },
        security: [{ bearer: [] }],
      },
    });
    app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'calma-openapi' },
);
