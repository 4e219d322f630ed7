import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFinalAttributes, listGroups, listInteractions, listSessions, schema } from '@calma/db';
import { databaseKinds, freshDb } from '@calma/db/testing/fresh';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { seedDemo } from './demo.js';
import axesFile from './demo-axes.json' with { type: 'json' };

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
      await seedDemo(db.db, dataDir, {});
      expect(await listSessions(db.db, byKey.mit?.id ?? '')).toHaveLength(1);

      // A data directory seeded before the comparison existed: no record of these sessions. The
      // next start adds them only where a group has no ended session of its own.
      await db.db.delete(schema.settings).where(eq(schema.settings.key, 'demo_sessions_seeded'));
      await db.db.delete(schema.sessions).where(eq(schema.sessions.groupId, byKey.india?.id ?? ''));
      await seedDemo(db.db, dataDir, {});
      expect(await listSessions(db.db, byKey.mit?.id ?? '')).toHaveLength(1);
      expect((await listSessions(db.db, byKey.india?.id ?? '')).map((s) => s.state.status)).toEqual(['ended']);
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
