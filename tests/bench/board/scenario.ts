/**
 * One measured run: N clients on one board, a few of them (the writers) moving their own card at a
 * steady combined rate, every client recording when each other writer's edit reaches it. Sends and
 * receipts are stamped with the same `performance.now()` clock, since all clients share this
 * process. Writers take turns so that none exceeds `maxWriterRate`: Calma limits each writer's
 * updates per second (and closes a writer past it), as a server facing people should.
 */
import * as Y from 'yjs';
import { pollUntil } from '../../support/wait.js';
import { sleep } from '../support.js';
import { type BoardClient, type BoardTarget, connectClient } from './clients.js';
import { acknowledgedPerWriter, cardOf, complete, type Receipts, watch } from './receipts.js';
import { cpuSeconds, residentMb, sampleResidentPeak } from './server-process.js';

/** How long and how hard to drive one run. */
export interface ScenarioOptions {
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Edits per second, all writers together. */
  readonly editsPerSecond: number;
  /** The most edits per second one writer makes; more writers join in above it. */
  readonly maxWriterRate: number;
  /** After the last edit, how long a client may take before a missing edit counts as lost. */
  readonly drainMs: number;
  /** How many clients connect at once; the next batch waits for this one's first sync. */
  readonly connectBatch: number;
  readonly syncTimeoutMs: number;
  /** Names this run's cards: new ones per run, so that runs on one server do not interfere. */
  readonly cardPrefix: string;
  /**
   * After the drain, connect a fresh client (the last client's credentials, once it has left) and
   * count the acknowledged edits missing from the document it syncs (`acknowledgedLost`).
   */
  readonly verify: boolean;
  /**
   * With `verify`, then also: every client leaves, this kills and restarts the server (see
   * `BoardServer.crash`), and a fresh client counts the acknowledged edits it lacks
   * (`acknowledgedLostAfterCrash`).
   */
  readonly crash?: () => Promise<void>;
  readonly log: (line: string) => void;
}

