/**
 * `pnpm bench sessions`: a busy afternoon, many small sessions at once. 50 sessions of 15 people
 * (BENCH_SESSIONS, BENCH_PEOPLE), each person with a board connection showing a presence, and for
 * Calma a control socket in the session too; every person moves their card every few seconds
 * (BENCH_MOVE_SECONDS, default 3, jittered) and their cursor with it. Calma (PGlite, and
 * PostgreSQL) against Hocuspocus 4 with 50 documents of 15 clients: server CPU and RSS over
 * BENCH_SECONDS (default 30) after a 5 s warm-up, interleaved BENCH_REPEAT (default 1) times,
 * with ratios to Hocuspocus. BENCH_SERVERS picks among calma-pglite,calma-postgres,hocuspocus,y-websocket.
 */
import { startThrowawayPostgres, type ThrowawayPostgres } from '@calma/db/testing';
import { io, type Socket } from 'socket.io-client';
import * as Y from 'yjs';
import { buildServer } from '../../support/child-server.js';
import { log, machineLoad, sleep } from '../support.js';
import { type BoardClient, connectClient } from './clients.js';
import { namesFromEnv, numberFromEnv } from './options.js';
import { notMeasuredOnFailure, printComparison, Results } from './report.js';
import { cpuSeconds, residentMb, sampleResidentPeak } from './server-process.js';
import {
  type BoardServer,
  calmaClient,
  rotated,
  type ServerKind,
  serverKinds,
  serverTitles,
  startBoardServer,
} from './servers.js';

const sessions = numberFromEnv('BENCH_SESSIONS', 50, 1, 500);
const people = numberFromEnv('BENCH_PEOPLE', 15, 1, 100);
const moveSeconds = numberFromEnv('BENCH_MOVE_SECONDS', 3, 0.1, 600);
const seconds = numberFromEnv('BENCH_SECONDS', 30, 1, 3600);
const repeat = numberFromEnv('BENCH_REPEAT', 1, 1, 20);
const servers = process.env.BENCH_SERVERS?.trim()
  ? namesFromEnv('BENCH_SERVERS', serverKinds)
  : (['calma-pglite', 'calma-postgres', 'hocuspocus'] as ServerKind[]);

/** Everything connected for one server: board clients (with their cards) and control sockets. */
interface Crowd {
  readonly people: { readonly client: BoardClient; readonly card: Y.Map<unknown> }[];
  readonly sockets: Socket[];
}

/** Resolves once `socket` connected and joined `sessionId`. */
function controlSocket(httpUrl: string, token: string, sessionId: string): Promise<Socket> {
  const socket = io(httpUrl, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect_error', reject);
    socket.once('connect', () => socket.emit('session:join', { sessionId }, () => resolve(socket)));
  });
}

/** Connects every person of every room, 25 at a time; each creates their card once synced. */
async function gather(server: BoardServer, crowd: Crowd): Promise<void> {
  const everyone = server.rooms.flatMap((room) => room.targets.map((target, i) => ({ room, target, i })));
  for (let start = 0; start < everyone.length; start += 25) {
    const batch = everyone.slice(start, start + 25);
    const clients = batch.map(({ target }) => connectClient(target, { presence: true }));
    await Promise.all(clients.map((c) => c.synced));
    batch.forEach(({ room, i }, b) => {
      const client = clients[b] as BoardClient;
      const card = new Y.Map<unknown>();
      client.doc.transact(() => {
        client.doc.getMap<Y.Map<unknown>>('cards').set(`card-${i}`, card);
        const fields = { kind: 'note', text: `idea ${i}`, x: 0, y: 0, authorId: room.authorIds[i] ?? '' };
        for (const [key, value] of Object.entries(fields)) card.set(key, value);
      });
      crowd.people.push({ client, card });
    });
    const calma = batch.filter(({ room }) => room.calma);
    crowd.sockets.push(
      ...(await Promise.all(
        calma.map(({ room, i }) =>
          controlSocket(server.httpUrl, room.calma?.participantTokens[i] ?? '', room.calma?.sessionId ?? ''),
        ),
      )),
    );
  }
}

/** Every person moves their card (and cursor) every `moveSeconds`, jittered, until `stop()`. */
function activity(crowd: Crowd): { stop(): void } {
  const timers = crowd.people.map(({ client, card }) => {
    const move = () => {
      const x = Math.round(Math.random() * 1000);
      const y = Math.round(Math.random() * 700);
      client.doc.transact(() => {
        card.set('x', x);
        card.set('y', y);
      });
      client.awareness.setLocalStateField('cursor', { x, y });
    };
    const every = moveSeconds * 1000;
    // Spread over the interval, and each step between half and one and a half intervals.
    let timer = setTimeout(function step() {
      move();
      timer = setTimeout(step, every * (0.5 + Math.random()));
    }, Math.random() * every);
    return () => clearTimeout(timer);
  });
  return {
    stop() {
      for (const clear of timers) clear();
    },
  };
}

