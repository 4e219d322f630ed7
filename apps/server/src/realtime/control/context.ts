import type { Principal } from '@calma/core';
import type { Database } from '@calma/db';
import { type ClientToServerEvents, type ErrorBody, ErrorCode, type ServerToClientEvents } from '@calma/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { Server, Socket } from 'socket.io';
import { AppError } from '../../errors.js';
import type { EventBus } from '../../events/bus.js';
import type { SessionService } from '../../sessions/service.js';

/** Per-socket data: who authenticated in the handshake. */
export interface SocketData {
  principal: Principal;
}

/** The control channel's typed server and socket. */
export type ControlServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
/** A connected control socket. */
export type ControlSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** What every event handler needs. */
export interface ControlContext {
  readonly db: Database;
  readonly sessions: SessionService;
  readonly events: EventBus;
  readonly log: FastifyBaseLogger;
}

/** The room of one session's clients. */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;

/** An error as acks carry it, in the contract's shape; 5xx details stay in the log. */
export function toErrorBody(err: unknown, log: FastifyBaseLogger): ErrorBody {
  if (err instanceof AppError) return { error: { code: err.code, message: err.message } };
  log.error({ err }, 'socket.io handler failed');
  return { error: { code: ErrorCode.internal, message: 'Internal server error' } };
}

/** Calls `ack` if the client asked for one (a missing ack must not throw). */
export function reply<T>(ack: unknown, value: T): void {
  if (typeof ack === 'function') (ack as (value: T) => void)(value);
}
