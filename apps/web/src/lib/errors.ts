import { ErrorCode } from '@calma/protocol';
import { ApiError, networkErrorStatus } from './api';
import { i18next } from './i18n';

/** Error codes with a sentence of their own in the `errors` namespace: every code of the contract. */
const known: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/**
 * A failed call, said in the reader's language. The server's own message is specific ("segment 1
 * is not running") but English: English readers get it as is; others get a sentence for its
 * `code`, followed by the server's words as a detail.
 */
export function errorText(error: unknown): string {
  const t = i18next.t.bind(i18next);
  if (!(error instanceof ApiError)) return t('errors:unknown');
  const code = error.status === networkErrorStatus ? 'NETWORK_ERROR' : error.code;
  if (code === 'NETWORK_ERROR') return t('errors:NETWORK_ERROR');
  if (i18next.resolvedLanguage === 'en' || !known.has(code)) return error.message;
  return t('errors:withDetail', { sentence: t(`errors:${code}`), detail: error.message });
}
