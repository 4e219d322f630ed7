import { initialSessionState } from '@calma/core';
import { createSession, replaceFinalAttributes, schema } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import { type FakeOpenAI, startFakeOpenAI } from '@calma/models/testing';
import type { AbItem, AbResults, AbRound, ClientToServerEvents, ServerToClientEvents } from '@calma/protocol';
import { eq } from 'drizzle-orm';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import referenceJson from '../../../../../packages/core/reference/ab-values.json' with { type: 'json' };
import { bearer, type CreatedGroupFixture, createGroup, join, startTestApp, type TestApp } from '../../testing.js';

type ControlClient = Socket<ServerToClientEvents, ClientToServerEvents>;

interface ReferenceTally {
  name: string;
  expected: { axisId: string; n: number; a: unknown; b: unknown }[];
}
/** The tally the stdlib reference (packages/core/reference/ab.py) prints for the votes cast below. */
const routeReference = (referenceJson as unknown as { tallies: ReferenceTally[] }).tallies.find((s) =>
  s.name.startsWith('route test'),
);

/** Every number within 1e-9, everything else equal. */
function expectClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number') expect(Math.abs((actual as number) - expected), path).toBeLessThan(1e-9);
  else if (expected !== null && typeof expected === 'object') {
    for (const [k, v] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else expect(actual, path).toBe(expected);
}

// The two models answer in words that never name them, so a payload naming a model could only
// have leaked it from somewhere else.
const sunny = 'The sun came out over the fields and everyone walked to the river.';
const rainy = 'Clouds gathered early; the afternoon stayed grey and wet until evening.';
const secrets = ['model-x', 'model-y', 'Model X', 'Model Y', 'sunny-model', 'rainy-model', 'firstModel', '"a"', '"b"'];

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.each(databaseKinds)('community A/B rounds on %s', (kind) => {
  let t: TestApp;
  let fake: FakeOpenAI;
  let group: CreatedGroupFixture;
  const people: { token: string; participantId: string }[] = [];
  let round: AbRound;
  const sockets: ControlClient[] = [];
  const heard: string[] = [];

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object) =>
    t.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });
  const base = () => `/api/groups/${group.id}/ab-rounds`;
  const storedItems = () => t.db.db.select().from(schema.abItems).where(eq(schema.abItems.roundId, round.id));

  beforeAll(async () => {
    fake = await startFakeOpenAI({
      models: ['sunny-model', 'rainy-model'],
      reply: (body) => (body.model === 'sunny-model' ? sunny : rainy),
      tokensPerSecond: 2000,
    });
    t = await startTestApp(kind, { listen: true });
    group = await createGroup(t);
    const models = [
      { id: 'model-x', label: 'Model X', provider: 'openai', baseUrl: fake.baseUrl, model: 'sunny-model' },
      { id: 'model-y', label: 'Model Y', provider: 'openai', baseUrl: fake.baseUrl, model: 'rainy-model' },
    ];
    expect(
      (await call('PUT', `/api/studies/${group.studyId}/models`, t.adminToken, { models, assignment: 'choice' }))
        .statusCode,
    ).toBe(200);
    const baseline = [
      {
        id: 'weather',
        messages: [
          { role: 'user', content: 'What will the weather be like?' },
          { role: 'assistant', content: 'Fine.' },
        ],
      },
      {
        id: 'walk',
        messages: [
          { role: 'user', content: 'Where should we walk today?' },
          { role: 'assistant', content: 'North.' },
        ],
      },
    ];
    expect(
      (await call('PUT', `/api/studies/${group.studyId}/baseline`, t.adminToken, { interactions: baseline }))
        .statusCode,
    ).toBe(200);
    for (const name of ['Asha', 'Ben', 'Chen']) people.push(await join(t, group.inviteCode, name));
    // A session room for the sockets to sit in (rounds are told to the group's session rooms).
    const session = await t.http<{ id: string }>('POST', `/api/groups/${group.id}/sessions`, group.moderatorToken);
    for (const token of [people[0]?.token ?? '', group.moderatorToken]) {
      const socket: ControlClient = io(t.url, { auth: { token }, reconnection: false, forceNew: true });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      await new Promise((resolve) => socket.emit('session:join', { sessionId: session.body.id }, resolve));
      socket.onAny((event, ...args) => heard.push(`${event} ${JSON.stringify(args)}`));
    }
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
    await fake?.close();
  });

  it('opens a round for the moderator only, on two study models, with axes given when no session has ended', async () => {
    const setup = await call('GET', `${base()}/setup`, group.moderatorToken);
    expect(setup.json()).toEqual({
      models: [
        { id: 'model-x', label: 'Model X' },
        { id: 'model-y', label: 'Model Y' },
      ],
      axes: null,
      sessionId: null,
      baselinePrompts: 2,
    });
    expect((await call('GET', `${base()}/setup`, people[0]?.token ?? '')).statusCode).toBe(403);
    const axes = [
      { name: 'Warmth', definition: 'Speaks to the reader kindly' },
      { name: 'Accuracy', definition: 'Says only what is true' },
    ];
    const open = (token: string, body: object) => call('POST', base(), token, body);
    expect((await open(people[0]?.token ?? '', { modelA: 'model-x', modelB: 'model-y', axes })).statusCode).toBe(403);
    expect((await open(group.analystToken, { modelA: 'model-x', modelB: 'model-y', axes })).statusCode).toBe(403);
    expect((await open(group.moderatorToken, { modelA: 'model-x', modelB: 'model-y' })).statusCode).toBe(400);
    expect((await open(group.moderatorToken, { modelA: 'model-x', modelB: 'model-x', axes })).statusCode).toBe(400);
    const unknown = await open(group.moderatorToken, { modelA: 'model-x', modelB: 'nope', axes });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('INVALID_REFERENCE');

    const res = await open(group.moderatorToken, { modelA: 'model-x', modelB: 'model-y', axes });
    expect(res.statusCode).toBe(201);
    round = res.json();
    expect(round).toMatchObject({
      status: 'open',
      prompts: 'both',
      axes: [
        { id: 'axis-1', name: 'Warmth' },
        { id: 'axis-2', name: 'Accuracy' },
      ],
      models: { a: { id: 'model-x', label: 'Model X' }, b: { id: 'model-y', label: 'Model Y' } },
    });
    const again = await open(group.moderatorToken, { modelA: 'model-y', modelB: 'model-x', axes });
    expect(again.statusCode).toBe(409);
  });

  it('announces the round on the control channel without naming a model or an order', async () => {
    await until(() => heard.filter((h) => h.startsWith('ab-round:changed')).length >= 2, 'both sockets to hear');
    const announced = heard.filter((h) => h.startsWith('ab-round:changed'));
    for (const line of announced) {
      expect(line).toBe(`ab-round:changed [{"groupId":"${group.id}","roundId":"${round.id}","status":"open"}]`);
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
  });

  it('shows a participant the round blind: no models in the list, none in an item', async () => {
    const [asha] = people;
    const list = await call('GET', base(), asha?.token ?? '');
    expect(list.statusCode).toBe(200);
    const [seen] = list.json().rounds as AbRound[];
    expect(seen?.models).toBeUndefined();
    expect(seen?.counts).toBeUndefined();
    expect(seen?.mine).toEqual({ voted: 0 });
    for (const secret of secrets.slice(0, 6)) expect(list.body).not.toContain(secret);

    const res = await call('POST', `${base()}/${round.id}/items`, asha?.token ?? '', {});
    expect(res.statusCode).toBe(201);
    const item = res.json() as AbItem;
    expect(Object.keys(item).sort()).toEqual(['answers', 'itemId', 'prompt', 'source']);
    expect(Object.keys(item.answers).sort()).toEqual(['first', 'second']);
    expect(item.source).toBe('baseline');
    expect(['What will the weather be like?', 'Where should we walk today?']).toContain(item.prompt);
    expect([item.answers.first, item.answers.second].sort()).toEqual([rainy, sunny].sort());
    for (const secret of secrets) expect(res.body).not.toContain(secret);
    // The stored item knows the order; the answer shown first is that model's.
    const [stored] = await storedItems();
    expect(item.answers.first).toBe(stored?.firstModel === 'a' ? sunny : rainy);
    // The study's system prompt and the prompt went to both models.
    expect(
      fake.requests
        .slice(-2)
        .map((r) => r.body.model)
        .sort(),
    ).toEqual(['rainy-model', 'sunny-model']);

    // One item at a time: the pending one comes back after a reload, a new one waits for the vote.
    const pending = await call('GET', `${base()}/${round.id}/items/pending`, asha?.token ?? '');
    expect(pending.json()).toEqual({ item });
    expect((await call('POST', `${base()}/${round.id}/items`, asha?.token ?? '', {})).statusCode).toBe(409);
    // Staff do not take part.
    expect((await call('POST', `${base()}/${round.id}/items`, group.moderatorToken, {})).statusCode).toBe(403);
  });

  it('validates votes: every axis, known axes, first/second/equal only, once, by its participant', async () => {
    const [asha, ben] = people;
    const [stored] = await storedItems();
    const url = `${base()}/${round.id}/items/${stored?.id}/votes`;
    const vote = (token: string, votes: Record<string, unknown>) => call('POST', url, token, { votes });
    const unknownAxis = await vote(asha?.token ?? '', { 'axis-1': 'first', 'axis-2': 'first', 'axis-9': 'first' });
    expect(unknownAxis.statusCode).toBe(400);
    expect(unknownAxis.json().error.code).toBe('INVALID_REFERENCE');
    expect((await vote(asha?.token ?? '', { 'axis-1': 'left', 'axis-2': 'first' })).statusCode).toBe(400);
    expect((await vote(asha?.token ?? '', { 'axis-1': 'a', 'axis-2': 'first' })).statusCode).toBe(400);
    expect((await vote(asha?.token ?? '', { 'axis-1': 'first' })).statusCode).toBe(400);
    expect((await vote(ben?.token ?? '', { 'axis-1': 'first', 'axis-2': 'first' })).statusCode).toBe(404);
  });

  it('tallies two participants’ votes as the reference does, with each model first once per participant', async () => {
    const [asha, ben] = people;
    // The votes by model the reference scenario holds, in the order the items are made.
    const wanted: Record<string, 'a' | 'b' | 'equal'>[] = [
      { 'axis-1': 'a', 'axis-2': 'a' },
      { 'axis-1': 'a', 'axis-2': 'a' },
      { 'axis-1': 'b', 'axis-2': 'a' },
      { 'axis-1': 'equal', 'axis-2': 'a' },
    ];
    const shown = (model: 'a' | 'b' | 'equal', first: 'a' | 'b') =>
      model === 'equal' ? 'equal' : model === first ? 'first' : 'second';
    let k = 0;
    for (const who of [asha, ben]) {
      for (let n = 0; n < 2; n++) {
        const mine = (await storedItems()).filter((i) => i.participantId === who?.participantId && i.votedAt === null);
        let item = mine[0];
        if (!item) {
          const own = n === 1 ? { prompt: 'Tell me about rain.' } : {};
          const res = await call('POST', `${base()}/${round.id}/items`, who?.token ?? '', own);
          expect(res.statusCode).toBe(201);
          if (n === 1) expect(res.json()).toMatchObject({ prompt: 'Tell me about rain.', source: 'own' });
          item = (await storedItems()).find((i) => i.id === res.json().itemId);
        }
        const want = wanted[k++] ?? {};
        const votes = Object.fromEntries(
          Object.entries(want).map(([axis, model]) => [axis, shown(model, item?.firstModel ?? 'a')]),
        );
        const res = await call('POST', `${base()}/${round.id}/items/${item?.id}/votes`, who?.token ?? '', { votes });
        expect(res.statusCode).toBe(200);
        expect(res.json().votes).toEqual(votes);
        expect(res.body).not.toContain('firstModel');
        const second = await call('POST', `${base()}/${round.id}/items/${item?.id}/votes`, who?.token ?? '', { votes });
        expect(second.statusCode).toBe(409);
      }
    }
    const items = await storedItems();
    expect(items).toHaveLength(4);
    for (const who of [asha, ben]) {
      const firsts = items.filter((i) => i.participantId === who?.participantId).map((i) => i.firstModel);
      expect(firsts.sort()).toEqual(['a', 'b']);
    }

    // Participants may not read results while the round is open; staff may.
    expect((await call('GET', `${base()}/${round.id}/results`, asha?.token ?? '')).statusCode).toBe(403);
    const res = await call('GET', `${base()}/${round.id}/results`, group.analystToken);
    expect(res.statusCode).toBe(200);
    const results = res.json() as AbResults;
    expect(results).toMatchObject({ items: 4, voted: 4, participants: 2 });
    expect(routeReference).toBeDefined();
    for (const [i, expected] of (routeReference?.expected ?? []).entries()) {
      const axis = results.axes[i];
      expect(axis?.id).toBe(expected.axisId);
      expect(axis?.n).toBe(expected.n);
      expectClose(axis?.a, expected.a, `${expected.axisId}.a`);
      expectClose(axis?.b, expected.b, `${expected.axisId}.b`);
    }
    expect(results.axes[0]?.a).toMatchObject({ wins: 2, losses: 1, ties: 1, winRate: 0.625 });
  });

  it('exports the raw data by pseudonym, as JSON and CSV, to staff only', async () => {
    expect((await call('GET', `${base()}/${round.id}/export`, people[0]?.token ?? '')).statusCode).toBe(403);
    const json = await call('GET', `${base()}/${round.id}/export?format=json`, group.moderatorToken);
    expect(json.statusCode).toBe(200);
    const body = json.json() as { items: { participant: string; answers: { a: string; b: string } }[] };
    expect(body.items.map((i) => i.participant)).toEqual(['P1', 'P1', 'P2', 'P2']);
    for (const item of body.items) expect(item.answers).toEqual({ a: sunny, b: rainy });
    for (const name of ['Asha', 'Ben', people[0]?.participantId ?? '-']) expect(json.body).not.toContain(name);
    const csv = await call('GET', `${base()}/${round.id}/export?format=csv`, group.analystToken);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'round_id,item_id,participant,prompt_source,baseline_id,prompt,model_a,model_b,shown_first,answer_a,answer_b,axis_id,axis_name,choice,created_at,voted_at',
    );
    expect(lines).toHaveLength(1 + 4 * 2);
    expect(csv.body).not.toContain('Asha');
  });

  it('closes the round: no more items or votes, results open to participants, told on the socket', async () => {
    const [, , chen] = people;
    const item = await call('POST', `${base()}/${round.id}/items`, chen?.token ?? '', {});
    expect(item.statusCode).toBe(201);
    expect((await call('POST', `${base()}/${round.id}/close`, people[0]?.token ?? '')).statusCode).toBe(403);
    const closed = await call('POST', `${base()}/${round.id}/close`, group.moderatorToken);
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({ status: 'closed' });
    expect((await call('POST', `${base()}/${round.id}/close`, group.moderatorToken)).statusCode).toBe(409);
    const late = await call('POST', `${base()}/${round.id}/items/${item.json().itemId}/votes`, chen?.token ?? '', {
      votes: { 'axis-1': 'first', 'axis-2': 'equal' },
    });
    expect(late.statusCode).toBe(409);
    expect((await call('POST', `${base()}/${round.id}/items`, chen?.token ?? '', {})).statusCode).toBe(409);
    expect((await call('GET', `${base()}/${round.id}/results`, chen?.token ?? '')).statusCode).toBe(200);
    await until(() => heard.some((h) => h.includes('"status":"closed"')), 'the close to be told');
  });

  it('takes the axes from the latest ended session with final attributes, and refuses others', async () => {
    const ended = await createSession(t.db.db, group.id, { ...initialSessionState(), status: 'ended', endedAt: 1 });
    await replaceFinalAttributes(
      t.db.db,
      ended.id,
      [
        {
          id: 'fa-empathy',
          name: 'Empathy',
          definition: 'Feels with the reader',
          exampleInteractionIds: [],
          sourceLabelIds: [],
        },
      ],
      [],
      [],
    );
    const setup = await call('GET', `${base()}/setup`, group.moderatorToken);
    expect(setup.json()).toMatchObject({
      sessionId: ended.id,
      axes: [
        {
          id: 'fa-empathy',
          name: 'Empathy',
          definition: 'Feels with the reader',
        },
      ],
    });
    const given = await call('POST', base(), group.moderatorToken, {
      modelA: 'model-y',
      modelB: 'model-x',
      axes: [{ name: 'Other', definition: '' }],
    });
    expect(given.statusCode).toBe(400);
    const res = await call('POST', base(), group.moderatorToken, {
      modelA: 'model-y',
      modelB: 'model-x',
      prompts: 'own',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ sessionId: ended.id, axes: [{ id: 'fa-empathy' }], prompts: 'own' });
    // An own-prompt round refuses to pick a baseline prompt.
    const none = await call('POST', `${base()}/${res.json().id}/items`, people[0]?.token ?? '', {});
    expect(none.statusCode).toBe(400);
  });
});
