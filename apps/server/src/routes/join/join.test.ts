import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type CreatedGroupFixture, createGroup, startTestApp, type TestApp } from '../../testing.js';

describe.each(databaseKinds)('joining on %s', (kind) => {
  let t: TestApp;
  let group: CreatedGroupFixture;
  beforeAll(async () => {
    t = await startTestApp(kind, { joinRateLimit: 8 });
    group = await createGroup(t);
  });
  afterAll(() => t.close());

  it('joins with consent and gets a participant token for that group', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/join',
      payload: { inviteCode: group.inviteCode.toLowerCase(), displayName: ' Ana ', consent: true },
    });
    expect(res.statusCode).toBe(201);
    const joined = res.json();
    expect(joined.groupId).toBe(group.id);
    const me = await t.app.inject({ url: '/api/me', headers: bearer(joined.token) });
    expect(me.json()).toEqual({
      role: 'participant',
      groupId: group.id,
      participantId: joined.participantId,
      displayName: 'Ana',
      language: 'en',
    });
    const members = await t.app.inject({
      url: `/api/groups/${group.id}/participants`,
      headers: bearer(group.moderatorToken),
    });
    expect(members.json().participants).toEqual([
      expect.objectContaining({ id: joined.participantId, displayName: 'Ana' }),
    ]);
  });

  it.each([false, 'true', 1, null, undefined])('refuses consent %s with 400', async (consent) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/join',
      payload: { inviteCode: group.inviteCode, displayName: 'Bo', consent },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toMatch(/^(CONSENT_REQUIRED|VALIDATION_FAILED)$/);
  });

  it('answers an unknown invite code with 404', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/join',
      payload: { inviteCode: 'NOPE000000', displayName: 'Bo', consent: true },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Invite code not found' } });
  });

  it('rate-limits joins per address with 429 in the error shape', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/join',
        remoteAddress: '10.9.9.9',
        payload: { inviteCode: 'NOPE000000', displayName: 'Bo', consent: true },
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) expect(res.json().error.code).toBe('RATE_LIMITED');
    }
    expect(statuses.slice(0, 8).every((s) => s === 404)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});
