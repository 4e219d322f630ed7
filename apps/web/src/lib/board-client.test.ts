import { BoardKey, CloseCode, readCard } from '@calma/protocol/board';
import { afterEach, describe, expect, it } from 'vitest';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { BoardClient, type BoardClose, type BoardProvider, type Scheduler } from './board-client';

/**
 * The board client against an in-memory server: a room document that relays updates between the
 * fake providers connected to it, and that refuses every update while `refusing` is set (closing
 * the sender as Calma's server does).
 */
class FakeRoom {
  readonly doc = new Y.Doc();
  readonly providers: FakeProvider[] = [];
  /** Close code for any update received (null: accept). */
  refusing: number | null = null;
  received = 0;

  connect(doc: Y.Doc): FakeProvider {
    const provider = new FakeProvider(this, doc);
    this.providers.push(provider);
    return provider;
  }

  /** A change made on the server (labels placed, a layout), relayed to every open provider. */
  change(make: (doc: Y.Doc) => void): void {
    const updates: Uint8Array[] = [];
    const take = (update: Uint8Array) => updates.push(update);
    this.doc.on('update', take);
    this.doc.transact(() => make(this.doc));
    this.doc.off('update', take);
    for (const update of updates) for (const provider of this.providers) if (provider.open) provider.deliver(update);
  }

  receive(from: FakeProvider, update: Uint8Array): void {
    this.received += 1;
    if (this.refusing !== null) {
      from.close(this.refusing, 'The board is read-only for you now');
      return;
    }
    Y.applyUpdate(this.doc, update, from);
    for (const other of this.providers) if (other !== from && other.open) other.deliver(update);
  }
}

class FakeProvider implements BoardProvider {
  readonly awareness: Awareness;
  shouldConnect = true;
  open = true;
  destroyed = false;
  private readonly listeners = {
    sync: new Set<(synced: boolean) => void>(),
    close: new Set<(e: BoardClose) => void>(),
  };

  constructor(
    private readonly room: FakeRoom,
    readonly doc: Y.Doc,
  ) {
    this.awareness = new Awareness(doc);
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this && this.open) room.receive(this, update);
    });
  }

  /** The server's state arrives: the document is synced. */
  sync(): void {
    Y.applyUpdate(this.doc, Y.encodeStateAsUpdate(this.room.doc), this);
    for (const listener of this.listeners.sync) listener(true);
  }

  deliver(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update, this);
  }

  /** Times the client connected again after clearing `shouldConnect`. */
  reconnects = 0;
  connect(): void {
    this.reconnects += 1;
    this.open = true;
  }

  close(code: number, reason: string): void {
    this.open = false;
    for (const listener of this.listeners.close) listener({ code, reason });
  }

  on(event: 'sync' | 'connection-close', listener: never): void {
    (event === 'sync' ? this.listeners.sync : this.listeners.close).add(listener);
  }

  off(event: 'sync' | 'connection-close', listener: never): void {
    (event === 'sync' ? this.listeners.sync : this.listeners.close).delete(listener);
  }

  destroy(): void {
    this.open = false;
    this.destroyed = true;
    this.awareness.destroy();
  }
}

/** Refreshes at once, so each assertion sees the board as it is. */
const immediate: Scheduler = (task) => {
  task();
  return () => {};
};

const clients: BoardClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.stop();
});

function connect(
  room: FakeRoom,
  me = { id: 'p-ana', name: 'Ana' },
  options: { reloadDelayMs?: number; retryLaterMs?: number } = {},
) {
  const client = new BoardClient({
    sessionId: 's1',
    token: 'token',
    me,
    serverUrl: 'ws://calma.test/yjs',
    schedule: immediate,
    reloadDelayMs: options.reloadDelayMs ?? 0,
    retryLaterMs: options.retryLaterMs,
    createProvider: ({ doc }) => room.connect(doc),
  });
  clients.push(client);
  client.start();
  const provider = room.providers.at(-1) as FakeProvider;
  provider.sync();
  return { client, provider };
}

