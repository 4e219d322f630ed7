/**
 * Calma as several nodes for `pnpm bench cluster`: the built bundle (`apps/server/dist/main.js`,
 * as `npm start` runs it) started `nodes` times on one fresh database of the throwaway PostgreSQL,
 * with `CALMA_REDIS_URL` pointing every node at one throwaway Redis (or without Redis: a single
 * node as today). Each node is its own child process, so that its CPU and memory are its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ThrowawayPostgres } from '@calma/db/testing';
import { type Running, startServer, stop } from '../../support/child-server.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../../support/redis.js';
import { benchNodeEnv } from '../board/servers.js';

/** One started node. */
export interface ClusterNode {
  readonly server: Running;
  readonly pid: number;
  /** `ws://127.0.0.1:<port>/yjs`, the board endpoint `WebsocketProvider` connects to. */
  readonly boardUrl: string;
}

/** Started nodes on one database, their Redis if any, and how to stop them all. */
export interface Cluster {
  readonly nodes: readonly ClusterNode[];
  readonly redis: ThrowawayRedis | null;
  stop(): Promise<void>;
}

/** Runs a SQL statement on the throwaway server with Debian's `psql`. */
function psql(postgres: ThrowawayPostgres, sql: string): void {
  const bin = ['/usr/lib/postgresql/15/bin/psql', 'psql'].find(
    (p) => spawnSync(p, ['--version'], { encoding: 'utf8' }).status === 0,
  );
  const result = spawnSync(bin ?? 'psql', [postgres.url, '-q', '-c', sql], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`psql ${sql}: ${result.stderr}`);
}

/** Polls until `server` printed the line Calma prints once its embedding model has loaded. */
async function embeddingsLoaded(server: Running, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!/^Embeddings: /m.test(server.output()) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let databases = 0;

/**
 * Starts `nodes` Calma nodes on a fresh database of `postgres`, with a fresh Redis when `redis`;
 * resolves once every node serves and has loaded its embedding model (whose CPU must not count
 * as the board's).
 */
export async function startCluster(postgres: ThrowawayPostgres, nodes: number, redis: boolean): Promise<Cluster> {
  databases += 1;
  const database = `cluster_${process.pid}_${databases}`;
  psql(postgres, `CREATE DATABASE ${database}`);
  const url = new URL(postgres.url);
  url.pathname = `/${database}`;
  const dataDirs: string[] = [];
  const started: Running[] = [];
  let store: ThrowawayRedis | null = null;
  const stopAll = async () => {
    await Promise.all(
      started.map(async (server) => {
        // A node still working through a backlog gets 20 s to close cleanly, then is killed.
        const killer = setTimeout(() => server.child.kill('SIGKILL'), 20_000);
        await stop(server);
        clearTimeout(killer);
      }),
    );
    await store?.stop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    psql(postgres, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  };
  try {
    store = redis ? await startThrowawayRedis() : null;
    for (let n = 0; n < nodes; n++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'calma-bench-cluster-'));
      dataDirs.push(dataDir);
      // One after the other: the first migrates the fresh database, the others find it done.
      const server = await startServer({
        ...benchNodeEnv(dataDir),
        DATABASE_URL: url.toString(),
        ...(store ? { CALMA_REDIS_URL: store.url } : {}),
      });
      started.push(server);
      await embeddingsLoaded(server, 60_000);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    nodes: started.map((server) => ({
      server,
      pid: server.child.pid ?? 0,
      boardUrl: `${server.url.replace(/^http/, 'ws')}/yjs`,
    })),
    redis: store,
    stop: stopAll,
  };
}
