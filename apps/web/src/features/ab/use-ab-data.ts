import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from '../../lib/api';
import type { QueryState } from '../../lib/use-api-query';

const toApiError = (error: unknown): ApiError =>
  error instanceof ApiError
    ? error
    : // i18n-ignore: shown through errorText (lib/errors.ts), which translates by code
      new ApiError(0, 'CLIENT_ERROR', error instanceof Error ? error.message : 'Something went wrong.');

/**
 * GETs `path` like `useApiQuery`, plus `reload()`: the A/B pages refetch after their own actions
 * (opening, voting, closing) without a page load. The previous data stays shown while reloading.
 */
export function useReloadable<T>(path: string | null, token: string | null): [QueryState<T>, () => void] {
  const [state, setState] = useState<QueryState<T>>(path ? { status: 'loading' } : { status: 'idle' });
  const [version, setVersion] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the reload trigger
  useEffect(() => {
    if (path === null) return undefined;
    const controller = new AbortController();
    api<T>(path, { token, signal: controller.signal }).then(
      (data) => setState({ status: 'success', data }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'error', error: toApiError(error) });
      },
    );
    return () => controller.abort();
  }, [path, token, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return [state, reload];
}
