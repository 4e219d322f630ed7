import { rmSync } from 'node:fs';
import type { TestDb } from '@calma/db/testing';
import { freshDb } from '@calma/db/testing/fresh';
import type { ClientToServerEvents, ServerToClientEvents, SessionState } from '@calma/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCard, boardClient, until } from '../support/board-clients.js';
import { adminToken, api, buildServer, type Running, stop } from '../support/child-server.js';
import { startClusterNode } from '../support/cluster.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/redis.js';

/**
 * Three Calma processes (the built bundle) on one real PostgreSQL and one real Redis (Debian's
 * redis-server), as a load balancer would spread one session's clients over them: every client
 * sees the same `session:state` sequence whichever node the moderator acts on, the clocks agree,
 * a Redis restart loses nothing said after it, and SIGTERM drains a node.
 */

type ControlClient = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Observer {
  readonly node: number;
  readonly socket: ControlClient;
  readonly states: SessionState[];
}

let db: TestDb;
let redis: ThrowawayRedis;
const nodes: Running[] = [];
const dataDirs: string[] = [];
const observers: Observer[] = [];
let sessionId = '';
let moderatorToken = '';
let groupId = '';
let participantTokens: string[] = [];
let speakerIds: string[] = [];

function startNode(extra: Record<string, string> = {}): Promise<Running> {
  return startClusterNode(
    { databaseUrl: db.url as string, redisUrl: redis.url, dataDirs },
    { CALMA_DRAIN_DELAY_MS: '1500', ...extra },
  );
}

