import { useCallback } from 'react';
import type { ControlBody } from '../../lib/contract';
import type { SessionChannel } from '../../lib/session-channel';

/** The error code of a control action chosen on an outdated view (see the control route). */
export const staleRevision = 'STALE_REVISION';

/**
 * How long a control button stays busy after its action settled. A person's double click is two
 * clicks up to about half a second apart; the second must not land on the button that replaced
 * the first (Pause → Resume) or on the same one again (Next speaker).
 */
const settleMs = 500;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` and resolves no sooner than {@link settleMs} after it started, so the ActionButton
 * that runs it stays busy through a person's double click even when the server answers at once.
 */
export async function atLeastSettled<T>(work: () => Promise<T>): Promise<T> {
  const [result] = await Promise.all([work(), delay(settleMs)]);
  return result;
}

/**
 * Runs console actions on the session channel with the revision the moderator saw, so the
 * server refuses a second click, or another tab's older view, instead of acting twice. That
 * refusal (`STALE_REVISION`) is quiet: the new state has arrived on the channel already.
 * Resolves (never rejects) once the action settled and a moment passed.
 */
export function useControl(channel: SessionChannel, onError: (message: string | null) => void) {
  const revision = channel.state?.revision;
  const { control } = channel;
  return useCallback(
    async (body: ControlBody) => {
      const started = Date.now();
      try {
        await control(revision === undefined ? body : { ...body, revision });
        onError(null);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        onError(code === staleRevision ? null : error instanceof Error ? error.message : String(error));
      }
      const rest = settleMs - (Date.now() - started);
      if (rest > 0) await delay(rest);
    },
    [control, revision, onError],
  );
}
