import { defaultOrientation } from '@calma/core';
import { schema } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interactGate } from '../../journey/gate.js';
import {
  bearer,
  type CreatedGroupFixture,
  created,
  createGroup,
  join,
  startTestApp,
  type TestApp,
} from '../../testing.js';

const en = defaultOrientation('en');
/** The shipped check's correct answers, and a set with only `right` of them correct. */
const answersWith = (right: number) =>
  Object.fromEntries(
    en.check.questions.map((q, i) => [q.id, i < right ? q.correct : (q.correct + 1) % q.options.length]),
  );

/** Familiarize routes and the Interact gate through `app.inject`, on both databases. */
describe.each(databaseKinds)('familiarize routes on %s', (kind) => {
  let t: TestApp;
  let group: CreatedGroupFixture;
  let ana: { participantId: string; token: string };

  const send = (method: 'GET' | 'PUT' | 'POST', url: string, token: string, payload?: object) =>
    t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    t = await startTestApp(kind);
    group = await createGroup(t);
    ana = await join(t, group.inviteCode, 'Ana');
  });
  afterAll(() => t.close());

  it('serves the shipped default to the admin, correct answers included', async () => {
    const res = await send('GET', `/api/studies/${group.studyId}/orientation`, t.adminToken);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ...en, isDefault: true });
    expect((await send('GET', `/api/studies/${group.studyId}/orientation`, group.moderatorToken)).statusCode).toBe(403);
    expect((await send('GET', '/api/studies/st_unknown/orientation', t.adminToken)).statusCode).toBe(404);
  });

  it("never sends participants the correct answers or reference labels; `lang` picks the default's language", async () => {
    const res = await send('GET', `/api/groups/${group.id}/orientation`, ana.token);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.language).toBe('en');
    expect(body.pages).toEqual(en.pages);
    expect(body.check.questions).toHaveLength(en.check.questions.length);
    expect(res.body).not.toContain('"correct"');
    expect(res.body).not.toContain('referenceLabels');
    const hi = (await send('GET', `/api/groups/${group.id}/orientation?lang=hi`, ana.token)).json();
    expect(hi.language).toBe('hi');
    expect(hi.pages[0].title).toMatch(/[\u0900-\u097F]/);
    expect((await send('GET', `/api/groups/${group.id}/orientation?lang=fr`, ana.token)).statusCode).toBe(400);
    expect((await send('GET', `/api/groups/${group.id}/orientation`, group.analystToken)).statusCode).toBe(200);
  });

  it('records pages read, scores practice labels by meaning, and keeps Interact shut until the check is passed', async () => {
    const gate = interactGate(t.db.db);
    const who = { groupId: group.id, participantId: ana.participantId };
    const progress = async () => (await send('GET', '/api/me/progress', ana.token)).json();
    expect(await progress()).toMatchObject({ stage: 'familiarize', groupId: group.id, pages: { read: 0, total: 3 } });
    await expect(gate(who)).rejects.toMatchObject({ statusCode: 409, code: 'CHECK_REQUIRED' });

    const read = await send('POST', `/api/groups/${group.id}/orientation/read`, ana.token, { page: 1 });
    expect(read.statusCode).toBe(200);
    expect(read.json().pages).toEqual({ read: 1, total: 3 });
    expect((await send('POST', `/api/groups/${group.id}/orientation/read`, ana.token, { page: 3 })).statusCode).toBe(
      400,
    );

    const practice = await send('POST', `/api/groups/${group.id}/practice`, ana.token, {
      answers: [
        { itemId: 'practice-1', labels: ['Safety advice', 'prices given', ' ', 'prices given'] },
        { itemId: 'practice-3', labels: ['too tiring for old people'] },
      ],
    });
    expect(practice.statusCode).toBe(200);
    const result = practice.json();
    expect(result.model).toBe('calma/glove-wordnet-100d');
    expect(result.items[0].referenceLabels).toEqual(en.practice[0]?.referenceLabels);
    expect(result.items[0].labels).toHaveLength(2);
    expect(result.items[0].labels[0]).toEqual({
      label: 'Safety advice',
      nearest: 'safety advice',
      similarity: 1,
      closeness: 'close',
    });
    // By meaning, not by spelling.
    expect(result.items[0].labels[1]).toMatchObject({ nearest: 'concrete prices', closeness: 'related' });
    expect(result.items[1].labels[0]).toMatchObject({ nearest: 'too physically demanding', closeness: 'close' });
    expect(result.items[1].labels[0].similarity).toBeGreaterThan(0.75);
    expect(
      (
        await send('POST', `/api/groups/${group.id}/practice`, ana.token, {
          answers: [{ itemId: 'nope', labels: ['x'] }],
        })
      ).statusCode,
    ).toBe(400);

    const fail = await send('POST', `/api/groups/${group.id}/check`, ana.token, { answers: answersWith(2) });
    expect(fail.statusCode).toBe(200);
    expect(fail.json()).toEqual({ score: 2, passed: false, total: 5, passMark: 4, attempts: 1 });
    await expect(gate(who)).rejects.toMatchObject({ code: 'CHECK_REQUIRED' });
    const unknown = await send('POST', `/api/groups/${group.id}/check`, ana.token, { answers: { nope: 0 } });
    expect(unknown.statusCode).toBe(400);
    const pass = await send('POST', `/api/groups/${group.id}/check`, ana.token, { answers: answersWith(5) });
    expect(pass.json()).toEqual({ score: 5, passed: true, total: 5, passMark: 4, attempts: 2 });
    await expect(gate(who)).resolves.toBeUndefined();
    expect(await progress()).toMatchObject({
      stage: 'interact',
      practice: { done: true },
      check: { passed: true, attempts: 2, bestScore: 5 },
    });

    // A chat with one user turn (minTurns 1 by default) moves Ana on to Reflect.
    await t.db.db.insert(schema.interactions).values({
      id: 'chat-ana-1',
      groupId: group.id,
      participantId: ana.participantId,
      source: 'chat',
      shared: false,
      messages: [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi' },
      ],
    });
    expect(await progress()).toMatchObject({ stage: 'reflect', turns: { done: 1, min: 1 }, conversations: 1 });
  });

  it('stage settings: the admin opens and closes stages; a closed Interact refuses conversations', async () => {
    const url = `/api/studies/${group.studyId}/stages`;
    expect((await send('GET', url, t.adminToken)).json()).toEqual({
      open: ['familiarize', 'interact', 'reflect', 'discuss'],
      minTurns: 1,
      maxTurns: 20,
    });
    expect((await send('PUT', url, t.adminToken, { open: [], minTurns: 5, maxTurns: 2 })).statusCode).toBe(400);
    expect((await send('PUT', url, group.moderatorToken, { open: [], minTurns: 1, maxTurns: 2 })).statusCode).toBe(403);
    const put = await send('PUT', url, t.adminToken, { open: ['reflect', 'familiarize'], minTurns: 2, maxTurns: 9 });
    expect(put.json()).toEqual({ open: ['familiarize', 'reflect'], minTurns: 2, maxTurns: 9 });
    await expect(interactGate(t.db.db)({ groupId: group.id, participantId: ana.participantId })).rejects.toMatchObject({
      statusCode: 409,
      code: 'STAGE_CLOSED',
    });
    await send('PUT', url, t.adminToken, {
      open: ['familiarize', 'interact', 'reflect', 'discuss'],
      minTurns: 1,
      maxTurns: 20,
    });
  });

  it('the admin sets an orientation; impossible checks are refused with 400', async () => {
    const url = `/api/studies/${group.studyId}/orientation`;
    const question = { id: 'q1', text: 'Ready?', options: ['yes', 'no'], correct: 0 };
    const mine = {
      pages: [{ title: 'Welcome', markdown: '# Hi\n\nRead <b>this</b>.' }],
      practice: [{ id: 'p1', prompt: 'Q', response: 'A', referenceLabels: ['short'] }],
      check: { questions: [question], passMark: 1 },
      required: true,
    };
    const refused = async (patch: object) =>
      (await send('PUT', url, t.adminToken, { ...mine, check: { questions: [question], passMark: 1, ...patch } }))
        .statusCode;
    expect(await refused({ questions: [{ ...question, options: ['only'] }] })).toBe(400);
    expect(await refused({ questions: [{ ...question, correct: 2 }] })).toBe(400);
    expect(await refused({ questions: [question, question] })).toBe(400);
    expect(await refused({ passMark: 2 })).toBe(400);
    expect(await refused({ questions: [{ ...question, correct: -1 }] })).toBe(400);

    const put = await send('PUT', url, t.adminToken, mine);
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual(mine);
    expect((await send('GET', url, t.adminToken)).json()).toEqual({ ...mine, isDefault: false });
    const shown = (await send('GET', `/api/groups/${group.id}/orientation?lang=hi`, ana.token)).json();
    expect(shown).toEqual({
      pages: mine.pages,
      practice: [{ id: 'p1', prompt: 'Q', response: 'A' }],
      check: { questions: [{ id: 'q1', text: 'Ready?', options: ['yes', 'no'] }], passMark: 1 },
      required: true,
      language: 'en',
    });
  });

  it("staff see every participant's stage; merging a duplicate carries their steps to the kept person", async () => {
    const bo = await join(t, group.inviteCode, 'Bo');
    const twin = await join(t, group.inviteCode, 'Bo again');
    const passed = await send('POST', `/api/groups/${group.id}/check`, twin.token, {
      answers: { q1: 0 },
    });
    expect(passed.json().passed).toBe(true);
    const list = async () => (await send('GET', `/api/groups/${group.id}/progress`, group.moderatorToken)).json();
    const stageOf = async (id: string) =>
      (await list()).participants.find((p: { participantId: string }) => p.participantId === id)?.progress.stage;
    expect(await stageOf(bo.participantId)).toBe('familiarize');
    expect(await stageOf(twin.participantId)).toBe('interact');
    expect((await list()).participants.map((p: { displayName: string }) => p.displayName)).toEqual([
      'Ana',
      'Bo',
      'Bo again',
    ]);

    const merge = await send(
      'POST',
      `/api/groups/${group.id}/participants/${twin.participantId}/merge`,
      group.moderatorToken,
      {
        into: bo.participantId,
      },
    );
    expect(merge.statusCode).toBe(200);
    expect(await stageOf(bo.participantId)).toBe('interact');
    await expect(
      interactGate(t.db.db)({ groupId: group.id, participantId: bo.participantId }),
    ).resolves.toBeUndefined();

    expect((await send('GET', `/api/groups/${group.id}/progress`, group.analystToken)).statusCode).toBe(200);
    expect((await send('GET', `/api/groups/${group.id}/progress`, ana.token)).statusCode).toBe(403);
  });

  it("documents every familiarize route in the OpenAPI document; the participants' view has no answers", async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
    const routes: [string, string][] = [
      ['/api/studies/{studyId}/orientation', 'put'],
      ['/api/studies/{studyId}/orientation', 'get'],
      ['/api/studies/{studyId}/stages', 'put'],
      ['/api/studies/{studyId}/stages', 'get'],
      ['/api/groups/{groupId}/orientation', 'get'],
      ['/api/groups/{groupId}/orientation/read', 'post'],
      ['/api/groups/{groupId}/practice', 'post'],
      ['/api/groups/{groupId}/check', 'post'],
      ['/api/me/progress', 'get'],
      ['/api/groups/{groupId}/progress', 'get'],
    ];
    for (const [path, method] of routes) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.responses['200'].content['application/json'].schema).toBeDefined();
    }
    const shown =
      doc.paths['/api/groups/{groupId}/orientation'].get.responses['200'].content['application/json'].schema;
    expect(JSON.stringify(shown)).not.toMatch(/"correct"|referenceLabels/);
  });

  it('keeps the journey to participants: staff and the admin are refused (403)', async () => {
    expect((await send('GET', '/api/me/progress', group.moderatorToken)).statusCode).toBe(403);
    expect((await send('GET', '/api/me/progress', t.adminToken)).statusCode).toBe(403);
    const other = await createGroup(t, { studyId: group.studyId, name: 'Other' });
    expect((await send('POST', `/api/groups/${other.id}/check`, ana.token, { answers: {} })).statusCode).toBe(403);
    expect((await send('POST', `/api/groups/${group.id}/check`, t.adminToken, { answers: {} })).statusCode).toBe(403);
    const created_ = await created(t, `/api/groups/${group.id}/sessions`, {}, group.moderatorToken);
    expect((await send('GET', '/api/me/progress', ana.token)).json()).toMatchObject({
      stage: 'discuss',
      sessionId: created_.id,
    });
  });
});
