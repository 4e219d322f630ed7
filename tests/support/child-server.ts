import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the bundled server, as `pnpm start` runs it. */
export const root = fileURLToPath(new URL('../..', import.meta.url));
export const mainJs = join(root, 'apps/server/dist/main.js');
/** The admin token child servers are started with. */
export const adminToken = 'test-admin-token-0123456789abcdef';

/** Bundles the server from the current sources (well under a second). */
export function buildServer(): { status: number | null; stderr: string } {
  return spawnSync(process.execPath, ['apps/server/scripts/build.mjs'], { cwd: root, encoding: 'utf8' });
}

/** A child server process and the URL it printed. */
export interface Running {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
}

/** Starts the built server with `env` on a free port; resolves once it prints its URL. */
export function startServer(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [mainJs], {
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
