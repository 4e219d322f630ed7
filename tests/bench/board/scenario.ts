/**
 * One measured run: N clients on one board, one of them writing a card's `x` at a steady rate, the
 * others recording when each edit reaches them. Sends and receipts are stamped with the same
 * `performance.now()` clock, since writer and readers share this process.
 */
import * as Y from 'yjs';
import { type BoardClient, type BoardTarget, connectClient } from './clients.js';
import { cpuSeconds, residentMb, sampleResidentPeak } from './server-process.js';

/** How long and how hard to drive one run. */
export interface ScenarioOptions {
  readonly warmupMs: number;
  readonly measureMs: number;
  readonly editsPerSecond: number;
  /** After the last edit, how long a reader may take before a missing edit counts as lost. */
  readonly drainMs: number;
  /** How many clients connect at once; the next batch waits for this one's first sync. */
  readonly connectBatch: number;
  readonly syncTimeoutMs: number;
  /** The card the writer moves: a new one per run, so that runs on one server do not interfere. */
  readonly cardId: string;
  /**
   * After the drain, connect a fresh client (the first reader's credentials, once it has left) and
   * check that every acknowledged edit is in the document it syncs (see `acknowledgedLost`).
   */
  readonly verify: boolean;
  readonly log: (line: string) => void;
}

/** What one run measured. `latenciesMs` is sorted and excludes lost edits. */
export interface ScenarioResult {
  readonly latenciesMs: Float64Array;
  /** (reader, edit) pairs of the measured window that never arrived within `drainMs`. */
  readonly lost: number;
  readonly expected: number;
  /** Server CPU over the measured window, as a share of one core (100 = one full core). */
  readonly serverCpuPercent: number;
  readonly serverCpuSeconds: number;
  /** Largest server RSS sampled from the first connection to the end of the run. */
  readonly serverPeakRssMb: number;
  /** Server RSS when the first client connects: what the server holds before the board loads. */
  readonly serverIdleRssMb: number;
  /** Server RSS when the measured window began, and the most it reached after that. */
  readonly serverWindowStartRssMb: number;
  readonly serverWindowPeakRssMb: number;
  /** Edits sent in the measured window, and the rate they went out at (below the asked one when the bench lagged). */
  readonly edits: number;
  readonly sentPerSecond: number;
  /**
   * Edits acknowledged: an edit counts once any reader received it (the server took it and
   * broadcast it; a durable server broadcasts only what it committed). Of the whole run.
   */
  readonly acknowledged: number;
  /** Acknowledged edits missing from what a freshly connected client syncs; NaN unless `verify`. */
  readonly acknowledgedLost: number;
  /** This process's CPU over the measured window: near 100 means the clients, not the server, set the pace. */
  readonly clientCpuPercent: number;
  readonly connectMs: number;
}

/** Thrown when the clients cannot connect or sync: the server cannot be measured at all. */
export class UnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnavailableError';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

/** Polls `done` every 10 ms until it holds or `ms` have passed; says which. */
async function until(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() >= deadline) return false;
    await sleep(10);
  }
  return true;
}

/** Reader-side record: when each edit's sequence number was first seen. */
interface Receipts {
  readonly at: Float64Array;
  highest: number;
}

/**
 * Watches `cardId` in a reader's `cards` map. Edits from one writer integrate in order, so a
 * replica showing `x = s` holds every earlier edit too: if the server merges updates, the edits
 * it folded in count as received at the same moment rather than as lost.
 */
function watch(doc: Y.Doc, cardId: string, total: number): Receipts {
  const receipts: Receipts = { at: new Float64Array(total).fill(Number.NaN), highest: -1 };
  const cards = doc.getMap<Y.Map<unknown>>('cards');
  cards.observeDeep(() => {
    const x = cards.get(cardId)?.get('x');
    if (typeof x !== 'number' || x <= receipts.highest || x >= total) return;
    const now = performance.now();
    for (let seq = receipts.highest + 1; seq <= x; seq++) receipts.at[seq] = now;
    receipts.highest = x;
  });
  return receipts;
}

async function connectAll(targets: readonly BoardTarget[], options: ScenarioOptions, clients: BoardClient[]) {
  for (let start = 0; start < targets.length; start += options.connectBatch) {
    const batch = targets.slice(start, start + options.connectBatch).map((target) => connectClient(target));
    clients.push(...batch);
    try {
      await within(Promise.all(batch.map((c) => c.synced)), options.syncTimeoutMs, 'clients did not sync');
    } catch (err) {
      throw new UnavailableError(err instanceof Error ? err.message : String(err));
    }
  }
}

/**
 * Closes the first reader, connects a fresh client with its credentials and returns how many of
 * the writer's acknowledged edits (those up to clock `acknowledgedClock`) it does not get.
 */
async function lostOnResync(
  clients: BoardClient[],
  target: BoardTarget | undefined,
  writerId: number,
  acknowledgedClock: number,
  options: ScenarioOptions,
): Promise<number> {
  if (!target) return Number.NaN;
  clients[1]?.close();
  const fresh = connectClient(target);
  clients.push(fresh);
  try {
    await within(fresh.synced, options.syncTimeoutMs, 'the resync client did not sync');
  } catch (err) {
    options.log(`    ${err instanceof Error ? err.message : String(err)}: acknowledged edits not checked`);
    return Number.NaN;
  }
  const recovered = Y.decodeStateVector(Y.encodeStateVector(fresh.doc)).get(writerId) ?? 0;
  return Math.max(0, acknowledgedClock - recovered);
}

