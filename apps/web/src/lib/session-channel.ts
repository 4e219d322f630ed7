import { useCallback, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ControlBody, MapProgress, ServerToClientEvents, SessionState } from './contract';

type ControlSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The live session as one client sees it over socket.io. */
export interface SessionChannel {
  state: SessionState | null;
  /** Server clock minus this clock, from the last state (ms). */
  skewMs: number;
  connected: boolean;
  /** Submission counts per segment (1 and 5), as the server announces them. */
  submitted: Record<number, number>;
  mapProgress: MapProgress | null;
  /** Affinity maps finished since this page opened (the board fits itself to each). */
  mapsDone: number;
  error: string | null;
  /** Moderator control over the socket; resolves with the new state or throws the error message. */
  control(body: ControlBody): Promise<SessionState>;
}

/**
 * Joins a session's socket.io room: its state on join and on every change (also after a
 * reconnect: the join is repeated), submission counts and affinity-map progress.
 */
export function useSessionChannel(sessionId: string, token: string | null): SessionChannel {
  const [state, setState] = useState<SessionState | null>(null);
  const [skewMs, setSkew] = useState(0);
  const [connected, setConnected] = useState(false);
  const [submitted, setSubmitted] = useState<Record<number, number>>({});
  const [mapProgress, setMapProgress] = useState<MapProgress | null>(null);
  const [mapsDone, setMapsDone] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const socket = useRef<ControlSocket | null>(null);

  useEffect(() => {
    if (!token) return undefined;
    const s: ControlSocket = io({ auth: { token }, transports: ['websocket'] });
    socket.current = s;
    const take = (next: SessionState) => {
      setState(next);
      setSkew(next.serverNow - Date.now());
    };
    s.on('connect', () => {
      setConnected(true);
      s.emit('session:join', { sessionId }, (reply) => {
        if ('state' in reply) {
          take(reply.state);
          setError(null);
        } else setError(reply.error.message);
      });
    });
    s.on('disconnect', () => setConnected(false));
    s.on('connect_error', (err) => setError(err.message));
    s.on('session:state', (payload) => {
      if (payload.sessionId === sessionId) take(payload.state);
    });
    s.on('session:submitted', (payload) => {
      if (payload.sessionId === sessionId) setSubmitted((prev) => ({ ...prev, [payload.segment]: payload.count }));
    });
    s.on('affinity-map:progress', (p) => {
      if (p.sessionId === sessionId) setMapProgress(p);
    });
    s.on('affinity-map:done', (p) => {
      if (p.sessionId !== sessionId) return;
      setMapProgress(null);
      setMapsDone((n) => n + 1);
    });
    s.on('affinity-map:failed', (p) => {
      if (p.sessionId === sessionId) setMapProgress(null);
    });
    return () => {
      s.close();
      socket.current = null;
    };
  }, [sessionId, token]);

  const control = useCallback(
    (body: ControlBody) =>
      new Promise<SessionState>((resolve, reject) => {
        const s = socket.current;
        if (!s) return reject(new Error('Not connected'));
        s.emit('session:control', { ...body, sessionId }, (reply) => {
          if ('state' in reply) {
            setState(reply.state);
            resolve(reply.state);
          } else reject(new Error(reply.error.message));
        });
      }),
    [sessionId],
  );

  return { state, skewMs, connected, submitted, mapProgress, mapsDone, error, control };
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
