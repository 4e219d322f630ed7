/**
 * `pnpm bench cluster`: Calma on several nodes sharing one PostgreSQL and one Redis, beside the
 * same workloads on a single node as today (no Redis), interleaved (the order rotates every
 * repetition), with ratios to the single node:
 * - sessions: 50 sessions × 15 people (BENCH_SESSIONS, BENCH_PEOPLE), person i of a session on
 *   node i mod nodes (BENCH_SPREAD=session: session s's people all on node s mod nodes), each
 *   moving their card and cursor every 2 s (BENCH_MOVE_SECONDS, jittered):
 *   p50/p99 edit → peer for peers on the same node and on another node, moves lost, cursors
 *   shown right, CPU of all nodes and of Redis, over BENCH_SECONDS (30) after a 5 s warm-up;
 * - fan-out: one writer moves a card 20 times a second in one session of BENCH_FANOUT_CLIENTS
 *   (200) clients, split over the nodes or all on one: p50/p99 edit → peer and lost.
 *
 * The sessions' clients run in BENCH_CLIENT_PROCESSES (2) child processes, so that one event loop
 * of 750 clients does not stamp receipts late. BENCH_NODES (2) is the cluster's node count;
 * BENCH_LAYOUTS picks columns among `single` (1 node, no Redis: the reference), `single-redis`
 * (1 node with Redis) and `cluster` (default `single,cluster`); BENCH_REPEAT (1);
 * BENCH_FANOUT_SECONDS (10); BENCH_PARTS (`sessions,fanout`).
 */
import { cpus } from 'node:os';
import { startThrowawayPostgres, type ThrowawayPostgres } from '@calma/db/testing';
import { buildServer } from '../../support/child-server.js';
import { setupCalmaRooms } from '../board/calma-setup.js';
import { choiceFromEnv, namesFromEnv, numberFromEnv } from '../board/options.js';
import { type Metric, notMeasuredOnFailure, percentile, printComparison, Results } from '../board/report.js';
import { runScenario } from '../board/scenario.js';
import { rotated } from '../board/servers.js';
import { log, machineLoad } from '../support.js';
import { runMoves } from './moves.js';
import { startCluster } from './nodes.js';

const layouts = ['single', 'single-redis', 'cluster'] as const;
type Layout = (typeof layouts)[number];
const parts = namesFromEnv('BENCH_PARTS', ['sessions', 'fanout'] as const);
const nodes = numberFromEnv('BENCH_NODES', 2, 2, 8);
const sessions = numberFromEnv('BENCH_SESSIONS', 50, 1, 500);
const people = numberFromEnv('BENCH_PEOPLE', 15, 2, 100);
const moveSeconds = numberFromEnv('BENCH_MOVE_SECONDS', 2, 0.1, 600);
const seconds = numberFromEnv('BENCH_SECONDS', 30, 1, 3600);
const fanoutClients = numberFromEnv('BENCH_FANOUT_CLIENTS', 200, 2, 1000);
const fanoutSeconds = numberFromEnv('BENCH_FANOUT_SECONDS', 10, 1, 300);
const fanoutRate = 20;
const repeat = numberFromEnv('BENCH_REPEAT', 1, 1, 20);
const clientProcesses = numberFromEnv('BENCH_CLIENT_PROCESSES', 2, 1, 16);
const spread = choiceFromEnv('BENCH_SPREAD', ['person', 'session']);
const columns: Layout[] = process.env.BENCH_LAYOUTS?.trim()
  ? namesFromEnv('BENCH_LAYOUTS', layouts)
  : ['single', 'cluster'];

const titles: Record<Layout, string> = {
  single: '1 node',
  'single-redis': '1 node + Redis',
  cluster: `${nodes} nodes + Redis`,
};
const nodesOf = (layout: Layout) => (layout === 'cluster' ? nodes : 1);

