import { EventEmitter } from 'node:events';
import type { Principal, SessionState } from '@calma/core';
import { BoardKey, CloseCode } from '@calma/protocol/board';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { defaultRateLimits } from '../rate.js';
import { wsBoardSocket } from './index.js';
import type { BoardRelay, BoardStorage, RelayedBatch, RelayListener, StoredBoardState } from './ports.js';
import { type BoardLimits, BoardRoom, type BoardSessionState, slowReaderClose } from './room.js';
import { Client, quiet } from './test-kit.js';

/** Storage in memory; `hold()` keeps appends pending until `release()`, `failNext` rejects one. */
class FakeStorage implements BoardStorage {
  readonly appended: Uint8Array[] = [];
  compactions = 0;
  failNext = false;
  private held: (() => void)[] | null = null;
  private seq = 0;

  constructor(private readonly stored: StoredBoardState = { snapshot: null, updates: [] }) {}

  async load(): Promise<StoredBoardState> {
    return this.stored;
  }
  append(_sessionId: string, update: Uint8Array): Promise<number> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('disk full'));
    }
    return new Promise((resolve) => {
      const commit = () => {
        this.appended.push(update);
        this.seq += 1;
        resolve(this.seq);
      };
      if (this.held) this.held.push(commit);
      else commit();
    });
  }
  async compact(): Promise<void> {
    this.compactions += 1;
  }
  hold(): void {
    this.held = [];
  }
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const commit of held) commit();
  }
}

const running: BoardSessionState = { segment: 2, status: 'running', boardLocked: false };
const names: Record<string, string> = { p1: 'Ana', p2: 'Bo' };
const participant = (id: string): Principal => ({
  role: 'participant',
  groupId: 'g',
  participantId: id,
  displayName: names[id] ?? id,
});
const moderator: Principal = { role: 'moderator', groupId: 'g' };
const analyst: Principal = { role: 'analyst', groupId: 'g' };

async function room(
  storage = new FakeStorage(),
  state: BoardSessionState = running,
  limits: Partial<BoardLimits> = {},
) {
  return BoardRoom.load(
    's1',
    'g',
    state,
    storage,
    { maxUpdateBytes: 64 * 1024, maxDocBytes: 1024 * 1024, ...limits },
    quiet,
  );
}

function join(board: BoardRoom, principal: Principal): Client {
  const client = new Client();
  client.hello();
  board.connect(client.socket, principal);
  return client;
}

/** A room on a node of several: what it publishes lands in `published` and `alone`; `from` plays the other nodes. */
async function relayedRoom(storage = new FakeStorage()) {
  const published: RelayedBatch[] = [];
  const alone: Uint8Array[] = [];
  let listener: RelayListener | null = null;
  const relay: BoardRelay = {
    follow: async (_sessionId, l) => {
      listener = l;
      return () => undefined;
    },
    publish: (_sessionId, batch) => published.push(batch),
    publishPresence: (_sessionId, update) => alone.push(update),
  };
  const board = await BoardRoom.load(
    's1',
    'g',
    running,
    storage,
    { maxUpdateBytes: 64 * 1024, maxDocBytes: 1024 * 1024 },
    quiet,
    undefined,
    relay,
  );
  const from = (): RelayListener => {
    if (!listener) throw new Error('the room follows no relay');
    return listener;
  };
  return { board, published, alone, from };
}

/** An awareness message of one raw entry, its state as written (readable or not). */
function rawPresence(clientId: number, clock: number, state: string): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, 1);
  encoding.writeVarUint(update, clientId);
  encoding.writeVarUint(update, clock);
  encoding.writeVarString(update, state);
  const message = encoding.createEncoder();
  encoding.writeVarUint(message, 1);
  encoding.writeVarUint8Array(message, encoding.toUint8Array(update));
  return encoding.toUint8Array(message);
}

