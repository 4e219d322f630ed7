import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { routeNotFound } from '../errors.js';

/** Vite's output names every file under `assets/` after a hash of its content. */
const hashed = /[\\/]assets[\\/][^\\/]+$/;

/**
 * Serves the built web app with a single-page fallback: any GET outside `/api` and `/assets` that
 * is no file gets `index.html`, so deep links (`/join/CODE`) load the app. API and asset misses
 * stay JSON 404s.
 *
 * A phone on a venue's network should not fetch the app twice, nor uncompressed:
 * - the web build writes Brotli and gzip copies beside each file (apps/web's `precompress`),
 *   served to a browser that accepts them (`Vary: accept-encoding`); any other gets the file;
 * - a file under `assets/` never changes under its name, so it is cached for a year
 *   (`immutable`); `index.html`, which names the current ones, is revalidated on every load.
 */
export const webPlugin = fp(
  async (app: FastifyInstance, options: { webDir: string | null }) => {
    const webDir = options.webDir;
    const hasWeb = webDir !== null && existsSync(join(webDir, 'index.html'));
    if (hasWeb) {
      await app.register(fastifyStatic, {
        root: webDir,
        wildcard: false,
        index: ['index.html'],
        preCompressed: true,
        setHeaders: (reply, path) => {
          reply.header('cache-control', hashed.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      });
    }
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      // A missing asset (an old tab asking for a chunk a redeploy removed) is a 404, not the page
      // under a script's name.
      const isPage =
        request.method === 'GET' && !path.startsWith('/api/') && path !== '/api' && !path.startsWith('/assets/');
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
