import { databaseKinds } from '@calma/db/testing/fresh';
import type { ClientToServerEvents, ServerToClientEvents, SessionState } from '@calma/protocol';
import { startTestApp, type TestApp } from '@calma/server/testing';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A whole Discuss session scripted over real HTTP and socket.io: a moderator and three
 * participants walk segments 0 → 5; every client must see every state change, a late joiner
 * must get the right remaining time, and nothing private may reach a participant's socket.
 */
type ControlClient = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Observer {
  name: string;
  socket: ControlClient;
  states: { at: number; state: SessionState }[];
  submitted: { segment: number; count: number }[];
  raw: string[];
}

function connect(url: string, token: string): Promise<ControlClient> {
  const socket: ControlClient = io(url, { auth: { token }, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function observe(name: string, socket: ControlClient): Observer {
  const observer: Observer = { name, socket, states: [], submitted: [], raw: [] };
  socket.on('session:state', ({ state }) => observer.states.push({ at: performance.now(), state }));
  socket.on('session:submitted', (payload) => observer.submitted.push(payload));
  socket.onAny((event, ...args) => observer.raw.push(`${event} ${JSON.stringify(args)}`));
  return observer;
}

const join = (socket: ControlClient, sessionId: string) =>
  new Promise<{ state: SessionState } | { error: { code: string; message: string } }>((resolve) =>
    socket.emit('session:join', { sessionId }, resolve),
  );

/** Resolves when `predicate` holds, polling briefly; fails after `ms`. */
async function until(predicate: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe.each(databaseKinds)('a scripted Discuss session on %s', (kind) => {
  let t: TestApp;
  let sessionId: string;
  let moderatorToken: string;
  let analystToken: string;
  const people: { name: string; token: string; participantId: string }[] = [];
  const observers: Observer[] = [];
  let moderator: ControlClient;
  const latencies: number[] = [];

  beforeAll(async () => {
    t = await startTestApp(kind, { listen: true });
    const study = await t.http<{ id: string }>('POST', '/api/studies', t.adminToken, {
      title: 'Pilot',
      context: { name: 'History Educational Assistant', description: '', systemPrompt: '' },
    });
    const group = await t.http<{ id: string; inviteCode: string; moderatorToken: string; analystToken: string }>(
      'POST',
      `/api/studies/${study.body.id}/groups`,
      t.adminToken,
      { name: 'G' },
    );
    moderatorToken = group.body.moderatorToken;
    analystToken = group.body.analystToken;
    for (const name of ['Ana', 'Bo', 'Cy']) {
      const joined = await t.http<{ token: string; participantId: string }>('POST', '/api/join', null, {
        inviteCode: group.body.inviteCode,
        displayName: name,
        consent: true,
      });
      people.push({ name, ...joined.body });
    }
    sessionId = (await t.http<{ id: string }>('POST', `/api/groups/${group.body.id}/sessions`, moderatorToken)).body.id;
    moderator = await connect(t.url, moderatorToken);
    observers.push(observe('moderator', moderator));
    for (const person of people) observers.push(observe(person.name, await connect(t.url, person.token)));
    for (const o of observers) {
      const ack = await join(o.socket, sessionId);
      expect(ack).toMatchObject({ state: { segment: 0, status: 'pending' } });
    }
  });

  afterAll(async () => {
    for (const o of observers) o.socket.close();
    if (latencies.length > 0) {
      const sorted = [...latencies].sort((a, b) => a - b);
      const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.toFixed(1);
      console.log(`[${kind}] state change → every client: n=${sorted.length} p50=${p(0.5)} ms max=${p(1)} ms`);
    }
    await t.close();
  });

  /** Sends a control action (alternating socket.io and REST) and waits until every client has the new state. */
  let viaSocket = true;
  async function control(body: Record<string, unknown>): Promise<SessionState> {
    const before = observers.map((o) => o.states.length);
    const sent = performance.now();
    let state: SessionState;
    if (viaSocket) {
      const ack = await new Promise<{ state: SessionState } | { error: { code: string } }>((resolve) =>
        moderator.emit('session:control', { sessionId, ...body } as never, resolve),
      );
      if (!('state' in ack)) throw new Error(`control ${JSON.stringify(body)} refused: ${JSON.stringify(ack)}`);
      state = ack.state;
    } else {
      const res = await t.http<{ state: SessionState }>(
        'POST',
        `/api/sessions/${sessionId}/control`,
        moderatorToken,
        body,
      );
      expect(res.status).toBe(200);
      state = res.body.state;
    }
    viaSocket = !viaSocket;
    await until(
      () => observers.every((o, i) => o.states.length > (before[i] ?? 0)),
      `everyone to see ${JSON.stringify(body)}`,
    );
    for (const [i, o] of observers.entries()) {
      const seen = o.states[before[i] ?? 0];
      expect(seen?.state).toEqual(state);
      latencies.push((seen?.at ?? sent) - sent);
    }
    return state;
  }

  const put = (path: string, token: string, body: unknown) =>
    t.http('PUT', `/api/sessions/${sessionId}/${path}`, token, body);

  it('walks segments 0 → 5 with every client in step', async () => {
    // Segment 0: artifacts review.
    expect(await control({ action: 'start', segment: 0, durationMs: 300_000 })).toMatchObject({
      segment: 0,
      status: 'running',
    });
    await control({ action: 'pause' });
    await control({ action: 'resume' });
    await control({ action: 'extend', durationMs: 60_000 });

    // Segment 1: private top-3.
    await control({ action: 'advance', durationMs: 600_000 });
    const attributes = [
      [
        { name: 'Balanced', definition: 'Presents several perspectives fairly' },
        { name: 'Engaging', definition: 'Sparks curiosity' },
      ],
      [{ name: 'Western bias', definition: 'Centres Western views' }],
      [
        { name: 'Nuanced', definition: 'Acknowledges complexity' },
        { name: 'Accurate', definition: 'Gets facts right' },
        { name: 'Neutral', definition: 'Takes no side' },
      ],
    ];
    for (const [i, person] of people.entries()) {
      expect((await put('segment1', person.token, { attributes: attributes[i] })).status).toBe(200);
    }
    await until(
      () => observers.every((o) => o.submitted.some((s) => s.segment === 1 && s.count === 3)),
      'segment-1 counts',
    );
    await control({ action: 'reveal', segment: 1 });

    // Segment 2: affinity map (board; issue 4/5). Segment 3: presentations with a speaking queue.
    await control({ action: 'advance', durationMs: 900_000 });
    await control({ action: 'advance', durationMs: 900_000 });
    await control({ action: 'set-speakers', participantIds: people.map((p) => p.participantId), turnMs: 120_000 });
    for (const person of people) {
      const state = await control({ action: 'next-speaker' });
      expect(state.speakers.currentSpeakerId).toBe(person.participantId);
    }

    // Segment 4: final attributes, group top lists, the mapping.
    await control({ action: 'advance', durationMs: 1_200_000 });
    const finals = await put('final-attributes', moderatorToken, {
      attributes: [
        { id: `${kind}-f-balance`, name: 'Balance', definition: 'Presents several perspectives without taking sides' },
        { id: `${kind}-f-bias`, name: 'Cultural bias', definition: 'Centres one culture, often the West' },
        { id: `${kind}-f-engage`, name: 'Engagement', definition: 'Sparks the student’s curiosity' },
      ],
      groupTop3: [`${kind}-f-balance`, `${kind}-f-bias`, `${kind}-f-engage`],
      groupTop5: [`${kind}-f-balance`, `${kind}-f-bias`, `${kind}-f-engage`],
    });
    expect(finals.status).toBe(200);
    const mapping = await t.http<{ suggested: Record<string, { finalAttributeId: string }> }>(
      'GET',
      `/api/sessions/${sessionId}/segment1-mapping`,
      moderatorToken,
    );
    const confirmed = Object.fromEntries(
      Object.entries(mapping.body.suggested).map(([from, s]) => [from, s.finalAttributeId]),
    );
    expect(Object.keys(confirmed)).toHaveLength(6);
    expect((await put('segment1-mapping', moderatorToken, { mapping: confirmed })).status).toBe(200);

    // Segment 5: private ratings and rankings.
    await control({ action: 'advance', durationMs: 600_000 });
    const ids = [`${kind}-f-balance`, `${kind}-f-bias`, `${kind}-f-engage`];
    for (const [i, person] of people.entries()) {
      const likert = Object.fromEntries(ids.map((id, j) => [id, ((i + j) % 5) + 1]));
      expect(
        (await put('segment5', person.token, { likert, ranking: [...ids].reverse().slice(0, 2 + (i % 2)) })).status,
      ).toBe(200);
    }
    await until(
      () => observers.every((o) => o.submitted.some((s) => s.segment === 5 && s.count === 3)),
      'segment-5 counts',
    );
    await control({ action: 'reveal', segment: 5 });
    const ended = await control({ action: 'end' });
    expect(ended).toMatchObject({ status: 'ended', segment: 5, revealed: [1, 5], remainingMs: 0 });

    // Every client saw the same sequence of states, in order.
    const sequence = (o: Observer) => o.states.map((s) => `${s.state.segment}:${s.state.status}`);
    for (const o of observers) expect(sequence(o)).toEqual(sequence(observers[0] as Observer));
    // Participants' sockets carried counts and states only: no attribute names or definitions.
    for (const o of observers.slice(1)) {
      const seen = o.raw.join('\n');
      for (const text of ['Balanced', 'Western bias', 'Nuanced', 'Sparks curiosity']) expect(seen).not.toContain(text);
    }
  });

  it('analyses the session and exports the axes for analysts only', async () => {
    const ids = [`${kind}-f-balance`, `${kind}-f-bias`, `${kind}-f-engage`];
    const analysis = await t.http<{
      participants: number;
      likert: Record<string, { n: number; counts: number[]; mean: number }>;
      concordance: { segment1W: number | null; segment5W: number | null };
      participantsShift: { participantId: string; tauWithGroupAfter: number | null }[];
      groupRanking: string[];
    }>('GET', `/api/sessions/${sessionId}/analysis`, analystToken);
    expect(analysis.status).toBe(200);
    expect(analysis.body.participants).toBe(3);
    expect(analysis.body.groupRanking).toEqual(ids);
    // The ratings given above: participant i rated attribute j with ((i + j) mod 5) + 1.
    for (const [j, id] of ids.entries()) {
      const expected = [0, 0, 0, 0, 0];
      for (let i = 0; i < 3; i++) expected[(i + j) % 5] = (expected[(i + j) % 5] ?? 0) + 1;
      expect(analysis.body.likert[id]?.counts).toEqual(expected);
      expect(analysis.body.likert[id]?.mean).toBeCloseTo(((j % 5) + ((1 + j) % 5) + ((2 + j) % 5) + 3) / 3, 12);
    }
    expect(analysis.body.participantsShift.map((p) => p.participantId).sort()).toEqual(
      people.map((p) => p.participantId).sort(),
    );
    expect(typeof analysis.body.concordance.segment5W).toBe('number');

    const csv = await fetch(`${t.url}/api/sessions/${sessionId}/export?format=csv`, {
      headers: { authorization: `Bearer ${analystToken}` },
    });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const rows = (await csv.text()).trim().split('\r\n');
    expect(rows).toHaveLength(4);
    expect(rows[1]).toMatch(/^1,Balance,/);
    const md = await fetch(`${t.url}/api/sessions/${sessionId}/export?format=md`, {
      headers: { authorization: `Bearer ${moderatorToken}` },
    });
    expect(await md.text()).toMatch(/\| 1 \| Balance \|/);
    const json = await t.http<{ axes: { name: string; rank: number }[] }>(
      'GET',
      `/api/sessions/${sessionId}/export`,
      analystToken,
    );
    expect(json.body.axes.map((a) => a.name)).toEqual(['Balance', 'Cultural bias', 'Engagement']);
    const person = people[0] as (typeof people)[number];
    expect((await t.http('GET', `/api/sessions/${sessionId}/analysis`, person.token)).status).toBe(403);
    expect((await t.http('GET', `/api/sessions/${sessionId}/export?format=csv`, person.token)).status).toBe(403);
    expect((await t.http('GET', `/api/sessions/${sessionId}/export?format=xml`, analystToken)).status).toBe(400);
  });

  it('gives a client joining mid-segment the right remaining time', async () => {
    const fresh = (
      await t.http<{ id: string }>(
        'POST',
        `/api/groups/${(await t.http<{ groupId: string }>('GET', `/api/sessions/${sessionId}`, moderatorToken)).body.groupId}/sessions`,
        moderatorToken,
      )
    ).body.id;
    const started = await t.http<{ state: SessionState }>('POST', `/api/sessions/${fresh}/control`, moderatorToken, {
      action: 'start',
      segment: 2,
      durationMs: 120_000,
    });
    await new Promise((r) => setTimeout(r, 150));
    const late = await connect(t.url, analystToken);
    try {
      const ack = await join(late, fresh);
      if (!('state' in ack)) throw new Error(JSON.stringify(ack));
      const elapsed = ack.state.serverNow - started.body.state.serverNow;
      expect(elapsed).toBeGreaterThanOrEqual(150);
      expect(ack.state.endsAt).toBe(started.body.state.endsAt);
      expect(ack.state.remainingMs).toBe((started.body.state.remainingMs as number) - elapsed);
    } finally {
      late.close();
    }
  });

  it('refuses control from non-moderators and sockets without a valid token', async () => {
    const participant = observers[1]?.socket as ControlClient;
    const ack = await new Promise<unknown>((resolve) =>
      participant.emit('session:control', { sessionId, action: 'pause' }, resolve),
    );
    expect(ack).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
    const malformed = await new Promise<unknown>((resolve) =>
      moderator.emit('session:control', { sessionId, action: 'fly' } as never, resolve),
    );
    expect(malformed).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    await expect(connect(t.url, 'not-a-token-at-all-xxxxxxxx')).rejects.toThrow(/UNAUTHORIZED/);
    const outsiderJoin = await join(moderator, 'se_unknown');
    expect(outsiderJoin).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('catches a reconnecting client up at once', async () => {
    const person = people[0] as (typeof people)[number];
    const again = await connect(t.url, person.token);
    try {
      const ack = await join(again, sessionId);
      expect(ack).toMatchObject({ state: { status: 'ended', segment: 5, revealed: [1, 5] } });
    } finally {
      again.close();
    }
  });
});
