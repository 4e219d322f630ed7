import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createGroup, join, startTestApp, type TestApp } from '../testing.js';

/**
 * The contract's promises for every authenticated route named so far: a missing or unknown token
 * is 401, a wrong role 403, a malformed body or path 400, an unknown id 404 — always in the
 * `{"error": {"code", "message"}}` shape, never a 500.
 */
interface RouteCase {
  name: string;
  method: 'GET' | 'POST';
  url: (ids: Ids) => string;
  body?: (ids: Ids) => object;
  /** A body that fails the schema, for routes that take one. */
  malformed?: object;
  /** A role that may not use the route. */
  wrongRole: (ids: Ids) => string;
  /** The route with an unknown id in the path, and a token that would otherwise be allowed. */
  unknown?: (ids: Ids) => { url: string; token: string };
}

interface Ids {
  admin: string;
  studyId: string;
  groupId: string;
  moderator: string;
  analyst: string;
  participant: string;
}

const context = { name: 'n', description: 'd', systemPrompt: 's' };
/** Placeholder ids, only to decide at collection time which cases apply to a route. */
const ids0: Ids = { admin: 'a', studyId: 's', groupId: 'g', moderator: 'm', analyst: 'an', participant: 'p' };

const routes: RouteCase[] = [
  {
    name: 'create study',
    method: 'POST',
    url: () => '/api/studies',
    body: () => ({ title: 'T', context }),
    malformed: { title: 42, context },
    wrongRole: (ids) => ids.moderator,
  },
  { name: 'list studies', method: 'GET', url: () => '/api/studies', wrongRole: (ids) => ids.analyst },
  {
    name: 'read study',
    method: 'GET',
    url: (ids) => `/api/studies/${ids.studyId}`,
    wrongRole: (ids) => ids.participant,
    unknown: (ids) => ({ url: '/api/studies/st_unknown', token: ids.admin }),
  },
  {
    name: 'create group',
    method: 'POST',
    url: (ids) => `/api/studies/${ids.studyId}/groups`,
    body: () => ({ name: 'G2' }),
    malformed: { name: '' },
    wrongRole: (ids) => ids.moderator,
    unknown: (ids) => ({ url: '/api/studies/st_unknown/groups', token: ids.admin }),
  },
  {
    name: 'list groups',
    method: 'GET',
    url: (ids) => `/api/studies/${ids.studyId}/groups`,
    wrongRole: (ids) => ids.participant,
    unknown: (ids) => ({ url: '/api/studies/st_unknown/groups', token: ids.admin }),
  },
  {
    name: 'read group',
    method: 'GET',
    url: (ids) => `/api/groups/${ids.groupId}`,
    wrongRole: () => 'none',
    unknown: (ids) => ({ url: '/api/groups/gr_unknown', token: ids.moderator }),
  },
  {
    name: 'import interactions',
    method: 'POST',
    url: (ids) => `/api/groups/${ids.groupId}/interactions`,
    body: () => ({ interactions: [{ baseline: false, messages: [{ role: 'assistant', content: 'hi' }] }] }),
    malformed: { interactions: [{ baseline: 'no', messages: [{ role: 'robot', content: 'hi' }] }] },
    wrongRole: (ids) => ids.participant,
    unknown: (ids) => ({ url: '/api/groups/gr_unknown/interactions', token: ids.moderator }),
  },
  {
    name: 'list interactions',
    method: 'GET',
    url: (ids) => `/api/groups/${ids.groupId}/interactions`,
    wrongRole: () => 'none',
    unknown: (ids) => ({ url: '/api/groups/gr_unknown/interactions', token: ids.analyst }),
  },
  {
    name: 'add labels',
    method: 'POST',
    url: (ids) => `/api/groups/${ids.groupId}/labels`,
    body: () => ({ labels: [{ text: 'balanced', stage: 'initial' }] }),
    malformed: { labels: [{ text: 'balanced', stage: 'final' }] },
    wrongRole: (ids) => ids.analyst,
    unknown: (ids) => ({ url: '/api/groups/gr_unknown/labels', token: ids.moderator }),
  },
  {
    name: 'list labels',
    method: 'GET',
    url: (ids) => `/api/groups/${ids.groupId}/labels`,
    wrongRole: () => 'none',
    unknown: (ids) => ({ url: '/api/groups/gr_unknown/labels', token: ids.participant }),
  },
  {
    name: 'create attribute',
    method: 'POST',
    url: (ids) => `/api/groups/${ids.groupId}/attributes`,
    body: () => ({ name: 'Warmth', definition: 'Kindly spoken', codes: [] }),
    malformed: { name: 'Warmth', definition: '', codes: [{ labelId: 'lb_x', sign: 2 }] },
    wrongRole: (ids) => ids.analyst,
    unknown: (ids) => ({ url: '/api/groups/gr_unknown/attributes', token: ids.moderator }),
  },
  {
    name: 'list attributes',
    method: 'GET',
    url: (ids) => `/api/groups/${ids.groupId}/attributes`,
    wrongRole: () => 'none',
    unknown: (ids) => ({ url: '/api/groups/gr_unknown/attributes', token: ids.participant }),
  },
  {
    name: 'group summary',
    method: 'GET',
    url: (ids) => `/api/groups/${ids.groupId}/summary`,
    wrongRole: () => 'none',
    unknown: (ids) => ({ url: '/api/groups/gr_unknown/summary', token: ids.participant }),
  },
  {
    name: 'list participants',
    method: 'GET',
    url: (ids) => `/api/groups/${ids.groupId}/participants`,
    wrongRole: () => 'none',
    unknown: (ids) => ({ url: '/api/groups/gr_unknown/participants', token: ids.moderator }),
  },
  { name: 'me', method: 'GET', url: () => '/api/me', wrongRole: () => 'none' },
];

