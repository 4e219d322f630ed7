/**
 * One board client per connection, over each server's own client library: `y-websocket` for Calma
 * (as its web app sets it up: sending only its own presence) and stock `y-websocket` for the
 * reference y-websocket server (both speak the plain y-websocket protocol), `@hocuspocus/provider`
 * for Hocuspocus (whose frames carry the document name). All hand back the same small shape.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import { Awareness } from 'y-protocols/awareness';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { sendOwnPresenceOnly } from '../../../apps/web/src/lib/board-provider.js';

/** Where a client connects: the server's URL, the document and this client's credentials. */
export type BoardTarget =
  | {
      readonly type: 'y-websocket';
      readonly url: string;
      readonly room: string;
      /** Query parameters, e.g. Calma's `token`. */
      readonly params: Readonly<Record<string, string>>;
      /**
       * Send only this client's own presence, as Calma's web app does ({@link sendOwnPresenceOnly});
       * stock y-websocket also sends back every presence change it receives.
       */
      readonly ownPresenceOnly?: boolean;
    }
  | { readonly type: 'hocuspocus'; readonly url: string; readonly documentName: string };

/** How a client behaves beyond syncing the document. */
export interface ClientOptions {
  /** Announce a presence (awareness) state, as a browser would; off, the client stays silent. */
  readonly presence?: boolean;
}

/** A connected (or connecting) client with its own document replica. */
export interface BoardClient {
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  /** Resolves once the first sync with the server completed; rejects with the reason it cannot. */
  readonly synced: Promise<void>;
  close(): void;
}

/**
 * The client's awareness: by default presence-less. The providers would otherwise announce and
 * renew a presence state (every 15 s): with 200 clients each renewal is 40,000 frames, and where
 * that burst lands in a latency run's window would decide the tail latency of whichever server it
 * hits. With `presence`, a small state like a browser's (a name and a cursor).
 */
function awarenessOf(doc: Y.Doc, options: ClientOptions): Awareness {
  const awareness = new Awareness(doc);
  awareness.setLocalState(options.presence ? { user: { name: `P${doc.clientID}` }, cursor: null } : null);
  return awareness;
}

// In Node, y-websocket registers one process `exit` listener per provider (removed on destroy):
// 200 clients are expected here, not a leak.
process.setMaxListeners(Math.max(process.getMaxListeners(), 1100));

/** `ws` implements the part of the browser WebSocket that both providers use. */
const NodeWebSocket = WebSocket as unknown as typeof globalThis.WebSocket;

function describe(event: unknown): string {
  if (event && typeof event === 'object') {
    const fields = event as { message?: unknown; code?: unknown; reason?: unknown; error?: unknown };
    if (typeof fields.message === 'string' && fields.message) return fields.message;
    if (fields.error instanceof Error) return fields.error.message;
    if (typeof fields.code === 'number') return `closed with code ${fields.code} ${String(fields.reason ?? '')}`.trim();
  }
  return String(event);
}

/** The first sync as a promise settled from provider callbacks; a rejection nobody awaits is not fatal. */
function firstSync(): { promise: Promise<void>; resolve(): void; reject(reason: Error): void } {
  let resolve = () => {};
  let reject: (reason: Error) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function connectYWebsocket(target: Extract<BoardTarget, { type: 'y-websocket' }>, options: ClientOptions): BoardClient {
  const doc = new Y.Doc();
  const awareness = awarenessOf(doc, options);
  const stock = new WebsocketProvider(target.url, target.room, doc, {
    params: { ...target.params },
    WebSocketPolyfill: NodeWebSocket,
    awareness,
    // A BroadcastChannel (Node has one) reaches every provider in this process: the clients would
    // exchange updates among themselves and bypass the server being measured.
    disableBc: true,
  });
  const provider = target.ownPresenceOnly ? sendOwnPresenceOnly(stock) : stock;
  const first = firstSync();
  provider.on('sync', (isSynced: boolean) => {
    if (isSynced) first.resolve();
  });
  // Until the first sync, any error or close means the endpoint cannot serve this client: report
  // it rather than let the provider retry in the background (later events find the promise settled).
  provider.on('connection-error', (event) => first.reject(new Error(describe(event))));
  provider.on('connection-close', (event) => first.reject(new Error(event ? describe(event) : 'closed')));
  return {
    doc,
    awareness,
    synced: first.promise,
    close() {
      provider.destroy();
      doc.destroy();
    },
  };
}

function connectHocuspocus(target: Extract<BoardTarget, { type: 'hocuspocus' }>, options: ClientOptions): BoardClient {
  const doc = new Y.Doc();
  const awareness = awarenessOf(doc, options);
  const first = firstSync();
  // One socket per client, as each browser would have.
  const socket = new HocuspocusProviderWebsocket({
    url: target.url,
    WebSocketPolyfill: WebSocket,
    maxAttempts: 1,
    // A silent writer hears nothing back (Hocuspocus does not echo): without this the provider
    // would take the quiet for a dead socket after 30 s and reconnect mid-run.
    messageReconnectTimeout: 3_600_000,
  });
  socket.on('close', ({ event }: { event: unknown }) => first.reject(new Error(describe(event))));
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: target.documentName,
    document: doc,
    awareness,
    token: 'bench',
    onSynced: ({ state }) => {
      if (state) first.resolve();
    },
    onAuthenticationFailed: ({ reason }) => first.reject(new Error(`authentication failed: ${reason}`)),
  });
  // A provider given its socket does not attach itself.
  provider.attach();
  return {
    doc,
    awareness,
    synced: first.promise,
    close() {
      provider.destroy();
      socket.destroy();
      doc.destroy();
    },
  };
}

/** Opens one client to `target`. */
export function connectClient(target: BoardTarget, options: ClientOptions = {}): BoardClient {
  const client =
    target.type === 'y-websocket' ? connectYWebsocket(target, options) : connectHocuspocus(target, options);
  let closed = false;
  // Closing twice is harmless: a run may close one client early and then all of them.
  return {
    ...client,
    close() {
      if (closed) return;
      closed = true;
      client.close();
    },
  };
}
