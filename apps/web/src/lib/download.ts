import { ApiError } from './api';
import { errorText } from './errors';

/**
 * Downloads `path` as `fileName`. The exports need the bearer token, which a plain link cannot
 * send: fetch the file, then hand it to the browser through an object URL (kept a little while,
 * so the browser has read it before it is revoked). Throws an {@link ApiError} with the server's
 * code and message when the server refuses, `NETWORK_ERROR` when it cannot be reached.
 */
export async function download(path: string, fileName: string, token: string): Promise<void> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
  if (!response?.ok) {
    const body = (await response?.json().catch(() => undefined)) as
      | { error?: { code?: string; message?: string } }
      | undefined;
    throw new ApiError(response?.status ?? 0, body?.error?.code ?? 'NETWORK_ERROR', body?.error?.message ?? '');
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** {@link download}, for callers that show a failure as a sentence: returns it, or null. */
export async function downloadWithToken(path: string, fileName: string, token: string): Promise<string | null> {
  try {
    await download(path, fileName, token);
    return null;
  } catch (error) {
    return errorText(error);
  }
}
