import { type ErrorBody, ErrorCode } from '@calma/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';
import { safeError } from './safe-error.js';

/** The one error type routes throw; the error handler turns it into the contract's shape. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** 400: the input is well-formed JSON but not acceptable. */
export const badRequest = (message: string, code: ErrorCode = ErrorCode.badRequest) => new AppError(400, code, message);
/** 401: no token, or one we do not know. */
export const unauthorized = (message = 'A valid bearer token is required') =>
  new AppError(401, ErrorCode.unauthorized, message);
/** 403: a known token that may not do this. */
export const forbidden = (message: string) => new AppError(403, ErrorCode.forbidden, message);
/** 404: the named thing does not exist. */
export const notFound = (what: string) => new AppError(404, ErrorCode.notFound, `${what} not found`);
/** 409: a conflict with what is stored. */
export const conflict = (message: string, code: ErrorCode = ErrorCode.conflict) => new AppError(409, code, message);

const errorBody = (code: string, message: string): ErrorBody => ({ error: { code, message } });

/** Fastify's own client-error codes, mapped onto ours. */
const fastifyCodes: Record<string, { status: number; code: ErrorCode }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: ErrorCode.payloadTooLarge },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: ErrorCode.unsupportedMediaType },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: ErrorCode.badRequest },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: ErrorCode.badRequest },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: ErrorCode.badRequest },
};

/** The contract's error code for an HTTP status (other 4xx: `BAD_REQUEST`; 5xx: `INTERNAL_ERROR`). */
export const codeForStatus = (status: number): ErrorCode => {
  switch (status) {
    case 401:
      return ErrorCode.unauthorized;
    case 403:
      return ErrorCode.forbidden;
    case 404:
      return ErrorCode.notFound;
    case 409:
      return ErrorCode.conflict;
    case 413:
      return ErrorCode.payloadTooLarge;
    case 415:
      return ErrorCode.unsupportedMediaType;
    case 429:
      return ErrorCode.rateLimited;
    default:
      return status >= 500 ? ErrorCode.internal : ErrorCode.badRequest;
  }
};

/**
 * Installs the one error handler and the not-found handler. Every error leaves as
 * `{"error": {"code", "message"}}`; 5xx details stay in the log, never in the response.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.statusCode).send(errorBody(err.code, err.message));
    }
    if (err.validation) {
      const context = err.validationContext ?? 'request';
      return reply.status(400).send(errorBody(ErrorCode.validationFailed, `Invalid ${context}: ${err.message}`));
    }
    const known = err.code ? fastifyCodes[err.code] : undefined;
    if (known) return reply.status(known.status).send(errorBody(known.code, err.message));
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send(errorBody(codeForStatus(status), err.message));
    }
    // Never the error itself: drivers attach statements and their data (people's words).
    request.log.error({ err: safeError(err) }, 'request failed');
    return reply.status(500).send(errorBody(ErrorCode.internal, 'Internal server error'));
  });
}

/** The JSON 404 for unknown API routes. */
export function routeNotFound(method: string, url: string): ErrorBody {
  return errorBody(ErrorCode.notFound, `Route ${method} ${url.split('?')[0]} not found`);
}

/** A domain rule's refusal (core's tagged problems) as the error the contract gives for it. */
export function problemError(problem: {
  kind: 'forbidden' | 'wrong-state' | 'invalid' | 'reference' | 'conflict';
  message: string;
}): AppError {
  switch (problem.kind) {
    case 'forbidden':
      return forbidden(problem.message);
    case 'wrong-state':
      return conflict(problem.message, ErrorCode.wrongState);
    case 'conflict':
      return conflict(problem.message);
    case 'reference':
      return badRequest(problem.message, ErrorCode.invalidReference);
    case 'invalid':
      return badRequest(problem.message);
  }
}

/** The value of a checked result, or its problem thrown as the contract's error. */
export function orThrow<T>(
  checked: { ok: true; value: T } | { ok: false; problem: Parameters<typeof problemError>[0] },
): T {
  if (!checked.ok) throw problemError(checked.problem);
  return checked.value;
}
