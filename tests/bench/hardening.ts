/**
 * `pnpm bench hardening`: what one hostile participant can do to everyone else (issue 11's
 * targets). Calma runs in a child process on an embedded database; on loopback:
 *
 * 1. **Flood**: one participant sends tiny updates as fast as it can for BENCH_SECONDS (default 5),
 *    reconnecting whenever it is closed, while another participant moves a card every 100 ms and a
 *    third watches; reported: health p99 (target ≤ 200 ms), edit→peer p99 of the others (≤ 250 ms),
 *    how the flooder was stopped, and server RSS growth.
 * 2. **A 10,000-card board**: refused updates (a participant deleting the moderator's cards) and
 *    compactions (500 moves) while health is polled every 5 ms; reported: the longest health call,
 *    an upper bound on any block of the event loop (target: none > 200 ms).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { CalmaReady } from './board/calma-server.js';
import { startServerProcess } from './board/server-process.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const log = (line: string) => console.log(line);
const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
};
const round = (n: number) => Math.round(n * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const NodeWebSocket = WebSocket as unknown as typeof globalThis.WebSocket;
process.setMaxListeners(100);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Polls /api/health back to back (one at a time) until stopped; returns each call's time. */
function pollHealth(base: string, gapMs: number): { stop(): Promise<number[]> } {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await fetch(`${base}/api/health`).then((r) => r.arrayBuffer());
      times.push(performance.now() - started);
      await sleep(gapMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return times;
    },
  };
}

/** A stock y-websocket client (no presence); resolves once synced. */
async function client(base: string, sessionId: string, token: string) {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${base.replace('http', 'ws')}/yjs`, sessionId, doc, {
    params: { token },
    WebSocketPolyfill: NodeWebSocket,
    disableBc: true,
    maxBackoffTime: 500,
  });
  provider.awareness.setLocalState(null);
  await new Promise<void>((resolve) => provider.once('sync', () => resolve()));
  return { doc, provider, cards: doc.getMap<Y.Map<unknown>>('cards'), close: () => provider.destroy() };
}

const syncUpdate = (update: Uint8Array) => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
};

/**
 * Sends updates of the flooder's own note as fast as the socket takes them, reconnecting when
 * closed, until `untilMs`. Each connection starts from a fresh document and a fresh client id.
 */
async function flood(base: string, sessionId: string, token: string, authorId: string, untilMs: number) {
  let sent = 0;
  const closes = new Map<number, number>();
  while (Date.now() < untilMs) {
    const doc = new Y.Doc();
    const ws = new WebSocket(`${base.replace('http', 'ws')}/yjs/${sessionId}?token=${token}`);
    const closed = new Promise<void>((resolve) =>
      ws.on('close', (code) => {
        closes.set(code, (closes.get(code) ?? 0) + 1);
        resolve();
      }),
    );
    ws.on('error', () => {});
    await new Promise<void>((resolve) => ws.once('open', () => resolve()).once('close', () => resolve()));
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const card = new Y.Map<unknown>();
    doc.transact(() => {
      for (const [k, v] of Object.entries({ kind: 'note', text: 'flood', authorId, x: 0, y: 0 })) card.set(k, v);
      doc.getMap('cards').set(`flood-${doc.clientID}`, card);
    });
    let x = 0;
    while (ws.readyState === ws.OPEN && Date.now() < untilMs) {
      for (let i = 0; i < 200 && ws.readyState === ws.OPEN; i++) {
        card.set('x', ++x);
        const update = updates.shift();
        if (update) {
          ws.send(syncUpdate(update));
          sent += 1;
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    ws.close();
    await Promise.race([closed, sleep(1000)]);
    // A client that was told to slow down backs off before reconnecting, as y-websocket does.
    await sleep(100);
  }
  return { sent, closes };
}

/** The server's longest event-loop delay since the last call. */
type Ask = <T>(message: unknown) => Promise<T>;
const loopDelay = async (ask: Ask) => {
  const { maxMs, p99Ms, gcMaxMs } = await ask<{ maxMs: number; p99Ms: number; gcMaxMs: number }>('loop-delay');
  return `event loop held at most ${round(maxMs)} ms (p99 ${round(p99Ms)} ms; longest GC pause ${round(gcMaxMs)} ms)`;
};

async function floodScenario(base: string, ready: CalmaReady, pid: number, ask: Ask) {
  const [p0, p1, p2] = ready.participantTokens as [string, string, string];
  const mover = await client(base, ready.sessionId, p1);
  const watcher = await client(base, ready.sessionId, p2);
  const card = new Y.Map<unknown>();
  mover.doc.transact(() => {
    for (const [k, v] of Object.entries({ kind: 'note', text: 'mover', authorId: ready.participantIds[1], x: 0, y: 0 }))
      card.set(k, v);
    mover.cards.set('mover', card);
  });
  while (!watcher.cards.has('mover')) await sleep(5);
  const rssBefore = rssMb(pid);
  await loopDelay(ask);
  const latencies: number[] = [];
  const sentAt = new Map<number, number>();
  watcher.cards.observeDeep(() => {
    const x = watcher.cards.get('mover')?.get('x');
    if (typeof x === 'number' && sentAt.has(x)) {
      latencies.push(performance.now() - (sentAt.get(x) as number));
      sentAt.delete(x);
    }
  });
  const health = pollHealth(base, 20);
  const untilMs = Date.now() + seconds * 1000;
  let moves = 0;
  const moving = (async () => {
    while (Date.now() < untilMs) {
      moves += 1;
      sentAt.set(moves, performance.now());
      card.set('x', moves);
      await sleep(100);
    }
  })();
  const flooded = await flood(base, ready.sessionId, p0, ready.participantIds[0] as string, untilMs);
  await moving;
  await sleep(1000);
  const healthTimes = await health.stop();
  const rssAfter = rssMb(pid);
  mover.close();
  watcher.close();
  log(`Flood: one participant, ${seconds} s, reconnecting whenever closed`);
  log(
    `  flooder sent ${flooded.sent} updates; closed by the server: ${[...flooded.closes].map(([c, n]) => `${n}× ${c}`).join(', ')}`,
  );
  log(
    `  health: ${healthTimes.length} calls, p50 ${round(percentile(healthTimes, 50))} ms, p99 ${round(percentile(healthTimes, 99))} ms, max ${round(Math.max(...healthTimes))} ms (target p99 ≤ 200 ms)`,
  );
  log(
    `  another participant's moves seen by a third: ${latencies.length} of ${moves}, p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms (target p99 ≤ 250 ms)`,
  );
  log(`  server RSS ${round(rssBefore)} → ${round(rssAfter)} MB; ${await loopDelay(ask)}`);
}

