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
  /** A control action named a session revision the session has moved past (409). */
  staleRevision: 'STALE_REVISION',
  /** A conversation was asked for before the participant passed a required comprehension check (409). */
  checkRequired: 'CHECK_REQUIRED',
  /** The study has not opened the stage this needs (409). */
  stageClosed: 'STAGE_CLOSED',
  payloadTooLarge: 'PAYLOAD_TOO_LARGE',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  rateLimited: 'RATE_LIMITED',
  /** A chat answer failed or was cut off (502); `error.reason` says why. */
  modelUnavailable: 'MODEL_UNAVAILABLE',
  /** The conversation is still answering the previous turn (409). */
  answerInProgress: 'ANSWER_IN_PROGRESS',
  /** The conversation has had the study's `maxTurns` user turns (409). */
  turnLimitReached: 'TURN_LIMIT_REACHED',
  /** This node cannot serve now: a dependency (the database) does not answer (503, readiness). */
  notReady: 'NOT_READY',
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
