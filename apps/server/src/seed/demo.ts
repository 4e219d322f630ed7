import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  addLabels,
  baselineCopyId,
  createGroup,
  createStudy,
  type Database,
  getSetting,
  putSetting,
  setStudyBaseline,
  upsertInteractions,
} from '@calma/db';
import { hashToken, newInviteCode, newToken } from '../tokens.js';
import { ensureDemoModels } from './demo-models.js';
import { ensureDemoSessions } from './demo-sessions.js';
import context from './pilot/context.json' with { type: 'json' };
import interactionsFile from './pilot/interactions.json' with { type: 'json' };
import labelsFile from './pilot/labels.json' with { type: 'json' };

/** The demo's credentials, kept in the data directory so `pnpm start` can print them every time. */
export interface DemoCredentials {
  studyId: string;
  studyTitle: string;
  groups: { id: string; name: string; inviteCode: string; moderatorToken: string; analystToken: string }[];
}

const settingKey = 'demo_seeded';
const pilotGroups = [
  { key: 'mit', name: 'US university students (pilot group 1)' },
  { key: 'india', name: 'Working professionals in India (pilot group 2)' },
] as const;

/**
 * Seeds the CALMA pilot once: the "History Educational Assistant" study, its two groups, their
 * quoted model responses as interactions, their Table 1 labels, chat models (the replay of
 * those responses, so Interact works offline; see `demo-models.ts`) and one ended Discuss session
 * per group with the demo's axes, to compare across groups (see `demo-sessions.ts`). Runs in one transaction, so a
 * crash mid-seed leaves nothing half-made and the next start seeds again.
 */
export async function seedDemo(
  db: Database,
  dataDir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<DemoCredentials | null> {
  const file = join(dataDir, 'demo-credentials.json');
  const seeded = await getSetting<{ studyId?: string }>(db, settingKey);
  if (seeded !== undefined) {
    if (seeded.studyId) {
      await ensureDemoModels(db, seeded.studyId, env);
      // A data directory seeded before the comparison existed gets the demo's ended sessions once.
      await ensureDemoSessions(db, seeded.studyId);
    }
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials) : null;
  }
  const credentials = await db.transaction(async (tx) => {
    const study = await createStudy(tx, {
      title: context.name,
      context: { name: context.name, description: context.description, systemPrompt: context.systemPrompt },
    });
    const groups: DemoCredentials['groups'] = [];
    for (const pilot of pilotGroups) {
      const moderatorToken = newToken();
      const analystToken = newToken();
      const group = await createGroup(tx, {
        studyId: study.id,
        name: pilot.name,
        inviteCode: newInviteCode(),
        moderatorTokenHash: hashToken(moderatorToken),
        analystTokenHash: hashToken(analystToken),
      });
      groups.push({ id: group.id, name: group.name, inviteCode: group.inviteCode, moderatorToken, analystToken });
      await seedGroupMaterial(tx, group.id, pilot.key);
    }
    // The pilot's shared item (the Thanksgiving response) is the study's baseline set: the India
    // group gets a copy too, and the US group's seeded copy (with its labels) is that same copy.
    await setStudyBaseline(tx, study.id, pilotBaseline);
    await ensureDemoModels(tx, study.id, env);
    await ensureDemoSessions(tx, study.id);
    await putSetting(tx, settingKey, { studyId: study.id, at: new Date().toISOString() });
    return { studyId: study.id, studyTitle: study.title, groups };
  });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return credentials;
}

const pilotBaseline = interactionsFile.interactions
  .filter((i) => i.baseline)
  .map((i) => ({ id: i.id, messages: [{ role: 'assistant' as const, content: i.response }] }));

async function seedGroupMaterial(db: Database, groupId: string, key: 'mit' | 'india'): Promise<void> {
  // Interaction ids are prefixed with the group key (the same source id may not serve two groups);
  // a baseline item gets the id of the group's copy of the study's baseline set.
  const quoted = interactionsFile.interactions.filter((i) => i.group === key);
  const ids = await upsertInteractions(
    db,
    groupId,
    quoted.map((i) => ({
      id: i.baseline ? baselineCopyId(groupId, i.id) : `${key}-${i.id}`,
      participantId: null,
      baseline: i.baseline,
      messages: [{ role: 'assistant' as const, content: i.response }],
    })),
  );
  // Labels the paper ties to a quoted response keep that link; the rest of Table 1 follows.
  const tied = quoted.flatMap((i, n) =>
    i.labels.map((text) => ({
      text,
      annotation: null,
      stage: 'initial' as const,
      participantId: null,
      interactionId: ids[n] ?? null,
      messageIndex: 0,
    })),
  );
  const tiedTexts = new Set(tied.map((l) => l.text));
  const table = labelsFile[key];
  const loose = [
    ...table.initial.filter((text) => !tiedTexts.has(text)).map((text) => ({ text, stage: 'initial' as const })),
    ...table.focused.map((text) => ({ text, stage: 'focused' as const })),
  ].map((l) => ({ ...l, annotation: null, participantId: null, interactionId: null, messageIndex: null }));
  await addLabels(db, groupId, [...tied, ...loose]);
}