/** An update as a y-websocket sync message. */
function syncUpdate(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** The board's state as an update, to compare documents. */
const stateOf = (doc: Y.Doc) => Y.encodeStateAsUpdate(doc);
const cardIds = (doc: Y.Doc) => [...doc.getMap(BoardKey.cards).keys()].sort();

describe('BoardRoom', () => {
  it('sends a joining client the stored board', async () => {
    const seed = new Y.Doc();
    const card = new Y.Map<unknown>();
    card.set('kind', 'note');
    card.set('authorId', 'p1');
    seed.getMap(BoardKey.cards).set('stored', card);
    const storage = new FakeStorage({ snapshot: { state: Y.encodeStateAsUpdate(seed), upToSeq: 3 }, updates: [] });
    const board = await room(storage);
    const client = join(board, participant('p2'));
    expect(client.cards.get('stored')?.get('authorId')).toBe('p1');
    expect(storage.appended).toHaveLength(0);
  });

  it('stores an accepted update before anyone else sees it', async () => {
    const storage = new FakeStorage();
    const board = await room(storage);
    const ana = join(board, participant('p1'));
    const bo = join(board, participant('p2'));
    storage.hold();
    ana.addCard('a1', { kind: 'note', text: 'hi', authorId: 'p1', x: 0, y: 0 });
    expect(cardIds(board.accepted)).toEqual(['a1']);
    await Promise.resolve();
    expect(bo.cards.has('a1')).toBe(false);
    expect(cardIds(board.doc)).toEqual([]);
    storage.release();
    await board.flushed();
    // The card, and in the same commit the record that Ana writes under her client id.
    expect(storage.appended).toHaveLength(2);
    expect(board.doc.getMap(BoardKey.writers).get(String(ana.doc.clientID))).toBe('p1');
    expect(bo.cards.get('a1')?.get('text')).toBe('hi');
  });

  it("takes a note's new text from its author (an inline edit) and refuses it from anyone else", async () => {
    const board = await room();
    const ana = join(board, participant('p1'));
    const bo = join(board, participant('p2'));
    ana.addCard('a1', { kind: 'note', text: 'first thought', authorId: 'p1', x: 0, y: 0 });
    await board.flushed();
    ana.change((doc) => (doc.getMap(BoardKey.cards).get('a1') as Y.Map<unknown>).set('text', 'second thought'));
    await board.flushed();
    expect(ana.socket.closed).toBeNull();
    expect(bo.cards.get('a1')?.get('text')).toBe('second thought');
    bo.change((doc) => (doc.getMap(BoardKey.cards).get('a1') as Y.Map<unknown>).set('text', 'not yours'));
    expect(bo.socket.closed).toMatchObject({
      code: CloseCode.forbidden,
      reason: expect.stringMatching(/not change its text/),
    });
    await board.flushed();
    expect(board.doc.getMap<Y.Map<unknown>>(BoardKey.cards).get('a1')?.get('text')).toBe('second thought');
  });

  it('refuses a delete of another participant’s card with 4403 and puts the probe back', async () => {
    const storage = new FakeStorage();
    const board = await room(storage);
    const ana = join(board, participant('p1'));
    const bo = join(board, participant('p2'));
    ana.addCard('a1', { kind: 'note', text: 'mine', authorId: 'p1', x: 0, y: 0 });
    await board.flushed();
    expect(bo.cards.has('a1')).toBe(true);
    const probe = board.accepted;
    bo.change((doc) => doc.getMap(BoardKey.cards).delete('a1'));
    expect(bo.socket.closed).toMatchObject({
      code: CloseCode.forbidden,
      reason: expect.stringMatching(/did not author/),
    });
    // Judged before it touched the probe: the probe was not rebuilt, and equals what is durable.
    expect(board.accepted).toBe(probe);
    expect(stateOf(board.accepted)).toEqual(stateOf(board.doc));
    expect(cardIds(board.accepted)).toEqual(['a1']);
    // The room goes on: Ana's next card is accepted, and her first one is still there.
    ana.addCard('a2', { kind: 'note', text: 'next', authorId: 'p1', x: 0, y: 0 });
    await board.flushed();
    expect(cardIds(board.doc)).toEqual(['a1', 'a2']);
    expect(storage.appended).toHaveLength(3); // a1 with Ana's writer record, then a2
  });

  it('refuses a card under someone else’s name', async () => {
    const board = await room();
    const bo = join(board, participant('p2'));
    bo.addCard('forged', { kind: 'note', text: 'x', authorId: 'p1', x: 0, y: 0 });
    expect(bo.socket.closed?.code).toBe(CloseCode.forbidden);
    expect(cardIds(board.accepted)).toEqual([]);
  });

  it('closes writes on a board that turned read-only with 4409, and an analyst’s with 4403', async () => {
    const storage = new FakeStorage();
    const board = await room(storage);
    const ana = join(board, participant('p1'));
    const watcher = join(board, moderator);
    board.setSessionState({ segment: 5, status: 'running', boardLocked: false });
    ana.addCard('late', { kind: 'note', text: 'x', authorId: 'p1', x: 0, y: 0 });
    expect(ana.socket.closed?.code).toBe(CloseCode.wrongState);
    const viewer = join(board, analyst);
    viewer.addCard('v', { kind: 'note', text: 'x', authorId: 'analyst', x: 0, y: 0 });
    expect(viewer.socket.closed?.code).toBe(CloseCode.forbidden);
    // The moderator still writes, and only the moderator's card was stored.
    watcher.addCard('m', { kind: 'note', text: 'ok', authorId: 'moderator', x: 0, y: 0 });
    await board.flushed();
    expect(cardIds(board.doc)).toEqual(['m']);
    expect(storage.appended).toHaveLength(2); // the card and the moderator's writer record
  });

  it('ignores a session state older than the one it follows (two nodes announcing at once)', async () => {
    const board = await room(new FakeStorage(), { ...running, revision: 3 });
    board.setSessionState({ segment: 2, status: 'running', boardLocked: true, revision: 5 });
    // Revision 4 (unlocked) arrives after 5 (locked): the board stays locked.
    board.setSessionState({ segment: 2, status: 'running', boardLocked: false, revision: 4 });
    const ana = join(board, participant('p1'));
    ana.addCard('while-locked', { kind: 'note', text: 'x', authorId: 'p1', x: 0, y: 0 });
    expect(ana.socket.closed?.code).toBe(CloseCode.wrongState);
    board.setSessionState({ segment: 2, status: 'running', boardLocked: false, revision: 6 });
    const bo = join(board, participant('p2'));
    bo.addCard('unlocked', { kind: 'note', text: 'x', authorId: 'p2', x: 0, y: 0 });
    expect(bo.socket.closed).toBeNull();
  });

  it('takes a relayed batch that waits for a missed one from storage, and sends its clients all of it', async () => {
    // Another node's writer: card "one", then (merged with a third person's card "two") a change
    // of "one", which depends on it.
    const other = new Y.Doc();
    const third = new Y.Doc();
    const capture = (doc: Y.Doc, edit: () => void) => {
      const updates: Uint8Array[] = [];
      const take = (u: Uint8Array) => updates.push(u);
      doc.on('update', take);
      doc.transact(edit);
      doc.off('update', take);
      return Y.mergeUpdates(updates);
    };
    const card = (doc: Y.Doc, id: string) => {
      const map = new Y.Map<unknown>();
      map.set('kind', 'note');
      map.set('text', id);
      doc.getMap(BoardKey.cards).set(id, map);
    };
    const first = capture(other, () => card(other, 'one'));
    const changed = capture(other, () =>
      (other.getMap(BoardKey.cards).get('one') as Y.Map<unknown>).set('text', 'changed'),
    );
    const two = capture(third, () => card(third, 'two'));
    const storedUpdates: { seq: number; update: Uint8Array }[] = [];
    const stored: StoredBoardState = { snapshot: null, updates: storedUpdates };
    const { board, from } = await relayedRoom(new FakeStorage(stored));
    const watcher = join(board, moderator);
    // Both batches are stored; the first was never relayed (lost while Redis was down).
    storedUpdates.push({ seq: 10, update: first }, { seq: 11, update: Y.mergeUpdates([changed, two]) });
    from().batch({ seqs: [11], update: Y.mergeUpdates([changed, two]) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await board.flushed();
    const text = (doc: Y.Doc, id: string) =>
      (doc.getMap(BoardKey.cards).get(id) as Y.Map<unknown> | undefined)?.get('text');
    for (const doc of [board.doc, board.accepted, watcher.doc]) {
      expect([text(doc, 'one'), text(doc, 'two')]).toEqual(['changed', 'two']);
      expect(doc.store.pendingStructs).toBeNull();
    }
  });

  it('leaves the board as it was when a server change throws half-way', async () => {
    const storage = new FakeStorage();
    const board = await room(storage);
    const ana = join(board, participant('p1'));
    const before = stateOf(board.accepted);
    expect(() =>
      board.applyServerChange((doc) => {
        const card = new Y.Map<unknown>();
        card.set('kind', 'label');
        doc.getMap(BoardKey.cards).set('half', card);
        throw new Error('placement failed');
      }),
    ).toThrow('placement failed');
    expect(stateOf(board.accepted)).toEqual(before);
    await board.flushed();
    expect(storage.appended).toHaveLength(0);
    expect(ana.cards.has('half')).toBe(false);
    // A participant may now use that id, which a half-applied server card would have taken.
    ana.addCard('half', { kind: 'note', text: 'mine', authorId: 'p1', x: 0, y: 0 });
    expect(ana.socket.closed).toBeNull();
    expect(board.applyServerChange((doc) => doc.getMap(BoardKey.clusters).set('c', { name: 'Tone' }))).toBe(true);
    await board.flushed();
    expect(storage.appended).toHaveLength(3); // Ana's card and writer record, the server's change
    expect(ana.doc.getMap(BoardKey.clusters).get('c')).toEqual({ name: 'Tone' });
  });

  it('closes everyone with 1011 when storage fails, and takes nothing more', async () => {
    const storage = new FakeStorage();
    const board = await room(storage);
    const ana = join(board, participant('p1'));
    const bo = join(board, participant('p2'));
    storage.failNext = true;
    ana.addCard('a1', { kind: 'note', text: 'x', authorId: 'p1', x: 0, y: 0 });
    await board.flushed();
    expect(ana.socket.closed?.code).toBe(CloseCode.internal);
    expect(bo.socket.closed?.code).toBe(CloseCode.internal);
    expect(board.isBroken).toBe(true);
    expect(board.applyServerChange((doc) => doc.getMap(BoardKey.clusters).set('c', { name: 'x' }))).toBe(false);
    expect(bo.cards.has('a1')).toBe(false);
  });

  it('closes only the sender of a malformed message', async () => {
    const board = await room();
    const ana = join(board, participant('p1'));
    const bo = join(board, participant('p2'));
    ana.socket.deliver(new Uint8Array([0, 2, 200, 1, 2, 3]));
    expect(ana.socket.closed?.code).toBe(CloseCode.badRequest);
    expect(bo.socket.closed).toBeNull();
    bo.addCard('b1', { kind: 'note', text: 'x', authorId: 'p2', x: 0, y: 0 });
    await board.flushed();
    expect(cardIds(board.doc)).toEqual(['b1']);
  });

  it('refuses an update over the size limit with 4413', async () => {
    const board = await room();
    const ana = join(board, participant('p1'));
    ana.addCard('big', { kind: 'note', text: 'x'.repeat(100 * 1024), authorId: 'p1', x: 0, y: 0 });
    expect(ana.socket.closed?.code).toBe(CloseCode.tooLarge);
    expect(cardIds(board.accepted)).toEqual([]);
  });

  it('relays writers’ presence, not read-only clients’, and drops it when they leave', async () => {
    const board = await room();
    const ana = join(board, participant('p1'));
    const viewer = join(board, analyst);
    const sendPresence = (client: Client, name: string) => {
      client.awareness.setLocalStateField('user', { name });
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 1);
      encoding.writeVarUint8Array(
        encoder,
        awarenessProtocol.encodeAwarenessUpdate(client.awareness, [client.awareness.clientID]),
      );
      client.socket.deliver(encoding.toUint8Array(encoder));
    };
    sendPresence(viewer, 'Analyst');
    // Ana claims to be the moderator: others see the name the server has for her token.
    sendPresence(ana, 'Moderator');
    expect(board.awareness.getStates().has(viewer.awareness.clientID)).toBe(false);
    expect(board.awareness.getStates().get(ana.awareness.clientID)).toMatchObject({ user: { name: 'Ana' } });
    expect(viewer.awareness.getStates().get(ana.awareness.clientID)).toMatchObject({ user: { name: 'Ana' } });
    // Bo sends a presence under Ana's awareness id: dropped, her cursor stays hers.
    const bo = join(board, participant('p2'));
    const forged = new awarenessProtocol.Awareness(new Y.Doc());
    forged.clientID = ana.awareness.clientID;
    forged.setLocalState({ user: { name: 'Bo as Ana' }, cursor: { x: 1, y: 1 } });
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(forged, [forged.clientID]));
    bo.socket.deliver(encoding.toUint8Array(encoder));
    expect(board.awareness.getStates().get(ana.awareness.clientID)).toEqual({ user: { name: 'Ana' } });
    ana.socket.close(1000, 'bye');
    expect(board.awareness.getStates().has(ana.awareness.clientID)).toBe(false);
    expect(board.size).toBe(2);
  });

  it('sends a cursor to everyone but the one who moved it', async () => {
    const board = await room();
    const ana = join(board, participant('p1'));
    const bo = join(board, participant('p2'));
    const awarenessTo = (client: Client) => {
      let count = 0;
      const deliver = client.socket.onSend;
      client.socket.onSend = (message) => {
        if (message[0] === 1) count += 1;
        deliver(message);
      };
      return () => count;
    };
    const toAna = awarenessTo(ana);
    const toBo = awarenessTo(bo);
    ana.awareness.setLocalStateField('cursor', { x: 1, y: 2 });
    ana.sendPresence();
    ana.awareness.setLocalStateField('cursor', { x: 3, y: 4 });
    ana.sendPresence();
    expect(toAna()).toBe(0);
    expect(toBo()).toBe(2);
    expect(bo.awareness.getStates().get(ana.awareness.clientID)).toMatchObject({ cursor: { x: 3, y: 4 } });
    // When she leaves, the others are told.
    ana.socket.close(1000, 'bye');
    expect(toBo()).toBe(3);
    expect(bo.awareness.getStates().has(ana.awareness.clientID)).toBe(false);
  });

  it('sends a cursor moved while updates wait for storage after them, to the clients and the other nodes', async () => {
    const storage = new FakeStorage();
    const { board, published, alone, from } = await relayedRoom(storage);
    const ana = join(board, participant('p1'));
    const bo = join(board, participant('p2'));
    const toBo: number[] = [];
    const deliver = bo.socket.onSend;
    bo.socket.onSend = (message) => {
      toBo.push(message[0] ?? -1);
      deliver(message);
    };
    // A cursor alone goes out at once.
    ana.awareness.setLocalStateField('cursor', { x: 1, y: 1 });
    ana.sendPresence();
    expect(toBo).toEqual([1]);
    expect(alone).toHaveLength(1);
    // A move: the card's update waits for storage, and the cursor sent after it waits with it.
    storage.hold();
    ana.addCard('a1', { kind: 'note', text: 'x', authorId: 'p1', x: 5, y: 5 });
    ana.awareness.setLocalStateField('cursor', { x: 5, y: 5 });
    ana.sendPresence();
    expect(toBo).toEqual([1]);
    expect(board.awareness.getStates().get(ana.awareness.clientID)).toMatchObject({ cursor: { x: 5, y: 5 } });
    storage.release();
    await board.flushed();
    expect(toBo).toEqual([1, 0, 1]);
    expect(bo.cards.get('a1')?.get('x')).toBe(5);
    expect(bo.awareness.getStates().get(ana.awareness.clientID)).toMatchObject({ cursor: { x: 5, y: 5 } });
    // The other nodes get it in the batch's entry, not on its own.
    expect(alone).toHaveLength(1);
    const batch = published.find((b) => (b.presence?.length ?? 0) > 0);
    expect(batch?.presence).toHaveLength(1);
    const other = new awarenessProtocol.Awareness(new Y.Doc());
    awarenessProtocol.applyAwarenessUpdate(other, batch?.presence?.[0] as Uint8Array, 'test');
    expect(other.getStates().get(ana.awareness.clientID)).toMatchObject({ cursor: { x: 5, y: 5 } });

    // Another node's batch with its cursor: this node's clients get the update, then the cursor.
    const remote = new Y.Doc();
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(board.doc));
    const remoteUpdates: Uint8Array[] = [];
    remote.on('update', (u: Uint8Array) => remoteUpdates.push(u));
    const remoteCard = new Y.Map<unknown>();
    remote.transact(() => {
      remote.getMap(BoardKey.cards).set('r1', remoteCard);
      remoteCard.set('kind', 'note');
      remoteCard.set('text', 'from the other node');
    });
    const remoteAwareness = new awarenessProtocol.Awareness(remote);
    remoteAwareness.setLocalStateField('cursor', { x: 9, y: 9 });
    toBo.length = 0;
    from().batch({
      seqs: [1000],
      update: remoteUpdates[0] as Uint8Array,
      presence: [awarenessProtocol.encodeAwarenessUpdate(remoteAwareness, [remote.clientID])],
    });
    expect(toBo).toEqual([0, 1]);
    expect(bo.cards.has('r1')).toBe(true);
    expect(bo.awareness.getStates().get(remote.clientID)).toMatchObject({ cursor: { x: 9, y: 9 } });
    // Relayed cursors are not relayed back.
    expect(alone).toHaveLength(1);
  });

  it('skips, undecoded, a client sending back another node’s cursor it was sent', async () => {
    const { board, alone, from } = await relayedRoom();
    const ana = join(board, participant('p1'));
    const bo = join(board, participant('p2'));
    const toAna: number[] = [];
    const deliver = ana.socket.onSend;
    ana.socket.onSend = (message) => {
      toAna.push(message[0] ?? -1);
      deliver(message);
    };
    // A cursor of another node's client, as its node relays it.
    const remote = new awarenessProtocol.Awareness(new Y.Doc());
    remote.setLocalState({ user: { name: 'Cy' }, cursor: { x: 9, y: 9 } });
    from().presence(awarenessProtocol.encodeAwarenessUpdate(remote, [remote.clientID]));
    expect(bo.awareness.getStates().get(remote.clientID)).toMatchObject({ cursor: { x: 9, y: 9 } });
    toAna.length = 0;
    // Bo's client sends it back, as stock clients do with every change they receive; its clock is
    // the one the server sent (the state is unreadable here: it must not even be parsed).
    const clock = board.awareness.meta.get(remote.clientID)?.clock ?? -1;
    bo.socket.deliver(rawPresence(remote.clientID, clock, '{not json'));
    expect(bo.socket.closed).toBeNull();
    expect(toAna).toEqual([]);
    expect(alone).toHaveLength(0);
    expect(board.awareness.getStates().get(remote.clientID)).toMatchObject({
      user: { name: 'Cy' },
      cursor: { x: 9, y: 9 },
    });
    // A newer state for that id is read as before (and is Bo's to send only under Bo's name).
    bo.socket.deliver(rawPresence(remote.clientID, clock + 1, '{not json'));
    expect(bo.socket.closed).not.toBeNull();
  });

  it('drops the cursors it held when storage fails', async () => {
    const storage = new FakeStorage();
    const board = await room(storage);
    const ana = join(board, participant('p1'));
    const bo = join(board, participant('p2'));
    const cursorsToBo: unknown[] = [];
    const deliver = bo.socket.onSend;
    bo.socket.onSend = (message) => {
      if (message[0] === 1) {
        const seen = new awarenessProtocol.Awareness(new Y.Doc());
        const decoder = decoding.createDecoder(message);
        decoding.readVarUint(decoder);
        awarenessProtocol.applyAwarenessUpdate(seen, decoding.readVarUint8Array(decoder), 'test');
        cursorsToBo.push((seen.getStates().get(ana.awareness.clientID) as { cursor?: unknown } | undefined)?.cursor);
      }
      deliver(message);
    };
    storage.failNext = true;
    ana.addCard('a1', { kind: 'note', text: 'x', authorId: 'p1', x: 0, y: 0 });
    ana.awareness.setLocalStateField('cursor', { x: 1, y: 1 });
    ana.sendPresence();
    await board.flushed();
    expect(bo.socket.closed?.code).toBe(CloseCode.internal);
    // At most Ana's leaving (no state) reached Bo, never the cursor held for the failed commit.
    expect(cursorsToBo.filter((c) => c !== undefined)).toEqual([]);
  });

  it('refuses a delete set for clocks the board does not have yet (a delayed deletion of others’ cards)', async () => {
    const board = await room();
    const moderatorTab = join(board, moderator);
    const ana = join(board, participant('p1'));
    const bo = join(board, participant('p2'));
    moderatorTab.addCard('m1', { kind: 'note', text: 'first', authorId: 'moderator', x: 0, y: 0 });
    await board.flushed();
    // Bo deletes the moderator's next ten clocks: nothing is there yet, so Yjs would hold it.
    const client = moderatorTab.doc.clientID;
    const next = Y.getState(board.accepted.store, client);
    const update = encoding.createEncoder();
    encoding.writeVarUint(update, 0); // no structs
    encoding.writeVarUint(update, 1); // a delete set for one client: one range
    encoding.writeVarUint(update, client);
    encoding.writeVarUint(update, 1);
    encoding.writeVarUint(update, next);
    encoding.writeVarUint(update, 10);
    bo.socket.deliver(syncUpdate(encoding.toUint8Array(update)));
    expect(bo.socket.closed).toMatchObject({ code: CloseCode.forbidden, reason: expect.stringMatching(/depends on/) });
    expect(board.accepted.store.pendingDs).toBeNull();
    // The moderator's next card reaches everyone.
    moderatorTab.addCard('m2', { kind: 'note', text: 'second', authorId: 'moderator', x: 0, y: 0 });
    await board.flushed();
    expect(ana.cards.get('m2')?.get('text')).toBe('second');
    expect(cardIds(board.doc)).toEqual(['m1', 'm2']);
  });

  it('refuses a card written under another person’s client id, at the next clock or one ahead', async () => {
    const board = await room();
    const moderatorTab = join(board, moderator);
    const ana = join(board, participant('p1'));
    moderatorTab.addCard('m1', { kind: 'note', text: 'first', authorId: 'moderator', x: 0, y: 0 });
    await board.flushed();
    /** A copy of the board under the moderator's client id, connected as `principal`. */
    const impostor = (target: BoardRoom, principal: Principal) => {
      const client = new Client();
      Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(board.doc), 'server');
      // Set after the copy: Yjs gives a document a new id when a remote update writes under its own.
      client.doc.clientID = moderatorTab.doc.clientID;
      target.connect(client.socket, principal);
      return client;
    };
    for (const ahead of [0, 1]) {
      const bo = impostor(board, participant('p2'));
      const sent: Uint8Array[] = [];
      bo.doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin !== 'server') sent.push(update);
      });
      for (let i = 0; i <= ahead; i++) {
        const card = new Y.Map<unknown>();
        for (const [k, v] of Object.entries({ kind: 'attribute', text: `forged ${i}`, authorId: 'p1', x: 0, y: 0 }))
          card.set(k, v);
        bo.doc.getMap(BoardKey.cards).set(`forged-${ahead}-${i}`, card);
      }
      // Only the last change is sent: with ahead = 1 it starts a clock past the moderator's last.
      bo.socket.deliver(syncUpdate(sent.at(-1) as Uint8Array));
      expect(bo.socket.closed).toMatchObject({
        code: CloseCode.forbidden,
        reason: expect.stringMatching(/someone else/),
      });
    }
    moderatorTab.addCard('m2', { kind: 'note', text: 'second', authorId: 'moderator', x: 0, y: 0 });
    await board.flushed();
    expect(cardIds(board.doc)).toEqual(['m1', 'm2']);
    expect(ana.cards.get('m2')?.get('text')).toBe('second');
    // Reloaded from storage, the record holds: the moderator's client id is still the moderator's.
    const reloaded = await room(
      new FakeStorage({ snapshot: { state: Y.encodeStateAsUpdate(board.doc), upToSeq: 9 }, updates: [] }),
    );
    const late = impostor(reloaded, participant('p2'));
    late.addCard('after-restart', { kind: 'note', text: 'x', authorId: 'p2', x: 0, y: 0 });
    expect(late.socket.closed?.code).toBe(CloseCode.forbidden);
    const back = impostor(reloaded, moderator);
    back.addCard('moderator-again', { kind: 'note', text: 'x', authorId: 'moderator', x: 0, y: 0 });
    expect(back.socket.closed).toBeNull();
    expect(cardIds(reloaded.accepted)).toContain('moderator-again');
  });

  it('closes a writer past its rate with 4429, and a reconnect does not refill the budget', async () => {
    const storage = new FakeStorage();
    const rates = { ...defaultRateLimits, updatesPerSecond: 1, updateBurst: 5 };
    const board = await room(storage, running, { rates });
    const flooder = join(board, participant('p2'));
    const ana = join(board, participant('p1'));
    for (let i = 0; i < 20; i++) flooder.addCard(`f${i}`, { kind: 'note', text: 'x', authorId: 'p2', x: i, y: 0 });
    expect(flooder.socket.closed).toMatchObject({ code: CloseCode.rateLimited });
    await board.flushed();
    // A burst of 5: the sync reply when it joined took one, four cards the rest.
    expect(cardIds(board.doc).filter((id) => id.startsWith('f'))).toEqual(['f0', 'f1', 'f2', 'f3']);
    const again = join(board, participant('p2'));
    again.addCard('g0', { kind: 'note', text: 'x', authorId: 'p2', x: 0, y: 0 });
    expect(again.socket.closed?.code).toBe(CloseCode.rateLimited);
    // Others write on.
    ana.addCard('a1', { kind: 'note', text: 'x', authorId: 'p1', x: 0, y: 0 });
    await board.flushed();
    expect(ana.socket.closed).toBeNull();
    expect(cardIds(board.doc)).toContain('a1');
  });

  it('makes writers wait while the board’s writes are backed up', async () => {
    const storage = new FakeStorage();
    const board = await room(storage, running, { maxPendingUpdates: 3 });
    const ana = join(board, participant('p1'));
    storage.hold();
    for (let i = 0; i < 3; i++) ana.addCard(`a${i}`, { kind: 'note', text: 'x', authorId: 'p1', x: i, y: 0 });
    expect(ana.socket.closed).toMatchObject({ code: CloseCode.rateLimited, reason: expect.stringMatching(/busy/) });
    storage.release();
    await board.flushed();
    // What was accepted before the limit is stored and shown: a0 and its writer record, a1.
    expect(cardIds(board.doc)).toEqual(['a0', 'a1']);
  });

  it('broadcasts the updates committed together as one message, and a sender only the others’', async () => {
    const storage = new FakeStorage();
    const board = await room(storage);
    const ana = join(board, participant('p1'));
    const bo = join(board, participant('p2'));
    const cy = join(board, moderator);
    await board.flushed();
    const received = new Map<Client, number>([
      [ana, 0],
      [bo, 0],
      [cy, 0],
    ]);
    for (const client of received.keys()) {
      const deliver = client.socket.onSend;
      client.socket.onSend = (message) => {
        received.set(client, (received.get(client) ?? 0) + 1);
        deliver(message);
      };
    }
    storage.hold();
    // Within one commit: three updates of Ana's (a card, her writer record, a move) and one of Bo's.
    ana.addCard('a1', { kind: 'note', text: 'one', authorId: 'p1', x: 0, y: 0 });
    ana.change((doc) => (doc.getMap(BoardKey.cards).get('a1') as Y.Map<unknown>).set('x', 5));
    bo.addCard('b1', { kind: 'note', text: 'two', authorId: 'p2', x: 0, y: 0 });
    expect(storage.appended).toHaveLength(0);
    storage.release();
    await board.flushed();
    // Cy sent none of them: one message with all. Ana gets Bo's, Bo gets Ana's: one each.
    expect([received.get(ana), received.get(bo), received.get(cy)]).toEqual([1, 1, 1]);
    expect(cy.cards.get('a1')?.get('x')).toBe(5);
    expect(cy.cards.get('b1')?.get('text')).toBe('two');
    expect(ana.cards.has('b1')).toBe(true);
    expect(bo.cards.get('a1')?.get('x')).toBe(5);
    for (const client of [ana, bo, cy]) expect(stateOf(client.doc)).toEqual(stateOf(board.doc));
  });

  it('sends a batch of many senders to everyone whole, each sender’s own updates included', async () => {
    const storage = new FakeStorage();
    const board = await room(storage);
    const writers = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((id) => join(board, participant(id)));
    await board.flushed();
    const received = new Map<Client, number>();
    for (const client of writers) {
      const deliver = client.socket.onSend;
      client.socket.onSend = (message) => {
        received.set(client, (received.get(client) ?? 0) + 1);
        deliver(message);
      };
    }
    storage.hold();
    for (const [i, client] of writers.entries())
      client.addCard(`c${i}`, { kind: 'note', text: `${i}`, authorId: `p${i + 1}`, x: i, y: 0 });
    storage.release();
    await board.flushed();
    expect(writers.map((client) => received.get(client))).toEqual([1, 1, 1, 1, 1, 1]);
    for (const client of writers) {
      expect(client.socket.closed).toBeNull();
      expect(stateOf(client.doc)).toEqual(stateOf(board.doc));
    }
  });

  it('drops a reader that leaves too much unread with 1013; the others carry on, and it catches up on return', async () => {
    const board = await room(new FakeStorage(), running, { maxBacklogBytes: 1000 });
    const ana = join(board, participant('p1'));
    const bo = join(board, participant('p2'));
    const stalled = join(board, participant('p2'));
    await board.flushed();
    // Up to the limit the reader is only behind; past it, the next message drops it.
    stalled.socket.backlog = 900;
    ana.addCard('a1', { kind: 'note', text: 'x', authorId: 'p1', x: 0, y: 0 });
    await board.flushed();
    expect(stalled.socket.closed).toBeNull();
    stalled.socket.backlog = 5000;
    ana.addCard('a2', { kind: 'note', text: 'y', authorId: 'p1', x: 0, y: 0 });
    await board.flushed();
    expect(stalled.socket.closed).toEqual({ code: slowReaderClose.code, reason: slowReaderClose.reason });
    expect(stalled.cards.has('a2')).toBe(false);
    expect(board.size).toBeGreaterThan(0);
    expect(bo.cards.has('a2')).toBe(true);
    expect(ana.socket.closed).toBeNull();
    // Reconnecting with the same document: the sync steps bring what it missed.
    const back = new Client();
    Y.applyUpdate(back.doc, stateOf(stalled.doc));
    back.hello();
    board.connect(back.socket, participant('p2'));
    expect(cardIds(back.doc)).toEqual(['a1', 'a2']);
  });

  it('sends a reader that fell behind nothing more until it has read its backlog, then all it missed at once', async () => {
    const board = await room(new FakeStorage(), running, { lagBytes: 500, maxBacklogBytes: 100_000 });
    const ana = join(board, participant('p1'));
    const slow = join(board, participant('p2'));
    await board.flushed();
    const received: Uint8Array[] = [];
    const deliver = slow.socket.onSend;
    slow.socket.onSend = (message) => {
      received.push(message);
      deliver(message);
    };
    slow.socket.backlog = 600;
    ana.addCard('a1', { kind: 'note', text: 'x', authorId: 'p1', x: 0, y: 0 });
    await board.flushed();
    // The update that found it past the mark still went; nothing after it does.
    expect(received).toHaveLength(1);
    for (let i = 2; i <= 4; i++) ana.addCard(`a${i}`, { kind: 'note', text: 'x', authorId: 'p1', x: i, y: 0 });
    await board.flushed();
    for (let x = 0; x < 20; x++) ana.change((doc) => doc.getMap<Y.Map<unknown>>(BoardKey.cards).get('a2')?.set('x', x));
    ana.change((doc) => doc.getMap(BoardKey.cards).delete('a3'));
    await board.flushed();
    expect(received).toHaveLength(1);
    expect(slow.cards.has('a2')).toBe(false);
    // Still behind by more than a quarter of the mark: still nothing.
    slow.socket.backlog = 200;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(received).toHaveLength(1);
    // Read up: one update with everything, the deletion included.
    slow.socket.backlog = 0;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(received).toHaveLength(2);
    expect(slow.socket.closed).toBeNull();
    expect(stateOf(slow.doc)).toEqual(stateOf(board.doc));
    expect(cardIds(slow.doc)).toEqual(['a1', 'a2', 'a4']);
    // And it is sent each update again.
    ana.addCard('a5', { kind: 'note', text: 'x', authorId: 'p1', x: 5, y: 0 });
    await board.flushed();
    expect(received).toHaveLength(3);
    expect(slow.cards.has('a5')).toBe(true);
  });

  it('lets a joining reader take in a board bigger than the backlog limit', async () => {
    const board = await room(new FakeStorage(), running, { maxBacklogBytes: 100 });
    const ana = join(board, participant('p1'));
    for (let i = 0; i < 20; i++)
      ana.addCard(`a${i}`, { kind: 'note', text: 'x'.repeat(50), authorId: 'p1', x: i, y: 0 });
    await board.flushed();
    const newcomer = join(board, participant('p2'));
    // Its sync step 2 (over 1,000 bytes) is still unread when the next update comes.
    newcomer.socket.backlog = 1000;
    ana.addCard('late', { kind: 'note', text: 'z', authorId: 'p1', x: 0, y: 1 });
    await board.flushed();
    expect(newcomer.socket.closed).toBeNull();
    expect(newcomer.cards.has('late')).toBe(true);
  });

  it('closes writers with 4429 while the bytes waiting for storage are over the limit', async () => {
    const storage = new FakeStorage();
    const board = await room(storage, running, { maxPendingBytes: 2500 });
    const ana = join(board, participant('p1'));
    storage.hold();
    for (let i = 0; i < 5; i++)
      ana.addCard(`a${i}`, { kind: 'note', text: 'x'.repeat(1000), authorId: 'p1', x: i, y: 0 });
    expect(ana.socket.closed).toMatchObject({ code: CloseCode.rateLimited, reason: expect.stringMatching(/busy/) });
    storage.release();
    await board.flushed();
    // What was accepted before the limit (two cards of ~1,100 bytes) is stored and shown, nothing after it.
    expect(cardIds(board.doc)).toEqual(['a0', 'a1']);
  });

  it('stops reading writers while storage is behind, and reads them again once it has caught up', async () => {
    const storage = new FakeStorage();
    const board = await room(storage, running, { pauseAtPending: 4 });
    const ana = join(board, participant('p1'));
    const bo = join(board, participant('p2'));
    const reader = join(board, analyst);
    storage.hold();
    ana.addCard('a0', { kind: 'note', text: 'x', authorId: 'p1', x: 0, y: 0 });
    expect(ana.socket.paused).toBe(false);
    for (let i = 1; i < 3; i++) ana.addCard(`a${i}`, { kind: 'note', text: 'x', authorId: 'p1', x: i, y: 0 });
    // a0, Ana's writer record, a1, a2: four waiting, the mark. Only who wrote is paused.
    expect(ana.socket.paused).toBe(true);
    expect([bo.socket.paused, reader.socket.paused]).toEqual([false, false]);
    expect(ana.socket.closed).toBeNull();
    storage.release();
    await board.flushed();
    expect(ana.socket.paused).toBe(false);
    expect(cardIds(reader.doc)).toEqual(['a0', 'a1', 'a2']);
  });

  it('drops cursor messages past a connection’s presence budget', async () => {
    const rates = { ...defaultRateLimits, presencePerSecond: 1, presenceBurst: 2 };
    const board = await room(new FakeStorage(), running, { rates });
    const ana = join(board, participant('p1'));
    for (let x = 0; x < 10; x++) {
      ana.awareness.setLocalStateField('cursor', { x, y: 0 });
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 1);
      encoding.writeVarUint8Array(
        encoder,
        awarenessProtocol.encodeAwarenessUpdate(ana.awareness, [ana.awareness.clientID]),
      );
      ana.socket.deliver(encoding.toUint8Array(encoder));
    }
    expect(ana.socket.closed).toBeNull();
    expect(board.awareness.getStates().get(ana.awareness.clientID)).toMatchObject({ cursor: { x: 1 } });
  });

  it('folds the stored updates into a snapshot once enough have piled up', async () => {
    const storage = new FakeStorage();
    const board = await room(storage, running, { compactEvery: 3 });
    const ana = join(board, participant('p1'));
    for (const id of ['a', 'b', 'c']) ana.addCard(id, { kind: 'note', text: id, authorId: 'p1', x: 0, y: 0 });
    await board.flushed();
    await new Promise((resolve) => setImmediate(resolve));
    expect(storage.compactions).toBe(1);
  });

  it('folds a busy board at most every foldGapMs, then what piled up meanwhile', async () => {
    const storage = new FakeStorage();
    const board = await room(storage, running, { compactEvery: 3, foldGapMs: 300 });
    const ana = join(board, participant('p1'));
    const add = async (ids: string[]) => {
      for (const id of ids) ana.addCard(id, { kind: 'note', text: id, authorId: 'p1', x: 0, y: 0 });
      await board.flushed();
      await new Promise((resolve) => setImmediate(resolve));
    };
    await add(['a', 'b', 'c']);
    expect(storage.compactions).toBe(1);
    await add(['d', 'e', 'f', 'g']);
    expect(storage.compactions).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(storage.compactions).toBe(2);
    // Unloading folds at once, whatever the gap.
    await add(['h']);
    await board.compact(true);
    expect(storage.compactions).toBe(3);
  });
});

