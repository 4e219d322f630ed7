import { rmSync } from 'node:fs';
import type { TestDb } from '@calma/db/testing';
import { freshDb } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addCard, type BoardClient, boardClient } from '../support/board-clients.js';
import { adminToken, api, buildServer, type Running, stop } from '../support/child-server.js';
import { startClusterNode } from '../support/cluster.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/redis.js';

/**
 * One session's board served by three Calma processes on one PostgreSQL and one Redis, with stock
 * `WebsocketProvider` clients spread over the nodes, as a load balancer would spread people:
 * they converge; a node SIGKILLed mid-edit loses nothing any peer received and its clients,
 * sent to another node, converge; Redis restarted mid-session (empty: nothing is saved) loses
 * nothing and the relay resumes.
 */

// y-websocket registers one process `exit` listener per provider (removed on destroy).
process.setMaxListeners(Math.max(process.getMaxListeners(), 100));

let db: TestDb;
let redis: ThrowawayRedis;
const nodes: Running[] = [];
const dataDirs: string[] = [];
const clients: BoardClient[] = [];

function startNode(): Promise<Running> {
  return startClusterNode(
    { databaseUrl: db.url as string, redisUrl: redis.url, dataDirs },
    { CALMA_WEB_DIR: '', CALMA_JOIN_RATE_LIMIT: '100000' },
  );
}

