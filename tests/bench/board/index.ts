/**
 * `pnpm bench board`: how fast a card edit reaches the other people on a board, Calma's Yjs
 * endpoint against a stock Hocuspocus server. For each client count N, each server runs in its own
 * child process on loopback; N clients in this process join one document, one of them edits a
 * card 20 times a second, and every other client stamps when each edit arrives. Reported per N and
 * server: edit→peer latency percentiles, server CPU and peak RSS, lost updates, and the ratio
 * Calma/Hocuspocus of each figure.
 *
 * Environment: BENCH_SECONDS (measured seconds per run, default 10), BENCH_CLIENTS (default
 * "10,50,200"), BENCH_SERVERS (default "hocuspocus,calma").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CalmaReady } from './calma-server.js';
import type { BoardTarget } from './clients.js';
import { figuresOf, type Outcome, printTable, progressLine, type ServerName, serverNames } from './report.js';
import { runScenario, type ScenarioOptions, UnavailableError } from './scenario.js';
import { type ServerProcess, startServerProcess } from './server-process.js';

function numberFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  const value = raw ? Number(raw) : fallback;
  if (!Number.isFinite(value) || value < min || value > max) {
    console.error(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

const measureSeconds = numberFromEnv('BENCH_SECONDS', 10, 1, 120);
const clientCounts = (process.env.BENCH_CLIENTS ?? '10,50,200').split(',').map(Number);
if (clientCounts.some((n) => !Number.isInteger(n) || n < 2 || n > 500)) {
  console.error('BENCH_CLIENTS must list whole numbers from 2 to 500 (one writer plus readers)');
  process.exit(2);
}
const servers = (process.env.BENCH_SERVERS ?? 'hocuspocus,calma').split(',') as ServerName[];
if (servers.some((s) => !serverNames.includes(s))) {
  console.error(`BENCH_SERVERS must list some of ${serverNames.join(', ')}`);
  process.exit(2);
}

const options: ScenarioOptions = {
  warmupMs: 2000,
  measureMs: measureSeconds * 1000,
  editsPerSecond: 20,
  drainMs: 2000,
  connectBatch: 25,
  syncTimeoutMs: 15_000,
  log: (line) => console.log(line),
};

const script = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

/** A server started for one run, with the connection each of its clients uses. */
interface Started {
  readonly process: ServerProcess<unknown>;
  readonly targets: BoardTarget[];
  readonly authorId: string;
  /** A folder to remove once the process has stopped. */
  readonly dataDir?: string;
}

async function startHocuspocus(clients: number): Promise<Started> {
  const server = await startServerProcess<{ port: number }>(script('hocuspocus-server.ts'), [], 'hocuspocus', 30_000);
  const url = `ws://127.0.0.1:${server.ready.port}`;
  const targets = Array.from(
    { length: clients },
    (): BoardTarget => ({ type: 'hocuspocus', url, documentName: 'board' }),
  );
  return { process: server, targets, authorId: 'bench-writer' };
}

async function startCalma(clients: number): Promise<Started> {
  // This process owns the data folder, so that it goes even if the server has to be killed.
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-bench-board-'));
  let server: ServerProcess<CalmaReady>;
  try {
    server = await startServerProcess<CalmaReady>(
      script('calma-server.ts'),
      [String(clients), dataDir],
      'calma',
      120_000,
    );
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const { port, sessionId, participantTokens, participantIds } = server.ready;
  const url = `ws://127.0.0.1:${port}/yjs`;
  // Every client is a participant of the session's group, the writer included: in segment 2
  // participants may write on the board.
  const targets = participantTokens.map((token): BoardTarget => ({ type: 'calma', url, sessionId, token }));
  return { process: server, targets, authorId: participantIds[0] ?? '', dataDir };
}

/** Skips the remaining Calma runs once its endpoint has proved missing. */
let calmaMissing: string | null = null;

async function measure(name: ServerName, clients: number): Promise<Outcome> {
  if (name === 'calma' && calmaMissing) {
    console.log(`    skipped: ${calmaMissing}`);
    return { type: 'unavailable', reason: calmaMissing };
  }
  let started: Started;
  try {
    started = name === 'calma' ? await startCalma(clients) : await startHocuspocus(clients);
  } catch (err) {
    const reason = `server did not start: ${err instanceof Error ? err.message : String(err)}`;
    console.log(`    ${name} ${reason}`);
    return { type: 'unavailable', reason };
  }
  try {
    const result = await runScenario(started.process.pid, started.targets, started.authorId, options);
    const figures = figuresOf(result);
    console.log(`    synced ${clients} clients in ${result.connectMs.toFixed(0)} ms; ${progressLine(figures)}`);
    return { type: 'measured', figures };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (!(err instanceof UnavailableError)) throw err;
    if (name === 'calma') {
      calmaMissing = `Calma endpoint not available: ${reason}`;
      console.log(`    ${calmaMissing}`);
      return { type: 'unavailable', reason: calmaMissing };
    }
    console.log(`    ${name} could not be measured: ${reason}`);
    return { type: 'unavailable', reason };
  } finally {
    await started.process.stop();
    if (started.dataDir) rmSync(started.dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results = new Map<number, Map<ServerName, Outcome>>();
  const began = performance.now();
  for (const clients of clientCounts) {
    const outcomes = new Map<ServerName, Outcome>();
    results.set(clients, outcomes);
    for (const name of servers) {
      console.log(`  ${name}: ${clients} clients, 20 edits/s, 2 s warm-up + ${measureSeconds} s measured …`);
      outcomes.set(name, await measure(name, clients));
    }
  }
  printTable(
    results,
    `Board edit → peer latency on loopback (${((performance.now() - began) / 1000).toFixed(0)} s in all). ` +
      'Calma persists each update (PGlite) before broadcasting it; Hocuspocus keeps the document in memory.',
  );
}

await main();
process.exit(0);
