import type {
  ClientToServerEvents,
  ControlBody,
  MapProgress,
  ServerToClientEvents,
  SessionState,
  StateAck,
} from '@calma/protocol';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';

/**
 * The live session over socket.io, outside React: the state on join and on every change, the
 * submission counts, the affinity map's progress, and the moderator's control actions. It imports
 * no React and touches no browser global; the socket comes from an injected `io` factory.
 */

/** The socket.io client of the session channel. */
export type ControlSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Opens a socket: socket.io-client's `io` (the page's own origin when `url` is undefined). */
export type ConnectSocket = (
  url: string | undefined,
  options: Partial<ManagerOptions & SocketOptions>,
) => ControlSocket;

/** socket.io-client's `io`. */
export const connectSocket: ConnectSocket = (url, options) => (url === undefined ? io(options) : io(url, options));

/** The session as this client sees it; a new object only when something in it changed. */
export interface SessionChannelSnapshot {
  readonly state: SessionState | null;
  /** Server clock minus this clock, from the last state (ms). */
  readonly skewMs: number;
  readonly connected: boolean;
  /** Submission counts per segment (1 and 5): from the join ack, then as the server announces them. */
  readonly submitted: Readonly<Record<number, number>>;
  /** How often the moderator saved the final attributes since this client started (refetch on change). */
  readonly finalsChanged: number;
  readonly mapProgress: MapProgress | null;
  /** Affinity maps finished since this client started (the board fits itself to each). */
  readonly mapsDone: number;
  /** How often the group's participants changed (a join, a rename, merge or removal): refetch on it. */
  readonly participantsChanged: number;
  /** The last join or connection error, cleared by the next successful join. */
  readonly error: string | null;
}

export interface SessionChannelClientOptions {
  sessionId: string;
  token: string;
  /** The server (`http(s)://host`); undefined: the page's own origin. */
  url?: string;
  io?: ConnectSocket;
  /** This client's clock, for the skew. */
  now?: () => number;
}

type Patch = { -readonly [K in keyof SessionChannelSnapshot]?: SessionChannelSnapshot[K] };

const initialSnapshot: SessionChannelSnapshot = {
  state: null,
  skewMs: 0,
  connected: false,
  submitted: {},
  finalsChanged: 0,
  mapProgress: null,
  mapsDone: 0,
  participantsChanged: 0,
  error: null,
};

/**
 * Joins a session's socket.io room, and joins again after every reconnect (the server forgets a
 * socket's rooms when it drops). `start()` connects, `stop()` closes; `subscribe`/`getSnapshot`
 * fit React's `useSyncExternalStore`.
 */
export class SessionChannelClient {
  private snapshot: SessionChannelSnapshot = initialSnapshot;
  private readonly listeners = new Set<() => void>();
  private socket: ControlSocket | null = null;

  constructor(private readonly options: SessionChannelClientOptions) {}

  /** Calls `listener` after each change of the snapshot; returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The session as it is now; the same object until something changes. */
  getSnapshot = (): SessionChannelSnapshot => this.snapshot;

  /** Connects and joins (a no-op while started). */
  start(): void {
    if (this.socket) return;
    const { sessionId, token, url } = this.options;
    const socket = (this.options.io ?? connectSocket)(url, { auth: { token }, transports: ['websocket'] });
    this.socket = socket;
    const mine = (payload: { sessionId: string }) => payload.sessionId === sessionId && this.socket === socket;
    socket.on('connect', () => {
      this.update({ connected: true });
      socket.emit('session:join', { sessionId }, (reply) => {
        if (this.socket !== socket) return;
        // A reloaded page learns the counts here rather than waiting for the next submission.
        if ('state' in reply) this.take(reply.state, { error: null, submitted: { ...reply.submitted } });
        else this.update({ error: reply.error.message });
      });
    });
    socket.on('disconnect', () => this.update({ connected: false }));
    socket.on('connect_error', (error) => this.update({ error: error.message }));
    socket.on('session:state', (payload) => {
      if (mine(payload)) this.take(payload.state);
    });
    socket.on('session:submitted', (payload) => {
      if (mine(payload)) this.update({ submitted: { ...this.snapshot.submitted, [payload.segment]: payload.count } });
    });
    socket.on('final-attributes:changed', (payload) => {
      if (mine(payload)) this.update({ finalsChanged: this.snapshot.finalsChanged + 1 });
    });
    socket.on('affinity-map:progress', (payload) => {
      if (mine(payload)) this.update({ mapProgress: payload });
    });
    socket.on('affinity-map:done', (payload) => {
      if (mine(payload)) this.update({ mapProgress: null, mapsDone: this.snapshot.mapsDone + 1 });
    });
    socket.on('affinity-map:failed', (payload) => {
      if (mine(payload)) this.update({ mapProgress: null });
    });
    // Sent only to the rooms of this group's sessions, so it is always this session's group.
    socket.on('participants:changed', () => {
      if (this.socket === socket) this.update({ participantsChanged: this.snapshot.participantsChanged + 1 });
    });
  }

  /** Closes the socket; the snapshot keeps the last state, marked disconnected. */
  stop(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.update({ connected: false });
  }

  /**
   * A moderator's control action: resolves with the new state (also taken into the snapshot) or
   * rejects with the server's error message (and its `code`, e.g. `STALE_REVISION`).
   */
  control = (body: ControlBody): Promise<SessionState> =>
    new Promise((resolve, reject) => {
      const socket = this.socket;
      if (!socket) {
        reject(new Error('Not connected'));
        return;
      }
      socket.emit('session:control', { ...body, sessionId: this.options.sessionId }, (reply: StateAck) => {
        if ('state' in reply) {
          if (this.socket === socket) this.take(reply.state);
          resolve(reply.state);
        } else reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      });
    });

  private take(state: SessionState, extra: Patch = {}): void {
    // With several server nodes, two states announced at once may arrive out of order: an older
    // revision than the one shown is news of the past.
    const shown = this.snapshot.state;
    if (shown && (state.revision ?? 0) < (shown.revision ?? 0)) {
      this.update(extra);
      return;
    }
    this.update({ ...extra, state, skewMs: state.serverNow - (this.options.now ?? Date.now)() });
  }

  /** Applies `patch`; a new snapshot (and listeners told) only when a field really changed. */
  private update(patch: Patch): void {
    const next: SessionChannelSnapshot = { ...this.snapshot, ...patch };
    const changed = (Object.keys(patch) as (keyof SessionChannelSnapshot)[]).some(
      (key) => next[key] !== this.snapshot[key],
    );
    if (!changed) return;
    this.snapshot = next;
    for (const listener of [...this.listeners]) listener();
  }
}
