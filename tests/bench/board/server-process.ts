/**
 * A server under test in its own child process, so that its CPU time and memory can be read from
 * `/proc/<pid>` without counting the clients that load it.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** A started child server: its pid, the JSON line it printed when ready, and how to stop it. */
export interface ServerProcess<Ready> {
  readonly pid: number;
  readonly ready: Ready;
  /** SIGTERM, then SIGKILL if the child has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Sends `message` over the IPC channel and resolves with the child's first answer. */
  ask<T>(message: unknown): Promise<T>;
}

/**
 * Forks `script` and waits for the first stdout line that parses as JSON. A `.ts` script runs with
 * the loader that runs this bench (tsx, through `execArgv`); a `.mjs` one with plain `node`, so that
 * no loader weighs on the CPU, memory or start time of a reference server. Everything else the child writes is forwarded
 * with `label` in front, so a crash explains itself.
 */
export async function startServerProcess<Ready>(
  script: string,
  args: readonly string[],
  label: string,
  timeoutMs: number,
): Promise<ServerProcess<Ready>> {
  const child = fork(script, [...args], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // `BENCH_PEER_NODE_ARGS`: Node flags for a reference server, to profile it as `BENCH_NODE_ARGS` does Calma.
    ...(script.endsWith('.mjs')
      ? { execArgv: process.env.BENCH_PEER_NODE_ARGS?.split(' ').filter(Boolean) ?? [] }
      : {}),
  });
  const forward = (line: string) => {
    if (line.trim() !== '') console.log(`    [${label}] ${line}`);
  };
  if (child.stderr) createInterface({ input: child.stderr }).on('line', forward);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} not ready after ${timeoutMs} ms`)), timeoutMs);
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`${label} exited with code ${code} before it was ready`)));
    if (!child.stdout) return reject(new Error(`${label} has no stdout`));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return forward(line);
      clearTimeout(timer);
      resolve(JSON.parse(line) as Ready);
    });
  }).catch(async (err: unknown) => {
    await stopChild(child, exited, 2000);
    throw err;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${label} has no pid`);
  return {
    pid,
    ready,
    stop: (graceMs = 10_000) => stopChild(child, exited, graceMs),
    ask: <T>(message: unknown) =>
      new Promise<T>((resolve) => {
        child.once('message', (answer) => resolve(answer as T));
        child.send(message as object);
      }),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([exited, killed]);
  clearTimeout(timer);
  await exited;
}

/** Clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User plus system CPU seconds `pid` has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses; the fields after its closing
  // parenthesis are plain numbers, utime and stime being the 12th and 13th of them.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** Resident set size of `pid` in MB, now (`VmRSS`) or at its peak so far (`VmHWM`). */
export function residentMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/**
 * Samples a process's resident memory every `everyMs` and keeps the largest value, so that the peak
 * is taken while clients are connected rather than during start-up (migrations, say).
 */
export function sampleResidentPeak(pid: number, everyMs = 200): { stop(): number } {
  let peak = 0;
  const sample = () => {
    try {
      peak = Math.max(peak, residentMb(pid));
    } catch {
      // The process may already be gone; the peak so far stands.
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
