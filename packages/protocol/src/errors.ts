import { type Static, Type } from '@sinclair/typebox';

/** Stable machine-readable error codes; clients branch on these, never on messages. */
export const ErrorCode = {
  badRequest: 'BAD_REQUEST',
  validationFailed: 'VALIDATION_FAILED',
  consentRequired: 'CONSENT_REQUIRED',
  invalidReference: 'INVALID_REFERENCE',
  unauthorized: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  notFound: 'NOT_FOUND',
  conflict: 'CONFLICT',
  wrongState: 'WRONG_STATE',
  payloadTooLarge: 'PAYLOAD_TOO_LARGE',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  rateLimited: 'RATE_LIMITED',
  internal: 'INTERNAL_ERROR',
} as const;
/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The one error shape every route returns: `{"error": {"code", "message"}}`. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable SNAKE_CASE code', examples: ['NOT_FOUND'] }),
      message: Type.String({ description: 'A human sentence' }),
    }),
  },
  { title: 'Error' },
);
/** The error body as a type. */
export type ErrorBody = Static<typeof ErrorBody>;

/** WebSocket close codes used by the Yjs endpoint (4000–4999 is the application range). */
export const CloseCode = {
  badRequest: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
  wrongState: 4409,
  tooLarge: 4413,
  /** The server is going away (shutdown); reconnect later. */
  goingAway: 1001,
  /** The server could not keep the update (storage failed); nothing was lost that was acknowledged. */
  internal: 1011,
} as const;
/** One of the {@link CloseCode} values. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
