import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the bundled server, as `pnpm start` runs it. */
export const root = fileURLToPath(new URL('../..', import.meta.url));
export const mainJs = join(root, 'apps/server/dist/main.js');
/** The admin token child servers are started with. */
export const adminToken = 'test-admin-token-0123456789abcdef';

const buildLock = join(root, 'apps/server/.test-build-lock');
const builtStamp = join(root, 'apps/server/dist/.test-built-by');
/** A lock left by a killed run is taken over after this long. */
const staleLockMs = 120_000;

/**
 * Bundles the server from the current sources, once per test run: the test files of one run
 * (worker processes of one vitest process, so one parent pid) share the first build. Two files
 * building at once removed each other's copy of the model and rewrote main.js under a server that
 * was starting; a lock makes them wait for each other, and later ones find the run's build done.
 */
export function buildServer(): { status: number | null; stderr: string } {
  const run = String(process.ppid);
  const wait = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(buildLock);
      break;
    } catch {
      if (existsSync(buildLock) && Date.now() - statSync(buildLock).mtimeMs > staleLockMs)
        rmSync(buildLock, { recursive: true, force: true });
      Atomics.wait(wait, 0, 0, 100);
    }
  }
  try {
    if (existsSync(builtStamp) && readFileSync(builtStamp, 'utf8') === run) return { status: 0, stderr: '' };
    const built = spawnSync(process.execPath, ['apps/server/scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
    if (built.status === 0) writeFileSync(builtStamp, run);
    return built;
  } finally {
    rmSync(buildLock, { recursive: true, force: true });
  }
}

/** A child server process and the URL it printed. */
export interface Running {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
}

/** Starts the built server with `env` on a free port; resolves once it prints its URL. */
export function startServer(env: Record<string, string>): Promise<Running> {
  // `BENCH_NODE_ARGS`: extra Node flags for the server, to profile it (`--cpu-prof --cpu-prof-dir=…`).
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, mainJs], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CALMA_LOG_LEVEL: 'warn', ...env },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^Calma listening on (http:\/\/\S+)$/m.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
}

/** Sends `signal` and resolves with the exit code (null when killed by a signal). */
export function stop(server: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    server.child.removeAllListeners('exit');
    server.child.on('exit', (code) => resolve(code));
    server.child.kill(signal);
  });
}

/** A JSON request to a child server, as the admin unless `init.headers` says otherwise. */
export const api = async (server: Running, path: string, init: RequestInit = {}) => {
  const res = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...init.headers },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
