import type { ErrorBody } from './contract';

/** An HTTP method the API uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Options for {@link api}. */
export type ApiOptions = {
  method?: HttpMethod;
  /** Sent as JSON when present. */
  body?: unknown;
  /** Sent as `authorization: Bearer TOKEN` when present. */
  token?: string | null;
  signal?: AbortSignal;
};

/** Status used when no HTTP response arrived at all (offline, server down, CORS). */
export const networkErrorStatus = 0;

/** A failed API call, with the contract's stable `code` to branch on. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const isErrorBody = (value: unknown): value is ErrorBody => {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = value.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * Calls the Calma API and returns the parsed JSON body. Throws {@link ApiError} for any non-2xx
 * status (and for network failures, with status 0); an abort rethrows the `AbortError` untouched
 * so that callers can ignore it.
 */
export async function api<T>(path: string, options: ApiOptions = {}): Promise<T> {
  const { method = 'GET', body, token, signal } = options;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    // i18n-ignore: shown through errorText (lib/errors.ts), which translates by code
    throw new ApiError(networkErrorStatus, 'NETWORK_ERROR', 'Could not reach the Calma server.');
  }

  const text = await response.text();
  const data = text === '' ? undefined : parseJson(text);
  if (!response.ok) {
    if (isErrorBody(data)) throw new ApiError(response.status, data.error.code, data.error.message);
    // i18n-ignore: shown through errorText (lib/errors.ts), which translates by code
    throw new ApiError(response.status, `HTTP_${response.status}`, response.statusText || 'Request failed.');
  }
  // The contract fixes the response shape per route; see contract.ts for why it is not re-checked.
  return data as T;
}
