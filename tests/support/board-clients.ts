import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

/** A stock y-websocket client on Calma's board endpoint, with what the server said on closing. */
export interface BoardClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  cards: Y.Map<Y.Map<unknown>>;
  closes: { code: number; reason: string }[];
  destroy(): void;
}

/**
 * Connects a stock `WebsocketProvider` (BroadcastChannel off: in one Node process it would sync
 * clients past the server) and resolves once it has synced, or once the server closed it.
 */
export async function boardClient(baseUrl: string, sessionId: string, token: string): Promise<BoardClient> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${baseUrl.replace(/^http/, 'ws')}/yjs`, sessionId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200,
  });
  const closes: BoardClient['closes'] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: event.code, reason: event.reason });
  });
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    provider.once('sync', done);
    provider.once('closed', done);
  });
  return {
    doc,
    provider,
    cards: doc.getMap('cards'),
    closes,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** Adds a card the way the web app will. */
export function addCard(client: BoardClient, id: string, fields: Record<string, unknown>): void {
  client.doc.transact(() => {
    const card = new Y.Map<unknown>();
    for (const [k, v] of Object.entries(fields)) card.set(k, v);
    client.cards.set(id, card);
  });
}

/** Resolves when `predicate` holds, polling; fails after `ms`. */
export async function until(predicate: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
