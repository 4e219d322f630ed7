import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeClassifierMinimum, judgeTrainingSets, replayFactsOf, type TimelineEventDraft } from '@calma/core';
import {
  listBoardMoments,
  listFinalAttributes,
  listGroups,
  listInteractions,
  listLabels,
  listSessionEvents,
  listSessions,
  loadBoard,
  schema,
} from '@calma/db';
import { databaseKinds, freshDb } from '@calma/db/testing/fresh';
import { and, eq, inArray, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { axisTurns } from '../alignment/axis-turns.js';
import { seedDemo } from './demo.js';
import axesFile from './demo-axes.json' with { type: 'json' };
import codedFile from './demo-coded.json' with { type: 'json' };

describe.each(databaseKinds)("the demo's ended sessions on %s", (kind) => {
  it('gives each pilot group one ended session with its axes and real examples, once, also on upgrade', async () => {
    const db = await freshDb(kind);
    const dataDir = mkdtempSync(join(tmpdir(), 'calma-seed-'));
    try {
      const credentials = await seedDemo(db.db, dataDir, {});
      const studyId = credentials?.studyId ?? '';
      const groups = await listGroups(db.db, studyId);
      const byKey = {
        mit: groups.find((g) => g.name.startsWith('US university')),
        india: groups.find((g) => g.name.includes('India')),
      };
      for (const key of ['mit', 'india'] as const) {
        const group = byKey[key];
        const sessions = await listSessions(db.db, group?.id ?? '');
        expect(sessions.map((s) => [s.state.status, s.state.segment])).toEqual([['ended', 5]]);
        const finals = await listFinalAttributes(db.db, sessions[0]?.id ?? '');
        expect(finals.map((f) => f.name)).toEqual(axesFile.groups[key].map((a) => a.name));
        // Every example is one of the group's seeded interactions.
        const interactions = new Set((await listInteractions(db.db, group?.id ?? '')).map((i) => i.id));
        const examples = finals.flatMap((f) => f.exampleInteractionIds);
        expect(examples.length).toBeGreaterThan(0);
        for (const id of examples) expect(interactions.has(id), id).toBe(true);
      }
      // The paper's own axis names are there.
      const all = JSON.stringify(axesFile.groups);
      for (const name of ['Cultural Context', 'Source', 'Schools of Thought', 'Fact / Power'])
        expect(all).toContain(name);

      // A second start adds nothing.
      const labelCount = (await listLabels(db.db, byKey.mit?.id ?? '')).length;
      await seedDemo(db.db, dataDir, {});
      expect(await listSessions(db.db, byKey.mit?.id ?? '')).toHaveLength(1);
      expect(await listLabels(db.db, byKey.mit?.id ?? '')).toHaveLength(labelCount);

      // A data directory seeded by the version before coded turns and history: its demo session
      // (same axes, no timeline) is brought up to date, not doubled. A group whose ended session
      // is its own (here: renamed axes) is left alone.
      const mitSession = (await listSessions(db.db, byKey.mit?.id ?? ''))[0]?.id ?? '';
      const indiaSession = (await listSessions(db.db, byKey.india?.id ?? ''))[0]?.id ?? '';
      await db.db.delete(schema.settings).where(eq(schema.settings.key, 'demo_sessions_seeded_v2'));
      for (const [group, session] of [
        [byKey.mit?.id ?? '', mitSession] as const,
        [byKey.india?.id ?? '', indiaSession] as const,
      ]) {
        await db.db.delete(schema.sessionEvents).where(eq(schema.sessionEvents.sessionId, session));
        await db.db.delete(schema.attributes).where(eq(schema.attributes.groupId, group));
        const coded = await db.db
          .select({ id: schema.interactions.id })
          .from(schema.interactions)
          .where(and(eq(schema.interactions.groupId, group), like(schema.interactions.id, '%-%')));
        const codedIds = coded
          .map((r) => r.id)
          .filter((id) =>
            Object.values(codedFile.groups)
              .flat()
              .some((c) => id.endsWith(`-${c.id}`)),
          );
        await db.db.delete(schema.labels).where(inArray(schema.labels.interactionId, codedIds));
        await db.db.delete(schema.interactions).where(inArray(schema.interactions.id, codedIds));
      }
      await db.db
        .update(schema.finalAttributes)
        .set({ name: 'Our own axis' })
        .where(eq(schema.finalAttributes.sessionId, indiaSession));
      await seedDemo(db.db, dataDir, {});
      expect((await listSessions(db.db, byKey.mit?.id ?? '')).map((s) => s.id)).toEqual([mitSession]);
      expect(await listLabels(db.db, byKey.mit?.id ?? '')).toHaveLength(labelCount);
      expect((await listSessionEvents(db.db, mitSession)).length).toBeGreaterThan(0);
      expect(await listSessionEvents(db.db, indiaSession)).toEqual([]);
      expect((await listSessions(db.db, byKey.india?.id ?? '')).map((s) => s.id)).toEqual([indiaSession]);
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('codes turns for and against every axis, enough to train the classifier judge, and records the session', async () => {
    const db = await freshDb(kind);
    const dataDir = mkdtempSync(join(tmpdir(), 'calma-seed-'));
    try {
      const credentials = await seedDemo(db.db, dataDir, {});
      for (const group of await listGroups(db.db, credentials?.studyId ?? '')) {
        const [session] = await listSessions(db.db, group.id);
        const read = await axisTurns(db.db, session?.id ?? '');
        const axes = read?.axes ?? [];
        expect(axes.length).toBeGreaterThanOrEqual(5);
        const key = (t: { interactionId: string; messageIndex: number }) => `${t.interactionId}#${t.messageIndex}`;
        const sets = judgeTrainingSets(
          axes.map((a) => ({ axisId: a.id, positive: a.positive.map(key), negative: a.negative.map(key) })),
        );
        for (const [i, set] of sets.entries()) {
          const name = axes[i]?.name;
          // Negatives of the axis's own (codes counting against it), not borrowed from other axes.
          expect(set.borrowedNegatives, name).toBe(false);
          expect(set.positive.length, name).toBeGreaterThanOrEqual(judgeClassifierMinimum);
          expect(set.negative.length, name).toBeGreaterThanOrEqual(judgeClassifierMinimum);
        }
        // The coded conversations carry their question, for datasets' prompts.
        expect(read?.codedTurns.some((t) => (t.prompt ?? '').length > 0)).toBe(true);

        // The timeline runs from creation through every segment to the end, in order.
        const events = await listSessionEvents(db.db, session?.id ?? '');
        expect(events[0]?.type).toBe('created');
        expect(events.at(-1)?.type).toBe('ended');
        const drafts = events.map((e) => ({ type: e.type, ...e.data }) as TimelineEventDraft);
        expect(replayFactsOf(drafts)).toMatchObject({ segment: 5, status: 'ended', revealed: [1, 5] });
        expect(drafts.filter((d) => d.type === 'segment').map((d) => d.segment)).toEqual([1, 2, 3, 4, 5]);
        const times = events.map((e) => e.at.getTime());
        expect([...times].sort((a, b) => a - b)).toEqual(times);

        // A board moment at every segment and at the end; the board as it ended is the board.
        const moments = await listBoardMoments(db.db, session?.id ?? '');
        expect(moments.map((m) => m.reason)).toEqual([...Array(6).fill('segment'), 'end']);
        const board = await loadBoard(db.db, session?.id ?? '');
        const doc = new Y.Doc();
        Y.applyUpdate(doc, board.snapshot?.state ?? new Uint8Array());
        const clusters = doc.getMap('clusters').toJSON() as Record<string, { name: string }>;
        expect(
          Object.values(clusters)
            .map((c) => c.name)
            .sort(),
        ).toEqual(axes.map((a) => a.name).sort());
        expect(doc.getMap('cards').size).toBeGreaterThan(axes.length);
      }
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
