import { type Static, Type } from '@sinclair/typebox';

/** `GET /api/health`. */
export const HealthResponse = Type.Object({
  status: Type.Literal('ok'),
  db: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
  version: Type.String(),
});
/** Health response body. */
export type HealthResponse = Static<typeof HealthResponse>;