/** Puts a card into the room's document, as the server places labels. */
function place(room: FakeRoom, id: string, fields: Record<string, unknown>): void {
  room.change((doc) => {
    const card = new Y.Map<unknown>();
    for (const [k, v] of Object.entries(fields)) card.set(k, v);
    doc.getMap(BoardKey.cards).set(id, card);
  });
}

const cardIn = (doc: Y.Doc, id: string) => doc.getMap<Y.Map<unknown>>(BoardKey.cards).get(id);
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('BoardClient', () => {
  it('reads cards and clusters through the board contract', () => {
    const room = new FakeRoom();
    place(room, 'label-1', {
      kind: 'label',
      text: 'balanced',
      x: 10,
      y: 20,
      authorId: 'system',
      annotation: 'both sides',
      clusterId: 'c1',
    });
    place(room, 'half', { text: 'no kind, no position' });
    room.doc.getMap(BoardKey.cards).set('junk', 'not a card');
    room.doc.getMap(BoardKey.clusters).set('c1', { name: 'Balance', size: 1, suggested: true });
    room.doc.getMap(BoardKey.clusters).set('bad', { size: 3 });

    const { client } = connect(room);
    const board = client.getSnapshot();
    expect(board.status).toBe('synced');
    expect(board.cards).toEqual([
      readCard('label-1', cardIn(room.doc, 'label-1') as Y.Map<unknown>),
      readCard('half', cardIn(room.doc, 'half') as Y.Map<unknown>),
    ]);
    expect(board.cards[1]).toMatchObject({ kind: 'note', x: 0, y: 0, text: 'no kind, no position' });
    expect(board.clusters).toEqual({ c1: { name: 'Balance', size: 1, suggested: true } });
  });

  it('moves, adds notes and comments, and groups as Y changes the server receives', () => {
    const room = new FakeRoom();
    place(room, 'a', { kind: 'label', text: 'a', x: 0, y: 0, authorId: 'system' });
    place(room, 'b', { kind: 'label', text: 'b', x: 0, y: 0, authorId: 'system' });
    const { client } = connect(room);

    client.move([
      { id: 'a', x: 10.4, y: 20.6 },
      { id: 'missing', x: 1, y: 1 },
    ]);
    expect(cardIn(room.doc, 'a')?.toJSON()).toMatchObject({ x: 10, y: 21 });
    expect(cardIn(room.doc, 'missing')).toBeUndefined();

    const note = client.addNote(5.2, 6.7, 'a note');
    const comment = client.addNote(0, 0, 'about a', 'a');
    expect(note).toMatch(/^note-p-ana-/);
    expect(comment).not.toBe(note);
    expect(cardIn(room.doc, note)?.toJSON()).toEqual({ kind: 'note', text: 'a note', x: 5, y: 7, authorId: 'p-ana' });
    expect(cardIn(room.doc, comment)?.get('commentOn')).toBe('a');

    // A note's text edited in place: one field changes, the note stays where it was.
    client.setText(note, 'a note, rewritten');
    expect(cardIn(room.doc, note)?.toJSON()).toEqual({
      kind: 'note',
      text: 'a note, rewritten',
      x: 5,
      y: 7,
      authorId: 'p-ana',
    });
    const received = room.received;
    client.setText(note, 'a note, rewritten');
    client.setText('missing', 'nothing');
    expect(room.received).toBe(received);

    client.group(['a', 'b'], 'Both');
    const clusters = room.doc.getMap(BoardKey.clusters);
    const [clusterId] = [...clusters.keys()];
    expect(clusters.get(clusterId as string)).toEqual({ name: 'Both', size: 2 });
    expect(cardIn(room.doc, 'a')?.get('clusterId')).toBe(clusterId);
    expect(cardIn(room.doc, 'b')?.get('clusterId')).toBe(clusterId);
    expect(client.getSnapshot().clusters).toEqual({ [clusterId as string]: { name: 'Both', size: 2 } });
    expect(client.getSnapshot().cards.find((c) => c.id === 'a')).toMatchObject({ x: 10, y: 21, clusterId });
  });

  it('undoes and redoes its own edits only', () => {
    const room = new FakeRoom();
    place(room, 'a', { kind: 'label', text: 'a', x: 0, y: 0, authorId: 'system' });
    place(room, 'b', { kind: 'label', text: 'b', x: 0, y: 0, authorId: 'system' });
    const ana = connect(room).client;
    const bo = connect(room, { id: 'p-bo', name: 'Bo' }).client;
    expect(ana.getSnapshot().canUndo).toBe(false);

    ana.move([{ id: 'a', x: 100, y: 100 }]);
    bo.move([{ id: 'b', x: 200, y: 200 }]);
    expect(ana.getSnapshot()).toMatchObject({ canUndo: true, canRedo: false });
    expect(ana.getSnapshot().cards.find((c) => c.id === 'b')).toMatchObject({ x: 200 });

    ana.undo();
    expect(cardIn(room.doc, 'a')?.toJSON()).toMatchObject({ x: 0, y: 0 });
    expect(cardIn(room.doc, 'b')?.toJSON()).toMatchObject({ x: 200, y: 200 });
    expect(ana.getSnapshot()).toMatchObject({ canUndo: false, canRedo: true });
    ana.undo();
    expect(cardIn(room.doc, 'b')?.toJSON()).toMatchObject({ x: 200, y: 200 });

    ana.redo();
    expect(cardIn(room.doc, 'a')?.toJSON()).toMatchObject({ x: 100, y: 100 });
    expect(ana.getSnapshot().cards.find((c) => c.id === 'a')).toMatchObject({ x: 100 });
  });

  it('shows the others on the board with their cursors, not itself', () => {
    const room = new FakeRoom();
    const { client, provider } = connect(room);
    expect(provider.awareness.getLocalState()).toMatchObject({ user: { name: 'Ana' } });

    const peer = new Awareness(new Y.Doc());
    peer.setLocalState({ user: { name: 'Bo', color: '#00695c' }, cursor: { x: 3, y: 4 } });
    const anonymous = new Awareness(new Y.Doc());
    anonymous.setLocalState({ cursor: { x: 1, y: 1 } });
    applyAwarenessUpdate(provider.awareness, encodeAwarenessUpdate(peer, [peer.clientID]), 'server');
    applyAwarenessUpdate(provider.awareness, encodeAwarenessUpdate(anonymous, [anonymous.clientID]), 'server');
    expect(client.getSnapshot().peers).toEqual([
      { clientId: peer.clientID, name: 'Bo', color: '#00695c', cursor: { x: 3, y: 4 } },
    ]);

    client.setCursor({ x: 7, y: 8 });
    expect(provider.awareness.getLocalState()).toMatchObject({ cursor: { x: 7, y: 8 } });
    peer.destroy();
    anonymous.destroy();
  });

  it('keeps the same snapshot while nothing it shows changes', () => {
    const room = new FakeRoom();
    place(room, 'a', { kind: 'label', text: 'a', x: 0, y: 0, authorId: 'system' });
    const { client } = connect(room);
    let told = 0;
    client.subscribe(() => {
      told += 1;
    });
    const before = client.getSnapshot();
    expect(client.getSnapshot()).toBe(before);

    // Its own cursor, a second start, and a clusters entry the contract does not read as a
    // cluster: nothing the board shows.
    client.setCursor({ x: 1, y: 1 });
    client.start();
    room.change((doc) => doc.getMap(BoardKey.clusters).set('unnamed', { size: 2 }));
    expect(client.getSnapshot()).toBe(before);
    expect(told).toBe(0);

    client.move([{ id: 'a', x: 5, y: 0 }]);
    const after = client.getSnapshot();
    expect(after).not.toBe(before);
    expect(after.clusters).toBe(before.clusters);
    expect(after.peers).toBe(before.peers);
    expect(told).toBeGreaterThan(0);
  });

  it.each([
    ['4409 (wrong state)', CloseCode.wrongState],
    ['4403 (forbidden)', CloseCode.forbidden],
  ])('after a %s close starts over from a fresh document, without re-sending the refused change', async (_, code) => {
    const room = new FakeRoom();
    place(room, 'a', { kind: 'label', text: 'a', x: 0, y: 0, authorId: 'system' });
    const { client, provider } = connect(room);
    const firstDoc = provider.doc;

    room.refusing = code;
    client.move([{ id: 'a', x: 300, y: 300 }]);
    expect(provider.shouldConnect).toBe(false);
    expect(client.getSnapshot()).toMatchObject({ status: 'connecting', generation: 0 });

    await tick();
    expect(room.providers).toHaveLength(2);
    const fresh = room.providers[1] as FakeProvider;
    expect(provider.destroyed).toBe(true);
    expect(fresh.doc).not.toBe(firstDoc);
    expect(client.getSnapshot().generation).toBe(1);

    room.refusing = null;
    const received = room.received;
    fresh.sync();
    expect(client.getSnapshot()).toMatchObject({ status: 'synced', canUndo: false });
    expect(client.getSnapshot().cards.find((c) => c.id === 'a')).toMatchObject({ x: 0, y: 0 });
    expect(room.received).toBe(received);

    // The new document is the one observed: others' changes show again.
    const other = connect(room, { id: 'p-bo', name: 'Bo' }).client;
    other.move([{ id: 'a', x: 40, y: 50 }]);
    expect(client.getSnapshot().cards.find((c) => c.id === 'a')).toMatchObject({ x: 40, y: 50 });
    await tick();
    expect(client.getSnapshot().generation).toBe(1);
  });

  it('after a 4404 close says why and stops reconnecting', async () => {
    const room = new FakeRoom();
    const { client, provider } = connect(room);
    provider.close(CloseCode.notFound, 'Unknown session');
    expect(provider.shouldConnect).toBe(false);
    expect(client.getSnapshot()).toMatchObject({ status: 'closed', closeReason: 'Unknown session' });
    await tick();
    expect(room.providers).toHaveLength(1);
    expect(client.getSnapshot().generation).toBe(0);
  });

  it('treats a refusal before the first sync as final: a fresh document would be refused too', async () => {
    const room = new FakeRoom();
    const client = new BoardClient({
      sessionId: 's1',
      token: 'another group',
      me: { id: 'moderator', name: 'Moderator' },
      serverUrl: 'ws://calma.test/yjs',
      schedule: immediate,
      reloadDelayMs: 0,
      createProvider: ({ doc }) => room.connect(doc),
    });
    clients.push(client);
    client.start();
    room.providers[0]?.close(CloseCode.forbidden, 'This group is not yours');
    await tick();
    expect(room.providers).toHaveLength(1);
    expect(client.getSnapshot()).toMatchObject({ status: 'closed', closeReason: 'This group is not yours' });
  });

  it.each([
    ['4429 (too fast, or the board is busy storing)', CloseCode.rateLimited],
    ['4408 (silent too long)', CloseCode.timedOut],
  ])('after a %s close waits, then reconnects with the same document', async (_, code) => {
    const room = new FakeRoom();
    place(room, 'a', { kind: 'label', text: 'a', x: 0, y: 0, authorId: 'system' });
    const { client, provider } = connect(room, undefined, { retryLaterMs: 20 });
    client.move([{ id: 'a', x: 5, y: 5 }]);
    provider.close(code, 'Too many updates: slow down, then reconnect');
    expect(provider.shouldConnect).toBe(false);
    expect(client.getSnapshot().status).toBe('connecting');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(provider.reconnects).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(provider.reconnects).toBe(1);
    expect(provider.shouldConnect).toBe(true);
    // The same document and generation: the move it holds is still there, to be sent again.
    expect(room.providers).toHaveLength(1);
    expect(client.getSnapshot().generation).toBe(0);
    expect(client.getSnapshot().cards.find((c) => c.id === 'a')).toMatchObject({ x: 5, y: 5 });
  });

  it('leaves a transient close to the provider, and lets go of everything on stop', () => {
    const room = new FakeRoom();
    const { client, provider } = connect(room);
    provider.close(1011, 'Storage failed; reconnect to continue');
    expect(provider.shouldConnect).toBe(true);
    expect(client.getSnapshot().status).toBe('synced');

    client.stop();
    expect(provider.destroyed).toBe(true);
    const before = client.getSnapshot();
    client.move([{ id: 'a', x: 1, y: 1 }]);
    expect(client.getSnapshot()).toBe(before);
  });
});