const metrics: Metric[] = [
  { key: 'moves.rate', label: 'moves sent (per s)', digits: 0 },
  { key: 'moves.p50', label: 'edit → peer p50, every peer (ms)', digits: 1 },
  { key: 'moves.p99', label: 'edit → peer p99, every peer (ms)', digits: 1 },
  { key: 'moves.same.p50', label: '  p50, peer on the same node (ms)', digits: 1 },
  { key: 'moves.same.p99', label: '  p99, peer on the same node (ms)', digits: 1 },
  { key: 'moves.cross.p50', label: '  p50, peer on another node (ms)', digits: 1 },
  { key: 'moves.cross.p99', label: '  p99, peer on another node (ms)', digits: 1 },
  { key: 'moves.lost', label: 'moves lost (peer × move pairs)', digits: 0 },
  { key: 'moves.lost.cross', label: '  of them across nodes', digits: 0 },
  { key: 'moves.cursors', label: 'cursors shown where last put (%)', digits: 1 },
  { key: 'moves.cpu', label: 'CPU of all nodes (% of a core)', digits: 0 },
  { key: 'moves.redisCpu', label: 'CPU of Redis (% of a core)', digits: 0 },
  { key: 'moves.machineCpu', label: `CPU of the whole machine (% of a core, of ${cpus().length * 100})`, digits: 0 },
  { key: 'moves.rss', label: 'RSS of the largest node, peak (MB)', digits: 0 },
  { key: 'fanout.p50', label: `fan-out p50, N = ${fanoutClients}, ${fanoutRate}/s (ms)`, digits: 1 },
  { key: 'fanout.p99', label: `fan-out p99, N = ${fanoutClients}, ${fanoutRate}/s (ms)`, digits: 1 },
  { key: 'fanout.lost', label: `  updates lost, N = ${fanoutClients}`, digits: 0 },
];

const p = (sorted: Float64Array, q: number) => percentile(sorted, q);
const merged = (a: Float64Array, b: Float64Array) => Float64Array.from([...a, ...b]).sort();
const ms = (value: number) => (Number.isNaN(value) ? '—' : value.toFixed(1));

async function measure(layout: Layout, postgres: ThrowawayPostgres, results: Results<Layout>): Promise<void> {
  const count = nodesOf(layout);
  const cluster = await startCluster(postgres, count, layout !== 'single');
  const add = (key: string, value: number) => results.add(key, layout, value);
  try {
    const setupStart = performance.now();
    const first = cluster.nodes[0];
    if (!first) throw new Error('no node started');
    const rooms = parts.includes('sessions') ? await setupCalmaRooms(first.server, sessions, people) : [];
    const [fanoutRoom] = parts.includes('fanout') ? await setupCalmaRooms(first.server, 1, fanoutClients) : [];
    log(`    ${count} node(s) serving, sessions set up in ${((performance.now() - setupStart) / 1000).toFixed(1)} s`);
    if (parts.includes('sessions')) {
      const r = await runMoves(cluster, rooms, {
        moveSeconds,
        warmupMs: 5000,
        measureMs: seconds * 1000,
        drainMs: 5000,
        processes: clientProcesses,
        spread,
        log,
      });
      const all = merged(r.sameNodeMs, r.crossNodeMs);
      add('moves.rate', r.movesPerSecond);
      add('moves.p50', p(all, 0.5));
      add('moves.p99', p(all, 0.99));
      add('moves.same.p50', p(r.sameNodeMs, 0.5));
      add('moves.same.p99', p(r.sameNodeMs, 0.99));
      if (count > 1) {
        add('moves.cross.p50', p(r.crossNodeMs, 0.5));
        add('moves.cross.p99', p(r.crossNodeMs, 0.99));
        add('moves.lost.cross', r.lostCrossNode);
      }
      add('moves.lost', r.lostSameNode + r.lostCrossNode);
      add('moves.cursors', r.cursorsRightPercent);
      add('moves.cpu', r.nodesCpuPercent);
      if (cluster.redis) add('moves.redisCpu', r.redisCpuPercent);
      add('moves.machineCpu', r.machineCpuPercent);
      add('moves.rss', r.nodePeakRssMb);
      log(
        `    sessions: ${r.movesPerSecond.toFixed(0)} moves/s; same node p50 ${ms(p(r.sameNodeMs, 0.5))} · p99 ${ms(p(r.sameNodeMs, 0.99))} ms; ` +
          `other node p50 ${ms(p(r.crossNodeMs, 0.5))} · p99 ${ms(p(r.crossNodeMs, 0.99))} ms; ` +
          `lost ${r.lostSameNode + r.lostCrossNode}/${r.expected} (${r.lostCrossNode} across nodes); cursors right ${r.cursorsRightPercent.toFixed(1)}%; ` +
          `nodes CPU ${r.nodesCpuPercent.toFixed(0)}%, Redis ${ms(r.redisCpuPercent)}%; bench clients' CPU ${r.benchCpuPercent.toFixed(0)}% in ${r.benchProcesses} process(es), their event loops late by p99 ${r.benchLoopP99Ms.toFixed(0)} · max ${r.benchLoopMaxMs.toFixed(0)} ms; ` +
          `whole machine ${r.machineCpuPercent.toFixed(0)}% of ${cpus().length * 100}`,
      );
    }
    if (fanoutRoom) {
      const result = await runScenario(
        first.pid,
        fanoutRoom.participantTokens.map((token, i) => ({
          type: 'y-websocket' as const,
          url: cluster.nodes[i % count]?.boardUrl ?? '',
          room: fanoutRoom.sessionId,
          params: { token },
        })),
        fanoutRoom.participantIds,
        {
          warmupMs: 1000,
          measureMs: fanoutSeconds * 1000,
          editsPerSecond: fanoutRate,
          maxWriterRate: 100,
          drainMs: 3000,
          connectBatch: 25,
          syncTimeoutMs: 30_000,
          cardPrefix: 'fanout',
          verify: false,
          log,
        },
      );
      add('fanout.p50', p(result.latenciesMs, 0.5));
      add('fanout.p99', p(result.latenciesMs, 0.99));
      add('fanout.lost', result.lost);
      log(
        `    fan-out: ${fanoutClients} clients over ${count} node(s), ${result.sentPerSecond.toFixed(0)}/s: ` +
          `p50 ${ms(p(result.latenciesMs, 0.5))} · p99 ${ms(p(result.latenciesMs, 0.99))} · max ${ms(p(result.latenciesMs, 1))} ms; ` +
          `lost ${result.lost}/${result.expected}; bench-process CPU ${result.clientCpuPercent.toFixed(0)}%`,
      );
    }
  } finally {
    await cluster.stop();
  }
}