describe('wsBoardSocket', () => {
  /** Enough of a `ws` socket for the adapter. */
  class FakeWs extends EventEmitter {
    readonly OPEN = 1;
    readyState = 1;
    readonly sent: Uint8Array[] = [];
    closed: { code: number; reason: string } | null = null;
    send(data: Uint8Array, callback: (err?: Error) => void): void {
      this.sent.push(data);
      callback();
    }
    close(code: number, reason: string): void {
      this.closed = { code, reason };
      this.readyState = 3;
      this.emit('close');
    }
    terminate(): void {
      this.close(1006, '');
    }
  }

  it('holds messages that arrive before the room listens, and delivers them in order', () => {
    const ws = new FakeWs();
    const socket = wsBoardSocket(ws as unknown as WebSocket);
    ws.emit('message', Buffer.from([1]), true);
    ws.emit('message', Buffer.from([2]), true);
    const seen: number[] = [];
    socket.onMessage((m) => seen.push(m[0] as number));
    ws.emit('message', Buffer.from([3]), true);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('closes on a text frame and cuts close reasons to 123 bytes', () => {
    const ws = new FakeWs();
    const socket = wsBoardSocket(ws as unknown as WebSocket);
    ws.emit('message', Buffer.from('hello'), false);
    expect(ws.closed?.code).toBe(CloseCode.badRequest);
    const other = new FakeWs();
    wsBoardSocket(other as unknown as WebSocket).close(CloseCode.forbidden, 'é'.repeat(100));
    expect(Buffer.byteLength(other.closed?.reason ?? '')).toBeLessThanOrEqual(123);
    expect(socket.isOpen).toBe(false);
  });
});

// Keeps the state type honest: the room follows exactly these three fields.
const _state: BoardSessionState = { segment: 1, status: 'paused', boardLocked: true } satisfies Pick<
  SessionState,
  'segment' | 'status' | 'boardLocked'
>;
void _state;