const expectError = (res: { statusCode: number; json(): unknown }, status: number) => {
  expect(res.statusCode).toBe(status);
  const body = res.json() as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toMatch(/^[A-Z][A-Z_]+$/);
  expect(body.error.message.length).toBeGreaterThan(0);
};

describe.each(databaseKinds)('the contract on %s', (kind) => {
  let t: TestApp;
  let ids: Ids;
  beforeAll(async () => {
    t = await startTestApp(kind);
    const group = await createGroup(t);
    const joined = await join(t, group.inviteCode, 'P');
    ids = {
      admin: t.adminToken,
      studyId: group.studyId,
      groupId: group.id,
      moderator: group.moderatorToken,
      analyst: group.analystToken,
      participant: joined.token,
    };
  });
  afterAll(() => t.close());

  const send = (route: RouteCase, token: string | null, body?: object, url?: string) =>
    t.app.inject({
      method: route.method,
      url: url ?? route.url(ids),
      headers: token === null ? {} : bearer(token),
      ...(route.method === 'POST' ? { payload: body ?? route.body?.(ids) ?? {} } : {}),
    });

  describe.each(routes)('$method $name', (route) => {
    it('401 without a token, with an unknown token, or a malformed header', async () => {
      expectError(await send(route, null), 401);
      expectError(await send(route, 'not-a-real-token-but-long-enough'), 401);
      const res = await t.app.inject({
        method: route.method,
        url: route.url(ids),
        headers: { authorization: 'Basic abc' },
      });
      expectError(res, 401);
    });
  });

  describe.each(routes.filter((r) => r.wrongRole(ids0) !== 'none'))('$method $name', (route) => {
    it('403 for a role that may not', async () => {
      expectError(await send(route, route.wrongRole(ids)), 403);
    });
  });

  describe.each(routes.filter((r) => r.malformed))('$method $name', (route) => {
    it('400 for a malformed body', async () => {
      expectError(await send(route, ids.admin, route.malformed), 400);
    });
  });

  describe.each(routes.filter((r) => r.unknown))('$method $name', (route) => {
    it('404 for an unknown id', async () => {
      const { url, token } = (route.unknown as NonNullable<RouteCase['unknown']>)(ids);
      expectError(await send(route, token, undefined, url), 404);
    });
  });

  it('400 for malformed JSON and for an id that is not an id', async () => {
    const broken = await t.app.inject({
      method: 'POST',
      url: '/api/studies',
      headers: { ...bearer(ids.admin), 'content-type': 'application/json' },
      payload: '{"title": ',
    });
    expectError(broken, 400);
    expectError(await t.app.inject({ url: '/api/studies/bad%20id!', headers: bearer(ids.admin) }), 400);
  });

  it('treats an empty JSON body as no body: fine where none is needed, 400 where one is', async () => {
    const headers = { ...bearer(ids.moderator), 'content-type': 'application/json' };
    const session = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${ids.groupId}/sessions`,
      headers,
      payload: '',
    });
    expect(session.statusCode).toBe(201);
    const labels = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${ids.groupId}/labels`,
      headers,
      payload: '',
    });
    expectError(labels, 400);
  });

  it('413 for a body over the limit', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${ids.groupId}/labels`,
      headers: bearer(ids.moderator),
      payload: { labels: [{ text: 'x'.repeat(400), stage: 'initial', annotation: 'y'.repeat(2 * 1024 * 1024) }] },
    });
    expectError(res, 413);
  });

  it('404 in the error shape for unknown API routes', async () => {
    expectError(await t.app.inject({ url: '/api/nothing-here' }), 404);
  });

  it('health needs no token and names the driver', async () => {
    const res = await t.app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', db: kind, version: 'test' });
  });

  it('says the node is ready while its database answers', async () => {
    const res = await t.app.inject({ url: '/api/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('serves an OpenAPI 3 document listing every route above', async () => {
    const res = await t.app.inject({ url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/api/health',
      '/api/health/ready',
      '/api/studies',
      '/api/studies/{studyId}',
      '/api/studies/{studyId}/groups',
      '/api/join',
      '/api/groups/{groupId}/interactions',
      '/api/groups/{groupId}/labels',
      '/api/groups/{groupId}/attributes',
      '/api/groups/{groupId}/attributes/suggestions',
      '/api/attributes/{id}',
      '/api/attributes/{id}/share',
      '/api/attributes/{id}/versions',
      '/api/groups/{groupId}/coding',
      '/api/groups/{groupId}/codes/suggest',
      '/api/labels/{id}',
      '/api/groups/{groupId}/summary',
      '/api/sessions/{sessionId}/affinity-map',
      '/api/groups/{groupId}/export.qdpx',
      '/api/groups/{groupId}/import.qdpx',
      '/api/groups/{groupId}/participants/{participantId}/artifacts',
      '/api/groups/{groupId}/codebook.csv',
      '/api/groups/{groupId}/coded-segments.csv',
    ]) {
      expect(paths).toContain(p);
    }
    // REFI-QDA: a ZIP out, a ZIP in, a JSON result and JSON errors.
    expect(Object.keys(doc.paths['/api/groups/{groupId}/export.qdpx'].get.responses['200'].content)).toEqual([
      'application/zip',
    ]);
    const qdpxImport = doc.paths['/api/groups/{groupId}/import.qdpx'].post;
    expect(Object.keys(qdpxImport.requestBody.content)).toEqual(['application/zip']);
    expect(qdpxImport.responses['201'].content['application/json'].schema.required).toContain('counts');
    expect(Object.keys(qdpxImport.responses['400'].content)).toEqual(['application/json']);
    expect(doc.paths['/api/join'].post.requestBody.content['application/json'].schema.required).toContain('consent');
    for (const csv of ['codebook.csv', 'coded-segments.csv']) {
      expect(Object.keys(doc.paths[`/api/groups/{groupId}/${csv}`].get.responses['200'].content)).toEqual(['text/csv']);
    }
    expect(
      doc.paths['/api/groups/{groupId}/participants/{participantId}/artifacts'].get.responses['200'].content[
        'application/json'
      ].schema.required,
    ).toEqual(['participant', 'conversations', 'codes', 'attributes']);
    // A label may code a span of its turn (issue 14).
    const labelBody = doc.paths['/api/groups/{groupId}/labels'].post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(labelBody.properties.labels.items.properties.span)).toContain('"start"');
    // The control body is a union tagged by `action`, each action with exactly its own fields.
    const control = doc.paths['/api/sessions/{sessionId}/control'].post.requestBody.content['application/json'].schema;
    expect(control.discriminator).toEqual({ propertyName: 'action' });
    // (@fastify/swagger writes a const as a one-value enum.)
    const tagOf = (o: { properties: { action: { const?: string; enum?: string[] } } }) =>
      o.properties.action.const ?? o.properties.action.enum?.[0];
    const start = control.oneOf.find((o: Parameters<typeof tagOf>[0]) => tagOf(o) === 'start');
    expect(start.required).toEqual(['action', 'segment', 'durationMs']);
    expect(control.oneOf).toHaveLength(12);
    // Every action may name the revision its view showed (409 STALE_REVISION when out of date).
    for (const member of control.oneOf) expect(member.properties.revision).toMatchObject({ type: 'integer' });
  });
});
