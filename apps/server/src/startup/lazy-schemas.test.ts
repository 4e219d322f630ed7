import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazySchemaCompilers } from './lazy-schemas.js';

/** A route with a body and a response schema, on the default compilers or the lazy ones. */
async function appWith(lazy: boolean) {
  const app = Fastify(lazy ? { schemaController: lazySchemaCompilers() } : {});
  app.post(
    '/things',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1 } },
          additionalProperties: false,
        },
        response: { 200: { type: 'object', properties: { name: { type: 'string' } } } },
      },
    },
    async (request) => ({ ...(request.body as { name: string }), secret: 'not in the schema' }),
  );
  await app.ready();
  return app;
}

describe('lazySchemaCompilers', () => {
  it('validates and serialises exactly as Fastify’s own compilers do', async () => {
    const eager = await appWith(false);
    const lazy = await appWith(true);
    for (const payload of [{ name: 'a' }, { name: '' }, { other: 1 }, { name: 'b', extra: true }]) {
      const [want, got] = await Promise.all(
        [eager, lazy].map((app) => app.inject({ method: 'POST', url: '/things', payload })),
      );
      expect(got?.statusCode).toBe(want?.statusCode);
      expect(got?.json()).toEqual(want?.json());
    }
    // The response schema still drops what it does not declare.
    expect((await lazy.inject({ method: 'POST', url: '/things', payload: { name: 'a' } })).json()).toEqual({
      name: 'a',
    });
    // A failed validation after a passing one still reports its own errors.
    const bad = await lazy.inject({ method: 'POST', url: '/things', payload: { name: '' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/name/);
    await Promise.all([eager.close(), lazy.close()]);
  });
});
