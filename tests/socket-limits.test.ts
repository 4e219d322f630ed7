import { CloseCode } from '@calma/protocol/board';
import { created, createGroup, join, startTestApp, type TestApp } from '@calma/server/testing';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { addCard, type BoardClient, boardClient, until } from './support/board-clients.js';
import {
  type BoardOutcome,
  emptySyncStep1,
  eventually,
  type RawBoardSocket,
  rawBoardSocket,
  rawControlSocket,
} from './support/raw-sockets.js';

/**
 * Long-lived sockets on both WebSocket endpoints (the board's y-websocket, socket.io): caps per
 * token and per address, the Origin allow-list, the board's first-message deadline and pings,
 * and stock clients left alone by all of it and by the HTTP request timeout.
 *
 * PGlite only: these test admission in front of the board and the control channel, not storage;
 * the board's storage is tested on both databases in board.test.ts.
 */

/**
 * A group with a session, and tokens: the moderator's, the analyst's and ten participants'. Each
 * test uses tokens of its own, so places another test's sockets still hold (a close reaches the
 * server a moment later) never count against it.
 */
async function seed(t: TestApp) {
  const group = await createGroup(t);
  const session = await created<{ id: string }>(t, `/api/groups/${group.id}/sessions`, {}, group.moderatorToken);
  const people: string[] = [];
  for (let i = 0; i < 10; i++) people.push((await join(t, group.inviteCode, `person ${i}`)).token);
  const token = (i: number) => people[i] as string;
  return { sessionId: session.id, moderator: group.moderatorToken, analyst: group.analystToken, token };
}

const boards: WebSocket[] = [];
const controls: Socket[] = [];
const openBoard = (...args: Parameters<typeof rawBoardSocket>): RawBoardSocket => {
  const raw = rawBoardSocket(...args);
  boards.push(raw.ws);
  return raw;
};
const openControl = async (...args: Parameters<typeof rawControlSocket>) => {
  const outcome = await rawControlSocket(...args);
  controls.push(outcome.socket);
  return outcome;
};
afterAll(() => {
  for (const ws of boards) ws.terminate();
  for (const socket of controls) socket.close();
});