/** How many rooms' clients all show every person's card where its owner last put it. */
function roomsInSync(server: BoardServer, crowd: Crowd): number {
  let start = 0;
  let inSync = 0;
  for (const room of server.rooms) {
    const members = crowd.people.slice(start, start + room.targets.length);
    start += room.targets.length;
    const agree = members.every(({ client }) =>
      members.every(({ card }, i) => {
        const seen = client.doc.getMap<Y.Map<unknown>>('cards').get(`card-${i}`);
        return seen?.get('x') === card.get('x') && seen?.get('y') === card.get('y');
      }),
    );
    if (agree) inSync += 1;
  }
  return inSync;
}

async function measure(kind: ServerKind, postgres: ThrowawayPostgres | null, results: Results<ServerKind>) {
  const server = await startBoardServer(kind, { rooms: sessions, people, postgres });
  const crowd: Crowd = { people: [], sockets: [] };
  try {
    const connectStart = performance.now();
    await gather(server, crowd);
    log(
      `    ${crowd.people.length} board clients, ${crowd.sockets.length} control sockets in ${((performance.now() - connectStart) / 1000).toFixed(1)} s`,
    );
    const moving = activity(crowd);
    await sleep(5000);
    const cpuStart = cpuSeconds(server.pid);
    const rssStart = residentMb(server.pid);
    const peak = sampleResidentPeak(server.pid, 500);
    const began = performance.now();
    await sleep(seconds * 1000);
    const cpuPercent = ((cpuSeconds(server.pid) - cpuStart) * 100_000) / (performance.now() - began);
    const peakRss = peak.stop();
    moving.stop();
    await sleep(2000);
    const inSync = roomsInSync(server, crowd);
    results.add('cpu', kind, cpuPercent);
    results.add('rss', kind, peakRss);
    results.add('rss.idle', kind, server.idleRssMb);
    log(
      `    server CPU ${cpuPercent.toFixed(0)}% of a core, RSS ${rssStart.toFixed(0)}→${peakRss.toFixed(0)} MB ` +
        `(idle ${server.idleRssMb.toFixed(0)} MB); ${inSync}/${server.rooms.length} boards show everyone's last move everywhere`,
    );
  } finally {
    for (const { client } of crowd.people) client.close();
    for (const socket of crowd.sockets) socket.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  if (servers.some((s) => s.startsWith('calma'))) {
    const built = buildServer();
    if (built.status !== 0) throw new Error(`server build failed: ${built.stderr}`);
  }
  const postgres = servers.includes('calma-postgres') ? await startThrowawayPostgres(log) : null;
  const results = new Results<ServerKind>();
  const began = performance.now();
  try {
    for (let repetition = 0; repetition < repeat; repetition++) {
      for (const kind of rotated(servers, repetition)) {
        log(
          `sessions ${repetition + 1}/${repeat}: ${serverTitles[kind]}, ${sessions} × ${people} people, a move every ~${moveSeconds} s each …`,
        );
        await notMeasuredOnFailure(() => measure(kind, postgres, results));
      }
    }
  } finally {
    postgres?.stop();
  }
  const minutes = ((performance.now() - began) / 60_000).toFixed(1);
  console.log(`\n=== pnpm bench sessions: ${repeat} interleaved repetition(s), ${minutes} min, ${machineLoad()} ===`);
  printComparison(
    `${sessions} sessions × ${people} people, ${seconds} s measured (median; ratio to Hocuspocus 4 in brackets)`,
    servers.map((key) => ({ key, title: serverTitles[key] })),
    servers.includes('hocuspocus') ? 'hocuspocus' : null,
    [
      { key: 'cpu', label: 'server CPU (% of a core)', digits: 0 },
      { key: 'rss', label: 'server RSS, peak while measured (MB)', digits: 0 },
      { key: 'rss.idle', label: '  RSS idle after a fresh start (MB)', digits: 0 },
    ],
    results,
    [
      `Each person moves a card and their cursor every ${moveSeconds} s on average; Calma also holds a control socket per person.`,
      `${(sessions * people) / moveSeconds} moves/s in all; Calma commits each before broadcasting it.`,
      calmaClient === 'web'
        ? 'Calma’s clients send only their own presence, as its web app does (BENCH_CALMA_CLIENT=stock: stock y-websocket).'
        : 'Calma’s clients are stock y-websocket: each also sends back every cursor it receives (14 per move here).',
    ],
  );
}

await main();
process.exit(0);
