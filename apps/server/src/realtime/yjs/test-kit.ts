/** What the board tests drive a room with: a socket the test plays, and a stock-like client over it. */
import { BoardKey } from '@calma/protocol/board';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { BoardLog, BoardSocket } from './ports.js';

/** A socket the test drives: what the room sends lands in `sent`, `deliver` plays the client. */
export class FakeSocket implements BoardSocket {
  isOpen = true;
  /** Bytes the client has not read yet, as the test says. */
  backlog = 0;
  /** Whether the room stopped reading this socket. */
  paused = false;
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  closed: { code: number; reason: string } | null = null;
  onSend: (message: Uint8Array) => void = () => undefined;
  private listener: ((message: Uint8Array) => void) | null = null;
  private readonly early: Uint8Array[] = [];
  private readonly closeListeners: (() => void)[] = [];

  send(message: Uint8Array): void {
    this.onSend(message);
  }
  close(code: number, reason: string): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.closed = { code, reason };
    for (const listener of this.closeListeners) listener();
  }
  onMessage(listener: (message: Uint8Array) => void): void {
    this.listener = listener;
    for (const message of this.early.splice(0)) listener(message);
  }
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }
  deliver(message: Uint8Array): void {
    if (!this.isOpen) return;
    if (this.listener) this.listener(message);
    else this.early.push(message);
  }
}

export const quiet: BoardLog = { debug: () => undefined, warn: () => undefined, error: () => undefined };

/** A y-websocket client over a fake socket, with its own document, as the stock provider behaves. */
export class Client {
  readonly doc = new Y.Doc();
  readonly socket = new FakeSocket();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);

  constructor() {
    this.socket.onSend = (message) => this.receive(message);
  }

  get cards(): Y.Map<Y.Map<unknown>> {
    return this.doc.getMap(BoardKey.cards);
  }

  /** Sends sync step 1, as a client does when its socket opens. */
  hello(): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    this.socket.deliver(encoding.toUint8Array(encoder));
  }

  /** Makes a change locally and sends the update it produced. */
  change(edit: (doc: Y.Doc) => void): void {
    const updates: Uint8Array[] = [];
    const capture = (update: Uint8Array, origin: unknown) => {
      if (origin !== 'server') updates.push(update);
    };
    this.doc.on('update', capture);
    this.doc.transact(() => edit(this.doc));
    this.doc.off('update', capture);
    for (const update of updates) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      syncProtocol.writeUpdate(encoder, update);
      this.socket.deliver(encoding.toUint8Array(encoder));
    }
  }

  /** Sends this client's awareness state, as the provider does when it changes. */
  sendPresence(): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]));
    this.socket.deliver(encoding.toUint8Array(encoder));
  }

  addCard(id: string, fields: Record<string, unknown>): void {
    this.change((doc) => {
      const card = new Y.Map<unknown>();
      for (const [k, v] of Object.entries(fields)) card.set(k, v);
      doc.getMap(BoardKey.cards).set(id, card);
    });
  }

  private receive(message: Uint8Array): void {
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    if (type === 0) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      syncProtocol.readSyncMessage(decoder, encoder, this.doc, 'server');
      if (encoding.length(encoder) > 1) this.socket.deliver(encoding.toUint8Array(encoder));
    } else if (type === 1) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), 'server');
    }
  }
}
