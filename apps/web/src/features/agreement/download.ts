import { ApiError } from '../../lib/api';
import { errorText } from '../../lib/errors';

/**
 * Downloads `path` as `fileName`. The exports need the bearer token, which a plain link cannot
 * send: fetch the file, then hand it to the browser through an object URL. Returns a sentence
 * saying why it failed, or null.
 */
export async function downloadWithToken(path: string, fileName: string, token: string): Promise<string | null> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
  if (!response?.ok) {
    const body = (await response?.json().catch(() => undefined)) as
      | { error?: { code?: string; message?: string } }
      | undefined;
    return errorText(
      new ApiError(response?.status ?? 0, body?.error?.code ?? 'NETWORK_ERROR', body?.error?.message ?? ''),
    );
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return null;
}