describe('socket caps and the Origin allow-list (PGlite)', () => {
  let t: TestApp;
  let seeded: Awaited<ReturnType<typeof seed>>;
  let sessionId: string;
  /** Five different tokens, for the address caps. */
  let five: string[];
  const allowed = 'https://allowed.example.org';
  const publicUrl = 'https://calma.example.org';

  beforeAll(async () => {
    t = await startTestApp('pglite', {
      listen: true,
      // Behind a trusted proxy each test can be its own client address.
      trustProxy: true,
      maxSocketsPerToken: 3,
      maxSocketsPerAddress: 4,
      allowedOrigins: [allowed],
      publicUrl,
    });
    seeded = await seed(t);
    sessionId = seeded.sessionId;
    five = [seeded.moderator, seeded.analyst, seeded.token(2), seeded.token(3), seeded.token(4)];
  });
  afterAll(() => t.close());

  const from = (address: string, origin?: string) => ({
    'x-forwarded-for': address,
    ...(origin ? { origin } : {}),
  });

  it('closes a board socket past the cap for its token with 4429, and frees the place on close', async () => {
    const token = seeded.token(0);
    const open = [0, 1, 2].map((i) => openBoard(t.url, sessionId, token, { headers: from(`198.51.100.${i}`) }));
    for (const raw of open) expect(await raw.outcome).toEqual({ kind: 'admitted' });
    // From yet another address: the token's cap, not the address's, refuses it.
    const over = openBoard(t.url, sessionId, token, { headers: from('198.51.100.200') });
    expect(await over.outcome).toEqual({
      kind: 'closed',
      code: CloseCode.rateLimited,
      reason: 'Too many connections for this token',
    });
    open[0]?.ws.close();
    const again = await eventually(async () => {
      const raw = openBoard(t.url, sessionId, token, { headers: from('198.51.100.201') });
      return (await raw.outcome).kind === 'admitted' ? raw : null;
    }, 'a place freed by a closed socket');
    for (const raw of [...open, again]) raw.ws.close();
  });

  it('closes a board socket past the cap for its address with 4429, whatever the token', async () => {
    const address = from('203.0.113.9');
    const outcomes: BoardOutcome[] = [];
    const sockets: RawBoardSocket[] = [];
    // One after another, so that the fifth is the one past the cap.
    for (const token of five) {
      sockets.push(openBoard(t.url, sessionId, token, { headers: address }));
      outcomes.push(await (sockets.at(-1) as RawBoardSocket).outcome);
    }
    expect(outcomes.slice(0, 4)).toEqual(Array(4).fill({ kind: 'admitted' }));
    expect(outcomes[4]).toEqual({
      kind: 'closed',
      code: CloseCode.rateLimited,
      reason: 'Too many connections from this address',
    });
    for (const raw of sockets) raw.ws.close();
  });

  it('refuses a socket.io handshake past either cap with RATE_LIMITED in the contract shape', async () => {
    const token = seeded.token(1);
    const first = [];
    for (let i = 0; i < 3; i++) first.push(await openControl(t.url, token, from(`198.51.100.${10 + i}`)));
    expect(first.map((outcome) => outcome.kind)).toEqual(['connected', 'connected', 'connected']);
    const overToken = await openControl(t.url, token, from('198.51.100.20'));
    expect(overToken).toMatchObject({
      kind: 'refused',
      message: 'RATE_LIMITED',
      data: { error: { code: 'RATE_LIMITED', message: 'Too many connections for this token' } },
    });
    first[0]?.socket.close();
    const again = await eventually(async () => {
      const outcome = await openControl(t.url, token, from('198.51.100.21'));
      return outcome.kind === 'connected' ? outcome : null;
    }, 'a place freed by a disconnected socket');
    for (const outcome of [...first, again]) outcome.socket.close();

    const address = from('203.0.113.10');
    const byAddress = [];
    for (const each of five) byAddress.push(await openControl(t.url, each, address));
    expect(byAddress.slice(0, 4).map((outcome) => outcome.kind)).toEqual(Array(4).fill('connected'));
    expect(byAddress[4]).toMatchObject({
      kind: 'refused',
      message: 'RATE_LIMITED',
      data: { error: { code: 'RATE_LIMITED', message: 'Too many connections from this address' } },
    });
    for (const outcome of byAddress) outcome.socket.close();
  });

  it('refuses a board upgrade from a foreign origin with 403, and admits its own, listed and absent origins', async () => {
    const foreign = openBoard(t.url, sessionId, seeded.token(5), {
      headers: from('192.0.2.1', 'https://evil.example'),
    });
    expect(await foreign.outcome).toEqual({ kind: 'http', status: 403 });
    for (const [i, origin] of [t.url, allowed, publicUrl, undefined].entries()) {
      const raw = openBoard(t.url, sessionId, seeded.token(6 + i), { headers: from(`192.0.2.${10 + i}`, origin) });
      expect(await raw.outcome, `origin ${origin}`).toEqual({ kind: 'admitted' });
      raw.ws.close();
    }
  });

  it('refuses a socket.io handshake from a foreign origin, and admits its own, listed and absent origins', async () => {
    const foreign = await openControl(t.url, seeded.token(5), from('192.0.2.20', 'https://evil.example'));
    expect(foreign.kind).toBe('refused');
    const handshake = await fetch(`${t.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(handshake.status).toBe(403);
    for (const [i, origin] of [t.url, allowed, publicUrl, undefined].entries()) {
      const outcome = await openControl(t.url, seeded.token(6 + i), from(`192.0.2.${30 + i}`, origin));
      expect(outcome.kind, `origin ${origin}`).toBe('connected');
      outcome.socket.close();
    }
  });
});

describe('board socket deadlines and pings (PGlite)', () => {
  let t: TestApp;
  let seeded: Awaited<ReturnType<typeof seed>>;
  const requestTimeoutMs = 1_000;
  const socketPingMs = 500;
  const socketIdleMs = 1_000;

  beforeAll(async () => {
    t = await startTestApp('pglite', {
      listen: true,
      requestTimeoutMs,
      socketPingMs,
      socketIdleMs,
      maxSocketsPerToken: 1_000,
      maxSocketsPerAddress: 1_000,
    });
    seeded = await seed(t);
  });
  afterAll(() => t.close());

  it('closes 200 board sockets that never send anything with 4408 after the idle time', async () => {
    const idle = Array.from({ length: 200 }, () => openBoard(t.url, seeded.sessionId, seeded.token(0)));
    const closes = await Promise.all(idle.map((raw) => raw.closed));
    expect(new Set(closes.map((close) => close.code))).toEqual(new Set([CloseCode.timedOut]));
    const times = closes.map((close) => close.afterMs);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(socketIdleMs - 50);
    // Admitting 200 sockets takes a moment on a loaded 2-core machine; the deadline runs from each.
    expect(Math.max(...times)).toBeLessThan(socketIdleMs + 6_000);
  });

  it('drops a board socket that stops answering pings, and keeps one that answers', async () => {
    const silent = openBoard(t.url, seeded.sessionId, seeded.token(1), { autoPong: false });
    const answering = openBoard(t.url, seeded.sessionId, seeded.token(2));
    for (const raw of [silent, answering]) {
      expect(await raw.outcome).toEqual({ kind: 'admitted' });
      raw.ws.send(emptySyncStep1);
    }
    const dropped = await silent.closed;
    // Terminated without a close frame: the client sees 1006, after one ping and one interval.
    expect(dropped.code).toBe(1006);
    expect(dropped.afterMs).toBeGreaterThanOrEqual(socketPingMs);
    expect(dropped.afterMs).toBeLessThan(3 * socketPingMs + 2_000);
    expect(answering.ws.readyState).toBe(answering.ws.OPEN);
    answering.ws.close();
  });

  it('leaves stock y-websocket and socket.io clients connected past the request timeout, pings and idle time', async () => {
    const clients: BoardClient[] = [
      await boardClient(t.url, seeded.sessionId, seeded.moderator),
      await boardClient(t.url, seeded.sessionId, seeded.token(3)),
    ];
    const control = await openControl(t.url, seeded.token(3));
    expect(control.kind).toBe('connected');
    const disconnects: string[] = [];
    control.socket.on('disconnect', (reason) => disconnects.push(reason));
    await new Promise((resolve) => setTimeout(resolve, 3 * Math.max(requestTimeoutMs, socketIdleMs)));
    const [moderator, participant] = clients as [BoardClient, BoardClient];
    expect(moderator.closes).toEqual([]);
    expect(participant.closes).toEqual([]);
    expect(control.socket.connected).toBe(true);
    expect(disconnects).toEqual([]);
    // And they still work: an edit reaches the other client.
    addCard(moderator, 'after-wait', { kind: 'note', text: 'still here', authorId: 'moderator', x: 0, y: 0 });
    await until(() => participant.cards.has('after-wait'), 'the edit to reach the other client');
    for (const client of clients) client.destroy();
  });
});
