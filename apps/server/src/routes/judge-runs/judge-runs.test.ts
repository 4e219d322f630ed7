import { schema } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import { type FakeOpenAI, startFakeOpenAI } from '@calma/models/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { bearer, created, createGroup, join, startTestApp, type TestApp } from '../../testing.js';
import { hashToken } from '../../tokens.js';

const ask = (content: string) => ({ role: 'user' as const, content });
const answer = (content: string) => ({ role: 'assistant' as const, content });

/** Answers about people's culture and traditions, and answers that cite their sources. */
const contextAnswers = [
  'The Cherokee culture, its traditions, language and ceremonies shaped how the community lived and prayed.',
  'Harvest festivals, family customs and shared songs were central to the culture of the villages.',
  'Their traditions of storytelling and dance carried the culture and memory of the people across generations.',
  'Religious customs, clan kinship and seasonal rituals defined daily life and culture in the community.',
];
const sourceAnswers = [
  'According to the archives of the War Department and the historian Theda Perdue, about 4,000 died.',
  'Primary documents, letters and census records cited by historians give the figure; see the 1835 census.',
  'The historian John Ehle cites government reports and letters held in the National Archives.',
  'Sources: the treaty text, court records and historians such as Grant Foreman, cited in the bibliography.',
];

interface Run {
  id: string;
  status: 'running' | 'done' | 'failed';
  progress: { done: number; total: number };
  scores: { interactionId: string; messageIndex: number; axisId: string; score: number }[];
  failures: { interactionId: string; axisId: string; reason: string }[];
  agreement: {
    axisId: string;
    n: number;
    accuracy: number | null;
    alpha?: number | null;
    borrowedNegatives?: boolean;
    method?: string;
  }[];
  error: { code: string; message: string } | null;
  tokens: number;
  ms: number;
  axes: { id: string; name: string }[];
}

