import { createHash } from 'node:crypto';
import { schema } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import { type FakeOpenAI, fakeTokens, startFakeOpenAI } from '@calma/models/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, checkNotRequired, createGroup, join, startTestApp, type TestApp } from '../../testing.js';

const reply = 'The Trail of Tears was the forced removal of the Cherokee Nation in 1838 and 1839.';
const keyVariable = 'CALMA_TEST_FAKE_OPENAI_KEY';
const secretKey = 'sk-test-never-returned-0123456789';

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads a whole SSE response into its events, keeping the raw text for framing checks. */
async function readEvents(res: Response): Promise<{ raw: string; events: SseEvent[] }> {
  const raw = await res.text();
  const events = raw
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.+)$/m.exec(block)?.[1] ?? '';
      const data = JSON.parse(/^data: (.+)$/m.exec(block)?.[1] ?? 'null') as Record<string, unknown>;
      return { event, data };
    });
  return { raw, events };
}

/** Resolves once `ready()` holds (checked every 10 ms, for at most 10 s). */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !ready(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ready()) throw new Error('condition never held');
}

const tokensOf = (events: SseEvent[]) =>
  events.filter((e) => e.event === 'token').map((e) => (e.data as { text: string }).text);

interface StoredMessage {
  id: string;
  role: string;
  content: string;
  status: string;
  model?: string;
  provider?: string;
  ttftMs?: number;
  latencyMs?: number;
  usage?: { completionTokens?: number };
  finishReason?: string | null;
  systemPromptSha256?: string;
  error?: { code: string; message: string };
}

