import { ProviderError } from './provider.js';

/**
 * The error an aborted call ends with: the signal's reason when the caller aborted with a
 * `ProviderError` (a timeout says TIMEOUT), else a non-retryable MODEL_ERROR saying it was stopped.
 */
export function abortReason(signal: AbortSignal): ProviderError {
  const reason: unknown = signal.reason;
  if (reason instanceof ProviderError) return reason;
  return new ProviderError('MODEL_ERROR', 'The model call was stopped');
}

/** Resolves after `ms`, or rejects with {@link abortReason} as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Iterates `source` but stops waiting the moment `signal` aborts, even if the source ignores the
 * signal (a local model mid-generation): the caller's timeout holds whatever the provider does.
 */
export async function* abortable<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncIterable<T> {
  const iterator = source[Symbol.asyncIterator]();
  // One pending `next()` at a time; an abort rejects it. (Racing every `next()` against one
  // abort promise would pile a reaction per token onto that promise for the whole answer.)
  let rejectPending: ((reason: unknown) => void) | null = null;
  const onAbort = () => rejectPending?.(abortReason(signal));
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (true) {
      if (signal.aborted) throw abortReason(signal);
      const next = await new Promise<IteratorResult<T>>((resolve, reject) => {
        rejectPending = reject;
        iterator.next().then(resolve, reject);
      });
      rejectPending = null;
      if (next.done) return;
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    // Not awaited: a source stuck in a `next()` would hold the caller here.
    void Promise.resolve(iterator.return?.()).catch(() => {});
  }
}
