/**
 * The busy-afternoon part of `pnpm bench cluster`: many sessions at once, their people spread over
 * the nodes (person i of a session on node i mod nodes), each moving their own card (and cursor)
 * every few seconds. Every move is stamped when sent and when each peer first shows it, and the
 * latency goes to the same-node or the cross-node pile depending on where the peer is connected.
 *
 * The clients run in `processes` child processes (`moves-child.ts`), the sessions dealt out among
 * them: 750 stock clients in one event loop kept it late by tens of milliseconds at p99 (up to
 * 300 ms), and a late loop stamps receipts late, so the bench measured itself as much as the
 * nodes. A session's people stay in one process, so a move and its receipts share one clock.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CalmaRoom } from '../board/calma-setup.js';
import { cpuSeconds, residentMb, sampleResidentPeak } from '../board/server-process.js';
import { machineBusyPercent, machineTicks, sleep } from '../support.js';
import type { ChildResult, FromChild, ToChild } from './moves-child.js';
import type { Cluster } from './nodes.js';

/** How long and how hard to drive the sessions. */
export interface MoveOptions {
  readonly moveSeconds: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** After the last move, how long a peer may take before a move it lacks counts as lost. */
  readonly drainMs: number;
  /** Client processes the sessions are dealt out to (at least 1). */
  readonly processes: number;
  /**
   * `person`: person i of every session on node i mod nodes (a session's people on every node);
   * `session`: session s's people all on node s mod nodes (as a load balancer hashing the session would).
   */
  readonly spread: 'person' | 'session';
  readonly log: (line: string) => void;
}

/** What one run measured; latencies are sorted. */
export interface MoveResult {
  readonly sameNodeMs: Float64Array;
  readonly crossNodeMs: Float64Array;
  /** (peer, move) pairs of the measured window that never showed, per kind of peer. */
  readonly lostSameNode: number;
  readonly lostCrossNode: number;
  readonly expected: number;
  readonly movesPerSecond: number;
  /** Share of (client, peer) pairs whose cursor shows where the peer last put it, after the drain. */
  readonly cursorsRightPercent: number;
  /** All nodes' CPU together and Redis's, over the window, as a share of one core. */
  readonly nodesCpuPercent: number;
  readonly redisCpuPercent: number;
  /** The highest resident memory any node reached in the window. */
  readonly nodePeakRssMb: number;
  /** The whole machine's CPU over the window (every process; all cores: cores × 100). */
  readonly machineCpuPercent: number;
  /** The client processes' CPU together over the window: near 100 per process, the clients set the pace. */
  readonly benchCpuPercent: number;
  readonly benchProcesses: number;
  /** The latest of the client processes' event loops over the window (p99 and max, ms). */
  readonly benchLoopP99Ms: number;
  readonly benchLoopMaxMs: number;
}

const childScript = fileURLToPath(new URL('./moves-child.ts', import.meta.url));

/** A forked client process and its next message of a given type. */
class ClientProcess {
  private readonly inbox: FromChild[] = [];
  private wake: (() => void) | null = null;
  private exited = false;

  constructor(readonly child: ChildProcess) {
    child.on('message', (message: FromChild) => {
      this.inbox.push(message);
      this.wake?.();
    });
    child.once('exit', () => {
      this.exited = true;
      this.wake?.();
    });
  }

  tell(message: ToChild): void {
    this.child.send(message);
  }