beforeAll(async () => {
  const build = buildServer();
  expect(build.status, build.stderr).toBe(0);
  db = await freshDb('postgres');
  redis = await startThrowawayRedis();
  // The database comes migrated from the template; the nodes may start together.
  nodes.push(...(await Promise.all([startNode(), startNode(), startNode()])));
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await Promise.all(nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null).map((n) => stop(n)));
  await redis?.stop();
  await db?.close();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

interface Person {
  token: string;
  participantId: string;
}

/** A new group with `people` participants and its session on the board segment, through node 0's API. */
async function newSession(people: number): Promise<{ sessionId: string; people: Person[] }> {
  const server = nodes[0] as Running;
  const post = async (path: string, body: unknown, token = adminToken) => {
    const res = await api(server, path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body as Record<string, string>;
  };
  const study = await post('/api/studies', {
    title: 'Cluster',
    context: { name: 'n', description: '', systemPrompt: '' },
  });
  const group = await post(`/api/studies/${study.id}/groups`, { name: 'G' });
  const joined: Person[] = [];
  for (let i = 0; i < people; i++) {
    const person = await post('/api/join', { inviteCode: group.inviteCode, displayName: `P${i}`, consent: true });
    joined.push({ token: person.token as string, participantId: person.participantId as string });
  }
  const moderatorToken = group.moderatorToken as string;
  const session = await post(`/api/groups/${group.id}/sessions`, {}, moderatorToken);
  await post(
    `/api/sessions/${session.id}/control`,
    { action: 'start', segment: 2, durationMs: 3_600_000 },
    moderatorToken,
  );
  return { sessionId: session.id as string, people: joined };
}

/** A synced client of `person` on `node`; fails if the node closed it instead. */
async function connect(node: Running, sessionId: string, person: Person): Promise<BoardClient> {
  const client = await boardClient(node.url, sessionId, person.token);
  clients.push(client);
  expect(client.provider.synced, `a client on ${node.url} did not sync: ${JSON.stringify(client.closes)}`).toBe(true);
  return client;
}

/**
 * `who lacks n0-7`, `who lacks n0-8`, … as one line per client with runs of card numbers:
 * `who lacks n0-7…8, n1-3`.
 */
function summary(lines: readonly string[]): string {
  const byWho = new Map<string, Map<string, number[]>>();
  for (const line of lines) {
    const [who = line, id = ''] = line.split(' lacks ');
    const [, prefix = id, n] = /^(.*)-(\d+)$/.exec(id) ?? [];
    const ids = byWho.get(who) ?? new Map<string, number[]>();
    byWho.set(who, ids);
    ids.set(prefix, [...(ids.get(prefix) ?? []), n === undefined ? -1 : Number(n)]);
  }
  return [...byWho]
    .map(([who, ids]) => {
      const runs = [...ids].flatMap(([prefix, numbers]) => {
        const out: string[] = [];
        for (let i = 0; i < numbers.length; ) {
          let j = i;
          while (j + 1 < numbers.length && numbers[j + 1] === (numbers[j] ?? 0) + 1) j++;
          const from = numbers[i] ?? -1;
          out.push(from < 0 ? prefix : `${prefix}-${from}${j > i ? `…${numbers[j]}` : ''}`);
          i = j + 1;
        }
        return out;
      });
      return `  ${who} lacks ${runs.join(', ')}`;
    })
    .join('\n');
}

/** Polls `missing` (what is still absent, as text) until it is empty; fails naming it after `ms`. */
async function eventually(
  missing: () => string[] | Promise<string[]>,
  what: string,
  ms: number,
  everyMs = 20,
  detail: () => string = () => '',
): Promise<number> {
  const began = Date.now();
  let left = await missing();
  while (left.length > 0) {
    if (Date.now() - began > ms) {
      throw new Error(
        `${what}: still missing after ${ms} ms (${left.length}):\n${summary(left)}${detail()}\nwhat the nodes logged:\n${nodeLogs()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    left = await missing();
  }
  return Date.now() - began;
}

/** What the nodes logged about Redis and the relay (they log at `warn`), for a failure's message. */
function nodeLogs(): string {
  return nodes
    .map((node, i) => {
      const lines = node
        .output()
        .split('\n')
        .filter((line) => /redis|relay|catch/i.test(line))
        .slice(-15);
      return `node ${i}:\n${lines.map((line) => `    ${line.slice(0, 300)}`).join('\n')}`;
    })
    .join('\n');
}

/** Card ids `expected` that a client connecting now to `node` does not show once synced. */
async function freshLacks(node: number, sessionId: string, person: Person, expected: Iterable<string>) {
  const fresh = await connect(nodes[node] as Running, sessionId, person);
  try {
    return lacking(fresh, expected, `a fresh client on node ${node}`);
  } finally {
    fresh.destroy();
  }
}

/** Whether each client is connected, how the servers closed it, and its Yjs state vector. */
const clientStates = (all: readonly BoardClient[]) =>
  `\nthe clients:\n${all
    .map(
      (c, r) =>
        `  client ${r}: ${c.provider.wsconnected ? 'connected' : 'not connected'}, closes ${JSON.stringify(c.closes)}, ` +
        `pending ${c.doc.store.pendingStructs ? JSON.stringify([...c.doc.store.pendingStructs.missing]) : 'none'}, ` +
        `state ${JSON.stringify([...Y.decodeStateVector(Y.encodeStateVector(c.doc))])} (own ${c.doc.clientID})`,
    )
    .join('\n')}`;

/** Card ids `expected` that `client` does not show, each prefixed by `who`. */
const lacking = (client: BoardClient, expected: Iterable<string>, who: string) =>
  [...expected].filter((id) => !client.cards.has(id)).map((id) => `${who} lacks ${id}`);

/** Adds a card `<prefix>-<n>` to `client` every `everyMs`; `ids` holds what it wrote so far. */
function keepWriting(client: BoardClient, prefix: string, authorId: string, everyMs: number) {
  const ids: string[] = [];
  const timer = setInterval(() => {
    const id = `${prefix}-${ids.length}`;
    addCard(client, id, { kind: 'note', text: id, x: ids.length, y: 0, authorId });
    ids.push(id);
  }, everyMs);
  return { ids, stop: () => clearInterval(timer) };
}

describe('a board on three nodes with Redis', () => {
  it('converges: clients on different nodes see each other’s cards and moves', async () => {
    const { sessionId, people } = await newSession(6);
    const all = await Promise.all(people.map((person, i) => connect(nodes[i % 3] as Running, sessionId, person)));
    const cards = all.map((client, i) => {
      addCard(client, `c${i}`, { kind: 'note', text: `idea ${i}`, x: 0, y: 0, authorId: people[i]?.participantId });
      return client.cards.get(`c${i}`);
    });
    for (let move = 1; move <= 5; move++) {
      for (const card of cards) card?.set('x', move);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await eventually(
      () =>
        all.flatMap((client, reader) =>
          all.flatMap((_, writer) =>
            client.cards.get(`c${writer}`)?.get('x') === 5
              ? []
              : [`client ${reader} (node ${reader % 3}) lacks c${writer}'s last move`],
          ),
        ),
      'every client showing every card where its owner last put it',
      10_000,
    );
    // The same board everywhere (key order is each replica's own: compare as objects).
    const first = all[0]?.cards.toJSON();
    for (const client of all) expect(client.cards.toJSON()).toEqual(first);
    // Cursors cross nodes too: each client shows every other's where it was put last.
    all.forEach((client, i) => {
      client.provider.awareness.setLocalStateField('cursor', { x: 100 + i, y: 7 });
    });
    await eventually(
      () =>
        all.flatMap((client, reader) =>
          all.flatMap((other, i) => {
            const state = client.provider.awareness.getStates().get(other.doc.clientID) as
              | { cursor?: { x?: number } }
              | undefined;
            return state?.cursor?.x === 100 + i
              ? []
              : [`client ${reader} (node ${reader % 3}) lacks client ${i}'s cursor`];
          }),
        ),
      'every client showing every cursor',
      10_000,
    );
  });

  it('loses nothing when Redis restarts empty mid-session, and the relay resumes', async () => {
    const { sessionId, people } = await newSession(7);
    const all = await Promise.all(
      people.slice(0, 6).map((person, i) => connect(nodes[i % 3] as Running, sessionId, person)),
    );
    // One writer per node, each adding a card every 20 ms throughout.
    const writers = [0, 1, 2].map((w) =>
      keepWriting(all[w] as BoardClient, `n${w}`, people[w]?.participantId as string, 20),
    );
    const written = () => writers.flatMap((w) => w.ids);
    // The relay works before the restart: each reader shows cards from every node.
    await eventually(
      () => all.flatMap((client, r) => lacking(client, ['n0-5', 'n1-5', 'n2-5'], `client ${r} (node ${r % 3})`)),
      'cards from every node before the restart',
      10_000,
    );
    await redis.down();
    const whileDown = written().length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(written().length, 'the writers kept writing while Redis was down').toBeGreaterThan(whileDown + 30);
    await redis.up();
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const w of writers) w.stop();
    const everything = written();
    // Nothing lost: every node holds every card (a client connecting now shows them all), those
    // written while Redis was down included; and the clients connected throughout show them too.
    const heldMs = await eventually(
      async () =>
        (await Promise.all([0, 1, 2].map((n) => freshLacks(n, sessionId, people[6] as Person, everything)))).flat(),
      'every card on a fresh client of each node after the Redis restart',
      15_000,
      250,
    );
    const tookMs = await eventually(
      () => all.flatMap((client, r) => lacking(client, everything, `client ${r} (node ${r % 3})`)),
      'every card on every client connected throughout, after the Redis restart',
      5_000,
      20,
      () => clientStates(all),
    );
    console.log(
      `[redis restart] ${everything.length} cards written; every node held all ${heldMs} ms after the last, every client showed all ${tookMs} ms later`,
    );
    // Fan-out resumes: a card written now on each node reaches the peers on the other nodes.
    all.slice(0, 3).forEach((client, w) => {
      addCard(client, `after-${w}`, { kind: 'note', text: 'after', x: 0, y: 0, authorId: people[w]?.participantId });
    });
    const resumedMs = await eventually(
      () =>
        all.flatMap((client, r) => lacking(client, ['after-0', 'after-1', 'after-2'], `client ${r} (node ${r % 3})`)),
      'cards written after the restart on every client',
      5_000,
    );
    console.log(`[redis restart] a new card reached every node's clients in ${resumedMs} ms`);
  }, 45_000);

  it('loses nothing any peer received when a node is SIGKILLed mid-edit; its clients converge elsewhere', async () => {
    const { sessionId, people } = await newSession(10);
    // Three clients per node; the first on each node writes. Node 2 dies.
    const all = await Promise.all(
      people.slice(0, 9).map((person, i) => connect(nodes[i % 3] as Running, sessionId, person)),
    );
    const nodeOf = (i: number) => i % 3;
    const writers = [0, 1, 2].map((w) =>
      keepWriting(all[w] as BoardClient, `n${w}`, people[w]?.participantId as string, 10),
    );
    // Edits flow across nodes both ways before the kill.
    await eventually(
      () => all.flatMap((client, r) => lacking(client, ['n0-40', 'n1-40', 'n2-40'], `client ${r} (node ${nodeOf(r)})`)),
      'cards from every node before the kill',
      10_000,
    );
    const victim = nodes[2] as Running;
    await stop(victim, 'SIGKILL');
    // The victim's clients would reconnect to it (in vain); hold them until the check below, so
    // that no copy of theirs can refill what the cluster lost.
    const orphans = all.filter((_, i) => nodeOf(i) === 2);
    for (const orphan of orphans) orphan.provider.disconnect();
    // The survivors' writers go on for a moment, then everyone stops.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const w of writers) w.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // What each client received from others (not its own writes): all of it must have been kept.
    const received = new Set<string>();
    all.forEach((client, i) => {
      for (const id of client.cards.keys()) if (!id.startsWith(`n${i}-`)) received.add(id);
    });
    const fromVictim = [...received].filter((id) => id.startsWith('n2-')).length;
    expect(fromVictim, 'peers received cards written through the killed node').toBeGreaterThan(0);
    for (const survivor of [0, 1]) {
      const fresh = await connect(nodes[survivor] as Running, sessionId, people[9] as Person);
      const waitedMs = await eventually(
        () => lacking(fresh, received, `a fresh client on node ${survivor}`),
        'every card a peer had received, on a fresh client of a surviving node',
        // A survivor that missed the victim's last relay catches up from storage once the
        // victim's liveness key expires (renewed every 2 s, 6 s to live).
        15_000,
      );
      console.log(`[SIGKILL] a fresh client on node ${survivor} showed every received card after ${waitedMs} ms`);
      fresh.destroy();
    }
    console.log(
      `[SIGKILL] written ${writers.map((w) => w.ids.length).join('/')} per node; ${received.size} received by peers (${fromVictim} through the killed node), none lost`,
    );
    // A load balancer sends the victim's clients to the surviving nodes.
    orphans.forEach((orphan, k) => {
      orphan.provider.serverUrl = `${(nodes[k % 2] as Running).url.replace(/^http/, 'ws')}/yjs`;
      orphan.provider.connect();
    });
    const everything = writers.flatMap((w) => w.ids);
    await eventually(
      () => all.flatMap((client, r) => lacking(client, everything, `client ${r} (node ${nodeOf(r)})`)),
      'every card on every client after the reconnection',
      15_000,
    );
    const first = all[0]?.cards.toJSON();
    for (const [r, client] of all.entries()) expect(client.cards.toJSON(), `client ${r}`).toEqual(first);
  }, 45_000);
});
