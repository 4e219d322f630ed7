/**
 * The servers the board benches compare, each started in its own child process so that its CPU and
 * memory are its own: Calma (the built bundle, `apps/server/dist/main.js`, as `npm start` runs it)
 * on PGlite and on a throwaway PostgreSQL, a stock Hocuspocus 4 and the reference y-websocket
 * server (both in memory). Each comes back with `rooms` documents and `people` clients' targets.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb } from '@calma/db';
import { freePort, type ThrowawayPostgres } from '@calma/db/testing';
import { adminToken, type Running, startServer, stop } from '../../support/child-server.js';
import { sleep } from '../support.js';
import { type CalmaRoom, setupCalmaRooms } from './calma-setup.js';
import type { BoardTarget } from './clients.js';
import { choiceFromEnv } from './options.js';
import { percentile } from './report.js';
import { residentMb, startServerProcess } from './server-process.js';

/** The servers compared, in the order their columns appear; Hocuspocus is the reference of every ratio. */
export const serverKinds = ['calma-pglite', 'calma-postgres', 'hocuspocus', 'y-websocket'] as const;
export type ServerKind = (typeof serverKinds)[number];

/**
 * How Calma's clients behave: as its web app's (`web`, the default: y-websocket sending only its
 * own presence) or as stock y-websocket (`stock`: every presence change it receives goes back to
 * the server too, N − 1 frames per cursor move on a board of N people). `BENCH_CALMA_CLIENT`.
 */
export const calmaClient = choiceFromEnv('BENCH_CALMA_CLIENT', ['web', 'stock']);

/** A column's title. */
export const serverTitles: Record<ServerKind, string> = {
  'calma-pglite': 'Calma PGlite',
  'calma-postgres': 'Calma PG',
  hocuspocus: 'Hocuspocus 4',
  'y-websocket': 'y-websocket',
};

/** One shared document and the connection each of its people uses. */
export interface BoardRoom {
  readonly targets: readonly BoardTarget[];
  /** Per target, the id its cards carry as `authorId` (Calma checks it). */
  readonly authorIds: readonly string[];
  /** Calma only: the session behind the board, for control sockets. */
  readonly calma?: CalmaRoom;
}

/** A started server under test. */
export interface BoardServer {
  readonly kind: ServerKind;
  /** The server's process id (a new one after {@link BoardServer.crash}). */
  readonly pid: number;
  /** `http://127.0.0.1:<port>` */
  readonly httpUrl: string;
  readonly rooms: readonly BoardRoom[];
  /** Milliseconds from spawning the process until it listened. */
  readonly startMs: number;
  /** Resident memory a second after it was ready (Calma: its embedding model loaded), before any setup or client. */
  readonly idleRssMb: number;
  /**
   * Calma only: kills the server with SIGKILL and starts it again on the same data and port,
   * resolving once it serves; what it acknowledged before must still be there.
   */
  readonly crash?: () => Promise<void>;
  /**
   * Calma on PostgreSQL only: the median round trip of a one-row `INSERT … RETURNING` from this
   * process to the server's database, through the path the server's board appends take (a named
   * statement on a kept connection). Every update waits for one before it is broadcast, so it is
   * a floor under the fan-out latency that Hocuspocus, in memory, does not have.
   */
  readonly roundTripMs?: () => Promise<number>;
  stop(): Promise<void>;
}

/** What starting a server needs: the room layout, and for Calma on PostgreSQL the throwaway server. */
export interface StartOptions {
  readonly rooms: number;
  readonly people: number;
  readonly postgres: ThrowawayPostgres | null;
}

const peerScript = (name: string) => fileURLToPath(new URL(`./peers/${name}.mjs`, import.meta.url));

/** Runs a SQL statement on the throwaway server with Debian's `psql`. */
function psql(postgres: ThrowawayPostgres, sql: string): void {
  const bin = ['/usr/lib/postgresql/15/bin/psql', 'psql'].find(
    (p) => spawnSync(p, ['--version'], { encoding: 'utf8' }).status === 0,
  );
  const result = spawnSync(bin ?? 'psql', [postgres.url, '-q', '-c', sql], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`psql ${sql}: ${result.stderr}`);
}

let databases = 0;

/** Resident memory of `pid` once it has settled for a second. */
async function settledRssMb(pid: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return residentMb(pid);
}

