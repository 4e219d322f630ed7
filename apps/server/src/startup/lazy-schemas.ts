import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

/** What Ajv's compiled validators look like to Fastify: a test, and the errors of the last call. */
interface Validate {
  (this: unknown, data: unknown): unknown;
  errors?: unknown;
}
type Serialize = (data: unknown) => string;
/** A compiler factory as Fastify takes it: shared schemas and options → one route part's compiler. */
type Factory<F> = (externalSchemas: unknown, options: unknown) => (route: unknown) => F;

/**
 * Fastify's own compilers (Ajv for requests, fast-json-stringify for responses), each compiling
 * a route's schema when the route is first used instead of when the server starts. Compiling all
 * ~100 routes' schemas up front was about a third of the start-up's CPU (a profile: Ajv and
 * fast-json-stringify ahead of everything but PGlite), for routes an idle server may never serve;
 * the first request to a route now pays its few milliseconds. Validation and serialisation are
 * unchanged: the same compilers with the same options compile the same schemas. (Fastify treats a
 * factory given here as custom and then skips lower-casing header schemas' names; no route
 * validates headers.)
 */
export function lazySchemaCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  // Fastify's own copies, resolved from Fastify's folder: they are its dependencies, not ours.
  const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
  const validators = (fromFastify('@fastify/ajv-compiler') as () => Factory<Validate>)();
  const serializers = (
    fromFastify('@fastify/fast-json-stringify-compiler') as { SerializerSelector: () => Factory<Serialize> }
  ).SerializerSelector();
  const compilersFactory = {
    buildValidator: (externalSchemas: unknown, options: unknown) => {
      const compile = validators(externalSchemas, options);
      return (route: unknown) => {
        let compiled: Validate | undefined;
        const validate: Validate = function (this: unknown, data: unknown) {
          compiled ??= compile(route);
          const result = compiled.call(this, data);
          // Fastify reads a failed validation's errors off the function it was given.
          validate.errors = compiled.errors;
          return result;
        };
        return validate;
      };
    },
    buildSerializer: (externalSchemas: unknown, options: unknown) => {
      const compile = serializers(externalSchemas, options);
      return (route: unknown) => {
        let compiled: Serialize | undefined;
        return (data: unknown) => {
          compiled ??= compile(route);
          return compiled(data);
        };
      };
    },
  };
  // Fastify types the compiled functions as Ajv's own (with their `schema` and `schemaEnv`); it
  // only calls them and reads a failed validation's `errors`, which is what the wrappers give.
  return { compilersFactory } as unknown as NonNullable<FastifyServerOptions['schemaController']>;
}
