/**
 * The busy-afternoon part of `pnpm bench cluster`: many sessions at once, their people spread over
 * the nodes (person i of a session on node i mod nodes), each moving their own card (and cursor)
 * every few seconds. Every move is stamped when sent and when each peer first shows it, and the
 * latency goes to the same-node or the cross-node pile depending on where the peer is connected.
 * All clients live in this process, so sends and receipts share one `performance.now()` clock.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import type { CalmaRoom } from '../board/calma-setup.js';
import { type BoardClient, connectClient } from '../board/clients.js';
import { cpuSeconds, residentMb, sampleResidentPeak } from '../board/server-process.js';
import { sleep } from '../support.js';
import type { Cluster } from './nodes.js';

/** How long and how hard to drive the sessions. */
export interface MoveOptions {
  readonly moveSeconds: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** After the last move, how long a peer may take before a move it lacks counts as lost. */
  readonly drainMs: number;
  readonly log: (line: string) => void;
}

/** What one run measured; latencies are sorted. */
export interface MoveResult {
  readonly sameNodeMs: Float64Array;
  readonly crossNodeMs: Float64Array;
  /** (peer, move) pairs of the measured window that never showed, per kind of peer. */
  readonly lostSameNode: number;
  readonly lostCrossNode: number;
  readonly expected: number;
  readonly movesPerSecond: number;
  /** Share of (client, peer) pairs whose cursor shows where the peer last put it, after the drain. */
  readonly cursorsRightPercent: number;
  /** All nodes' CPU together and Redis's, over the window, as a share of one core. */
  readonly nodesCpuPercent: number;
  readonly redisCpuPercent: number;
  /** The highest resident memory any node reached in the window. */
  readonly nodePeakRssMb: number;
  /** This process's CPU over the window: near 100 the clients, not the servers, set the pace. */
  readonly benchCpuPercent: number;
  /** This process's event-loop delay over the window (p99 and max, ms): a late loop stamps receipts late. */
  readonly benchLoopP99Ms: number;
  readonly benchLoopMaxMs: number;
}

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

/** Connects everyone, 25 at a time; each creates their card once synced. */
async function connectAll(cluster: Cluster, rooms: readonly CalmaRoom[], people: Person[][], log: MoveOptions['log']) {
  const nodes = cluster.nodes.length;
  const everyone = rooms.flatMap((room, r) => room.participantTokens.map((token, i) => ({ room, r, token, i })));
  for (let start = 0; start < everyone.length; start += 25) {
    const batch = everyone.slice(start, start + 25);
    const clients = batch.map(({ room, token, i }) =>
      connectClient(
        { type: 'y-websocket', url: cluster.nodes[i % nodes]?.boardUrl ?? '', room: room.sessionId, params: { token } },
        { presence: true },
      ),
    );
    await Promise.all(clients.map((c) => c.synced));
    batch.forEach(({ room, r, i }, b) => {
      const client = clients[b] as BoardClient;
      const card = new Y.Map<unknown>();
      client.doc.transact(() => {
        client.doc.getMap<Y.Map<unknown>>('cards').set(cardKey(i), card);
        const fields = { kind: 'note', text: `idea ${i}`, x: -1, y: 0, authorId: room.participantIds[i] ?? '' };
        for (const [key, value] of Object.entries(fields)) card.set(key, value);
      });
      const person: Person = {
        client,
        card,
        node: i % nodes,
        sentAt: [],
        firstMeasured: Number.POSITIVE_INFINITY,
        endMeasured: Number.POSITIVE_INFINITY,
        highest: new Int32Array(room.participantTokens.length).fill(-1),
        cursor: -1,
      };
      const crowd = people[r] ?? [];
      people[r] = crowd;
      crowd.push(person);
    });
  }
  log(`    ${everyone.length} board clients connected over ${nodes} node(s)`);
}

/** Polls `done` every 20 ms until it holds or `ms` have passed; says which. */
async function until(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Runs the sessions of `rooms` on `cluster`; closes every client before it returns. */
export async function runMoves(
  cluster: Cluster,
  rooms: readonly CalmaRoom[],
  options: MoveOptions,
): Promise<MoveResult> {
  const people: Person[][] = [];
  const same: number[] = [];
  const cross: number[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    await connectAll(cluster, rooms, people, options.log);
    const everyCard = () =>
      people.filter((room) => room.every((p) => room.every((_, i) => p.client.doc.getMap('cards').has(cardKey(i)))));
    if (!(await until(() => everyCard().length === people.length, 10_000))) {
      options.log(
        `    only ${everyCard().length}/${people.length} boards show every card everywhere; what they miss counts as lost`,
      );
    }
    // Receipts: a peer showing x = s on a person's card holds every earlier move of theirs too.
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
    let moving = true;
    const every = options.moveSeconds * 1000;
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
    await sleep(options.warmupMs);
    const pids = cluster.nodes.map((n) => n.pid);
    const redisPid = cluster.redis?.pid ?? 0;
    const cpuOf = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    const nodesCpuStart = cpuOf();
    const redisCpuStart = redisPid ? cpuSeconds(redisPid) : 0;
    const benchCpuStart = process.cpuUsage();
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const peaks = pids.map((pid) => sampleResidentPeak(pid, 500));
    const began = performance.now();
    for (const person of people.flat()) person.firstMeasured = person.sentAt.length;
    await sleep(options.measureMs);
    for (const person of people.flat()) person.endMeasured = person.sentAt.length;
    const windowMs = performance.now() - began;
    const nodesCpu = cpuOf() - nodesCpuStart;
    const redisCpu = redisPid ? cpuSeconds(redisPid) - redisCpuStart : Number.NaN;
    const benchCpu = process.cpuUsage(benchCpuStart);
    loop.disable();
    moving = false;
    for (const timer of timers) clearTimeout(timer);
    const caughtUp = () =>
      people.every((room) =>
        room.every((reader) =>
          room.every((mover, i) => mover === reader || (reader.highest[i] ?? -1) >= mover.sentAt.length - 1),
        ),
      );
    await until(caughtUp, options.drainMs);
    const nodePeakRssMb = Math.max(...peaks.map((p) => p.stop()), ...pids.map((pid) => residentMb(pid)));

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
      sameNodeMs: Float64Array.from(same).sort(),
      crossNodeMs: Float64Array.from(cross).sort(),
      lostSameNode,
      lostCrossNode,
      expected: same.length + cross.length + lostSameNode + lostCrossNode,
      movesPerSecond: (moves * 1000) / windowMs,
      cursorsRightPercent: cursorPairs === 0 ? Number.NaN : (100 * cursorsRight) / cursorPairs,
      nodesCpuPercent: (nodesCpu * 100_000) / windowMs,
      redisCpuPercent: (redisCpu * 100_000) / windowMs,
      nodePeakRssMb,
      benchCpuPercent: ((benchCpu.user + benchCpu.system) / 1000 / windowMs) * 100,
      benchLoopP99Ms: loop.percentile(99) / 1e6,
      benchLoopMaxMs: loop.max / 1e6,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    for (const person of people.flat()) person.client.close();
  }
}
