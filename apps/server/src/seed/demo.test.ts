import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findStudy, listGroups, listInteractions, listLabels, listStudies, setStudyModels } from '@calma/db';
import { databaseKinds, freshDb } from '@calma/db/testing/fresh';
import { describe, expect, it } from 'vitest';
import { resolveToken } from '../plugins/auth.js';
import { bearer, created, join as joinGroup, passCheck, startTestApp } from '../testing.js';
import { seedDemo } from './demo.js';
import codedFile from './demo-coded.json' with { type: 'json' };
import { demoBriefReplayModel, demoReplayModel } from './demo-models.js';

const pilot = (name: string) => JSON.parse(readFileSync(new URL(`./pilot/${name}`, import.meta.url), 'utf8'));

describe.each(databaseKinds)('the demo seed on %s', (kind) => {
  it('imports the pilot study, groups, interactions and labels once, with working credentials', async () => {
    const db = await freshDb(kind);
    const dataDir = mkdtempSync(join(tmpdir(), 'calma-seed-'));
    try {
      const credentials = await seedDemo(db.db, dataDir);
      expect(credentials).not.toBeNull();
      const [study, ...others] = await listStudies(db.db);
      expect(others).toEqual([]);
      expect(study?.title).toBe('History Educational Assistant');
      expect(study?.context.systemPrompt).toBe(pilot('context.json').systemPrompt);

      const groups = await listGroups(db.db, study?.id ?? '');
      expect(groups).toHaveLength(2);
      const mit = groups.find((g) => g.name.startsWith('US university'));
      const india = groups.find((g) => g.name.includes('India'));
      const mitLabels = await listLabels(db.db, mit?.id ?? '');
      const labels = pilot('labels.json');
      // Every Table 1 label is there once; the Thanksgiving annotations are tied to their response.
      const texts = mitLabels.map((l) => l.text);
      for (const text of [...labels.mit.initial, ...labels.mit.focused]) expect(texts).toContain(text);
      const thanksgiving = mitLabels.filter((l) => l.interactionId === `bl:${mit?.id}:thanksgiving`);
      expect(thanksgiving.map((l) => l.text)).toEqual(expect.arrayContaining(['neutral but nuanced', 'dry']));
      expect(texts.filter((t) => t === 'neutral but nuanced')).toHaveLength(1);

      // The Thanksgiving response is the study's baseline set: both groups have a copy to code.
      expect(study?.baseline.map((b) => b.id)).toEqual(['thanksgiving']);
      const indiaInteractions = await listInteractions(db.db, india?.id ?? '');
      // The pilot's quoted responses, then the demo's coded conversations (demo-coded.json).
      expect(indiaInteractions.map((i) => i.id).sort()).toEqual(
        [
          `bl:${india?.id}:thanksgiving`,
          'india-bengal-frontier',
          'india-british-empire-india',
          'india-out-of-india',
          ...codedFile.groups.india.map((c) => `india-${c.id}`),
        ].sort(),
      );
      expect(indiaInteractions.find((i) => i.baseline)?.messages[0]?.content).toMatch(/^Thanksgiving is a holiday/);
      const mitBaseline = (await listInteractions(db.db, mit?.id ?? '')).filter((i) => i.baseline);
      expect(mitBaseline.map((i) => i.id)).toEqual([`bl:${mit?.id}:thanksgiving`]);

      const first = credentials?.groups.find((g) => g.id === mit?.id);
      expect(await resolveToken({ db: db.db, adminTokenHash: 'x'.repeat(64) }, first?.moderatorToken)).toEqual({
        role: 'moderator',
        groupId: mit?.id,
      });
      const file = join(dataDir, 'demo-credentials.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);

      // A second start seeds nothing more and reports the same credentials.
      expect(await seedDemo(db.db, dataDir)).toEqual(credentials);
      expect(await listStudies(db.db)).toHaveLength(1);
      expect(existsSync(file)).toBe(true);
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe.each(databaseKinds)('the demo chat models on %s', (kind) => {
  it('lets a newcomer chat offline with the replay model, and upgrades a data directory seeded before it', async () => {
    const t = await startTestApp(kind);
    const dataDir = mkdtempSync(join(tmpdir(), 'calma-seed-'));
    try {
      const credentials = await seedDemo(t.db.db, dataDir, {});
      const studyId = credentials?.studyId ?? '';
      expect((await findStudy(t.db.db, studyId))?.models).toEqual([demoReplayModel, demoBriefReplayModel]);
      expect((await findStudy(t.db.db, studyId))?.assignment).toBe('fixed');

      const invite = credentials?.groups[0]?.inviteCode ?? '';
      const who = await joinGroup(t, invite, 'Newcomer');
      await passCheck(t, who.groupId, who.token);
      const conversation = await created(t, `/api/groups/${credentials?.groups[0]?.id}/conversations`, {}, who.token);
      expect(conversation).toMatchObject({ modelId: 'replay', provider: 'replay' });
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/conversations/${conversation.id}/messages`,
        headers: bearer(who.token),
        payload: { content: 'How is Thanksgiving celebrated?' },
      });
      expect(res.statusCode).toBe(201);
      const { assistant } = res.json();
      expect(assistant).toMatchObject({ status: 'complete', provider: 'replay', model: 'replay' });
      expect(assistant.content).toContain('Thanksgiving');

      // The brief voice answers the same question with the first two sentences of the same recording.
      const brief = await t.app.inject({
        method: 'POST',
        url: `/api/groups/${credentials?.groups[0]?.id}/ab-rounds`,
        headers: bearer(credentials?.groups[0]?.moderatorToken ?? ''),
        payload: { modelA: 'replay', modelB: 'replay-brief' },
      });
      expect(brief.statusCode).toBe(201);
      const item = await created<{ answers: { first: string; second: string } }>(
        t,
        `/api/groups/${credentials?.groups[0]?.id}/ab-rounds/${brief.json().id}/items`,
        { prompt: 'How is Thanksgiving celebrated?' },
        who.token,
      );
      const [short, long] = [item.answers.first, item.answers.second].sort((x, y) => x.length - y.length) as [
        string,
        string,
      ];
      expect(long.startsWith(short)).toBe(true);
      expect(short.length).toBeLessThan(long.length);

      // A data directory seeded before Interact: no models; one seeded before A/B rounds: the replay
      // model alone. The next start gives it both replay voices, and the environment's
      // OpenAI-compatible model when named (participants then choose).
      await setStudyModels(t.db.db, studyId, [], 'fixed');
      await seedDemo(t.db.db, dataDir, {});
      expect((await findStudy(t.db.db, studyId))?.models).toEqual([demoReplayModel, demoBriefReplayModel]);
      await setStudyModels(t.db.db, studyId, [demoReplayModel], 'fixed');
      await seedDemo(t.db.db, dataDir, {});
      expect((await findStudy(t.db.db, studyId))?.models).toEqual([demoReplayModel, demoBriefReplayModel]);
      const env = { CALMA_DEMO_OPENAI_URL: 'http://ollama:11434/v1', CALMA_DEMO_OPENAI_MODEL: 'qwen2.5:0.5b' };
      await seedDemo(t.db.db, dataDir, env);
      const study = await findStudy(t.db.db, studyId);
      expect(study?.models.map((m) => [m.id, m.provider, m.baseUrl, m.model])).toEqual([
        ['demo-openai', 'openai', 'http://ollama:11434/v1', 'qwen2.5:0.5b'],
        ['replay', 'replay', undefined, 'replay'],
        ['replay-brief', 'replay', undefined, 'replay-brief'],
      ]);
      expect(study?.assignment).toBe('choice');
      await seedDemo(t.db.db, dataDir, env);
      expect((await findStudy(t.db.db, studyId))?.models).toHaveLength(3);
    } finally {
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
