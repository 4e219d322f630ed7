import { addLabels, listFinalAttributes, type NewLabel, replaceFinalAttributes, schema } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  type CreatedGroupFixture,
  created,
  createGroup,
  join,
  startTestApp,
  type TestApp,
} from '../../testing.js';

/**
 * Versioned judge rubrics and the alignment exports, through `app.inject` on both databases: a
 * session with two axes, coded turns (one in a chat its author never shared, one in a shared chat
 * with an e-mail address), a Reflect attribute whose code counts against an axis, and a finished
 * judge run.
 */
const secret = 'SECRET unshared answer about my divorce';
const email = 'asha@example.org';

interface Version {
  axisId: string;
  version: number;
  editedBy: string;
  createdAt: string;
  template: string;
  rubric: {
    name: string;
    prompt: string;
    definition: string;
    levels: { score: number; description: string }[];
    examples: {
      interactionId: string;
      messageIndex: number;
      prompt: string | null;
      response: string;
      score: number;
      reason: string;
    }[];
  };
}

describe.each(databaseKinds)('judge rubrics and alignment exports on %s', (kind) => {
  let t: TestApp;
  let group: CreatedGroupFixture;
  let participant: string;
  let sessionId: string;
  let empathyId: string;
  let clarityId: string;

  const send = (method: 'GET' | 'PUT', url: string, token: string, payload?: object) =>
    t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const exportOf = (format: string, token = group.analystToken) =>
    send('GET', `/api/sessions/${sessionId}/export?format=${format}`, token);
  const jsonLines = (body: string) => {
    // Every line is JSON; an empty file is allowed, a stray line is not.
    const lines = body.split('\n');
    expect(lines.at(-1)).toBe('');
    return lines.slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
  };

  beforeAll(async () => {
    t = await startTestApp(kind);
    group = await createGroup(t);
    const asha = await join(t, group.inviteCode, 'Asha Rao');
    participant = asha.token;
    const db = t.db.db;
    const turn = (q: string, a: string) => [
      { role: 'user' as const, content: q },
      { role: 'assistant' as const, content: a },
    ];
    await db.insert(schema.interactions).values([
      {
        id: `${kind}-i1`,
        groupId: group.id,
        participantId: null,
        messages: turn('I failed my exam', 'That sounds really hard. How are you feeling?'),
      },
      {
        id: `${kind}-i2`,
        groupId: group.id,
        participantId: null,
        messages: turn('I failed my exam', 'Study more next time.'),
      },
      {
        id: `${kind}-i3`,
        groupId: group.id,
        participantId: null,
        messages: turn('Explain tax', 'Tax is a share of income.'),
      },
      {
        id: `${kind}-hidden`,
        groupId: group.id,
        participantId: asha.participantId,
        source: 'chat',
        shared: false,
        messages: turn('private', secret),
      },
      {
        id: `${kind}-shared`,
        groupId: group.id,
        participantId: asha.participantId,
        source: 'chat',
        shared: true,
        messages: turn('Hi, I am Asha', `I hear you, Asha. Write to me at ${email} any time.`),
      },
    ]);
    const coded = (label: Omit<NewLabel, 'annotation'>): NewLabel => ({ ...label, annotation: null });
    const [warm, cold, plain, warmHidden, warmShared] = await addLabels(db, group.id, [
      coded({ participantId: null, interactionId: `${kind}-i1`, messageIndex: 1, text: 'warm', stage: 'focused' }),
      coded({ participantId: null, interactionId: `${kind}-i2`, messageIndex: 1, text: 'cold', stage: 'focused' }),
      coded({ participantId: null, interactionId: `${kind}-i3`, messageIndex: 1, text: 'plain', stage: 'focused' }),
      coded({
        participantId: asha.participantId,
        interactionId: `${kind}-hidden`,
        messageIndex: 1,
        text: 'Warm',
        stage: 'initial',
      }),
      coded({
        participantId: asha.participantId,
        interactionId: `${kind}-shared`,
        messageIndex: 1,
        text: 'warm',
        stage: 'initial',
      }),
    ]);
    expect([warm, cold, plain, warmHidden, warmShared].every(Boolean)).toBe(true);
    await db.insert(schema.attributes).values({
      id: `${kind}-ra`,
      groupId: group.id,
      participantId: null,
      name: 'Caring',
      definition: 'Cares',
      codes: [
        { labelId: warm as string, sign: 1 },
        { labelId: cold as string, sign: -1 },
      ],
      examples: [],
    });
    sessionId = (await created<{ id: string }>(t, `/api/groups/${group.id}/sessions`, {}, group.moderatorToken)).id;
    empathyId = `${kind}-fa-empathy`;
    clarityId = `${kind}-fa-clarity`;
    await replaceFinalAttributes(
      db,
      sessionId,
      [
        {
          id: empathyId,
          name: 'Empathy',
          definition: 'Acknowledges how the person feels.',
          exampleInteractionIds: [],
          sourceLabelIds: [warm as string],
        },
        {
          id: clarityId,
          name: 'Clarity',
          definition: 'Plain words.',
          exampleInteractionIds: [],
          sourceLabelIds: [plain as string],
        },
      ],
      [],
      [],
    );
  });
  afterAll(() => t.close());

  it('builds version 1 per axis on first read, from the definition and the turns', async () => {
    const res = await send('GET', `/api/sessions/${sessionId}/rubrics`, group.analystToken);
    expect(res.statusCode).toBe(200);
    const rubrics = res.json().rubrics as Version[];
    expect(rubrics.map((r) => [r.axisId, r.version, r.editedBy])).toEqual([
      [empathyId, 1, 'built'],
      [clarityId, 1, 'built'],
    ]);
    const [empathy] = rubrics;
    expect(empathy?.rubric.prompt).toContain('Acknowledges how the person feels.');
    expect(empathy?.rubric.levels.map((l) => l.score)).toEqual([1, 2, 3, 4, 5]);
    expect(empathy?.rubric.examples.map((e) => [e.interactionId, e.score])).toEqual([
      [`${kind}-i1`, 5],
      [`${kind}-shared`, 5],
      [`${kind}-i2`, 1],
    ]);
    expect(empathy?.template).toContain('{{response}}');
    // The shared chat is quoted masked; the unshared one not at all.
    expect(res.body).not.toContain(email);
    expect(res.body).not.toContain(secret);
    // A second read is the same version, not a new one.
    const again = (await send('GET', `/api/sessions/${sessionId}/rubrics`, group.moderatorToken)).json();
    expect(again.rubrics.map((r: Version) => r.version)).toEqual([1, 1]);
  });

  it('saves an edit as version 2, refuses a stale base with 409, and lists the history', async () => {
    const [empathy] = (await send('GET', `/api/sessions/${sessionId}/rubrics`, group.analystToken)).json()
      .rubrics as Version[];
    const rubric = empathy?.rubric as Version['rubric'];
    const edit = {
      prompt: `${rubric.prompt}\nBe strict.`,
      levels: rubric.levels.map((l) => (l.score === 3 ? { ...l, description: 'Halfway there.' } : l)),
      // The negative example first, the masked one removed, a new reason.
      examples: [rubric.examples[2], { ...rubric.examples[0], reason: 'Names the feeling.' }],
      baseVersion: 1,
    };
    const saved = await send('PUT', `/api/sessions/${sessionId}/rubrics/${empathyId}`, group.analystToken, edit);
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ version: 2, editedBy: 'analyst' });
    expect(saved.json().rubric.examples.map((e: { interactionId: string }) => e.interactionId)).toEqual([
      `${kind}-i2`,
      `${kind}-i1`,
    ]);
    const stale = await send('PUT', `/api/sessions/${sessionId}/rubrics/${empathyId}`, group.moderatorToken, edit);
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('CONFLICT');

    const latest = (await send('GET', `/api/sessions/${sessionId}/rubrics`, group.analystToken)).json()
      .rubrics as Version[];
    expect(latest[0]).toMatchObject({ version: 2, editedBy: 'analyst' });
    expect(latest[0]?.rubric.levels[2]?.description).toBe('Halfway there.');
    expect(latest[1]?.version).toBe(1);

    const history = await send('GET', `/api/sessions/${sessionId}/rubrics/${empathyId}/versions`, group.moderatorToken);
    expect(history.statusCode).toBe(200);
    const versions = history.json().versions as Version[];
    expect(versions.map((v) => [v.version, v.editedBy])).toEqual([
      [1, 'built'],
      [2, 'analyst'],
    ]);
    expect(Number.isNaN(Date.parse(versions[1]?.createdAt ?? ''))).toBe(false);
  });

  it('refuses bad edits with 400 and other roles with 403', async () => {
    const base = (await send('GET', `/api/sessions/${sessionId}/rubrics`, group.analystToken)).json()
      .rubrics[1] as Version;
    const good = { prompt: 'Judge clarity.', levels: base.rubric.levels, examples: [], baseVersion: 1 };
    const put = (body: object, token = group.analystToken, axis = clarityId) =>
      send('PUT', `/api/sessions/${sessionId}/rubrics/${axis}`, token, body);
    const bad = [
      { ...good, prompt: '   ' },
      { ...good, levels: base.rubric.levels.slice(1) },
      { ...good, levels: [...base.rubric.levels.slice(1), { score: 2, description: 'again' }] },
      { ...good, levels: [...base.rubric.levels.slice(0, 4), { score: 6, description: 'six' }] },
      { ...good, levels: [...base.rubric.levels.slice(0, 4), { score: 5, description: '  ' }] },
      {
        ...good,
        examples: [{ interactionId: `${kind}-hidden`, messageIndex: 1, score: 5, reason: 'x', response: secret }],
      },
      { ...good, baseVersion: undefined },
    ];
    for (const body of bad) {
      const res = await put(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(['BAD_REQUEST', 'VALIDATION_FAILED']).toContain(res.json().error.code);
    }
    expect((await put(good, participant)).statusCode).toBe(403);
    expect((await send('GET', `/api/sessions/${sessionId}/rubrics`, participant)).statusCode).toBe(403);
    expect(
      (await send('GET', `/api/sessions/${sessionId}/rubrics/${clarityId}/versions`, participant)).statusCode,
    ).toBe(403);
    expect((await exportOf('steerlm', participant)).statusCode).toBe(403);
    expect((await put(good, group.analystToken, 'no-such-axis')).statusCode).toBe(404);
    // The admin may read; the good edit still goes through after all those refusals.
    expect((await send('GET', `/api/sessions/${sessionId}/rubrics`, t.adminToken)).statusCode).toBe(200);
    expect((await put(good)).json().version).toBe(2);
  });

  it('exports the judge rubrics as JSON and Markdown, with the latest versions', async () => {
    const res = await exportOf('judge');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('.json');
    const entries = JSON.parse(res.body) as {
      name: string;
      prompt: string;
      definition: string;
      rubric: { score: number; description: string }[];
      template: string;
      version: number;
    }[];
    expect(entries.map((e) => [e.name, e.version])).toEqual([
      ['Empathy', 2],
      ['Clarity', 2],
    ]);
    for (const entry of entries) {
      expect(entry.prompt.length).toBeGreaterThan(0);
      expect(entry.rubric.map((l) => l.score)).toEqual([1, 2, 3, 4, 5]);
      expect(entry.template).toContain('{{prompt}}');
    }
    expect(entries[0]?.prompt).toContain('Acknowledges how the person feels.');
    const md = await exportOf('judge-md');
    expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(md.body).toContain('## Empathy');
    expect(md.body).toContain('| 3 | Halfway there. |');
    for (const body of [res.body, md.body]) {
      expect(body).not.toContain(email);
      expect(body).not.toContain(secret);
    }
  });

  it('exports SteerLM rows scored from the coding, and from the judge where people did not tie a turn', async () => {
    const before = jsonLines((await exportOf('steerlm')).body);
    const row = (rows: Record<string, unknown>[], id: string) => rows.find((r) => r.interactionId === `${kind}-${id}`);
    expect(row(before, 'i1')).toMatchObject({
      prompt: 'I failed my exam',
      scores: { Empathy: 5, Clarity: null },
      provenance: { Empathy: 'participant-codes', Clarity: null },
      messageIndex: 1,
    });
    expect(row(before, 'i2')).toMatchObject({ scores: { Empathy: 1, Clarity: null } });
    expect(row(before, 'i3')).toMatchObject({ scores: { Empathy: null, Clarity: 5 } });
    expect(row(before, 'hidden')).toBeUndefined();
    for (const r of before)
      expect(Object.keys(r).sort()).toEqual([
        'interactionId',
        'messageIndex',
        'prompt',
        'provenance',
        'response',
        'scores',
      ]);

    // A finished run scores i3 on Empathy (untied) and i1 on Empathy (tied: the people's 5 stands).
    await t.db.db.insert(schema.judgeRuns).values([
      {
        id: `${kind}-run-old`,
        sessionId,
        kind: 'classifier',
        status: 'done',
        createdBy: 'analyst',
        finishedAt: new Date(1000),
      },
      {
        id: `${kind}-run`,
        sessionId,
        kind: 'classifier',
        status: 'done',
        createdBy: 'analyst',
        finishedAt: new Date(),
      },
      { id: `${kind}-run-failed`, sessionId, kind: 'llm', status: 'failed', createdBy: 'analyst' },
    ]);
    const score = (runId: string, interactionId: string, axisId: string, s: number) => ({
      runId,
      interactionId: `${kind}-${interactionId}`,
      messageIndex: 1,
      axisId,
      score: s,
    });
    await t.db.db
      .insert(schema.judgeScores)
      .values([
        score(`${kind}-run`, 'i3', empathyId, 2),
        score(`${kind}-run`, 'i1', empathyId, 1),
        score(`${kind}-run`, 'hidden', empathyId, 5),
        score(`${kind}-run-old`, 'i3', empathyId, 4),
        score(`${kind}-run-failed`, 'i3', empathyId, 5),
      ]);
    const after = jsonLines((await exportOf('steerlm')).body);
    expect(row(after, 'i3')).toMatchObject({
      scores: { Empathy: 2, Clarity: 5 },
      provenance: { Empathy: `judge:${kind}-run`, Clarity: 'participant-codes' },
    });
    expect(row(after, 'i1')).toMatchObject({ scores: { Empathy: 5 }, provenance: { Empathy: 'participant-codes' } });
    const text = (await exportOf('steerlm')).body;
    expect(text).not.toContain(secret);
    expect(text).not.toContain(email);
    expect(row(after, 'shared')?.response).toContain('I hear you');
  });

  it('exports preference pairs, each saying where it came from, and the constitution', async () => {
    const res = await exportOf('preferences');
    expect(res.headers['content-type']).toBe('application/jsonl; charset=utf-8');
    const rows = jsonLines(res.body);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      for (const key of ['prompt', 'chosen', 'rejected', 'axis', 'source']) expect(r).toHaveProperty(key);
      expect(typeof r.chosen).toBe('string');
    }
    expect(rows).toContainEqual(
      expect.objectContaining({
        prompt: 'I failed my exam',
        chosen: 'That sounds really hard. How are you feeling?',
        rejected: 'Study more next time.',
        axis: 'Empathy',
        source: 'participant-codes:same-prompt',
      }),
    );
    expect(res.body).not.toContain(secret);
    expect(res.body).not.toContain(email);

    const md = await exportOf('constitution');
    expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(md.body).toContain('Choose the response that best shows "Empathy": Acknowledges how the person feels.');
    expect(md.body).toContain('"Clarity"');
  });

  it('exports empty datasets, never a non-JSON line, for a session without axes', async () => {
    const empty = (await created<{ id: string }>(t, `/api/groups/${group.id}/sessions`, {}, group.moderatorToken)).id;
    for (const format of ['steerlm', 'preferences']) {
      const res = await send('GET', `/api/sessions/${empty}/export?format=${format}`, group.analystToken);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('');
    }
    const judge = await send('GET', `/api/sessions/${empty}/export?format=judge`, group.analystToken);
    expect(JSON.parse(judge.body)).toEqual([]);
    const bad = await send('GET', `/api/sessions/${empty}/export?format=yaml`, group.analystToken);
    expect(bad.statusCode).toBe(400);
  });

  it('keeps an axis’s rubric versions when the final attributes are saved again, and drops a removed axis’s', async () => {
    const versionsOf = async (id: string) =>
      send('GET', `/api/sessions/${sessionId}/rubrics/${id}/versions`, group.analystToken);
    expect((await versionsOf(empathyId)).json().versions.length).toBeGreaterThanOrEqual(2);
    expect((await versionsOf(clarityId)).statusCode).toBe(200);
    // The moderator re-saves: Empathy's definition mended, Clarity gone, a new axis.
    await replaceFinalAttributes(
      t.db.db,
      sessionId,
      [
        {
          id: `${kind}-fa-new`,
          name: 'Honesty',
          definition: 'Says what it does not know.',
          exampleInteractionIds: [],
          sourceLabelIds: [],
        },
        {
          id: empathyId,
          name: 'Empathy',
          definition: 'Acknowledges how the person feels, in their words.',
          exampleInteractionIds: [],
          sourceLabelIds: [],
        },
      ],
      [],
      [],
    );
    const kept = (await versionsOf(empathyId)).json().versions as Version[];
    expect(kept.map((v) => [v.version, v.editedBy])).toEqual([
      [1, 'built'],
      [2, 'analyst'],
    ]);
    expect((await versionsOf(clarityId)).statusCode).toBe(404);
    const finals = await listFinalAttributes(t.db.db, sessionId);
    expect(finals.map((f) => [f.id, f.position, f.definition])).toEqual([
      [`${kind}-fa-new`, 0, 'Says what it does not know.'],
      [empathyId, 1, 'Acknowledges how the person feels, in their words.'],
    ]);
  });
});