describe.each(databaseKinds)('judge runs on %s', (kind) => {
  let t: TestApp;
  let fake: FakeOpenAI;
  let group: Awaited<ReturnType<typeof createGroup>>;
  let other: Awaited<ReturnType<typeof createGroup>>;
  let sessionId = '';
  let axes: { context: string; sources: string } = { context: '', sources: '' };
  let interactionIds: string[] = [];
  /** The fake's reply per request; tests change it. */
  let judge: (body: Record<string, unknown>) => string = () => 'Score: 3\nPartly.';

  const inject = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object) =>
    t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

  async function runOf(id: string, token = group.analystToken): Promise<Run> {
    const res = await inject('GET', `/api/judge-runs/${id}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Run;
  }

  /** Polls the run until it is no longer running (at most 30 s). */
  async function finished(id: string): Promise<Run> {
    for (let i = 0; i < 600; i++) {
      const run = await runOf(id);
      if (run.status !== 'running') return run;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`run ${id} never finished`);
  }

  async function start(body: object, token = group.analystToken, session = sessionId): Promise<string> {
    const res = await inject('POST', `/api/sessions/${session}/judge-runs`, token, body);
    expect(res.statusCode, res.body).toBe(202);
    return res.json().id as string;
  }

  /** A session of `g` whose final attributes are given (inserted as segment 4 would leave them). */
  async function sessionWith(
    g: typeof group,
    finals: { name: string; definition: string; sourceLabelIds?: string[]; exampleInteractionIds?: string[] }[],
  ): Promise<{ id: string; finalIds: string[] }> {
    const id = (await created(t, `/api/groups/${g.id}/sessions`, {}, g.moderatorToken)).id as string;
    const finalIds = finals.map((_, i) => `fa_${kind}_${id}_${i}`);
    await t.db.db.insert(schema.finalAttributes).values(
      finals.map((f, i) => ({
        id: finalIds[i] as string,
        sessionId: id,
        name: f.name,
        definition: f.definition,
        sourceLabelIds: f.sourceLabelIds ?? [],
        exampleInteractionIds: f.exampleInteractionIds ?? [],
        position: i,
      })),
    );
    return { id, finalIds };
  }

  beforeAll(async () => {
    fake = await startFakeOpenAI({ reply: (body) => judge(body), tokensPerSecond: 1000 });
    t = await startTestApp(kind, { listen: true, modelTimeoutMs: 3_000, modelIdleMs: 3_000, modelRetries: 1 });
    group = await createGroup(t);
    other = await createGroup(t, { name: 'Other', studyId: group.studyId });
    const put = await inject('PUT', `/api/studies/${group.studyId}/models`, t.adminToken, {
      models: [{ id: 'judge', label: 'Fake judge', provider: 'openai', baseUrl: fake.baseUrl, model: 'fake-model' }],
      assignment: 'fixed',
    });
    expect(put.statusCode, put.body).toBe(200);
    const { ids } = await created<{ ids: string[] }>(
      t,
      `/api/groups/${group.id}/interactions`,
      {
        interactions: [...contextAnswers, ...sourceAnswers].map((text) => ({
          baseline: false,
          messages: [ask('Tell me about the Trail of Tears.'), answer(text)],
        })),
      },
      group.moderatorToken,
    );
    interactionIds = ids;
    const labelIds = (
      await created<{ ids: string[] }>(
        t,
        `/api/groups/${group.id}/labels`,
        {
          labels: ids.map((interactionId, i) => ({
            // Spellings differ: codes are merged trimmed and case-insensitive.
            text: i < 4 ? (i % 2 ? 'cultural context' : 'Cultural Context') : 'Source',
            stage: 'initial',
            interactionId,
            messageIndex: 1,
          })),
        },
        group.moderatorToken,
      )
    ).ids;
    const session = await sessionWith(group, [
      {
        name: 'Cultural context',
        definition: "Explains events through the people's culture and traditions.",
        sourceLabelIds: [labelIds[0] as string],
      },
      { name: 'Sources', definition: 'Names where its facts come from.', sourceLabelIds: [labelIds[4] as string] },
    ]);
    sessionId = session.id;
    axes = { context: session.finalIds[0] as string, sources: session.finalIds[1] as string };
  });
  afterAll(async () => {
    // The restart test replaces the app: close whichever serves now, then the rest.
    await t.app.close();
    await t.close();
    await fake.close();
  });

  it('trains the classifier on the coded turns, scores every turn on every axis and reports agreement', async () => {
    const started = performance.now();
    const id = await start({ kind: 'classifier' });
    const run = await finished(id);
    const elapsed = performance.now() - started;
    expect(run.status, JSON.stringify(run.error)).toBe('done');
    expect(run.progress).toEqual({ done: 16, total: 16 });
    expect(run.scores).toHaveLength(16);
    expect(run.axes.map((a) => a.name)).toEqual(['Cultural context', 'Sources']);
    // Every axis: 4 positive turns, and the other axis's 4 as negatives (none count against it).
    for (const a of run.agreement) {
      expect(a).toMatchObject({ n: 8, borrowedNegatives: true, method: 'leave-one-out' });
      expect(a.accuracy).toBeGreaterThanOrEqual(0.75);
    }
    const mean = (axisId: string, ids: string[]) => {
      const s = run.scores.filter((x) => x.axisId === axisId && ids.includes(x.interactionId)).map((x) => x.score);
      return s.reduce((a, b) => a + b, 0) / s.length;
    };
    const contextIds = interactionIds.slice(0, 4);
    const sourceIds = interactionIds.slice(4);
    expect(mean(axes.context, contextIds)).toBeGreaterThan(mean(axes.context, sourceIds));
    expect(mean(axes.sources, sourceIds)).toBeGreaterThan(mean(axes.sources, contextIds));
    expect(run.tokens).toBe(0);
    expect(run.ms).toBeGreaterThanOrEqual(0);
    console.info(
      `[judge] classifier run on ${kind}: 16 scores, 2 axes, ${Math.round(elapsed)} ms wall, ${run.ms} ms judged`,
    );

    const list = await inject('GET', `/api/sessions/${sessionId}/judge-runs`, group.moderatorToken);
    expect(list.statusCode).toBe(200);
    expect(list.json().runs.map((r: { id: string }) => r.id)).toContain(id);
  });

  it('fails a classifier run whose axes have too few coded examples, naming them', async () => {
    const session = await sessionWith(group, [
      { name: 'Cultural context', definition: 'Culture.', exampleInteractionIds: [interactionIds[0] as string] },
      { name: 'Humour', definition: 'Makes the reader smile.' },
    ]);
    const run = await finished(await start({ kind: 'classifier' }, group.analystToken, session.id));
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('TOO_FEW_EXAMPLES');
    expect(run.error?.message).toMatch(/"Cultural context", "Humour"/);
    expect(run.scores).toEqual([]);
  });

  it('asks the study model with the rubric, survives a failing endpoint mid-run and resumes without asking again', async () => {
    const asked: string[] = [];
    let garbled = 0;
    /** Scripted: 5 for an answer on its own axis, 1 otherwise; `garbled` replies hold no score. */
    judge = (body) => {
      const messages = body.messages as { role: string; content: string }[];
      const system = messages[0]?.content ?? '';
      const turn = messages.at(-1)?.content ?? '';
      asked.push(`${system.includes('"Sources"') ? 'sources' : 'context'}|${turn}`);
      if (garbled > 0) {
        garbled--;
        return 'I would rather not say.';
      }
      const own = system.includes('"Sources"') ? /archives|historian|cite|census|Sources:/i : /culture|tradition/i;
      return own.test(turn) ? 'Score: 5\nIt does exactly this.' : 'Score: 1\nNot at all.';
    };
    // Three answers, then the endpoint fails: the first try and its one retry both get a 500.
    fake.script(
      { type: 'normal' },
      { type: 'normal' },
      { type: 'normal' },
      { type: 'error', status: 500 },
      { type: 'error', status: 500 },
    );
    const before = fake.requests.length;
    const id = await start({ kind: 'llm', modelId: 'judge' });
    const failed = await finished(id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('MODEL_FAILED');
    expect(failed.error?.message).toMatch(/ENDPOINT_DOWN/);
    expect(failed.progress).toEqual({ done: 3, total: 16 });
    expect(failed.scores).toHaveLength(3);
    expect(fake.requests.length - before).toBe(5);
    const firstAsked = asked.slice(0, 3);
    // After the resume, the first item's reply holds no score, and neither does the one retry.
    garbled = 2;

    const resumed = await inject('POST', `/api/judge-runs/${id}/resume`, group.moderatorToken);
    expect(resumed.statusCode, resumed.body).toBe(202);
    const run = await finished(id);
    expect(run.status, JSON.stringify(run.error)).toBe('done');
    expect(run.progress).toEqual({ done: 16, total: 16 });
    // 13 items left, one of them asked twice (its reply held no score): 14 more requests.
    expect(fake.requests.length - before).toBe(5 + 14);
    for (const item of firstAsked) expect(asked.slice(3).filter((a) => a === item)).toEqual([]);
    expect(run.scores).toHaveLength(15);
    expect(run.failures).toEqual([expect.objectContaining({ reason: expect.stringMatching(/No score/) })]);
    // That item is the one the endpoint failed on: asked twice after the resume, and first then.
    const lastMessage = (n: number) =>
      JSON.stringify(((fake.requests[before + n]?.body.messages ?? []) as unknown[]).at(-1));
    expect(lastMessage(5)).toBe(lastMessage(3));
    expect(lastMessage(6)).toBe(lastMessage(3));
    // The judge reproduces the people exactly on the turns they coded (no few-shot one counted).
    for (const a of run.agreement) {
      expect(a.method).toBe('held-out');
      expect(a.accuracy).toBe(1);
      expect(a.n).toBeGreaterThan(0);
    }
    // Usage as the endpoint reported it, summed over every request of the run that answered.
    expect(run.tokens).toBeGreaterThan(0);
    const first = fake.requests[before]?.body as {
      messages: { role: string; content: string }[];
      temperature?: number;
    };
    expect(first.messages[0]?.content).toMatch(/Explains events through the people's culture and traditions\./);
    expect(first.temperature).toBe(0);
    // A run that is done is not resumed.
    expect((await inject('POST', `/api/judge-runs/${id}/resume`, group.analystToken)).statusCode).toBe(409);
  });

  it('takes up a run the server stopped in when it starts again, skipping the scores it holds', async () => {
    judge = () => 'Score: 4\nMostly.';
    // Slow answers, so the server stops mid-run.
    fake.script(...Array.from({ length: 40 }, () => ({ type: 'slow-first-token' as const, delayMs: 60 })));
    const id = await start({ kind: 'llm', modelId: 'judge', interactionIds: interactionIds.slice(0, 6) });
    for (let i = 0; i < 200 && (await runOf(id)).progress.done < 3; i++) await new Promise((r) => setTimeout(r, 20));
    const before = fake.requests.length;
    await t.app.close();
    const left = (await t.db.db.select().from(schema.judgeScores)).filter((s) => s.runId === id).length;
    expect(left).toBeGreaterThanOrEqual(3);
    expect(left).toBeLessThan(12);
    // A new server on the same database.
    const app = await buildApp(
      { logLevel: 'silent', webDir: null, bodyLimit: 1024 * 1024, joinRateLimit: 1000, modelRetries: 1 },
      { db: t.db, adminTokenHash: hashToken(t.adminToken), version: 'test' },
    );
    await app.ready();
    t = { ...t, app };
    const run = await finished(id);
    expect(run.status).toBe('done');
    expect(run.progress).toEqual({ done: 12, total: 12 });
    expect(new Set(run.scores.map((s) => s.score))).toEqual(new Set([4]));
    // The stopped server's request in flight may have been asked again; nothing stored was.
    expect(fake.requests.length - before).toBeLessThanOrEqual(12 - left + 1);
  });

  it('is for the staff of the session: participants and other groups are refused; unknown and bad input answered', async () => {
    const id = await start({ kind: 'classifier' }, group.moderatorToken);
    const person = await join(t, group.inviteCode, 'Asha');
    expect(
      (await inject('POST', `/api/sessions/${sessionId}/judge-runs`, person.token, { kind: 'classifier' })).statusCode,
    ).toBe(403);
    expect((await inject('GET', `/api/judge-runs/${id}`, person.token)).statusCode).toBe(403);
    expect((await inject('GET', `/api/sessions/${sessionId}/judge-runs`, person.token)).statusCode).toBe(403);
    expect(
      (await inject('POST', `/api/sessions/${sessionId}/judge-runs`, other.analystToken, { kind: 'classifier' }))
        .statusCode,
    ).toBe(403);
    expect((await inject('GET', `/api/judge-runs/${id}`, other.analystToken)).statusCode).toBe(403);
    expect((await inject('POST', `/api/judge-runs/${id}/resume`, other.moderatorToken)).statusCode).toBe(403);
    expect((await inject('GET', `/api/judge-runs/${id}`, t.adminToken)).statusCode).toBe(200);
    expect((await inject('GET', '/api/judge-runs/jr_nope', group.analystToken)).statusCode).toBe(404);
    expect((await inject('POST', '/api/judge-runs/jr_nope/resume', group.analystToken)).statusCode).toBe(404);
    expect(
      (await inject('POST', '/api/sessions/se_nope/judge-runs', group.analystToken, { kind: 'classifier' })).statusCode,
    ).toBe(404);
    for (const body of [
      {},
      { kind: 'oracle' },
      { kind: 'llm' },
      { kind: 'llm', modelId: 'no-such-model' },
      { kind: 'classifier', modelId: 'judge' },
      { kind: 'classifier', interactionIds: ['not-in-this-group'] },
    ]) {
      const res = await inject('POST', `/api/sessions/${sessionId}/judge-runs`, group.analystToken, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toMatch(/^[A-Z_]+$/);
    }
    await finished(id);
  });
});
