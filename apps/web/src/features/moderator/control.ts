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

/** How far apart, in CSS pixels, two clicks still count as made at one spot (a double click). */
const sameSpotPx = 8;

/** What the gate needs of a click: where it was, on what, and whether it came from a pointer. */
export interface GateClick {
  clientX: number;
  clientY: number;
  /** The browser's click count: 0 for a click made with the keyboard. */
  detail: number;
  currentTarget: unknown;
}

/**
 * Keeps the second click of a double click on the control the first one was meant for. A button
 * stays busy through its own action, but the answer to a first click can change the console
 * before the second click arrives: Advance takes a row off the agenda, the buttons below move up,
 * and the second click lands on Reveal, which opens its dialog. The gate drops a click that comes
 * within {@link settleMs} of the last one, at the same spot, on a different control. Clicks on the
 * same control (its own busy state handles them), clicks elsewhere, and the keyboard pass.
 */
export class ClickGate {
  private last: { at: number; x: number; y: number; target: unknown } | null = null;
  constructor(private readonly now: () => number = Date.now) {}

  /** Runs `action` for `click` and returns what it returns, or returns undefined without running it. */
  pass<T>(click: GateClick, action: () => T): T | undefined {
    if (click.detail === 0) return action();
    const now = this.now();
    const last = this.last;
    if (
      last &&
      last.target !== click.currentTarget &&
      now - last.at < settleMs &&
      Math.abs(click.clientX - last.x) <= sameSpotPx &&
      Math.abs(click.clientY - last.y) <= sameSpotPx
    )
      return undefined;
    this.last = { at: now, x: click.clientX, y: click.clientY, target: click.currentTarget };
    return action();
  }
}

/** The moderator console's gate, shared by all its controls: a page has one console. */
export const consoleGate = new ClickGate();

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
