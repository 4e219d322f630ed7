/**
 * `pnpm bench startup`: how long a built clone takes from `npm start` to a healthy `/api/health`,
 * on a fresh data directory (first start: template copy, demo seed) and on an existing one, and
 * the server's resident memory after it has idled; the same for the bundle alone
 * (`node apps/server/dist/main.js`), which tells the launcher's share. Runs interleaved,
 * `STARTUP_RUNS` times (3), idling `STARTUP_IDLE_SECONDS` (10); medians with [min–max].
 * `STARTUP_COMPARE=<another built clone>` (a checkout of main, say) measures that one too,
 * interleaved, and prints this clone's figures as ratios of its.
 * Targets (issue 16): ≤ 3 s to health, ≤ 300 MB idle RSS after a fresh embedded start.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@calma/db/testing';
import { root } from '../support/child-server.js';
import { log, machineLoad, sleep } from './support.js';

const runs = Number(process.env.STARTUP_RUNS ?? 3);
const idleSeconds = Number(process.env.STARTUP_IDLE_SECONDS ?? 10);
const clones: { label: string; root: string }[] = [
  { label: 'this clone', root },
  ...(process.env.STARTUP_COMPARE ? [{ label: 'compared', root: process.env.STARTUP_COMPARE }] : []),
];

type How = 'npm start' | 'node dist/main.js';
const commands: Record<How, [string, string[]]> = {
  'npm start': ['npm', ['start', '--silent']],
  'node dist/main.js': [process.execPath, ['apps/server/dist/main.js']],
};

/** Processes below `pid` (Linux /proc), depth first. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  for (const task of existsSync(`/proc/${pid}/task`) ? readdirSync(`/proc/${pid}/task`) : []) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    for (const child of children ? children.split(' ').map(Number) : []) out.push(child, ...descendants(child));
  }
  return out;
}

/** The process that runs the server: the launcher (which imports the bundle) or the bundle. */
function serverPid(top: number): number {
  // The deepest match: the old launcher spawned the bundle as its child.
  const found = [top, ...descendants(top)].reverse().find((pid) => {
    const [program, ...args] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    // Node itself, not the shell npm runs it through.
    return /node$/.test(program ?? '') && args.some((a) => a.endsWith('calma.mjs') || a.endsWith('dist/main.js'));
  });
  if (found === undefined) throw new Error(`no server process under ${top}`);
  return found;
}

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

interface Sample {
  toHealthMs: number;
  idleRssMb: number;
  phases: string;
}

/** Starts Calma the `how` way on `dataDir`, times it to health, idles, measures, stops it. */
async function startOnce(clone: string, how: How, dataDir: string): Promise<Sample> {
  const port = await freePort();
  const [cmd, args] = commands[how];
  const started = performance.now();
  const child: ChildProcess = spawn(cmd, args, {
    cwd: clone,
    // Its own process group: npm's shell and the server stop together.
    detached: true,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CALMA_DATA_DIR: dataDir, CALMA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${how} exited with ${child.exitCode}:\n${output}`);
      if (performance.now() - started > 120_000) throw new Error(`${how}: no health in 120 s:\n${output}`);
      const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then(
        (res) => res.ok,
        () => false,
      );
      if (ok) break;
      await sleep(20);
    }
    const toHealthMs = performance.now() - started;
    await sleep(idleSeconds * 1000);
    const idleRssMb = rssMb(serverPid(child.pid as number));
    const phases = /^Started in .*$/m.exec(output)?.[0] ?? '';
    return { toHealthMs, idleRssMb, phases };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-(child.pid as number), 'SIGTERM');
      await exited;
    }
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const spread = (values: number[], unit: (v: number) => string) =>
  `${unit(median(values))} [${unit(Math.min(...values))}–${unit(Math.max(...values))}]`;

console.log(`startup: npm start → /api/health on a built clone, ${runs} interleaved runs, idle ${idleSeconds} s`);
const work = mkdtempSync(join(tmpdir(), 'calma-bench-startup-'));
try {
  // The first `npm start` installs and builds if anything changed (and writes the stamp): a
  // built clone is what is measured, so it is not counted.
  for (const clone of clones) {
    const first = await startOnce(clone.root, 'npm start', join(work, `warm-up-${clone.label}`));
    log(`${clone.label}: warm-up npm start (install, build when needed) ${(first.toHealthMs / 1000).toFixed(1)} s`);
  }
  const samples = new Map<string, Sample[]>();
  const keep = (key: string, sample: Sample) => samples.set(key, [...(samples.get(key) ?? []), sample]);
  for (let run = 1; run <= runs; run += 1) {
    for (const how of Object.keys(commands) as How[]) {
      for (const clone of clones) {
        const dataDir = join(work, `${clone.label}-${how}-${run}`.replace(/\W+/g, '-'));
        const fresh = await startOnce(clone.root, how, dataDir);
        keep(`${clone.label}|${how}|fresh`, fresh);
        const existing = await startOnce(clone.root, how, dataDir);
        keep(`${clone.label}|${how}|existing`, existing);
        log(
          `run ${run} ${clone.label}, ${how}: fresh ${(fresh.toHealthMs / 1000).toFixed(2)} s ${fresh.idleRssMb.toFixed(0)} MB, ` +
            `existing ${(existing.toHealthMs / 1000).toFixed(2)} s ${existing.idleRssMb.toFixed(0)} MB`,
        );
      }
    }
  }
  const ratio = (key: string, pick: (s: Sample) => number) => {
    const other = samples.get(key.replace(/^[^|]+/, 'compared'));
    const mine = samples.get(key);
    return other && mine ? `${(median(mine.map(pick)) / median(other.map(pick))).toFixed(2)}×` : '';
  };
  const rows = [...samples].map(([key, list]) => {
    const [clone, how, dir] = key.split('|');
    return {
      clone,
      how,
      'data dir': dir,
      'to /health': spread(
        list.map((s) => s.toHealthMs),
        (ms) => `${(ms / 1000).toFixed(2)} s`,
      ),
      [`RSS after ${idleSeconds} s idle`]: spread(
        list.map((s) => s.idleRssMb),
        (mb) => `${mb.toFixed(0)} MB`,
      ),
      ...(clones.length > 1 && clone !== 'compared'
        ? { 'time ×': ratio(key, (s) => s.toHealthMs), 'RSS ×': ratio(key, (s) => s.idleRssMb) }
        : {}),
    };
  });
  console.table(rows);
  for (const [key, list] of samples) console.log(`  ${key.replaceAll('|', ', ')}: ${list.at(-1)?.phases || '-'}`);
  console.log('  targets: npm start → health ≤ 3 s; idle RSS after a fresh embedded start ≤ 300 MB');
  console.log(`  ${machineLoad()}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
