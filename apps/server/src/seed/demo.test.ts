import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listGroups, listInteractions, listLabels, listStudies } from '@calma/db';
import { databaseKinds, freshDb } from '@calma/db/testing/fresh';
import { describe, expect, it } from 'vitest';
import { resolveToken } from '../plugins/auth.js';
import { seedDemo } from './demo.js';

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
      const thanksgiving = mitLabels.filter((l) => l.interactionId === 'mit-thanksgiving');
      expect(thanksgiving.map((l) => l.text)).toEqual(expect.arrayContaining(['neutral but nuanced', 'dry']));
      expect(texts.filter((t) => t === 'neutral but nuanced')).toHaveLength(1);

      const indiaInteractions = await listInteractions(db.db, india?.id ?? '');
      expect(indiaInteractions.map((i) => i.id).sort()).toEqual([
        'india-bengal-frontier',
        'india-british-empire-india',
        'india-out-of-india',
      ]);

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
