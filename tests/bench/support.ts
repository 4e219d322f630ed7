/**
 * What the HTTP benchmarks share: the built server started as a child process (its CPU is its
 * own) on a fresh data folder, run once on the embedded database and once on a throwaway
 * PostgreSQL; JSON calls; CPU seconds; percentiles printed the same way in every table.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startThrowawayPostgres } from '@calma/db/testing';
import { adminToken, buildServer, type Running, startServer, stop } from '../support/child-server.js';

/** Which database a run uses. */
export type BenchDatabase = 'pglite' | 'postgres';

/** The database's name as a table's title says it. */
export const databaseName = (kind: BenchDatabase) => (kind === 'pglite' ? 'PGlite' : 'PostgreSQL');

/** The value at quantile `q` (0…1) of an ascending list; NaN when empty. */
export const percentile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A progress line with the time of day, indented under the bench's title. */
export const log = (line: string) => console.log(`  [${new Date().toISOString().slice(11, 19)}] ${line}`);

/** User + system CPU seconds of a process so far (Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The load average over the last minute and the cores, for a table's footnote. */
export const machineLoad = () => `load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`;

/** The machine's CPU time so far, busy and in all, in clock ticks of all cores (`/proc/stat`). */
export interface MachineTicks {
  readonly busy: number;
  readonly total: number;
}

/** Reads {@link MachineTicks} (zeros where `/proc/stat` is missing). */
export function machineTicks(): MachineTicks {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu  user nice system idle iowait irq softirq steal …: idle and iowait are the idle ones.
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.slice(0, 8).reduce((sum, t) => sum + t, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** How busy the whole machine was between two readings, as a share of one core (all cores: cores × 100). */
export function machineBusyPercent(from: MachineTicks, to: MachineTicks): number {
  const total = to.total - from.total;
  return total > 0 ? ((to.busy - from.busy) / total) * cpus().length * 100 : Number.NaN;
}

/** A JSON request to the server; anything but 2xx throws with the status and the body. */
export async function call<T = Record<string, string>>(
  server: Running,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The header over {@link percentileRow}s. */
export const percentileHeader = () => console.log(`${''.padEnd(30)}     p50      p95      p99      max`);

/** Prints one row of milliseconds: p50, p95, p99, max and how many; returns the p99. */
export function percentileRow(name: string, values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(2).padStart(8);
  console.log(
    `${name.padEnd(30)}${f(percentile(sorted, 0.5))} ${f(percentile(sorted, 0.95))} ${f(percentile(sorted, 0.99))} ${f(percentile(sorted, 1))}   n=${sorted.length}`,
  );
  return percentile(sorted, 0.99);
}

/** A started server for one run, and its process id for {@link cpuSeconds}. */
export interface BenchServer {
  readonly server: Running;
  readonly pid: number;
}

/**
 * Runs `measure` against the built server on a fresh data folder (no demo, no web app, joins not
 * rate-limited; `env` adds to that), then stops the server and removes the folder.
 */
export async function withBenchServer<T>(
  name: string,
  databaseUrl: string | null,
  env: Record<string, string>,
  measure: (bench: BenchServer) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), `calma-bench-${name}-`));
  const server = await startServer({
    CALMA_DATA_DIR: dataDir,
    CALMA_ADMIN_TOKEN: adminToken,
    CALMA_SEED_DEMO: '0',
    CALMA_WEB_DIR: '',
    CALMA_JOIN_RATE_LIMIT: '100000',
    ...env,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  try {
    return await measure({ server, pid: server.child.pid ?? 0 });
  } finally {
    await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Builds the server, then runs `measure` on each database BENCH_DATABASES names (default both:
 * `pglite,postgres`), the PostgreSQL a throwaway one started for the run.
 */
export async function onEachDatabase(
  measure: (kind: BenchDatabase, databaseUrl: string | null) => Promise<unknown>,
): Promise<void> {
  const built = buildServer();
  if (built.status !== 0) throw new Error(`server build failed: ${built.stderr}`);
  const kinds = (process.env.BENCH_DATABASES ?? 'pglite,postgres').split(',');
  if (kinds.includes('pglite')) await measure('pglite', null);
  if (kinds.includes('postgres')) {
    const pg = await startThrowawayPostgres((line) => log(line));
    try {
      await measure('postgres', pg.url);
    } finally {
      pg.stop();
    }
  }
}

export { adminToken, type Running };
