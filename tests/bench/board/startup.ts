/**
 * The `startup` part of `pnpm bench board`: how long a person waits from `npm start` to a
 * healthy server on a clone that is already installed and built (the second start of the day),
 * once with a fresh data folder and once with the folder the previous start left.
 *
 * The clone is made from this checkout's HEAD (committed work only) in a temporary folder, or
 * reused from BENCH_CLONE_DIR; its first `npm start` (install and build) is preparation, not
 * measured. The reference servers' start (process start → serving) is in the board table.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@calma/db/testing';
import { root } from '../../support/child-server.js';
import { Results } from './report.js';
import { residentMb } from './server-process.js';

export const startupColumns = ['calma-pglite'] as const;
export type StartupColumn = (typeof startupColumns)[number];

export const startupMetrics = [
  { key: 'startup.fresh', label: '`npm start` → /api/health, fresh data dir (s)', digits: 1 },
  { key: 'startup.existing', label: '`npm start` → /api/health, existing data dir (s)', digits: 1 },
  { key: 'startup.rss', label: 'RSS of the server 2 s after health (MB)', digits: 0 },
];

/** `npm start` in `clone` on a free port with `dataDir`, its whole process group its own. */
async function npmStart(clone: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: clone,
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CALMA_DATA_DIR: dataDir,
      CALMA_SEED_DEMO: '0',
      CALMA_LOG_LEVEL: 'warn',
    },
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Polls `/api/health` every 50 ms; milliseconds until it answered 200, or NaN after `timeoutMs`. */
async function untilHealthy(url: string, began: number, timeoutMs: number): Promise<number> {
  while (performance.now() - began < timeoutMs) {
    const ok = await fetch(`${url}/api/health`)
      .then((res) => res.status === 200)
      .catch(() => false);
    if (ok) return performance.now() - began;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Number.NaN;
}

/**
 * The pid of the server in `group`: `node scripts/calma.mjs start`, which imports the bundle
 * (`apps/server/dist/main.js`) into its own process (looking for the bundle's path found nothing).
 */
function serverPid(groupLeader: number): number | null {
  const found = spawnSync(
    'pgrep',
    ['-g', String(groupLeader), '-f', String.raw`^(\S*/)?node .*scripts/calma\.mjs start`],
    { encoding: 'utf8' },
  );
  const pid = Number(found.stdout.trim().split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function rssMb(pid: number | null): number {
  try {
    return pid === null ? Number.NaN : residentMb(pid);
  } catch {
    return Number.NaN;
  }
}

/** Stops the whole `npm start` process group and waits for its leader to exit. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGTERM');
  const killer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 20_000);
  await exited;
  clearTimeout(killer);
}

/** One timed start; the server is stopped before this returns. */
async function timedStart(clone: string, dataDir: string, timeoutMs: number) {
  const began = performance.now();
  const { child, url } = await npmStart(clone, dataDir);
  try {
    const ms = await untilHealthy(url, began, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return { ms, rss: rssMb(child.pid === undefined ? null : serverPid(child.pid)) };
  } finally {
    await stopGroup(child);
  }
}

/** A clone of HEAD, installed and built by one unmeasured `npm start`. */
async function preparedClone(log: (line: string) => void): Promise<{ dir: string; owned: boolean }> {
  const reuse = process.env.BENCH_CLONE_DIR?.trim();
  const dir = reuse || mkdtempSync(join(tmpdir(), 'calma-bench-clone-'));
  if (!existsSync(join(dir, 'package.json'))) {
    log(`cloning ${root} into ${dir} …`);
    const cloned = spawnSync('git', ['clone', '--quiet', '--shared', root, dir], { encoding: 'utf8' });
    if (cloned.status !== 0) throw new Error(`git clone failed: ${cloned.stderr}`);
  }
  log('preparing the clone: a first `npm start` installs and builds (not measured; minutes) …');
  const data = mkdtempSync(join(tmpdir(), 'calma-bench-prep-'));
  try {
    const { ms } = await timedStart(dir, data, 900_000);
    if (Number.isNaN(ms)) throw new Error('the clone never became healthy on its first start');
    log(`    first start (install + build) healthy after ${(ms / 1000).toFixed(1)} s`);
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
  return { dir, owned: !reuse };
}

/** Runs the startup timings `repeat` times. */
export async function runStartup(repeat: number, log: (line: string) => void): Promise<Results<StartupColumn>> {
  const results = new Results<StartupColumn>();
  const clone = await preparedClone(log);
  try {
    for (let repetition = 0; repetition < repeat; repetition++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'calma-bench-start-'));
      try {
        const fresh = await timedStart(clone.dir, dataDir, 120_000);
        const existing = await timedStart(clone.dir, dataDir, 120_000);
        results.add('startup.fresh', 'calma-pglite', fresh.ms / 1000);
        results.add('startup.existing', 'calma-pglite', existing.ms / 1000);
        results.add('startup.rss', 'calma-pglite', fresh.rss);
        log(
          `startup ${repetition + 1}/${repeat}: fresh ${(fresh.ms / 1000).toFixed(1)} s (RSS ${fresh.rss.toFixed(0)} MB), ` +
            `existing ${(existing.ms / 1000).toFixed(1)} s`,
        );
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    if (clone.owned) rmSync(clone.dir, { recursive: true, force: true });
  }
  return results;
}
