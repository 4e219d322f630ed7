import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { ControlBody, SessionState } from './contract';
import { SessionChannelClient, type SessionChannelSnapshot } from './session-channel-client';

/** The live session as a component sees it: the channel's snapshot and the moderator's control. */
export interface SessionChannel extends SessionChannelSnapshot {
  /** Moderator control over the socket; resolves with the new state or rejects with the server's message. */
  control(body: ControlBody): Promise<SessionState>;
}

/**
 * The session's socket.io channel (see {@link SessionChannelClient}) on the page's own origin,
 * connected while the component is mounted.
 */
export function useSessionChannel(sessionId: string, token: string): SessionChannel {
  const client = useMemo(() => new SessionChannelClient({ sessionId, token }), [sessionId, token]);
  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);
  const snapshot = useSyncExternalStore(client.subscribe, client.getSnapshot);
  return useMemo(() => ({ ...snapshot, control: client.control }), [snapshot, client]);
}

/** Milliseconds left on a server clock, ticking every quarter second. */
export function useRemaining(
  endsAt: number | null | undefined,
  skewMs: number,
  frozen: number | null = null,
): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (endsAt == null || frozen !== null) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [endsAt, frozen]);
  if (frozen !== null) return frozen;
  if (endsAt == null) return null;
  return Math.max(0, endsAt - (now + skewMs));
}

/** 754_000 → "12:34". */
export function formatClock(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const minutes = Math.floor(total / 60);
  return `${minutes}:${String(total % 60).padStart(2, '0')}`;
}

/** A control action from the console: the new state arrives on the channel; an error is reported. */
export function controlReporting(channel: SessionChannel, onError: (message: string | null) => void) {
  return (body: ControlBody) =>
    channel.control(body).then(
      () => onError(null),
      (error: Error) => onError(error.message),
    );
}
