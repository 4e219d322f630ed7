import { type Static, Type } from '@sinclair/typebox';

/** `GET /api/health`. */
export const HealthResponse = Type.Object({
  status: Type.Literal('ok'),
  db: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
  version: Type.String(),
});
/** Health response body. */
export type HealthResponse = Static<typeof HealthResponse>;

/** `GET /api/health/ready` when this node can serve: each dependency it checked, and that it answered. */
export const ReadyResponse = Type.Object({
  status: Type.Literal('ready'),
  checks: Type.Object({
    database: Type.Literal('ok'),
    /** Present when the node runs among several (Redis configured). */
    redis: Type.Optional(Type.Literal('ok')),
  }),
});
/** Readiness response body. */
export type ReadyResponse = Static<typeof ReadyResponse>;