function connect(url: string, token: string, reconnection = false): Promise<ControlClient> {
  const socket: ControlClient = io(url, { auth: { token }, reconnection, forceNew: true, transports: ['websocket'] });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function joinSession(socket: ControlClient): Promise<SessionState> {
  return new Promise((resolve, reject) =>
    socket.emit('session:join', { sessionId }, (ack) => ('state' in ack ? resolve(ack.state) : reject(ack))),
  );
}

/** A moderator's control action over socket.io on node `n`; resolves with the acked state. */
async function control(n: number, body: Record<string, unknown>): Promise<SessionState> {
  const socket = await connect(nodes[n]?.url as string, moderatorToken);
  try {
    const ack = await new Promise<{ state: SessionState } | { error: unknown }>((resolve) =>
      socket.emit('session:control', { sessionId, ...body } as never, resolve),
    );
    if (!('state' in ack)) throw new Error(`${JSON.stringify(body)} on node ${n} refused: ${JSON.stringify(ack)}`);
    return ack.state;
  } finally {
    socket.disconnect();
  }
}

/** Waits until every observer has seen the state of `revision`. */
const allSee = (revision: number) =>
  until(
    () => observers.every((o) => o.states.some((s) => s.revision === revision)),
    `every client to see revision ${revision}`,
    10_000,
  );

const revisions = (o: Observer) => o.states.map((s) => s.revision);

beforeAll(async () => {
  const build = buildServer();
  expect(build.status, build.stderr).toBe(0);
  [db, redis] = await Promise.all([freshDb('postgres'), startThrowawayRedis()]);
  // One node first (it writes the admin token's hash), then the other two together.
  nodes.push(await startNode());
  nodes.push(...(await Promise.all([startNode(), startNode()])));

  const post = async (path: string, body: unknown, token = adminToken) => {
    const res = await api(nodes[0] as Running, path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    return res.body as Record<string, string>;
  };
  const study = await post('/api/studies', {
    title: 'Nodes',
    context: { name: 'n', description: '', systemPrompt: '' },
  });
  const group = await post(`/api/studies/${study.id}/groups`, { name: 'G' });
  moderatorToken = group.moderatorToken as string;
  groupId = group.id as string;
  const joined = await Promise.all(
    ['Asha', 'Bo', 'Chen'].map((name) =>
      post('/api/join', { inviteCode: group.inviteCode, displayName: name, consent: true }),
    ),
  );
  participantTokens = joined.map((p) => p.token as string);
  speakerIds = joined.map((p) => p.participantId as string);
  sessionId = (await post(`/api/groups/${group.id}/sessions`, {}, moderatorToken)).id as string;

  // Two participants' clients on each node.
  for (const [n, node] of nodes.entries()) {
    for (const token of participantTokens.slice(0, 2)) {
      const socket = await connect(node.url, token);
      const observer: Observer = { node: n, socket, states: [] };
      socket.on('session:state', ({ state }) => observer.states.push(state));
      await joinSession(socket);
      observers.push(observer);
    }
  }
}, 120_000);

afterAll(async () => {
  for (const o of observers) o.socket.disconnect();
  await Promise.all(nodes.map((node) => (node.child.exitCode === null ? stop(node, 'SIGKILL') : null)));
  await redis?.stop();
  await db?.close();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('one session served by three nodes', { timeout: 60_000 }, () => {
  it('shows every client the same session:state sequence, whichever node the moderator acts on', async () => {
    const acked: number[] = [];
    const actions: [number, Record<string, unknown>][] = [
      [0, { action: 'start', segment: 1, durationMs: 600_000 }],
      [1, { action: 'pause' }],
      [2, { action: 'resume' }],
      [0, { action: 'extend', durationMs: 60_000 }],
      [1, { action: 'advance', durationMs: 600_000 }],
      [2, { action: 'advance', durationMs: 600_000 }],
      [2, { action: 'set-speakers', participantIds: speakerIds }],
      [0, { action: 'next-speaker' }],
      [1, { action: 'next-speaker' }],
      [2, { action: 'lock-board' }],
    ];
    let board: Awaited<ReturnType<typeof boardClient>> | null = null;
    for (const [n, body] of actions) {
      // A participant's board on node 1, open when the moderator locks the board on node 2.
      if (body.action === 'lock-board')
        board = await boardClient(nodes[1]?.url as string, sessionId, participantTokens[0] as string);
      acked.push((await control(n, body)).revision as number);
    }
    await allSee(acked.at(-1) as number);
    // Node 1's room followed the state published on node 2 (an every-node subscriber of the
    // domain event bus over Redis): the participant's next write is refused and the socket closed.
    if (board) addCard(board, 'late', { kind: 'note', text: 'after the lock', x: 0, y: 0, authorId: speakerIds[0] });
    await until(() => (board?.closes.length ?? 0) > 0, 'the board on node 1 to turn read-only');
    expect(board?.closes[0]?.code).toBe(4409);
    board?.destroy();
    // Acked revisions rise one by one, and every client, on every node, saw exactly those, in order.
    expect(acked).toEqual(acked.map((_, i) => (acked[0] as number) + i));
    for (const o of observers) expect(revisions(o), `a client on node ${o.node}`).toEqual(acked);
    // The speaking queue moved on from nodes 0 and 1 as if there were one server.
    const last = observers[0]?.states.at(-1) as SessionState;
    expect(last.speakers.currentSpeakerId).toBe(speakerIds[1]);
    expect(last.boardLocked).toBe(true);
    for (const o of observers) expect(o.states.at(-1)).toEqual(last);
  });

  it('agrees on the clock across nodes to ±50 ms', async () => {
    await control(1, { action: 'advance', durationMs: 300_000 });
    // Each node resolves the clock itself when a client joins: the segment ends at one moment.
    const views = await Promise.all(observers.map((o) => joinSession(o.socket)));
    const endsAt = views.map((v) => v.serverNow + (v.remainingMs as number));
    const spread = Math.max(...endsAt) - Math.min(...endsAt);
    console.log(`running clock: segment end spread over ${views.length} joins on 3 nodes: ${spread} ms`);
    expect(spread).toBeLessThanOrEqual(50);
    for (const v of views) expect(v.endsAt).toBe(views[0]?.endsAt);

    // Paused on one node: every node reports the same frozen remaining time.
    await control(2, { action: 'pause' });
    const paused = await Promise.all(observers.map((o) => joinSession(o.socket)));
    const remaining = paused.map((v) => v.remainingMs as number);
    expect(Math.max(...remaining) - Math.min(...remaining)).toBeLessThanOrEqual(50);
    expect(new Set(remaining).size).toBe(1);
    await control(0, { action: 'resume' });
  });

  it('keeps control actions reaching every node after Redis restarts', async () => {
    await redis.down();
    // Readiness follows Redis: a node without it cannot serve and says so; liveness stays.
    await expect
      .poll(async () => (await fetch(`${nodes[1]?.url}/api/health/ready`)).status, { timeout: 10_000 })
      .toBe(503);
    const down = await api(nodes[1] as Running, '/api/health/ready');
    expect(down.body).toEqual({ error: { code: 'NOT_READY', message: expect.stringMatching(/Redis/) } });
    expect((await api(nodes[1] as Running, '/api/health')).status).toBe(200);

    await redis.up();
    for (const node of nodes) {
      await expect
        .poll(async () => (await fetch(`${node.url}/api/health/ready`)).status, { timeout: 15_000, interval: 100 })
        .toBe(200);
    }
    const ready = await api(nodes[2] as Running, '/api/health/ready');
    expect(ready.body).toEqual({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });

    const before = observers.map((o) => o.states.length);
    const acked = [(await control(2, { action: 'extend', durationMs: 60_000 })).revision as number];
    acked.push((await control(0, { action: 'unlock-board' })).revision as number);
    await allSee(acked[1] as number);
    for (const [i, o] of observers.entries())
      expect(revisions(o).slice(before[i]), `a client on node ${o.node}`).toEqual(acked);
  });

  it('computes a session’s affinity map on one node at a time, whichever nodes are asked', async () => {
    const asModerator = (n: number, path: string, body: unknown) =>
      api(nodes[n] as Running, path, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { authorization: `Bearer ${moderatorToken}` },
      });
    const words = ['balanced', 'biased', 'nuanced', 'one-sided', 'diplomatic', 'cites sources', 'dry', 'factual'];
    const labels = Array.from({ length: 240 }, (_, i) => ({
      text: `${words[i % words.length]} ${i}`,
      annotation: null,
      stage: 'focused',
      interactionId: null,
    }));
    expect((await asModerator(0, `/api/groups/${groupId}/labels`, { labels })).status).toBe(201);
    // A session made now places the group's labels on its board.
    const created = await asModerator(0, `/api/groups/${groupId}/sessions`, {});
    const mapped = (created.body as { id: string }).id;
    const path = `/api/sessions/${mapped}/affinity-map`;
    const [first, second] = await Promise.all([asModerator(0, path, {}), asModerator(1, path, {})]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const done = (first.status === 200 ? first : second).body as { points: unknown[] };
    expect(done.points.length).toBeGreaterThan(100);
    expect(((first.status === 409 ? first : second).body as { error: { code: string } }).error.code).toBe('CONFLICT');
    // Released when done: a third node may compute it again.
    expect((await asModerator(2, path, {})).status).toBe(200);
  });

  it('drains a node on SIGTERM: not ready at once, board sockets closed with 1001, exit 0', async () => {
    const node = nodes[2] as Running;
    const board = await boardClient(node.url, sessionId, moderatorToken);
    const control = await connect(node.url, participantTokens[2] as string, true);
    const reasons: string[] = [];
    control.on('disconnect', (reason) => reasons.push(reason));
    const exited = new Promise<number | null>((resolve) => node.child.once('exit', (code) => resolve(code)));

    node.child.kill('SIGTERM');
    // During the drain delay the node still answers, but is not ready.
    await expect
      .poll(async () => (await fetch(`${node.url}/api/health/ready`)).status, { timeout: 1_000, interval: 50 })
      .toBe(503);
    expect((await fetch(`${node.url}/api/health`)).status).toBe(200);
    expect(board.closes).toEqual([]);

    expect(await exited).toBe(0);
    await until(() => board.closes.length > 0, 'the board socket to close');
    expect(board.closes[0]?.code).toBe(1001);
    // Closed without socket.io's "disconnect" packet, so the client reconnects (to another node).
    await until(() => reasons.length > 0, 'the control socket to drop');
    expect(reasons[0]).toBe('transport close');
    expect(control.active).toBe(true);
    board.destroy();
    control.disconnect();

    // The other nodes go on serving the session.
    const state = await stateOnNode0();
    expect(state.segment).toBe(4);
  });
});

/** The session as node 0 tells it to a client that joins now. */
async function stateOnNode0(): Promise<SessionState> {
  const socket = await connect(nodes[0]?.url as string, moderatorToken);
  try {
    return await joinSession(socket);
  } finally {
    socket.disconnect();
  }
}