async function bigBoardScenario(base: string, ready: CalmaReady, ask: Ask) {
  const moderator = await client(base, ready.sessionId, ready.moderatorToken);
  log('10,000-card board: placing cards (in updates of 500) …');
  for (let start = 0; start < 10_000; start += 500) {
    moderator.doc.transact(() => {
      for (let i = start; i < start + 500; i++) {
        const card = new Y.Map<unknown>();
        for (const [k, v] of Object.entries({
          kind: 'note',
          text: `card ${i} with a few words of text`,
          authorId: 'moderator',
          x: (i % 100) * 220,
          y: Math.floor(i / 100) * 120,
        }))
          card.set(k, v);
        moderator.cards.set(`big-${i}`, card);
      }
    });
    await sleep(300); // the moderator's byte budget refills
  }
  const reader = await client(base, ready.sessionId, ready.participantTokens[2] as string);
  while (reader.cards.size < 10_000) await sleep(50);
  reader.close();

  // Refusals: a participant deletes one of the moderator's cards, is closed, and tries again.
  await loopDelay(ask);
  const health = pollHealth(base, 5);
  const refusals: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    const intruder = await client(base, ready.sessionId, ready.participantTokens[1] as string);
    const closed = new Promise<number>((resolve) =>
      intruder.provider.once('connection-close', (event: CloseEvent | null) => resolve(event?.code ?? 0)),
    );
    intruder.cards.delete(`big-${i}`);
    const code = await closed;
    intruder.close();
    if (code !== 4403) log(`    unexpected close ${code}`);
    refusals.push(performance.now() - started);
  }
  const refusalHealth = await health.stop();
  log('  10 refused deletions of others’ cards, each on a fresh connection (sync of 10,000 cards included):');
  log(`    connect → refused: p50 ${round(percentile(refusals, 50))} ms, max ${round(Math.max(...refusals))} ms`);
  log(
    `    health max ${round(Math.max(...refusalHealth))} ms, p99 ${round(percentile(refusalHealth, 99))} ms over ${refusalHealth.length} calls; ${await loopDelay(ask)}`,
  );

  // Compaction: 500 moves make the room fold its board into a snapshot.
  await loopDelay(ask);
  const health2 = pollHealth(base, 5);
  for (let i = 0; i < 500; i++) {
    (moderator.cards.get(`big-${i}`) as Y.Map<unknown>).set('x', i + 1);
    if (i % 100 === 99) await sleep(600); // within the moderator's update budget
  }
  await sleep(3000);
  const compactionHealth = await health2.stop();
  log('  500 moves (one compaction of the 10,000-card board):');
  log(
    `    health max ${round(Math.max(...compactionHealth))} ms, p99 ${round(percentile(compactionHealth, 99))} ms over ${compactionHealth.length} calls (target: no block > 200 ms); ${await loopDelay(ask)}`,
  );
  moderator.close();
}

const script = fileURLToPath(new URL('./board/calma-server.ts', import.meta.url));
const server = await startServerProcess<CalmaReady>(script, ['3'], 'calma', 120_000);
const base = `http://127.0.0.1:${server.ready.port}`;
try {
  const ask: Ask = (message) => server.ask(message);
  await floodScenario(base, server.ready, server.pid, ask);
  await bigBoardScenario(base, server.ready, ask);
} finally {
  await server.stop();
}
process.exit(0);