describe.each(databaseKinds)('Interact chat on %s', (kind) => {
  let t: TestApp;
  let fake: FakeOpenAI;
  let group: Awaited<ReturnType<typeof createGroup>>;
  let other: Awaited<ReturnType<typeof createGroup>>;
  let appClosed = false;
  const systemPrompt = 'You are an education assistant for high school students studying history.';

  const model = (over: Record<string, unknown> = {}) => ({
    id: 'fake',
    label: 'Fake GPT',
    provider: 'openai',
    baseUrl: fake.baseUrl,
    model: 'fake-model',
    params: { temperature: 0.3, maxTokens: 256 },
    apiKeyEnv: keyVariable,
    ...over,
  });

  const putModels = (body: object, token = t.adminToken) =>
    t.app.inject({ method: 'PUT', url: `/api/studies/${group.studyId}/models`, headers: bearer(token), payload: body });

  /** A new participant with a new conversation on `modelId` (the study is `choice`). */
  async function participantWithConversation(modelId = 'fake') {
    const who = await join(t, group.inviteCode, `P${Math.random().toString(36).slice(2, 7)}`);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${group.id}/conversations`,
      headers: bearer(who.token),
      payload: { modelId },
    });
    expect(res.statusCode).toBe(201);
    return { ...who, conversationId: res.json().id as string };
  }

  const post = (token: string, conversationId: string, content: string, sse = true, path = 'messages') =>
    fetch(`${t.url}/api/conversations/${conversationId}/${path}`, {
      method: 'POST',
      headers: {
        ...bearer(token),
        'content-type': 'application/json',
        ...(sse ? { accept: 'text/event-stream' } : {}),
      },
      body: path === 'messages' ? JSON.stringify({ content }) : undefined,
    });

  const stored = async (token: string, conversationId: string) => {
    const res = await t.app.inject({ url: `/api/conversations/${conversationId}`, headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    return res.json() as { messages: StoredMessage[]; modelId: string; provider: string; participantId: string };
  };

  beforeAll(async () => {
    process.env[keyVariable] = secretKey;
    fake = await startFakeOpenAI({ reply, tokensPerSecond: 400, apiKey: secretKey });
    t = await startTestApp(kind, {
      listen: true,
      modelTimeoutMs: 2_500,
      modelIdleMs: 2_500,
      modelRetries: 2,
      chatRateLimit: 8,
      chatMaxChars: 200,
    });
    const context = { name: 'History Educational Assistant', description: '', systemPrompt };
    const study = await t.app.inject({
      method: 'POST',
      url: '/api/studies',
      headers: bearer(t.adminToken),
      payload: { title: 'Chat study', context },
    });
    group = await createGroup(t, { studyId: study.json().id });
    await checkNotRequired(t, group.studyId);
    other = await createGroup(t, { name: 'Other' });
    const res = await putModels({
      models: [
        model(),
        model({ id: 'nokey', label: 'No key', apiKeyEnv: 'CALMA_TEST_UNSET_VARIABLE' }),
        model({ id: 'down', label: 'Down', baseUrl: 'http://127.0.0.1:1/v1' }),
        model({ id: 'unknown', label: 'Unknown', model: 'no-such-model' }),
        { id: 'replay', label: 'Recorded answers', provider: 'replay', model: 'replay' },
      ],
      assignment: 'choice',
    });
    expect(res.statusCode).toBe(200);
  });
  afterAll(async () => {
    if (appClosed) await t.db.close();
    else await t.close();
    await fake.close();
  });

  it('streams an answer as SSE and stores exactly what was shown, with the run recorded', async () => {
    const p = await participantWithConversation();
    const res = await post(p.token, p.conversationId, 'Tell me about the Trail of Tears');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { raw, events } = await readEvents(res);
    // Framing: named events, one JSON data line each, blank-line separated; user first, done last.
    expect(raw).toMatch(
      /^event: user\ndata: \{.*\}\n\n(event: token\ndata: \{.*\}\n\n)+event: done\ndata: \{.*\}\n\n$/,
    );
    expect(tokensOf(events)).toEqual(fakeTokens(reply));
    const done = events.at(-1)?.data.message as StoredMessage;
    expect(done.content).toBe(reply);

    const conversation = await stored(p.token, p.conversationId);
    expect(conversation.provider).toBe('openai');
    const [user, assistant, ...rest] = conversation.messages;
    expect(rest).toEqual([]);
    expect(user).toMatchObject({ role: 'user', content: 'Tell me about the Trail of Tears', status: 'complete' });
    expect(assistant).toMatchObject({
      role: 'assistant',
      content: tokensOf(events).join(''),
      status: 'complete',
      model: 'fake-model',
      provider: 'openai',
      finishReason: 'stop',
      usage: { completionTokens: fakeTokens(reply).length },
      systemPromptSha256: createHash('sha256').update(systemPrompt).digest('hex'),
    });
    expect(assistant?.ttftMs).toBeGreaterThan(0);
    expect(assistant?.latencyMs).toBeGreaterThanOrEqual(assistant?.ttftMs ?? 0);
    // The model got the system prompt first, the params, and the key from the named variable.
    const sent = fake.requests.at(-1);
    expect(sent?.authorization).toBe(`Bearer ${secretKey}`);
    expect(sent?.body).toMatchObject({
      messages: [
        { role: 'system', content: systemPrompt },
        { role: 'user', content: 'Tell me about the Trail of Tears' },
      ],
      temperature: 0.3,
      max_tokens: 256,
    });
  });

  it('answers whole as JSON 201 {user, assistant} without text/event-stream', async () => {
    const p = await participantWithConversation();
    const res = await post(p.token, p.conversationId, 'Hello', false);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { user: StoredMessage; assistant: StoredMessage };
    expect(body.user.content).toBe('Hello');
    expect(body.assistant).toMatchObject({ content: reply, status: 'complete' });
    expect((await stored(p.token, p.conversationId)).messages.map((m) => m.content)).toEqual(['Hello', reply]);
  });

  it('retries a 429 before any token and then answers; the participant sees one answer', async () => {
    const p = await participantWithConversation();
    const before = fake.requests.length;
    fake.script({ type: 'error', status: 429, retryAfterS: 0 });
    const { events } = await readEvents(await post(p.token, p.conversationId, 'Why 1838?'));
    expect(fake.requests.length - before).toBe(2);
    expect(events.at(-1)?.event).toBe('done');
    const [, assistant] = (await stored(p.token, p.conversationId)).messages;
    expect(assistant).toMatchObject({ status: 'complete', content: tokensOf(events).join('') });
    expect(assistant?.content).toBe(reply);
  });

  it('gives up after the retries on 500 and stores a failed turn with the reason', async () => {
    const p = await participantWithConversation();
    fake.script(...Array.from({ length: 3 }, () => ({ type: 'error' as const, status: 500 })));
    const { events } = await readEvents(await post(p.token, p.conversationId, 'Why?'));
    expect(tokensOf(events)).toEqual([]);
    const failure = events.at(-1);
    expect(failure?.event).toBe('error');
    expect(failure?.data.error).toMatchObject({ code: 'MODEL_UNAVAILABLE', reason: 'ENDPOINT_DOWN' });
    const [user, assistant] = (await stored(p.token, p.conversationId)).messages;
    expect(user?.content).toBe('Why?');
    expect(assistant).toMatchObject({ status: 'failed', content: '', error: { code: 'ENDPOINT_DOWN' } });
    expect(failure?.data.message).toMatchObject({ status: 'failed', content: '' });
  });

  it('times out a first token that is too slow, and says so', async () => {
    const p = await participantWithConversation();
    fake.script({ type: 'slow-first-token', delayMs: 8_000 });
    const started = Date.now();
    const { events } = await readEvents(await post(p.token, p.conversationId, 'Slow?'));
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(events.at(-1)?.data.error).toMatchObject({ code: 'MODEL_UNAVAILABLE', reason: 'TIMEOUT' });
    const [, assistant] = (await stored(p.token, p.conversationId)).messages;
    expect(assistant).toMatchObject({ status: 'failed', content: '', error: { code: 'TIMEOUT' } });
  });

  it('keeps what was shown of a dropped stream as incomplete, and the retry answers after it', async () => {
    const p = await participantWithConversation();
    fake.script({ type: 'drop', afterTokens: 4 });
    const { events } = await readEvents(await post(p.token, p.conversationId, 'Go on'));
    const shown = tokensOf(events).join('');
    expect(tokensOf(events)).toEqual(fakeTokens(reply).slice(0, 4));
    expect(events.at(-1)?.data.error).toMatchObject({ reason: 'STREAM_BROKEN' });
    expect(events.at(-1)?.data.message).toMatchObject({ content: shown });
    let messages = (await stored(p.token, p.conversationId)).messages;
    expect(messages[1]).toMatchObject({ status: 'incomplete', content: shown, error: { code: 'STREAM_BROKEN' } });

    const again = await readEvents(await post(p.token, p.conversationId, '', true, 'retry'));
    expect(again.events[0]?.data.message).toMatchObject({ content: 'Go on' });
    expect(again.events.at(-1)?.event).toBe('done');
    messages = (await stored(p.token, p.conversationId)).messages;
    expect(messages.map((m) => [m.role, m.status, m.content])).toEqual([
      ['user', 'complete', 'Go on'],
      ['assistant', 'incomplete', shown],
      ['assistant', 'complete', reply],
    ]);
    // The cut-off answer is not sent back to the model as if it had said it.
    expect(fake.requests.at(-1)?.body.messages).toEqual([
      { role: 'system', content: systemPrompt },
      { role: 'user', content: 'Go on' },
    ]);
    const nothing = await post(p.token, p.conversationId, '', false, 'retry');
    expect(nothing.status).toBe(409);
  });

  it('keeps what was shown before a malformed chunk', async () => {
    const p = await participantWithConversation();
    fake.script({ type: 'malformed', afterTokens: 2 });
    const { events } = await readEvents(await post(p.token, p.conversationId, 'More'));
    expect(tokensOf(events)).toHaveLength(2);
    expect(events.at(-1)?.data.error).toMatchObject({ reason: 'STREAM_BROKEN' });
    const [, assistant] = (await stored(p.token, p.conversationId)).messages;
    expect(assistant).toMatchObject({ status: 'incomplete', content: tokensOf(events).join('') });
  });

  it('answers 502 MODEL_UNAVAILABLE with a clear reason for a missing key, an unknown model and a dead endpoint', async () => {
    for (const [modelId, reason, words] of [
      ['nokey', 'KEY_MISSING', 'CALMA_TEST_UNSET_VARIABLE'],
      ['unknown', 'MODEL_UNKNOWN', 'no-such-model'],
      ['down', 'ENDPOINT_DOWN', 'cannot be reached'],
    ] as const) {
      const p = await participantWithConversation(modelId);
      const res = await post(p.token, p.conversationId, 'Hi', false);
      expect(res.status).toBe(502);
      const body = (await res.json()) as { error: { code: string; reason: string; message: string } };
      expect(body.error).toMatchObject({ code: 'MODEL_UNAVAILABLE', reason });
      expect(body.error.message).toContain(words);
      expect((await stored(p.token, p.conversationId)).messages.map((m) => [m.role, m.status])).toEqual([
        ['user', 'complete'],
        ['assistant', 'failed'],
      ]);
    }
  });

  it('refuses empty (400), too long (413), a second answer at once (409) and too many messages (429)', async () => {
    const p = await participantWithConversation();
    expect((await post(p.token, p.conversationId, '   ', false)).status).toBe(400);
    // The conversation tells the page the configured limit, so its counter matches the server's.
    const view = await t.app.inject({ url: `/api/conversations/${p.conversationId}`, headers: bearer(p.token) });
    expect(view.json().maxChars).toBe(200);
    const long = await post(p.token, p.conversationId, 'x'.repeat(201), false);
    expect(long.status).toBe(413);
    expect(((await long.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    fake.script({ type: 'slow-first-token', delayMs: 300 });
    const asked = fake.requests.length;
    const first = post(p.token, p.conversationId, 'One', false);
    await until(() => fake.requests.length > asked);
    const second = await post(p.token, p.conversationId, 'Two', false);
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('ANSWER_IN_PROGRESS');
    expect((await first).status).toBe(201);
    // Nothing refused was stored.
    expect((await stored(p.token, p.conversationId)).messages.map((m) => m.content)).toEqual(['One', reply]);
    let status = 0;
    for (let i = 0; i < 10 && status !== 429; i++)
      status = (await post(p.token, p.conversationId, `q${i}`, false)).status;
    expect(status).toBe(429);
  });

  it('refuses a turn past the study maxTurns with 409 TURN_LIMIT_REACHED', async () => {
    const p = await participantWithConversation();
    await t.db.db
      .update(schema.studies)
      .set({ stages: { open: ['familiarize', 'interact', 'reflect', 'discuss'], minTurns: 1, maxTurns: 1 } })
      .where(eq(schema.studies.id, group.studyId));
    try {
      expect((await post(p.token, p.conversationId, 'One', false)).status).toBe(201);
      const res = await post(p.token, p.conversationId, 'Two', false);
      expect(res.status).toBe(409);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('TURN_LIMIT_REACHED');
      expect(body.error.message).toContain('1 turns');
    } finally {
      await t.db.db
        .update(schema.studies)
        .set({ stages: { open: ['familiarize', 'interact', 'reflect', 'discuss'], minTurns: 1, maxTurns: 20 } })
        .where(eq(schema.studies.id, group.studyId));
    }
  });

  it('lets only its participant write, and its participant and group staff read', async () => {
    const p = await participantWithConversation();
    const stranger = await join(t, group.inviteCode, 'Stranger');
    for (const token of [stranger.token, group.moderatorToken, group.analystToken]) {
      expect((await post(token, p.conversationId, 'Hi', false)).status).toBe(403);
    }
    for (const [token, status] of [
      [p.token, 200],
      [group.moderatorToken, 200],
      [group.analystToken, 200],
      [t.adminToken, 200],
      [stranger.token, 403],
      [other.moderatorToken, 403],
    ] as const) {
      const res = await t.app.inject({ url: `/api/conversations/${p.conversationId}`, headers: bearer(token) });
      expect(res.statusCode, token).toBe(status);
    }
    expect((await t.app.inject({ url: '/api/conversations/cv_nothing', headers: bearer(p.token) })).statusCode).toBe(
      404,
    );
    // Lists: a participant sees their own; staff every one of the group.
    const own = await t.app.inject({ url: `/api/groups/${group.id}/conversations`, headers: bearer(p.token) });
    expect(own.json().conversations.map((c: { id: string }) => c.id)).toEqual([p.conversationId]);
    const all = await t.app.inject({
      url: `/api/groups/${group.id}/conversations`,
      headers: bearer(group.moderatorToken),
    });
    expect(all.json().conversations.length).toBeGreaterThan(5);
  });

  it('keeps model keys out of every answer and refuses a body that carries one', async () => {
    const withKey = await putModels({ models: [{ ...model(), apiKey: 'sk-live-123' }], assignment: 'fixed' });
    expect(withKey.statusCode).toBe(400);
    expect(withKey.json().error.message).toContain('apiKeyEnv');
    for (const bad of [
      { models: [model(), model()], assignment: 'fixed' },
      { models: [model({ baseUrl: 'ftp://x' })], assignment: 'fixed' },
      { models: [model({ apiKeyEnv: 'sk-live-123' })], assignment: 'fixed' },
      { models: [model({ apiKeyEnv: 'DATABASE_URL' })], assignment: 'fixed' },
      { models: [model({ params: { temperature: 3 } })], assignment: 'fixed' },
    ]) {
      expect((await putModels(bad)).statusCode, JSON.stringify(bad)).toBe(400);
    }
    for (const token of [t.adminToken, group.moderatorToken, group.analystToken]) {
      const res = await t.app.inject({ url: `/api/studies/${group.studyId}/models`, headers: bearer(token) });
      expect(res.statusCode).toBe(200);
      expect(res.json().models[0]).toMatchObject({ id: 'fake', apiKeyEnv: keyVariable });
      expect(res.body).not.toContain(secretKey);
    }
    const p = await join(t, group.inviteCode, 'Peek');
    expect(
      (await t.app.inject({ url: `/api/studies/${group.studyId}/models`, headers: bearer(p.token) })).statusCode,
    ).toBe(403);
    expect(
      (await t.app.inject({ url: `/api/studies/${group.studyId}/models`, headers: bearer(other.moderatorToken) }))
        .statusCode,
    ).toBe(403);
    const choices = await t.app.inject({ url: `/api/groups/${group.id}/models`, headers: bearer(p.token) });
    expect(choices.json().models[0]).toEqual({
      id: 'fake',
      label: 'Fake GPT',
      provider: 'openai',
      model: 'fake-model',
    });
    expect(choices.body).not.toContain('apiKeyEnv');
  });

  it('assigns models by the rule: choice needs a known modelId; fixed takes the first', async () => {
    const p = await join(t, group.inviteCode, 'Chooser');
    const start = (payload: object) =>
      t.app.inject({
        method: 'POST',
        url: `/api/groups/${group.id}/conversations`,
        headers: bearer(p.token),
        payload,
      });
    expect((await start({})).statusCode).toBe(400);
    expect((await start({ modelId: 'nope' })).statusCode).toBe(400);
    expect((await start({ modelId: 'replay' })).json()).toMatchObject({ modelId: 'replay', provider: 'replay' });
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/groups/${group.id}/conversations`,
          headers: bearer(group.moderatorToken),
          payload: {},
        })
      ).statusCode,
    ).toBe(403);
    const events = await t.db.db
      .select()
      .from(schema.journeyEvents)
      .where(eq(schema.journeyEvents.participantId, p.participantId));
    expect(events.map((e) => e.data)).toEqual([expect.objectContaining({ modelId: 'replay', assignment: 'choice' })]);
  });

  it('stops the model call when the participant leaves mid-answer and stores what they saw', async () => {
    const p = await participantWithConversation();
    const controller = new AbortController();
    fake.script({ type: 'slow-first-token', delayMs: 0 });
    const res = await fetch(`${t.url}/api/conversations/${p.conversationId}/messages`, {
      method: 'POST',
      headers: { ...bearer(p.token), 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ content: 'Leave early' }),
      signal: controller.signal,
    });
    const reader = res.body?.getReader();
    let seen = '';
    while (!seen.includes('event: token')) seen += new TextDecoder().decode((await reader?.read())?.value);
    controller.abort();
    let assistant: StoredMessage | undefined;
    for (let i = 0; i < 50 && assistant?.status !== 'incomplete'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      assistant = (await stored(p.token, p.conversationId)).messages[1];
    }
    expect(assistant).toMatchObject({ status: 'incomplete', error: { code: 'CLIENT_GONE' } });
    expect(reply.startsWith(assistant?.content ?? 'x')).toBe(true);
    expect(assistant?.content.length).toBeLessThan(reply.length);
  });

  it('stops streams cleanly when the server closes, storing the cut-off answer', async () => {
    const p = await participantWithConversation();
    fake.script({ type: 'slow-first-token', delayMs: 500 });
    const asked = fake.requests.length;
    const res = await post(p.token, p.conversationId, 'Before closing');
    const reading = readEvents(res);
    await until(() => fake.requests.length > asked);
    await t.app.close();
    appClosed = true;
    const { events } = await reading;
    expect(events.at(-1)?.data.error).toMatchObject({ reason: 'SHUTDOWN' });
    const [row] = await t.db.db.select().from(schema.interactions).where(eq(schema.interactions.id, p.conversationId));
    expect(row?.messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'failed'],
    ]);
  });
});
