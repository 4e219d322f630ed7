import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { pollUntil } from './wait.js';

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
  if (!(await pollUntil(predicate, ms, 5))) throw new Error(`timed out waiting for ${what}`);
}

/**
 * Resolves once the server has handled every message `client` sent before this call: it sends a
 * sync step 1 on the same socket and waits for the server's step 2 answer, which the server writes
 * only after it has handled the earlier messages (it reads one socket's messages in order). Fails
 * after `ms`. For what the server answers nothing to, such as a read-only client's presence.
 */
export async function roundTrip(client: BoardClient, ms = 5_000): Promise<void> {
  const ws = client.provider.ws;
  if (!ws || ws.readyState !== ws.OPEN) throw new Error('the client is not connected');
  const answered = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.removeEventListener('message', onMessage);
      reject(new Error('timed out waiting for the server to answer a sync step 1'));
    }, ms);
    function onMessage(event: MessageEvent) {
      const bytes = new Uint8Array(event.data as ArrayBuffer);
      // [messageSync = 0, messageYjsSyncStep2 = 1, …]: nothing else sends a step 2 after the sync.
      if (bytes[0] !== 0 || bytes[1] !== syncProtocol.messageYjsSyncStep2) return;
      clearTimeout(timer);
      ws?.removeEventListener('message', onMessage);
      resolve();
    }
    ws.addEventListener('message', onMessage);
  });
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeSyncStep1(encoder, client.doc);
  ws.send(encoding.toUint8Array(encoder));
  await answered;
}
