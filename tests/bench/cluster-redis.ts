/**
 * A throwaway Redis for `pnpm bench cluster` and the cluster tests: Debian's `redis-server` on a
 * free loopback port, nothing saved to disk (`--save ''`, no append-only file), so that a restart
 * comes back empty, as a Redis that lost its memory would. `stop()` and `start()` keep the port,
 * so that every node's `CALMA_REDIS_URL` stays right across a restart.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@calma/db/testing';

/** A started Redis and how to stop, start again and finally remove it. */
export interface ThrowawayRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The running server's process id (a new one after {@link ThrowawayRedis.start}); 0 while stopped. */
  readonly pid: number;
  /** Stops the server (SIGKILL with `kill`, else SIGTERM), resolving once it exited. */
  stop(kill?: boolean): Promise<void>;
  /** Starts it again on the same port, resolving once it accepts connections. */
  start(): Promise<void>;
  /** Stops it if it runs and removes its folder. */
  close(): Promise<void>;
}

const binary = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path));

/** Starts `redis-server` on `port` in `dir`; resolves once it logged that it accepts connections. */
function launch(port: number, dir: string): Promise<ChildProcess> {
  if (!binary) throw new Error('redis-server is not installed: install Debian\'s "redis-server" package');
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`redis-server not ready in 10 s:\n${output}`)), 10_000);
    function fail(err: Error) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    }
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/.test(output)) {
        clearTimeout(timer);
        // Keep draining its output, or a chatty server would block on a full pipe.
        child.stdout?.removeListener('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => fail(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts a throwaway Redis on a free port. */
export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'calma-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = await launch(port, dir);
  const stop = async (kill = false) => {
    const running = child;
    if (!running) return;
    child = null;
    running.removeAllListeners('exit');
    const done = exited(running);
    running.kill(kill ? 'SIGKILL' : 'SIGTERM');
    await done;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid ?? 0;
    },
    stop,
    async start() {
      if (child) return;
      child = await launch(port, dir);
    },
    async close() {
      await stop(true);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