/** What one run measured. `latenciesMs` is sorted and excludes lost edits. */
export interface ScenarioResult {
  readonly writers: number;
  readonly latenciesMs: Float64Array;
  /** (client, edit) pairs of the measured window that never arrived within `drainMs`. */
  readonly lost: number;
  readonly expected: number;
  /** Server CPU over the measured window, as a share of one core (100 = one full core). */
  readonly serverCpuPercent: number;
  readonly serverCpuSeconds: number;
  /** Server RSS when the measured window began, and the most it reached until the drain ended. */
  readonly serverWindowStartRssMb: number;
  readonly serverWindowPeakRssMb: number;
  /** Edits sent in the measured window, and the rate they went out at (below the asked one when the bench lagged). */
  readonly edits: number;
  readonly sentPerSecond: number;
  /** Edits of the whole run that some other client received (see {@link acknowledgedPerWriter}). */
  readonly acknowledged: number;
  /** Acknowledged edits missing from what a freshly connected client syncs; NaN unless `verify`. */
  readonly acknowledgedLost: number;
  /** The same after SIGKILL and a restart of the server; NaN unless `verify` and `crash`. */
  readonly acknowledgedLostAfterCrash: number;
  /** This process's CPU over the measured window: near 100 means the clients, not the server, set the pace. */
  readonly clientCpuPercent: number;
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function connectAll(targets: readonly BoardTarget[], options: ScenarioOptions, clients: BoardClient[]) {
  for (let start = 0; start < targets.length; start += options.connectBatch) {
    const batch = targets.slice(start, start + options.connectBatch).map((target) => connectClient(target));
    clients.push(...batch);
    await within(Promise.all(batch.map((c) => c.synced)), options.syncTimeoutMs, 'clients did not sync');
  }
}

/** Where each writer's Yjs clock stands: edit `i` of a writer is in a document whose state vector holds it at `clock + i + 1`. */
const clockOf = (doc: Y.Doc, client: number) => Y.decodeStateVector(Y.encodeStateVector(doc)).get(client) ?? 0;

/**
 * Closes the last client, connects a fresh one with its credentials and returns how many of the
 * acknowledged edits (per writer, `acknowledged[w]` of them after its clock `clockBefore[w]`) the
 * document it syncs lacks.
 */
async function lostOnResync(
  clients: BoardClient[],
  target: BoardTarget | undefined,
  writerIds: readonly number[],
  clockBefore: readonly number[],
  acknowledged: readonly number[],
  options: ScenarioOptions,
): Promise<number> {
  if (!target) return Number.NaN;
  clients[clients.length - 1]?.close();
  const fresh = connectClient(target);
  clients.push(fresh);
  try {
    await within(fresh.synced, options.syncTimeoutMs, 'the resync client did not sync');
  } catch (err) {
    options.log(`    ${err instanceof Error ? err.message : String(err)}: acknowledged edits not checked`);
    return Number.NaN;
  }
  return writerIds.reduce((lost, id, w) => {
    const present = Math.max(0, clockOf(fresh.doc, id) - (clockBefore[w] ?? 0));
    return lost + Math.max(0, (acknowledged[w] ?? 0) - present);
  }, 0);
}

/**
 * Runs one scenario against the server process `pid` with one client per target; the first
 * writers write as `authorIds[w]`. Every client is closed before this returns, whatever happened.
 */
export async function runScenario(
  pid: number,
  targets: readonly BoardTarget[],
  authorIds: readonly string[],
  options: ScenarioOptions,
): Promise<ScenarioResult> {
  const interval = 1000 / options.editsPerSecond;
  const writers = Math.max(1, Math.min(targets.length - 1, Math.ceil(options.editsPerSecond / options.maxWriterRate)));
  const warmupEdits = Math.round(options.warmupMs / interval);
  const total = warmupEdits + Math.round(options.measureMs / interval);
  const clients: BoardClient[] = [];
  try {
    await connectAll(targets.slice(0, writers), options, clients);
    const cards = clients.map((writer, w) => {
      const map = writer.doc.getMap<Y.Map<unknown>>('cards');
      const card = new Y.Map<unknown>();
      writer.doc.transact(() => {
        map.set(cardOf(options.cardPrefix, w), card);
        const fields = { kind: 'note', text: 'bench', x: -1, y: 0, authorId: authorIds[w] ?? '' };
        for (const [key, value] of Object.entries(fields)) card.set(key, value);
      });
      return card;
    });
    await connectAll(targets.slice(writers), options, clients);
    const seeAll = () =>
      clients.filter((c) => cards.every((_, w) => c.doc.getMap('cards').has(cardOf(options.cardPrefix, w)))).length;
    if (!(await pollUntil(() => seeAll() === clients.length, 5000))) {
      // The server may have refused a card (a permission filter, say): measure anyway, and let
      // the lost count show it.
      options.log(
        `    only ${seeAll()}/${clients.length} clients see every writer's card; what they miss counts as lost`,
      );
    }
    const receipts: Receipts[] = clients.map((c, i) =>
      watch(c.doc, options.cardPrefix, writers, total, i < writers ? i : -1),
    );
    const writerIds = clients.slice(0, writers).map((c) => c.doc.clientID);
    const clockBefore = clients.slice(0, writers).map((c) => clockOf(c.doc, c.doc.clientID));
    const sentAt = new Float64Array(total);

    let cpuAtStart = 0;
    let clientCpuAtStart = process.cpuUsage();
    let windowStart = 0;
    let windowRss = { start: Number.NaN, peak: { stop: () => Number.NaN } };
    const begin = performance.now();
    for (let seq = 0; seq < total; seq++) {
      // Each edit is due at a fixed offset from the start, so a late timer does not slow the rate.
      const wait = begin + seq * interval - performance.now();
      if (wait > 0) await sleep(wait);
      if (seq === warmupEdits) {
        cpuAtStart = cpuSeconds(pid);
        clientCpuAtStart = process.cpuUsage();
        windowStart = performance.now();
        windowRss = { start: residentMb(pid), peak: sampleResidentPeak(pid) };
      }
      sentAt[seq] = performance.now();
      const w = seq % writers;
      clients[w]?.doc.transact(() => cards[w]?.set('x', seq));
    }
    await sleep(Math.max(0, begin + total * interval - performance.now()));
    const windowMs = performance.now() - windowStart;
    const serverCpuSeconds = cpuSeconds(pid) - cpuAtStart;
    const clientCpu = process.cpuUsage(clientCpuAtStart);
    await pollUntil(() => receipts.every((r) => complete(r, writers, total)), options.drainMs);
    const windowPeakRssMb = windowRss.peak.stop();
    const acknowledged = acknowledgedPerWriter(receipts, writers);
    const last = targets[clients.length - 1];
    const resync = () => lostOnResync(clients, last, writerIds, clockBefore, acknowledged, options);
    const acknowledgedLost = options.verify && last ? await resync() : Number.NaN;
    let acknowledgedLostAfterCrash = Number.NaN;
    if (options.verify && options.crash && last) {
      // Nobody may hold a copy to hand back after the restart: every client leaves first.
      for (const client of clients) client.close();
      await options.crash();
      acknowledgedLostAfterCrash = await resync();
    }

    const latencies: number[] = [];
    let lost = 0;
    for (const reader of receipts) {
      for (let seq = warmupEdits; seq < total; seq++) {
        if (seq % writers === reader.self) continue;
        const at = reader.at[seq] ?? Number.NaN;
        if (Number.isNaN(at)) lost += 1;
        else latencies.push(at - (sentAt[seq] ?? 0));
      }
    }
    const edits = total - warmupEdits;
    return {
      writers,
      latenciesMs: Float64Array.from(latencies).sort(),
      lost,
      expected: latencies.length + lost,
      serverCpuPercent: (serverCpuSeconds * 100_000) / windowMs,
      serverCpuSeconds,
      serverWindowStartRssMb: windowRss.start,
      serverWindowPeakRssMb: windowPeakRssMb,
      edits,
      sentPerSecond: (edits * 1000) / windowMs,
      acknowledged: acknowledged.reduce((a, b) => a + b, 0),
      acknowledgedLost,
      acknowledgedLostAfterCrash,
      clientCpuPercent: ((clientCpu.user + clientCpu.system) / 1000 / windowMs) * 100,
    };
  } finally {
    for (const client of clients) client.close();
  }
}
