import type { AddressInfo } from 'node:net';
import { defaultOrientation } from '@calma/core';
import type { DbKind } from '@calma/db';
import type { TestDb } from '@calma/db/testing';
import { freshDb } from '@calma/db/testing/fresh';
import type { FastifyInstance } from 'fastify';
import { type AppConfig, buildApp } from './app.js';
import { hashToken, newToken } from './tokens.js';

/** A built app on a fresh database, with a known admin token. For route and cross-app tests. */
export interface TestApp {
  app: FastifyInstance;
  db: TestDb;
  adminToken: string;
  /** With `listen: true`, the loopback URL real HTTP, socket.io and WebSocket clients use. */
  url: string;
  /** A JSON request over real HTTP (needs `listen: true`); resolves to status and parsed body. */
  http<T = Record<string, unknown>>(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** Settings a test may change (any of the app's but logging and the web directory), and `listen`. */
export type TestAppOverrides = Partial<Omit<AppConfig, 'logLevel' | 'webDir'>> & { listen?: boolean };

/**
 * Builds the app on a fresh, migrated database of `kind` (see the global test setup); with
 * `listen`, it also listens on a free loopback port.
 */
export async function startTestApp(kind: DbKind, overrides: TestAppOverrides = {}): Promise<TestApp> {
  const db = await freshDb(kind);
  const adminToken = newToken();
  const { listen: _listen, ...settings } = overrides;
  const app = await buildApp(
    {
      logLevel: 'silent',
      webDir: null,
      ...settings,
      bodyLimit: settings.bodyLimit ?? 1024 * 1024,
      joinRateLimit: settings.joinRateLimit ?? 1000,
    },
    { db, adminTokenHash: hashToken(adminToken), version: 'test' },
  );
  await app.ready();
  let url = '';
  if (overrides.listen) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }
  return {
    app,
    db,
    adminToken,
    url,
    async http<T>(method: string, path: string, token: string | null, body?: unknown) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

/** `authorization` header for a token. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** POSTs JSON and returns the parsed body, failing the test unless the answer is 201. */
export async function created<T = Record<string, string>>(
  t: TestApp,
  url: string,
  payload: object,
  token?: string,
): Promise<T> {
  const res = await t.app.inject({ method: 'POST', url, payload, headers: token ? bearer(token) : {} });
  if (res.statusCode !== 201) throw new Error(`POST ${url} answered ${res.statusCode}: ${res.body}`);
  return res.json() as T;
}

/** What `createGroup` returns: the study's id and the group with its one-time credentials. */
export interface CreatedGroupFixture {
  studyId: string;
  id: string;
  inviteCode: string;
  moderatorToken: string;
  analystToken: string;
}

/** Creates a study (or reuses `studyId`) and a group in it, through the API as the admin. */
export async function createGroup(t: TestApp, options: { name?: string; studyId?: string } = {}) {
  const context = { name: 'History Educational Assistant', description: '', systemPrompt: '' };
  const studyId = options.studyId ?? (await created(t, '/api/studies', { title: 'Study', context }, t.adminToken)).id;
  const group = await created(t, `/api/studies/${studyId}/groups`, { name: options.name ?? 'Group' }, t.adminToken);
  return { ...group, studyId } as CreatedGroupFixture;
}

/** Joins a group with consent; returns `{participantId, groupId, token}`. */
export function join(t: TestApp, inviteCode: string, displayName: string) {
  return created<{ participantId: string; groupId: string; token: string }>(t, '/api/join', {
    inviteCode,
    displayName,
    consent: true,
  });
}

/** Creates a session for a group and starts `segment` (default 2, the board), as its moderator; returns its id. */
export async function startSession(t: TestApp, groupId: string, moderatorToken: string, segment = 2): Promise<string> {
  const { id } = await created<{ id: string }>(t, `/api/groups/${groupId}/sessions`, {}, moderatorToken);
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/sessions/${id}/control`,
    payload: { action: 'start', segment, durationMs: 600_000 },
    headers: bearer(moderatorToken),
  });
  if (res.statusCode !== 200) throw new Error(`starting segment ${segment} answered ${res.statusCode}: ${res.body}`);
  return id;
}

/**
 * Passes the shipped comprehension check as a joined participant, so Interact opens for them (a
 * study without its own orientation requires the shipped one's check before a conversation).
 */
export async function passCheck(t: TestApp, groupId: string, token: string): Promise<void> {
  const answers = Object.fromEntries(defaultOrientation('en').check.questions.map((q) => [q.id, q.correct]));
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/groups/${groupId}/check`,
    payload: { answers },
    headers: bearer(token),
  });
  if (res.statusCode !== 200 || !res.json().passed) throw new Error(`The check was not passed: ${res.body}`);
}

/** Makes a study's comprehension check optional (the shipped orientation otherwise), so its participants may chat at once. */
export async function checkNotRequired(t: TestApp, studyId: string): Promise<void> {
  const res = await t.app.inject({
    method: 'PUT',
    url: `/api/studies/${studyId}/orientation`,
    payload: { ...defaultOrientation('en'), required: false },
    headers: bearer(t.adminToken),
  });
  if (res.statusCode !== 200) throw new Error(`PUT orientation answered ${res.statusCode}: ${res.body}`);
}

export { type DemoCredentials, seedDemo } from './seed/demo.js';
export { hashToken } from './tokens.js';
