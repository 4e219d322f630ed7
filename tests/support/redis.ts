import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@calma/db/testing';

/** A Redis server started for a test, and how to stop or restart it. */
export interface ThrowawayRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The running server's process id (0 while it is down), to read its CPU time. */
  readonly pid: number;
  /** Stops it (SIGKILL: nothing to save) and waits until it is gone. */
  stop(): Promise<void>;
  /** Stops it and starts a new, empty one on the same port (a Redis restart without persistence). */
  restart(): Promise<void>;
  /** Kills it, keeping the port for {@link up} (an outage). */
  down(): Promise<void>;
  /** Starts a new, empty one on the same port after {@link down}. */
  up(): Promise<void>;
}

const redisServer = '/usr/bin/redis-server';

/** Resolves once something accepts TCP connections on `port`. */
async function listening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Starts Debian's `redis-server` (the `redis-server` package) on a free loopback port in a
 * temporary directory, without persistence (`--save '' --appendonly no`): a restart comes back
 * empty, the hardest case for the nodes that use it.
 */
export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  if (!existsSync(redisServer)) {
    throw new Error(`${redisServer} is missing: install Debian's "redis-server" package`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'calma-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  let log = '';

  const launch = async () => {
    const started = spawn(
      redisServer,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    started.stdout?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
    });
    started.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
    });
    child = started;
    try {
      await listening(port, 10_000);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${log}`);
    }
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid ?? 0;
    },
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await kill();
      await launch();
    },
    down: kill,
    up: launch,
  };
}
