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

/** The stock y-websocket provider: no BroadcastChannel (tabs sync through the server, which checks each change). */
export const websocketProvider: BoardProviderFactory = ({ serverUrl, room, doc, token }) =>
  new WebsocketProvider(serverUrl, room, doc, { params: { token }, disableBc: true, maxBackoffTime: 2000 });