  async next<T extends FromChild['type']>(type: T, timeoutMs: number): Promise<Extract<FromChild, { type: T }>> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const failed = this.inbox.find((m) => m.type === 'failed');
      if (failed?.type === 'failed') throw new Error(`a client process failed: ${failed.message}`);
      const index = this.inbox.findIndex((m) => m.type === type);
      if (index >= 0) return this.inbox.splice(index, 1)[0] as Extract<FromChild, { type: T }>;
      if (this.exited) throw new Error(`a client process exited before it sent "${type}"`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`a client process sent no "${type}" within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }
}

/** Runs the sessions of `rooms` on `cluster`; every client process is gone before it returns. */
export async function runMoves(
  cluster: Cluster,
  rooms: readonly CalmaRoom[],
  options: MoveOptions,
): Promise<MoveResult> {
  const count = Math.max(1, Math.min(options.processes, rooms.length));
  const shares = Array.from({ length: count }, (_, k) => rooms.filter((_, r) => r % count === k));
  const nodesOf = Array.from({ length: count }, (_, k) =>
    options.spread === 'session' ? rooms.map((_, r) => r).filter((r) => r % count === k) : null,
  );
  // The loader that runs this bench (tsx) runs the children too; advanced serialization carries
  // the latency arrays as typed arrays.
  const children = shares.map(
    () =>
      new ClientProcess(
        fork(childScript, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' }),
      ),
  );
  try {
    const boardUrls = cluster.nodes.map((n) => n.boardUrl);
    for (const [k, c] of children.entries()) {
      c.tell({
        type: 'setup',
        boardUrls,
        rooms: shares[k] ?? [],
        roomNodes: nodesOf[k] ?? null,
        moveSeconds: options.moveSeconds,
      });
    }
    const ready = await Promise.all(children.map((c) => c.next('ready', 300_000)));
    const boards = ready.reduce((n, r) => n + r.boards, 0);
    const complete = ready.reduce((n, r) => n + r.complete, 0);
    options.log(
      `    ${rooms.reduce((n, r) => n + r.participantTokens.length, 0)} board clients connected over ${cluster.nodes.length} node(s), in ${count} client process(es)`,
    );
    if (complete < boards) {
      options.log(`    only ${complete}/${boards} boards show every card everywhere; what they miss counts as lost`);
    }
    for (const c of children) c.tell({ type: 'move' });
    await sleep(options.warmupMs);

    const pids = cluster.nodes.map((n) => n.pid);
    const redisPid = cluster.redis?.pid ?? 0;
    const clientPids = children.map((c) => c.child.pid ?? 0);
    const sum = (list: number[]) => list.reduce((total, pid) => total + cpuSeconds(pid), 0);
    const nodesCpuStart = sum(pids);
    const redisCpuStart = redisPid ? cpuSeconds(redisPid) : 0;
    const benchCpuStart = sum(clientPids);
    const machineStart = machineTicks();
    const peaks = pids.map((pid) => sampleResidentPeak(pid, 500));
    const began = performance.now();
    for (const c of children) c.tell({ type: 'measure' });
    await sleep(options.measureMs);
    for (const c of children) c.tell({ type: 'stop', drainMs: options.drainMs });
    const windowMs = performance.now() - began;
    const nodesCpu = sum(pids) - nodesCpuStart;
    const redisCpu = redisPid ? cpuSeconds(redisPid) - redisCpuStart : Number.NaN;
    const benchCpu = sum(clientPids) - benchCpuStart;
    const machineCpuPercent = machineBusyPercent(machineStart, machineTicks());
    const results: ChildResult[] = (
      await Promise.all(children.map((c) => c.next('result', options.drainMs + 60_000)))
    ).map((m) => m.result);
    const nodePeakRssMb = Math.max(...peaks.map((p) => p.stop()), ...pids.map((pid) => residentMb(pid)));

    const total = (pick: (r: ChildResult) => number) => results.reduce((n, r) => n + pick(r), 0);
    const joined = (pick: (r: ChildResult) => Float64Array) => {
      const all = new Float64Array(total((r) => pick(r).length));
      let at = 0;
      for (const r of results) {
        all.set(pick(r), at);
        at += pick(r).length;
      }
      return all.sort();
    };
    const sameNodeMs = joined((r) => r.same);
    const crossNodeMs = joined((r) => r.cross);
    const lostSameNode = total((r) => r.lostSameNode);
    const lostCrossNode = total((r) => r.lostCrossNode);
    const cursorPairs = total((r) => r.cursorPairs);
    return {
      sameNodeMs,
      crossNodeMs,
      lostSameNode,
      lostCrossNode,
      expected: sameNodeMs.length + crossNodeMs.length + lostSameNode + lostCrossNode,
      movesPerSecond: (total((r) => r.moves) * 1000) / windowMs,
      cursorsRightPercent: cursorPairs === 0 ? Number.NaN : (100 * total((r) => r.cursorsRight)) / cursorPairs,
      nodesCpuPercent: (nodesCpu * 100_000) / windowMs,
      redisCpuPercent: (redisCpu * 100_000) / windowMs,
      nodePeakRssMb,
      machineCpuPercent,
      benchCpuPercent: (benchCpu * 100_000) / windowMs,
      benchProcesses: count,
      benchLoopP99Ms: Math.max(...results.map((r) => r.loopP99Ms)),
      benchLoopMaxMs: Math.max(...results.map((r) => r.loopMaxMs)),
    };
  } finally {
    for (const c of children) if (c.child.connected) c.tell({ type: 'close' });
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.child.exitCode !== null || c.child.signalCode !== null) return resolve();
            const killer = setTimeout(() => c.child.kill('SIGKILL'), 10_000);
            c.child.once('exit', () => {
              clearTimeout(killer);
              resolve();
            });
          }),
      ),
    );
  }
}
