import { useEffect, useState } from 'react';
import { api } from './api';

/**
 * GETs `path` again whenever `version` changes (a new session state, a save): the small REST reads
 * a live page needs besides the socket. Keeps the last good value while refetching.
 */
export function useLive<T>(path: string | null, token: string | null, version: unknown): T | null {
  const [data, setData] = useState<T | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the refetch trigger
  useEffect(() => {
    if (!path || !token) return undefined;
    const controller = new AbortController();
    api<T>(path, { token, signal: controller.signal }).then(setData, () => undefined);
    return () => controller.abort();
  }, [path, token, version]);
  return data;
}
