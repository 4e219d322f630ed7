import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';

/** How the server answered a board socket: admitted (its first sync step arrived), closed, or refused before the upgrade. */
export type BoardOutcome =
  | { kind: 'admitted' }
  | { kind: 'closed'; code: number; reason: string }
  | { kind: 'http'; status: number };

/** A raw `ws` client on the board endpoint that sends nothing unless told to. */
export interface RawBoardSocket {
  ws: WebSocket;
  /** Settles at the server's first word: its sync step 1, a close, or an HTTP refusal. */
  outcome: Promise<BoardOutcome>;
  /** Settles when the socket has closed, with the code and when (ms after opening was asked). */
  closed: Promise<{ code: number; reason: string; afterMs: number }>;
}

/**
 * Opens `/yjs/:sessionId?token=` with the given headers (`origin`, `x-forwarded-for`) and `ws`
 * options (`autoPong: false` plays a peer that has gone away without a FIN).
 */
export function rawBoardSocket(
  baseUrl: string,
  sessionId: string,
  token: string,
  options: { headers?: Record<string, string>; autoPong?: boolean } = {},
): RawBoardSocket {
  const started = Date.now();
  const url = `${baseUrl.replace(/^http/, 'ws')}/yjs/${sessionId}?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url, { headers: options.headers, autoPong: options.autoPong ?? true });
  const outcome = new Promise<BoardOutcome>((resolve) => {
    ws.once('message', () => resolve({ kind: 'admitted' }));
    ws.once('close', (code, reason) => resolve({ kind: 'closed', code, reason: reason.toString() }));
    ws.once('unexpected-response', (_request, response) => {
      resolve({ kind: 'http', status: response.statusCode ?? 0 });
      ws.terminate();
    });
  });
  const closed = new Promise<{ code: number; reason: string; afterMs: number }>((resolve) => {
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString(), afterMs: Date.now() - started }));
  });
  ws.on('error', () => {});
  return { ws, outcome, closed };
}

/** A y-websocket sync step 1 for an empty document: [messageSync, step 1, state vector [0]]. */
export const emptySyncStep1 = Buffer.from([0, 0, 1, 0]);

/** A socket.io handshake's result: connected, or refused with the error socket.io reports. */
export type ControlOutcome =
  | { kind: 'connected'; socket: Socket }
  | { kind: 'refused'; message: string; data: unknown; socket: Socket };

/** Connects a socket.io client (no reconnection) with `auth: {token}` and extra headers. */
export function rawControlSocket(
  baseUrl: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<ControlOutcome> {
  const socket = io(baseUrl, { auth: { token }, reconnection: false, forceNew: true, extraHeaders: headers });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ kind: 'connected', socket }));
    socket.once('connect_error', (err: Error & { data?: unknown }) => {
      socket.close();
      resolve({ kind: 'refused', message: err.message, data: err.data, socket });
    });
  });
}

/** Retries `attempt` every 20 ms until it returns a value other than null; fails after `ms`. */
export async function eventually<T>(attempt: () => Promise<T | null>, what: string, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await attempt();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
