import { useEffect, useState } from 'react';
import { ApiError, api } from './api';

/** Where a GET stands, tagged by `status`. */
export type QueryState<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'success'; data: T }
  | { status: 'error'; error: ApiError };

type Keyed<T> = { key: string; state: QueryState<T> };

const toApiError = (error: unknown): ApiError =>
  error instanceof ApiError
    ? error
    : // i18n-ignore: shown through errorText (lib/errors.ts), which translates by code
      new ApiError(0, 'CLIENT_ERROR', error instanceof Error ? error.message : 'Something went wrong.');

/**
 * GETs `path` with `token` and re-fetches when either changes; `null` skips the request. Each
 * result remembers the request it answers, so that a new path never shows the previous data.
 */
export function useApiQuery<T>(path: string | null, token?: string | null): QueryState<T> {
  const key = `${path ?? ''}\u0000${token ?? ''}`;
  const [result, setResult] = useState<Keyed<T> | null>(null);

  useEffect(() => {
    if (path === null) return undefined;
    const controller = new AbortController();
    api<T>(path, { token, signal: controller.signal }).then(
      (data) => setResult({ key, state: { status: 'success', data } }),
      (error: unknown) => {
        if (!controller.signal.aborted) setResult({ key, state: { status: 'error', error: toApiError(error) } });
      },
    );
    return () => controller.abort();
  }, [key, path, token]);

  if (path === null) return { status: 'idle' };
  if (result === null || result.key !== key) return { status: 'loading' };
  return result.state;
}
