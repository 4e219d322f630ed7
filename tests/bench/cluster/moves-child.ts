/**
 * One client process of the sessions part of `pnpm bench cluster` (forked by `moves.ts`): it holds
 * every person of the sessions it is given (person i of a session on node i mod nodes, or all of a
 * session on the node the parent names), moves their cards and cursors, and stamps receipts. A
 * session's movers and readers live in one process, so a move's send and its receipts share one
 * `performance.now()` clock. The parent says when to move, when the measured window starts and
 * ends; this process answers with what it saw.
 *
 * Messages in: `setup` (board URLs, rooms, their nodes, move interval), `move`, `measure`, `stop`
 * (drain time), `close`. Out: `ready`, `result` (see {@link ChildResult}).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import { pollUntil } from '../../support/wait.js';
import type { CalmaRoom } from '../board/calma-setup.js';
import { type BoardClient, connectClient } from '../board/clients.js';

/** What the parent sends. */
export type ToChild =
  | {
      type: 'setup';
      boardUrls: string[];
      rooms: CalmaRoom[];
      /** Per room, the node all its people connect to; none: person i of every room on node i mod nodes. */
      roomNodes: number[] | null;
      moveSeconds: number;
    }
  | { type: 'move' }
  | { type: 'measure' }
  | { type: 'stop'; drainMs: number }
  | { type: 'close' };

/** What this process saw of its sessions over the measured window. */
export interface ChildResult {
  readonly same: Float64Array;
  readonly cross: Float64Array;
  readonly lostSameNode: number;
  readonly lostCrossNode: number;
  /** Moves sent in the measured window. */
  readonly moves: number;
  readonly cursorPairs: number;
  readonly cursorsRight: number;
  /** This process's event-loop delay over the window (ms): a late loop stamps receipts late. */
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
}

/** What this process sends. */
export type FromChild =
  | { type: 'ready'; boards: number; complete: number }
  | { type: 'result'; result: ChildResult }
  | { type: 'failed'; message: string };

interface Person {
  readonly client: BoardClient;
  readonly card: Y.Map<unknown>;
  readonly node: number;
  /** When each of this person's moves was sent (move `seq` sets the card's `x` to `seq`). */
  readonly sentAt: number[];
  /** Moves in [firstMeasured, endMeasured) count. */
  firstMeasured: number;
  endMeasured: number;
  /** Per person of the room, the highest move of theirs this client shows (-1: none). */
  readonly highest: Int32Array;
  cursor: number;
}

const cardKey = (i: number) => `card-${i}`;
const send = (message: FromChild) => process.send?.(message);

const people: Person[][] = [];
const same: number[] = [];
const cross: number[] = [];
const timers: NodeJS.Timeout[] = [];
let moving = false;
let moveSeconds = 2;
const loop = monitorEventLoopDelay({ resolution: 5 });

/** Connects everyone, 25 at a time; each creates their card once synced. */
async function connectAll(
  boardUrls: readonly string[],
  rooms: readonly CalmaRoom[],
  roomNodes: readonly number[] | null,
): Promise<void> {
  const nodes = boardUrls.length;
  const everyone = rooms.flatMap((room, r) =>
    room.participantTokens.map((token, i) => ({ room, r, token, i, node: (roomNodes?.[r] ?? i) % nodes })),
  );
  for (let start = 0; start < everyone.length; start += 25) {
    const batch = everyone.slice(start, start + 25);
    const clients = batch.map(({ room, token, node }) =>
      connectClient(
        { type: 'y-websocket', url: boardUrls[node] ?? '', room: room.sessionId, params: { token } },
        { presence: true },
      ),
    );
    await Promise.all(clients.map((c) => c.synced));
    batch.forEach(({ room, r, i, node }, b) => {
      const client = clients[b] as BoardClient;
      const card = new Y.Map<unknown>();
      client.doc.transact(() => {
        client.doc.getMap<Y.Map<unknown>>('cards').set(cardKey(i), card);
        const fields = { kind: 'note', text: `idea ${i}`, x: -1, y: 0, authorId: room.participantIds[i] ?? '' };
        for (const [key, value] of Object.entries(fields)) card.set(key, value);
      });
      const crowd = people[r] ?? [];
      people[r] = crowd;
      crowd.push({
        client,
        card,
        node,
        sentAt: [],
        firstMeasured: Number.POSITIVE_INFINITY,
        endMeasured: Number.POSITIVE_INFINITY,
        highest: new Int32Array(room.participantTokens.length).fill(-1),
        cursor: -1,
      });
    });
  }
}