/** Polls until `output` shows the line Calma prints once its embedding model has loaded. */
async function embeddingsLoaded(server: Running, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!/^Embeddings: /m.test(server.output()) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function startCalma(kind: ServerKind, options: StartOptions): Promise<BoardServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-bench-board-'));
  let databaseUrl: string | null = null;
  let database = '';
  if (kind === 'calma-postgres') {
    if (!options.postgres) throw new Error('Calma on PostgreSQL needs the throwaway server');
    databases += 1;
    database = `bench_${process.pid}_${databases}`;
    psql(options.postgres, `CREATE DATABASE ${database}`);
    const url = new URL(options.postgres.url);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
  }
  // A fixed port, so that clients' URLs still hold after a crash and restart.
  const env = {
    PORT: String(await freePort()),
    ...benchNodeEnv(dataDir),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  const began = performance.now();
  let server = await startServer(env);
  const startMs = performance.now() - began;
  // The embedding model loads after the server listens: wait for it, so that its CPU and memory
  // are not counted as the board's.
  await embeddingsLoaded(server, 60_000);
  const idleRssMb = await settledRssMb(server.child.pid ?? 0).catch(() => {
    throw new Error(`Calma exited after it listened:\n${server.output()}`);
  });
  const cleanUp = async () => {
    // A server still working through a backlog gets 20 s to close cleanly, then is killed.
    const killer = setTimeout(() => server.child.kill('SIGKILL'), 20_000);
    await stop(server);
    clearTimeout(killer);
    rmSync(dataDir, { recursive: true, force: true });
    if (options.postgres && database) psql(options.postgres, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  };
  try {
    const calmaRooms = await setupCalmaRooms(server, options.rooms, options.people);
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/yjs`;
    const rooms = calmaRooms.map(
      (room): BoardRoom => ({
        targets: room.participantTokens.map((token) => ({
          type: 'y-websocket',
          url: wsUrl,
          room: room.sessionId,
          params: { token },
          ownPresenceOnly: calmaClient === 'web',
        })),
        authorIds: room.participantIds,
        calma: room,
      }),
    );
    return {
      kind,
      get pid() {
        return server.child.pid ?? 0;
      },
      httpUrl: server.url,
      rooms,
      startMs,
      idleRssMb,
      async crash() {
        await stop(server, 'SIGKILL');
        server = await startServer(env);
      },
      ...(databaseUrl ? { roundTripMs: () => insertRoundTripMs(databaseUrl as string) } : {}),
      stop: cleanUp,
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

/** Median of `count` one-row inserts into a scratch table, `gapMs` apart (the table is dropped after). */
async function insertRoundTripMs(url: string, count = 200, gapMs = 5): Promise<number> {
  const db = await createDb({ url, poolSize: 2 });
  const table = `bench_round_trip_${process.pid}`;
  try {
    await db.query(
      `CREATE TABLE ${table} (seq bigserial PRIMARY KEY, session_id uuid NOT NULL, update bytea NOT NULL)`,
      [],
    );
    const sessionId = randomUUID();
    const update = new Uint8Array(40);
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      await sleep(gapMs);
      const began = performance.now();
      await db.query(`INSERT INTO ${table} (session_id, update) VALUES ($1, $2) RETURNING seq`, [sessionId, update]);
      times.push(performance.now() - began);
    }
    return percentile(Float64Array.from(times).sort(), 0.5);
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${table}`, []).catch(() => undefined);
    await db.close();
  }
}

async function startPeer(kind: 'hocuspocus' | 'y-websocket', options: StartOptions): Promise<BoardServer> {
  const began = performance.now();
  const child = await startServerProcess<{ port: number }>(peerScript(kind), [], kind, 30_000);
  const startMs = performance.now() - began;
  const idleRssMb = await settledRssMb(child.pid);
  const url = `ws://127.0.0.1:${child.ready.port}`;
  const rooms = Array.from({ length: options.rooms }, (_, r): BoardRoom => {
    const name = `board-${r}`;
    const target: BoardTarget =
      kind === 'hocuspocus'
        ? { type: 'hocuspocus', url, documentName: name }
        : { type: 'y-websocket', url, room: name, params: {} };
    const targets = Array.from({ length: options.people }, () => target);
    return { targets, authorIds: targets.map((_, i) => `bench-writer-${i}`) };
  });
  return {
    kind,
    pid: child.pid,
    httpUrl: `http://127.0.0.1:${child.ready.port}`,
    rooms,
    startMs,
    idleRssMb,
    stop: () => child.stop(),
  };
}

/** Starts `kind` with its rooms set up; `stop()` ends it and removes what it wrote. */
export function startBoardServer(kind: ServerKind, options: StartOptions): Promise<BoardServer> {
  return kind === 'hocuspocus' || kind === 'y-websocket' ? startPeer(kind, options) : startCalma(kind, options);
}

/** The kinds in `order` rotated by `repetition`, so that no server always runs first or last. */
export function rotated<T>(order: readonly T[], repetition: number): T[] {
  const shift = repetition % Math.max(1, order.length);
  return [...order.slice(shift), ...order.slice(0, shift)];
}

/** What every benched Calma node runs with, besides its port and database. */
export function benchNodeEnv(dataDir: string): Record<string, string> {
  return {
    CALMA_DATA_DIR: dataDir,
    CALMA_ADMIN_TOKEN: adminToken,
    CALMA_SEED_DEMO: '0',
    CALMA_WEB_DIR: '',
    // Every client connects from loopback within seconds: the per-address limits must not apply.
    CALMA_JOIN_RATE_LIMIT: '1000000',
    CALMA_MAX_SOCKETS_PER_ADDRESS: '1000000',
  };
}
