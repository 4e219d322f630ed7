import type { Db } from '@calma/db';
import { describe, expect, it } from 'vitest';
import { BoardStore } from './store.js';

/** A driver whose statements wait until the test lets each one finish, recording what they held. */
function heldDriver(kind: Db['kind']) {
  let seq = 0;
  const statements: { rooms: string[]; finish: () => void }[] = [];
  const db = {
    kind,
    db: {} as Db['db'],
    migrate: async () => undefined,
    exclusive: (task) => task(),
    close: async () => undefined,
    query: (_text: string, params: readonly unknown[]) =>
      new Promise<Record<string, unknown>[]>((resolve) => {
        const rooms = params.filter((_, i) => i % 2 === 0) as string[];
        statements.push({ rooms, finish: () => resolve(rooms.map(() => ({ seq: ++seq }))) });
      }),
  } satisfies Db;
  return { db, statements };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const bytes = (n: number) => new Uint8Array([n]);

describe('BoardStore', () => {
  it('commits other rooms while one room’s commit is in flight, and keeps each room’s order', async () => {
    const { db, statements } = heldDriver('postgres');
    const store = new BoardStore(db);
    const order: string[] = [];
    const append = (room: string, n: number) =>
      store.append(room, bytes(n)).then((seq) => order.push(`${room}${n}@${seq}`));
    const a1 = append('a', 1);
    await tick();
    expect(statements.map((s) => s.rooms)).toEqual([['a']]);
    // a2 waits for a1's commit; b1 need not.
    const a2 = append('a', 2);
    const b1 = append('b', 1);
    await tick();
    expect(statements.map((s) => s.rooms)).toEqual([['a'], ['b']]);
    expect(store.inFlight).toBe(2);
    statements[1]?.finish();
    await b1;
    statements[0]?.finish();
    await a1;
    await tick();
    await tick();
    expect(statements.map((s) => s.rooms)).toEqual([['a'], ['b'], ['a']]);
    statements[2]?.finish();
    await Promise.all([a2, store.drain()]);
    expect(order).toEqual(['b1@1', 'a1@2', 'a2@3']);
  });

  it('on PGlite, one commit at a time takes every room that waited', async () => {
    const { db, statements } = heldDriver('pglite');
    const store = new BoardStore(db);
    const first = store.append('a', bytes(1));
    await tick();
    const rest = [store.append('a', bytes(2)), store.append('b', bytes(1)), store.append('c', bytes(1))];
    await tick();
    expect(statements.map((s) => s.rooms)).toEqual([['a']]);
    statements[0]?.finish();
    await first;
    await tick();
    await tick();
    expect(statements.map((s) => s.rooms)).toEqual([['a'], ['a', 'b', 'c']]);
    statements[1]?.finish();
    expect(await Promise.all(rest)).toEqual([2, 3, 4]);
  });

  it('starts a room’s commits at most every batchMs: its updates sooner share the next; other rooms go at once', async () => {
    const { db, statements } = heldDriver('postgres');
    const store = new BoardStore(db, { batchMs: 40 });
    const rooms = () => statements.map((s) => s.rooms);
    const first = store.append('a', bytes(1));
    await tick();
    expect(rooms()).toEqual([['a']]);
    statements[0]?.finish();
    await first;
    // Within a's window: a's next two wait for its end and go in one commit; b, quiet, goes at once.
    const soon = [store.append('a', bytes(2)), store.append('a', bytes(3))];
    const other = store.append('b', bytes(1));
    await tick();
    await tick();
    expect(rooms()).toEqual([['a'], ['b']]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(rooms()).toEqual([['a'], ['b'], ['a', 'a']]);
    statements[1]?.finish();
    statements[2]?.finish();
    expect(await Promise.all([...soon, other])).toEqual([3, 4, 2]);
    // Nothing started for a whole window: a's next update is committed in its own turn.
    await new Promise((resolve) => setTimeout(resolve, 60));
    const lone = store.append('a', bytes(4));
    await tick();
    expect(rooms()).toEqual([['a'], ['b'], ['a', 'a'], ['a']]);
    statements[3]?.finish();
    await lone;
  });

  it('commits what waits for its window at once when the server stops', async () => {
    const { db, statements } = heldDriver('pglite');
    const store = new BoardStore(db, { batchMs: 10_000 });
    const first = store.append('a', bytes(1));
    await tick();
    statements[0]?.finish();
    await first;
    const waiting = store.append('a', bytes(2));
    await tick();
    expect(statements).toHaveLength(1);
    const drained = store.drain();
    await tick();
    expect(statements.map((s) => s.rooms)).toEqual([['a'], ['a']]);
    statements[1]?.finish();
    await Promise.all([waiting, drained]);
  });
});
