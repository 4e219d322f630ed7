/**
 * `pnpm bench board`: Calma's board against the servers people would otherwise use, each in its
 * own child process on loopback, interleaved (the order rotates every repetition), with every
 * figure's ratio to Hocuspocus 4:
 * - fan-out: one writer moves a card 20 times a second, N clients stamp each edit's arrival (and, for
 *   Calma on PostgreSQL, the round trip of a one-row INSERT that each update waits for);
 * - ramp: the highest rate 50 clients sustain with p99 ≤ 100 ms and nothing missing;
 * - cpu: server CPU per edit at 400 edits/s;
 * - overload: twice the sustainable rate for 30 s: p99 of what arrives, RSS growth, and edits
 *   acknowledged (some reader received them) but missing from what a fresh client syncs after;
 * - control: a moderator's action to 200 socket.io clients, Calma against raw socket.io;
 * - startup: idle RSS (every server, from the runs above) and `npm start` → health on a built clone.
 *
 * Environment: BENCH_PARTS (default all: fanout,ramp,cpu,overload,control,startup), BENCH_SERVERS
 * (default calma-pglite,calma-postgres,hocuspocus,y-websocket), BENCH_REPEAT (3), BENCH_SECONDS
 * (measured seconds of a fan-out or cpu run, 10), BENCH_CLIENTS (fan-out client counts,
 * "10,50,200"), BENCH_RAMP ("100,200,400,800,1200,1600,2400,3200,4000"), BENCH_RAMP_SECONDS (5),
 * BENCH_CPU_RATE (400), BENCH_OVERLOAD_SECONDS (30), BENCH_OVERLOAD_MAX_RATE (3200),
 * BENCH_CONTROL_CLIENTS (200), BENCH_ACTIONS (100), BENCH_CLONE_DIR (reuse a prepared clone).
 */
import { join } from 'node:path';
import { startThrowawayPostgres, type ThrowawayPostgres } from '@calma/db/testing';
import { buildServer, root } from '../../support/child-server.js';
import { log, machineLoad } from '../support.js';
import { writeFanoutChart } from './chart.js';
import { type ControlColumn, controlColumns, controlMetrics, controlTitles, runControl } from './control.js';
import { namesFromEnv, numberFromEnv, numbersFromEnv } from './options.js';
import { type BoardPart, boardMetrics, boardParts, type PartSettings, runBoardParts } from './parts.js';
import { notMeasuredOnFailure, printComparison, Results } from './report.js';
import { rotated, type ServerKind, serverKinds, serverTitles, startBoardServer } from './servers.js';
import { runStartup, startupMetrics } from './startup.js';

const allParts = [...boardParts, 'control', 'startup'] as const;
const parts = namesFromEnv('BENCH_PARTS', allParts);
const servers = namesFromEnv('BENCH_SERVERS', serverKinds);
const repeat = numberFromEnv('BENCH_REPEAT', 3, 1, 20);
const settings: PartSettings = {
  fanoutClients: numbersFromEnv('BENCH_CLIENTS', [10, 50, 200], 2, 500),
  fanoutRate: 20,
  seconds: numberFromEnv('BENCH_SECONDS', 10, 1, 300),
  rampClients: 50,
  rampLevels: numbersFromEnv('BENCH_RAMP', [100, 200, 400, 800, 1200, 1600, 2400, 3200, 4000], 1, 100_000),
  rampSeconds: numberFromEnv('BENCH_RAMP_SECONDS', 5, 1, 300),
  p99LimitMs: 100,
  cpuRate: numberFromEnv('BENCH_CPU_RATE', 400, 1, 100_000),
  overloadSeconds: numberFromEnv('BENCH_OVERLOAD_SECONDS', 30, 1, 600),
  overloadFallbackRate: 800,
  overloadMaxRate: numberFromEnv('BENCH_OVERLOAD_MAX_RATE', 3200, 1, 100_000),
};
const controlClients = numberFromEnv('BENCH_CONTROL_CLIENTS', 200, 1, 2000);
const actions = numberFromEnv('BENCH_ACTIONS', 100, 1, 10_000);

const measuredBoardParts = parts.filter((p): p is BoardPart => (boardParts as readonly string[]).includes(p));
const needsCalma = servers.some((s) => s.startsWith('calma')) || parts.includes('control');
const needsPostgres = servers.includes('calma-postgres');