/** `a / b` as a ratio, or a dash when either is missing. */
function ratio(results: Results<Layout>, keyA: string, a: Layout, keyB: string, b: Layout): string {
  const value = (key: string, layout: Layout) => results.value({ key, label: '', digits: 1 }, layout);
  const r = value(keyA, a) / value(keyB, b);
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : '—';
}

async function main(): Promise<void> {
  const built = buildServer();
  if (built.status !== 0) throw new Error(`server build failed: ${built.stderr}`);
  const postgres = await startThrowawayPostgres(log);
  const results = new Results<Layout>();
  const began = performance.now();
  try {
    for (let repetition = 0; repetition < repeat; repetition++) {
      for (const layout of rotated(columns, repetition)) {
        log(`cluster ${repetition + 1}/${repeat}: ${titles[layout]} (${parts.join(', ')}) …`);
        await notMeasuredOnFailure(() => measure(layout, postgres, results));
      }
    }
  } finally {
    postgres.stop();
  }
  const minutes = ((performance.now() - began) / 60_000).toFixed(1);
  console.log(`\n=== pnpm bench cluster: ${repeat} interleaved repetition(s), ${minutes} min, ${machineLoad()} ===`);
  const reference = columns.includes('single') ? 'single' : null;
  const notes = [
    `Sessions: ${sessions} × ${people} people, each moving a card and cursor every ${moveSeconds} s on average; ${spread === 'person' ? 'person i on node i mod nodes' : "session s's people all on node s mod nodes"}; ${seconds} s measured.`,
    `Fan-out: one writer (on the first node) at ${fanoutRate}/s, ${fanoutClients} clients alternating over the nodes; ${fanoutSeconds} s measured.`,
    'Every node on one PostgreSQL; "+ Redis" columns relay board updates and cursors through one Redis.',
    'Lost: (peer, move) pairs of the measured window a peer did not show 5 s (fan-out: 3 s) after the last move.',
  ];
  if (reference && columns.includes('cluster')) {
    notes.push(
      `Cluster against 1 node: cross-node p99 ${ratio(results, 'moves.cross.p99', 'cluster', 'moves.p99', 'single')} the single node's p99; ` +
        `fan-out p99 at N = ${fanoutClients} ${ratio(results, 'fanout.p99', 'cluster', 'fanout.p99', 'single')} (target ≤ 1.2×).`,
    );
  }
  printComparison(
    `Calma on ${nodes} nodes against 1 (median of the repetitions; ratio to 1 node in brackets)`,
    columns.map((key) => ({ key, title: titles[key] })),
    reference,
    metrics,
    results,
    notes,
  );
}

await main();
process.exit(0);