/** Receipts: a peer showing x = s on a person's card holds every earlier move of theirs too. */
function stampReceipts(): void {
  for (const room of people) {
    for (const reader of room) {
      const cards = reader.client.doc.getMap<Y.Map<unknown>>('cards');
      cards.observeDeep((events) => {
        const now = performance.now();
        for (const event of events) {
          const keys = event.path.length > 0 ? [String(event.path[0])] : [...event.changes.keys.keys()];
          for (const key of keys) {
            const i = Number(key.slice(5));
            const mover = room[i];
            if (!mover || mover === reader) continue;
            const x = cards.get(key)?.get('x');
            const last = reader.highest[i] ?? -1;
            if (typeof x !== 'number' || x <= last) continue;
            for (let seq = last + 1; seq <= x; seq++) {
              if (seq < mover.firstMeasured || seq >= mover.endMeasured) continue;
              (mover.node === reader.node ? same : cross).push(now - (mover.sentAt[seq] ?? now));
            }
            reader.highest[i] = x;
          }
        }
      });
    }
  }
}

function startMoving(): void {
  moving = true;
  const every = moveSeconds * 1000;
  for (const person of people.flat()) {
    const move = () => {
      if (!moving) return;
      const seq = person.sentAt.length;
      const y = Math.round(Math.random() * 700);
      person.sentAt.push(performance.now());
      person.client.doc.transact(() => {
        person.card.set('x', seq);
        person.card.set('y', y);
      });
      person.cursor = seq;
      person.client.awareness.setLocalStateField('cursor', { x: seq, y });
      // Each step between half and one and a half intervals, as people do.
      timers.push(setTimeout(move, every * (0.5 + Math.random())));
    };
    timers.push(setTimeout(move, Math.random() * every));
  }
}

/** Stops moving, waits until every peer shows every move (or `drainMs`), and counts. */
async function finish(drainMs: number): Promise<ChildResult> {
  for (const person of people.flat()) person.endMeasured = person.sentAt.length;
  loop.disable();
  moving = false;
  for (const timer of timers) clearTimeout(timer);
  const caughtUp = () =>
    people.every((room) =>
      room.every((reader) =>
        room.every((mover, i) => mover === reader || (reader.highest[i] ?? -1) >= mover.sentAt.length - 1),
      ),
    );
  await pollUntil(caughtUp, drainMs, 20);
  let lostSameNode = 0;
  let lostCrossNode = 0;
  let moves = 0;
  let cursorPairs = 0;
  let cursorsRight = 0;
  for (const room of people) {
    for (const mover of room) moves += mover.endMeasured - mover.firstMeasured;
    for (const reader of room) {
      const states = reader.client.awareness.getStates();
      room.forEach((mover, i) => {
        if (mover === reader) return;
        const seen = reader.highest[i] ?? -1;
        const missing = Math.max(0, mover.endMeasured - Math.max(seen + 1, mover.firstMeasured));
        if (mover.node === reader.node) lostSameNode += missing;
        else lostCrossNode += missing;
        cursorPairs += 1;
        const cursor = (states.get(mover.client.doc.clientID) as { cursor?: { x?: number } } | undefined)?.cursor;
        if (cursor?.x === mover.cursor) cursorsRight += 1;
      });
    }
  }
  return {
    same: Float64Array.from(same),
    cross: Float64Array.from(cross),
    lostSameNode,
    lostCrossNode,
    moves,
    cursorPairs,
    cursorsRight,
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
  };
}

async function handle(message: ToChild): Promise<void> {
  switch (message.type) {
    case 'setup': {
      moveSeconds = message.moveSeconds;
      await connectAll(message.boardUrls, message.rooms, message.roomNodes);
      const everyCard = () =>
        people.filter((room) => room.every((p) => room.every((_, i) => p.client.doc.getMap('cards').has(cardKey(i)))));
      await pollUntil(() => everyCard().length === people.length, 10_000, 20);
      stampReceipts();
      send({ type: 'ready', boards: people.length, complete: everyCard().length });
      return;
    }
    case 'move':
      startMoving();
      return;
    case 'measure':
      for (const person of people.flat()) person.firstMeasured = person.sentAt.length;
      loop.enable();
      return;
    case 'stop':
      send({ type: 'result', result: await finish(message.drainMs) });
      return;
    case 'close':
      // Closing the channel closes the clients (below).
      process.disconnect?.();
      return;
  }
}

process.on('message', (message: ToChild) => {
  handle(message).catch((err: unknown) => {
    send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  });
});
// The parent gone, nothing is left to do.
process.on('disconnect', () => {
  moving = false;
  for (const timer of timers) clearTimeout(timer);
  for (const person of people.flat()) person.client.close();
  setTimeout(() => process.exit(0), 100).unref();
});
