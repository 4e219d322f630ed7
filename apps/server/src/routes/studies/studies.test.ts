import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, created, createGroup, startTestApp, type TestApp } from '../../testing.js';

const context = { name: 'History Educational Assistant', description: 'For students', systemPrompt: 'Be brief.' };

describe.each(databaseKinds)('studies and groups on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  it('creates a study, lists it and reads it back', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/studies',
      headers: bearer(t.adminToken),
      payload: { title: 'Pilot', context },
    });
    expect(created.statusCode).toBe(201);
    const study = created.json();
    expect(study).toMatchObject({ title: 'Pilot', context });
    expect(typeof study.id).toBe('string');

    const list = await t.app.inject({ url: '/api/studies', headers: bearer(t.adminToken) });
    expect(list.json().studies.map((s: { id: string }) => s.id)).toContain(study.id);
    const one = await t.app.inject({ url: `/api/studies/${study.id}`, headers: bearer(t.adminToken) });
    expect(one.json()).toEqual(study);
  });

  it('creates a group whose moderator and analyst tokens work, once shown', async () => {
    const study = await created(t, '/api/studies', { title: 'S', context }, t.adminToken);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/studies/${study.id}/groups`,
      headers: bearer(t.adminToken),
      payload: { name: 'Group A' },
    });
    expect(res.statusCode).toBe(201);
    const group = res.json();
    expect(group).toMatchObject({ name: 'Group A', studyId: study.id });
    expect(group.inviteCode).toMatch(/^[0-9A-Z]{10}$/);
    // ≥128 bits of randomness, base64url.
    expect(group.moderatorToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(group.analystToken).not.toBe(group.moderatorToken);

    const me = await t.app.inject({ url: '/api/me', headers: bearer(group.moderatorToken) });
    expect(me.json()).toEqual({
      role: 'moderator',
      groupId: group.id,
      participantId: null,
      displayName: null,
      language: 'en',
    });
    const asAnalyst = await t.app.inject({ url: `/api/groups/${group.id}`, headers: bearer(group.analystToken) });
    expect(asAnalyst.statusCode).toBe(200);
    expect(asAnalyst.json()).toMatchObject({ id: group.id, inviteCode: group.inviteCode });

    const listed = await t.app.inject({ url: `/api/studies/${study.id}/groups`, headers: bearer(t.adminToken) });
    const [only] = listed.json().groups;
    expect(only).toMatchObject({ id: group.id, inviteCode: group.inviteCode });
    expect(only.moderatorToken).toBeUndefined();
  });

  it('stores tokens hashed: no table holds a token as given', async () => {
    const group = await createGroup(t);
    const { schema } = await import('@calma/db');
    const rows = await t.db.db.select().from(schema.tokens);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(group.moderatorToken);
    expect(stored).not.toContain(group.analystToken);
    expect(rows.filter((r) => r.groupId === group.id)).toHaveLength(2);
  });

  it('refuses blank titles and names after trimming', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/studies',
      headers: bearer(t.adminToken),
      payload: { title: '   ', context },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('BAD_REQUEST');
  });
});

describe.each(databaseKinds)('changing a study on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  it('changes the context, title and language; absent fields stay', async () => {
    const study = await created(t, '/api/studies', { title: 'Pilot', context }, t.adminToken);
    const changedContext = { name: 'खाना पकाने का सहायक', description: 'Recipes', systemPrompt: 'Answer kindly.' };
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/studies/${study.id}`,
      headers: bearer(t.adminToken),
      payload: { context: changedContext },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: study.id, title: 'Pilot', context: changedContext, language: 'en' });

    const again = await t.app.inject({
      method: 'PATCH',
      url: `/api/studies/${study.id}`,
      headers: bearer(t.adminToken),
      payload: { title: ' Pilot 2 ', language: 'hi' },
    });
    expect(again.json()).toMatchObject({ title: 'Pilot 2', language: 'hi', context: changedContext });
    const read = await t.app.inject({ url: `/api/studies/${study.id}`, headers: bearer(t.adminToken) });
    expect(read.json()).toEqual(again.json());
  });

  it('refuses bad input with 400, an unknown study with 404, and anyone but the admin', async () => {
    const study = await created(t, '/api/studies', { title: 'Pilot', context }, t.adminToken);
    const patch = (payload: object, url = `/api/studies/${study.id}`, token = t.adminToken) =>
      t.app.inject({ method: 'PATCH', url, headers: bearer(token), payload });
    expect((await patch({ title: '  ' })).statusCode).toBe(400);
    expect((await patch({ context: { name: 'x' } })).statusCode).toBe(400);
    expect((await patch({ title: 'x' }, '/api/studies/st_nope')).statusCode).toBe(404);
    const group = await createGroup(t);
    expect((await patch({ title: 'x' }, `/api/studies/${study.id}`, group.moderatorToken)).statusCode).toBe(403);
  });
});