/** Each server once per repetition, in rotated order, through the board parts chosen. */
async function runBoard(postgres: ThrowawayPostgres | null): Promise<Results<ServerKind>> {
  const results = new Results<ServerKind>();
  // Idle RSS and start time come from these starts: they run for the startup part alone too.
  if (measuredBoardParts.length === 0 && !parts.includes('startup')) return results;
  const people = Math.max(settings.rampClients, ...settings.fanoutClients);
  for (let repetition = 0; repetition < repeat; repetition++) {
    for (const kind of rotated(servers, repetition)) {
      log(
        `board ${repetition + 1}/${repeat}: ${serverTitles[kind]} (${measuredBoardParts.join(', ') || 'start only'}) …`,
      );
      await notMeasuredOnFailure(async () => {
        const server = await startBoardServer(kind, { rooms: 1, people, postgres });
        log(`    serving after ${server.startMs.toFixed(0)} ms, idle RSS ${server.idleRssMb.toFixed(0)} MB`);
        results.add('idle.rss', kind, server.idleRssMb);
        results.add('start.ms', kind, server.startMs);
        try {
          await runBoardParts(server, measuredBoardParts, settings, results, log);
        } finally {
          await server.stop();
        }
      });
    }
  }
  return results;
}

function chart(results: Results<ServerKind>): void {
  if (!measuredBoardParts.includes('fanout')) return;
  const path = writeFanoutChart(
    join(root, 'test-results/bench/board-fanout.svg'),
    `Board fan-out latency, ${settings.fanoutRate} edits/s, median of ${repeat} run(s) (ms)`,
    settings.fanoutClients.map((n) => `N = ${n}`),
    servers.map((kind) => ({
      title: serverTitles[kind],
      points: settings.fanoutClients.map((n) => ({
        p50: results.value({ key: `fanout.${n}.p50`, label: '', digits: 1 }, kind),
        p99: results.value({ key: `fanout.${n}.p99`, label: '', digits: 1 }, kind),
      })),
    })),
  );
  console.log(`\nChart: ${path}`);
}

async function main(): Promise<void> {
  const began = performance.now();
  if (needsCalma) {
    const built = buildServer();
    if (built.status !== 0) throw new Error(`server build failed: ${built.stderr}`);
  }
  const postgres = needsPostgres ? await startThrowawayPostgres(log) : null;
  try {
    const board = await runBoard(postgres);
    const controlCols = controlColumns.filter((c) => c === 'socket.io' || servers.includes(c as ServerKind));
    const control = parts.includes('control')
      ? await runControl(controlCols, repeat, controlClients, actions, postgres, log)
      : new Results<ControlColumn>();
    const startup = parts.includes('startup') ? await runStartup(Math.min(repeat, 2), log) : null;

    const minutes = ((performance.now() - began) / 60_000).toFixed(1);
    console.log(`\n=== pnpm bench board: ${repeat} interleaved repetition(s), ${minutes} min, ${machineLoad()} ===`);
    printComparison(
      'Board (median of the repetitions; ratio to Hocuspocus 4 in brackets)',
      servers.map((key) => ({ key, title: serverTitles[key] })),
      servers.includes('hocuspocus') ? 'hocuspocus' : null,
      boardMetrics(settings),
      board,
      [
        'Calma commits every update before broadcasting it; Hocuspocus and y-websocket keep documents in memory.',
        ...(needsPostgres && measuredBoardParts.includes('fanout')
          ? ['On PostgreSQL each update waits for one round trip to it (measured on a quiet server, in its row).']
          : []),
        'Acknowledged = some reader received the update; lost = missing from a fresh client that syncs afterwards.',
        `Overload runs each server at 2× its own sustainable rate (at most ${settings.overloadMaxRate}/s).`,
      ],
    );
    printComparison(
      `Control action → ${controlClients} socket.io clients + moderator (ratio to raw socket.io)`,
      controlCols.map((key) => ({ key, title: controlTitles[key] })),
      'socket.io',
      controlMetrics,
      control,
    );
    if (startup) {
      printComparison(
        'Start-up of a built clone (`npm start`, PGlite)',
        [{ key: 'calma-pglite', title: 'Calma PGlite' }],
        null,
        startupMetrics,
        startup,
      );
    }
    chart(board);
  } finally {
    postgres?.stop();
  }
}

await main();
process.exit(0);
