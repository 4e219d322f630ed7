import { codeKey, initialSessionState, type SessionState } from '@calma/core';
import {
  addLabels,
  appendSessionEvents,
  baselineCopyId,
  compactBoard,
  createAttribute,
  createSession,
  type Database,
  getSetting,
  type LabelRow,
  listFinalAttributes,
  listGroups,
  listLabels,
  listSessionEvents,
  listSessions,
  newId,
  putSetting,
  replaceFinalAttributes,
  saveBoardMoment,
  upsertInteractions,
} from '@calma/db';
import axesFile from './demo-axes.json' with { type: 'json' };
import codedFile from './demo-coded.json' with { type: 'json' };
import { demoSessionHistory } from './demo-history.js';
import interactionsFile from './pilot/interactions.json' with { type: 'json' };

/** Set once the demo's ended sessions are as this version seeds them (coded turns, history). */
const settingKey = 'demo_sessions_seeded_v2';

/** The pilot groups by the key the pilot material uses, as the demo names them. */
export const demoGroupKeys = {
  mit: 'US university students (pilot group 1)',
  india: 'Working professionals in India (pilot group 2)',
} as const;

type GroupKey = keyof typeof demoGroupKeys;

/** A Discuss session that ran through segment 5 and ended, as the demo's record of one. */
function endedState(at: number): SessionState {
  return { ...initialSessionState(), segment: 5, status: 'ended', revealed: [1, 5], endedAt: at, revision: 1 };
}

/** The group's interaction id for a pilot interaction (as `seedGroupMaterial` in demo.ts made it). */
function interactionIdOf(groupId: string, key: GroupKey, pilotId: string): string {
  const pilot = interactionsFile.interactions.find((i) => i.id === pilotId);
  if (!pilot) throw new Error(`demo-axes.json names an unknown pilot interaction ${pilotId}`);
  return pilot.baseline ? baselineCopyId(groupId, pilotId) : `${key}-${pilotId}`;
}

/**
 * The demo's coded conversations of one group (`demo-coded.json`): each a question and the
 * assistant's answer, coded on that answer. Returns the group's labels afterwards.
 */
async function seedCodedConversations(db: Database, groupId: string, key: GroupKey): Promise<LabelRow[]> {
  const conversations = codedFile.groups[key];
  const ids = await upsertInteractions(
    db,
    groupId,
    conversations.map((c) => ({
      id: `${key}-${c.id}`,
      participantId: null,
      baseline: false,
      messages: [
        { role: 'user' as const, content: c.prompt },
        { role: 'assistant' as const, content: c.response },
      ],
    })),
  );
  await addLabels(
    db,
    groupId,
    conversations.flatMap((c, n) =>
      c.codes.map((text) => ({
        text,
        annotation: null,
        stage: 'initial' as const,
        participantId: null,
        interactionId: ids[n] ?? null,
        messageIndex: 1,
      })),
    ),
  );
  return listLabels(db, groupId);
}

/** Whether a session is the one an earlier demo seed made: the demo's axes, and no timeline. */
async function isEarlierDemoSession(db: Database, sessionId: string, axes: readonly { name: string }[]) {
  const names = (await listFinalAttributes(db, sessionId)).map((f) => f.name);
  if (JSON.stringify(names) !== JSON.stringify(axes.map((a) => a.name))) return false;
  return (await listSessionEvents(db, sessionId)).length === 0;
}

/**
 * Gives each pilot group of the demo study one ended Discuss session whose final attributes are
 * the demo's axes (`demo-axes.json`: names from the pilot material, definitions written for the
 * demo), so the cross-group comparison, rubrics, judges, datasets and replay have something to
 * work on offline. With it come the group's coded conversations (`demo-coded.json`), its focused
 * coding (an attribute per axis with the codes for and against it, the moderator's, not shared),
 * and the session's recorded history (timeline and board moments, see `demoSessionHistory`).
 *
 * Runs once per data directory (a setting records it), also on one seeded before this existed:
 * there a group's earlier demo session (same axis names, no timeline) is brought up to date
 * rather than doubled; a group with an ended session of its own is left alone.
 */
export async function ensureDemoSessions(db: Database, studyId: string): Promise<void> {
  if ((await getSetting(db, settingKey)) !== undefined) return;
  await db.transaction(async (tx) => {
    const groups = await listGroups(tx, studyId);
    const at = Date.now();
    for (const key of ['mit', 'india'] as const) {
      const group = groups.find((g) => g.name === demoGroupKeys[key]);
      if (!group) continue;
      const axes = axesFile.groups[key];
      const ended = (await listSessions(tx, group.id)).filter((s) => s.state.status === 'ended');
      // An earlier demo seed's session is brought up to date; a session of the group's own stays alone.
      const earlier = ended.length === 1 ? ended[0] : undefined;
      if (ended.length > 0 && !(earlier && (await isEarlierDemoSession(tx, earlier.id, axes)))) continue;

      const labels = await seedCodedConversations(tx, group.id, key);
      const labelIdsOf = (texts: readonly string[]) => {
        const keys = new Set(texts.map(codeKey));
        return labels.filter((l) => keys.has(codeKey(l.text))).map((l) => l.id);
      };
      const firstLabelOf = (text: string) => labels.find((l) => codeKey(l.text) === codeKey(text))?.id;
      const reflect = [];
      for (const axis of axes) {
        const codes = [
          ...axis.codes.map((text) => ({ labelId: firstLabelOf(text), sign: 1 as const })),
          ...axis.against.map((text) => ({ labelId: firstLabelOf(text), sign: -1 as const })),
        ].flatMap((c) => (c.labelId ? [{ labelId: c.labelId, sign: c.sign }] : []));
        const row = await createAttribute(
          tx,
          group.id,
          null,
          { name: axis.name, definition: axis.definition, codes, examples: [] },
          'moderator',
        );
        reflect.push({
          id: row.id,
          participantId: null,
          name: row.name,
          definition: row.definition,
          codes: [
            ...axis.codes.map((text) => ({ text, sign: 1 as const })),
            ...axis.against.map((text) => ({ text, sign: -1 as const })),
          ],
        });
      }

      const session = earlier ?? (await createSession(tx, group.id, endedState(at)));
      const finals = axes.map((axis) => ({
        id: newId('fa'),
        name: axis.name,
        definition: axis.definition,
        exampleInteractionIds: axis.examples.map((id) => interactionIdOf(group.id, key, id)),
        sourceLabelIds: labelIdsOf(axis.codes),
      }));
      const ids = finals.map((a) => a.id);
      await replaceFinalAttributes(tx, session.id, finals, ids.slice(0, 3), ids.slice(0, 5));

      const history = demoSessionHistory({ endedAt: at, labels, reflect, axes });
      await appendSessionEvents(tx, session.id, history.events);
      for (const moment of history.moments) await saveBoardMoment(tx, session.id, moment);
      await compactBoard(tx, session.id, history.finalState, 0);
    }
    await putSetting(tx, settingKey, { studyId, at: new Date(at).toISOString() });
  });
}
