import type { ErrorBody } from './errors.js';
import type { ControlBody, SessionState } from './sessions.js';

/** Ack of `session:join` and `session:control`: the state, or an error in the contract's shape. */
export type StateAck = { state: SessionState } | ErrorBody;

/** socket.io events the server emits. Counts only, never content, until a reveal. */
export interface ServerToClientEvents {
  'session:state': (payload: { sessionId: string; state: SessionState }) => void;
  'session:submitted': (payload: { sessionId: string; segment: number; count: number }) => void;
}

/** socket.io events clients emit, each acknowledged. */
export interface ClientToServerEvents {
  'session:join': (payload: { sessionId: string }, ack: (reply: StateAck) => void) => void;
  'session:leave': (payload: { sessionId: string }, ack?: (reply: { ok: true } | ErrorBody) => void) => void;
  'session:control': (payload: ControlBody & { sessionId: string }, ack: (reply: StateAck) => void) => void;
}
