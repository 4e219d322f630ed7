import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { routeNotFound } from '../errors.js';

/**
 * Serves the built web app with a single-page fallback: any GET outside `/api` that is no file
 * gets `index.html`, so deep links (`/join/CODE`) load the app. API misses stay JSON 404s.
 */
export const webPlugin = fp(
  async (app: FastifyInstance, options: { webDir: string | null }) => {
    const webDir = options.webDir;
    const hasWeb = webDir !== null && existsSync(join(webDir, 'index.html'));
    if (hasWeb) {
      await app.register(fastifyStatic, { root: webDir, wildcard: false, index: ['index.html'] });
    }
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      const isPage = request.method === 'GET' && !path.startsWith('/api/') && path !== '/api';
      if (isPage && hasWeb) return reply.type('text/html').sendFile('index.html');
      if (isPage && path === '/') {
        return reply
          .type('text/html')
          .send(
            '<!doctype html><title>Calma</title><p>Calma API is running. The web app is not built (pnpm build).</p>',
          );
      }
      return reply.status(404).send(routeNotFound(request.method, request.url));
    });
  },
  { name: 'calma-web' },
);
