/**
 * The `control` part of `pnpm bench board`: how long a moderator's action (pause/resume over
 * socket.io) takes to reach every one of 200 participants' sockets, Calma (which persists the new
 * state before broadcasting it) against a plain socket.io server that only broadcasts: the floor
 * any socket.io fan-out pays on this machine. Interleaved like the board runs.
 */
import { fileURLToPath } from 'node:url';
import type { ThrowawayPostgres } from '@calma/db/testing';
import { io, type Socket } from 'socket.io-client';
import { notMeasuredOnFailure, percentile, Results } from './report.js';
import { startServerProcess } from './server-process.js';
import { rotated, startBoardServer } from './servers.js';

export const controlColumns = ['calma-pglite', 'calma-postgres', 'socket.io'] as const;
export type ControlColumn = (typeof controlColumns)[number];
export const controlTitles: Record<ControlColumn, string> = {
  'calma-pglite': 'Calma PGlite',
  'calma-postgres': 'Calma PG',
  'socket.io': 'raw socket.io',
};

/** A connected audience: every socket, the one that acts, and how it acts. */
interface Audience {
  readonly sockets: readonly Socket[];
  readonly stateEvent: string;
  act(i: number): Promise<unknown>;
  close(): Promise<void>;
}

function connect(url: string, token: string | null): Promise<Socket> {
  const socket = io(url, {
    ...(token ? { auth: { token } } : {}),
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Connects `tokens` in batches, each socket then sending `join` and waiting for its ack. */
async function connectAll(url: string, tokens: readonly (string | null)[], join: (socket: Socket) => Promise<unknown>) {
  const sockets: Socket[] = [];
  for (let start = 0; start < tokens.length; start += 25) {
    const batch = await Promise.all(tokens.slice(start, start + 25).map((token) => connect(url, token)));
    await Promise.all(batch.map(join));
    sockets.push(...batch);
  }
  return sockets;
}

const ack = (socket: Socket, event: string, payload?: unknown) =>
  new Promise((resolve) =>
    payload === undefined ? socket.emit(event, resolve) : socket.emit(event, payload, resolve),
  );

async function calmaAudience(
  kind: 'calma-pglite' | 'calma-postgres',
  people: number,
  postgres: ThrowawayPostgres | null,
) {
  const server = await startBoardServer(kind, { rooms: 1, people, postgres });
  const room = server.rooms[0]?.calma;
  if (!room) throw new Error('Calma started without its session');
  const sessionId = room.sessionId;
  const sockets = await connectAll(server.httpUrl, [room.moderatorToken, ...room.participantTokens], (socket) =>
    ack(socket, 'session:join', { sessionId }),
  );
  const moderator = sockets[0] as Socket;
  return {
    sockets,
    stateEvent: 'session:state',
    act: (i: number) => ack(moderator, 'session:control', { sessionId, action: i % 2 === 0 ? 'pause' : 'resume' }),
    async close() {
      for (const socket of sockets) socket.close();
      await server.stop();
    },
  } satisfies Audience;
}

async function rawAudience(people: number): Promise<Audience> {
  const script = fileURLToPath(new URL('./peers/socket-io.mjs', import.meta.url));
  const child = await startServerProcess<{ port: number }>(script, [], 'socket.io', 30_000);
  const url = `http://127.0.0.1:${child.ready.port}`;
  const sockets = await connectAll(
    url,
    Array.from({ length: people + 1 }, () => null),
    (socket) => ack(socket, 'join'),
  );
  const moderator = sockets[0] as Socket;
  return {
    sockets,
    stateEvent: 'state',
    act: (i: number) => ack(moderator, 'control', i % 2 === 0 ? 'pause' : 'resume'),
    async close() {
      for (const socket of sockets) socket.close();
      await child.stop();
    },
  };
}

/** Times `actions` actions, one at a time, from the send to each socket's receipt of the state. */
async function timeActions(audience: Audience, actions: number): Promise<Float64Array> {
  const latencies: number[] = [];
  let sentAt = 0;
  let pending = 0;
  let roundDone = () => {};
  for (const socket of audience.sockets) {
    socket.on(audience.stateEvent, () => {
      latencies.push(performance.now() - sentAt);
      pending -= 1;
      if (pending === 0) roundDone();
    });
  }
  // A few unmeasured actions first: the first ones pay for compilation and cold caches.
  for (let i = 0; i < actions + 5; i++) {
    if (i === 5) latencies.length = 0;
    pending = audience.sockets.length;
    const round = new Promise<void>((resolve) => {
      roundDone = resolve;
    });
    sentAt = performance.now();
    await audience.act(i);
    await Promise.race([round, new Promise((resolve) => setTimeout(resolve, 5000))]);
  }
  return Float64Array.from(latencies).sort();
}

/** Runs the control comparison `repeat` times on `columns`; adds p50/p99 to `results`. */
export async function runControl(
  columns: readonly ControlColumn[],
  repeat: number,
  people: number,
  actions: number,
  postgres: ThrowawayPostgres | null,
  log: (line: string) => void,
): Promise<Results<ControlColumn>> {
  const results = new Results<ControlColumn>();
  for (let repetition = 0; repetition < repeat; repetition++) {
    for (const column of rotated(columns, repetition)) {
      log(
        `control ${repetition + 1}/${repeat}: ${controlTitles[column]}, ${people} participants + moderator, ${actions} actions …`,
      );
      await notMeasuredOnFailure(async () => {
        const audience =
          column === 'socket.io' ? await rawAudience(people) : await calmaAudience(column, people, postgres);
        try {
          const sorted = await timeActions(audience, actions);
          results.add('control.p50', column, percentile(sorted, 0.5));
          results.add('control.p99', column, percentile(sorted, 0.99));
          log(
            `    p50 ${percentile(sorted, 0.5).toFixed(1)} · p99 ${percentile(sorted, 0.99).toFixed(1)} ms (n=${sorted.length})`,
          );
        } finally {
          await audience.close();
        }
      });
    }
  }
  return results;
}

export const controlMetrics = [
  { key: 'control.p50', label: 'action → every client, p50 (ms)', digits: 1 },
  { key: 'control.p99', label: 'action → every client, p99 (ms)', digits: 1 },
];
