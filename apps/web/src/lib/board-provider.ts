import type { Awareness } from 'y-protocols/awareness';
import { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';

/**
 * What the board client needs from outside: a provider that syncs a Y.Doc with the server, and a
 * scheduler for refreshes. The browser passes y-websocket's provider and requestAnimationFrame;
 * tests pass in-memory providers and a synchronous scheduler or a microtask.
 */

/** How the server closed a connection (a `CloseEvent` carries at least this). */
export interface BoardClose {
  readonly code: number;
  readonly reason: string;
}

/** What the client needs of a provider: the subset of y-websocket's `WebsocketProvider` it uses. */
export interface BoardProvider {
  readonly awareness: Awareness;
  /** Cleared to stop reconnecting. */
  shouldConnect: boolean;
  /** Connects again (after `shouldConnect` was cleared), with the same document. */
  connect(): void;
  on(event: 'sync', listener: (synced: boolean) => void): void;
  on(event: 'connection-close', listener: (event: BoardClose | null) => void): void;
  off(event: 'sync', listener: (synced: boolean) => void): void;
  off(event: 'connection-close', listener: (event: BoardClose | null) => void): void;
  destroy(): void;
}

/** Connects `doc` to the board of session `room` at `serverUrl` (`ws(s)://host/yjs`). */
export type BoardProviderFactory = (options: {
  serverUrl: string;
  room: string;
  doc: Y.Doc;
  token: string;
}) => BoardProvider;

/** Runs `task` soon (once per frame in the browser); returns a function that cancels it. */
export type Scheduler = (task: () => void) => () => void;

/**
 * Makes a y-websocket provider send only its own presence. Stock y-websocket sends every awareness
 * change, those it received included, so on a board of N people each cursor move came back to the
 * server N − 1 times, to be read and dropped there (it passes on only a connection's own state).
 * Hocuspocus's provider likewise skips what it received. `destroy()` removes the handler set here.
 */
export function sendOwnPresenceOnly(provider: WebsocketProvider): WebsocketProvider {
  const stock = provider._awarenessUpdateHandler;
  const own: typeof stock = (changes, origin) => {
    // y-websocket applies what the server sends with the provider as origin.
    if (origin !== provider) stock(changes, origin);
  };
  provider.awareness.off('update', stock);
  provider.awareness.on('update', own);
  provider._awarenessUpdateHandler = own;
  return provider;
}

/**
 * The stock y-websocket provider, sending only its own presence: no BroadcastChannel (tabs sync
 * through the server, which checks each change).
 */
export const websocketProvider: BoardProviderFactory = ({ serverUrl, room, doc, token }) =>
  sendOwnPresenceOnly(
    new WebsocketProvider(serverUrl, room, doc, { params: { token }, disableBc: true, maxBackoffTime: 2000 }),
  );