/**
 * Runs one scenario against the server process `pid`: `targets[0]` writes, the rest read.
 * Every client is closed before this returns, whatever happened.
 */
export async function runScenario(
  pid: number,
  targets: readonly BoardTarget[],
  authorId: string,
  options: ScenarioOptions,
): Promise<ScenarioResult> {
  const interval = 1000 / options.editsPerSecond;
  const warmupEdits = Math.round(options.warmupMs / interval);
  const total = warmupEdits + Math.round(options.measureMs / interval);
  const idleRssMb = residentMb(pid);
  const memory = sampleResidentPeak(pid);
  const clients: BoardClient[] = [];
  try {
    const connectStart = performance.now();
    await connectAll(targets.slice(0, 1), options, clients);
    const writer = clients[0] as BoardClient;
    const { cardId } = options;
    const writerCards = writer.doc.getMap<Y.Map<unknown>>('cards');
    writer.doc.transact(() => {
      const card = new Y.Map<unknown>();
      writerCards.set(cardId, card);
      for (const [key, value] of Object.entries({ kind: 'note', text: 'bench', x: -1, y: 0, authorId })) {
        card.set(key, value);
      }
    });
    await connectAll(targets.slice(1), options, clients);
    const readers = clients.slice(1);
    const connectMs = performance.now() - connectStart;
    const seeCard = () => readers.filter((r) => r.doc.getMap('cards').has(cardId)).length;
    if (!(await until(() => seeCard() === readers.length, 5000))) {
      // The server may have refused the writer's card (a permission filter, say): measure anyway,
      // and let the lost count show it.
      options.log(
        `    only ${seeCard()}/${readers.length} readers see the writer's card; edits they miss count as lost`,
      );
    }
    const receipts = readers.map((reader) => watch(reader.doc, cardId, total));
    const card = writerCards.get(cardId) as Y.Map<unknown>;
    const sentAt = new Float64Array(total);
    // Each edit is one map entry, one step of the writer's Yjs clock: edit `seq` is in a document
    // whose state vector holds the writer at `clockBefore + seq + 1` or more.
    const writerId = writer.doc.clientID;
    const clockBefore = Y.decodeStateVector(Y.encodeStateVector(writer.doc)).get(writerId) ?? 0;
    let windowRss = { start: Number.NaN, peak: { stop: () => Number.NaN } };

    let cpuAtStart = 0;
    let clientCpuAtStart = process.cpuUsage();
    let windowStart = 0;
    const begin = performance.now();
    for (let seq = 0; seq < total; seq++) {
      // Each edit is due at a fixed offset from the start, so a late timer does not slow the rate.
      const wait = begin + seq * interval - performance.now();
      if (wait > 0) await sleep(wait);
      if (seq === warmupEdits) {
        cpuAtStart = cpuSeconds(pid);
        clientCpuAtStart = process.cpuUsage();
        windowRss = { start: residentMb(pid), peak: sampleResidentPeak(pid) };
        windowStart = performance.now();
      }
      sentAt[seq] = performance.now();
      writer.doc.transact(() => card.set('x', seq));
    }
    await sleep(Math.max(0, begin + total * interval - performance.now()));
    const windowMs = performance.now() - windowStart;
    const serverCpuSeconds = cpuSeconds(pid) - cpuAtStart;
    const clientCpu = process.cpuUsage(clientCpuAtStart);
    await until(() => receipts.every((r) => r.highest === total - 1), options.drainMs);
    const windowPeakRssMb = windowRss.peak.stop();
    const acknowledged = Math.max(-1, ...receipts.map((r) => r.highest)) + 1;
    const acknowledgedLost = options.verify
      ? await lostOnResync(clients, targets[1], writerId, clockBefore + acknowledged, options)
      : Number.NaN;

    const latencies: number[] = [];
    let lost = 0;
    for (const reader of receipts) {
      for (let seq = warmupEdits; seq < total; seq++) {
        const at = reader.at[seq] ?? Number.NaN;
        if (Number.isNaN(at)) lost += 1;
        else latencies.push(at - (sentAt[seq] ?? 0));
      }
    }
    return {
      latenciesMs: Float64Array.from(latencies).sort(),
      lost,
      expected: receipts.length * (total - warmupEdits),
      serverCpuPercent: (serverCpuSeconds * 100_000) / windowMs,
      serverCpuSeconds,
      serverPeakRssMb: memory.stop(),
      serverIdleRssMb: idleRssMb,
      serverWindowStartRssMb: windowRss.start,
      serverWindowPeakRssMb: windowPeakRssMb,
      edits: total - warmupEdits,
      sentPerSecond: ((total - warmupEdits) * 1000) / windowMs,
      acknowledged,
      acknowledgedLost,
      clientCpuPercent: ((clientCpu.user + clientCpu.system) / 1000 / windowMs) * 100,
      connectMs,
    };
  } finally {
    memory.stop();
    for (const client of clients) client.close();
  }
}
