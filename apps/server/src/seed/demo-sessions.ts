import { initialSessionState, type SessionState } from '@calma/core';
import {
  baselineCopyId,
  createSession,
  type Database,
  getSetting,
  listGroups,
  listSessions,
  newId,
  putSetting,
  replaceFinalAttributes,
} from '@calma/db';
import axesFile from './demo-axes.json' with { type: 'json' };
import interactionsFile from './pilot/interactions.json' with { type: 'json' };

const settingKey = 'demo_sessions_seeded';

/** The pilot groups by the key the pilot material uses, as the demo names them. */
export const demoGroupKeys = {
  mit: 'US university students (pilot group 1)',
  india: 'Working professionals in India (pilot group 2)',
} as const;

/** A Discuss session that ran through segment 5 and ended, as the demo's record of one. */
function endedState(at: number): SessionState {
  return { ...initialSessionState(), segment: 5, status: 'ended', revealed: [1, 5], endedAt: at, revision: 1 };
}

/** The group's interaction id for a pilot interaction (as `seedGroupMaterial` in demo.ts made it). */
function interactionIdOf(groupId: string, key: 'mit' | 'india', pilotId: string): string {
  const pilot = interactionsFile.interactions.find((i) => i.id === pilotId);
  if (!pilot) throw new Error(`demo-axes.json names an unknown pilot interaction ${pilotId}`);
  return pilot.baseline ? baselineCopyId(groupId, pilotId) : `${key}-${pilotId}`;
}

/**
 * Gives each pilot group of the demo study one ended Discuss session whose final attributes are
 * the demo's axes (`demo-axes.json`: names from the pilot material, definitions written for the
 * demo), so the cross-group comparison has something to compare offline. Runs once per data
 * directory (a setting records it), also on one seeded before this existed; a group that already
 * has an ended session of its own is left alone.
 */
export async function ensureDemoSessions(db: Database, studyId: string): Promise<void> {
  if ((await getSetting(db, settingKey)) !== undefined) return;
  await db.transaction(async (tx) => {
    const groups = await listGroups(tx, studyId);
    const at = Date.now();
    for (const key of ['mit', 'india'] as const) {
      const group = groups.find((g) => g.name === demoGroupKeys[key]);
      if (!group) continue;
      const sessions = await listSessions(tx, group.id);
      if (sessions.some((s) => s.state.status === 'ended')) continue;
      const session = await createSession(tx, group.id, endedState(at));
      const axes = axesFile.groups[key].map((axis) => ({
        id: newId('fa'),
        name: axis.name,
        definition: axis.definition,
        exampleInteractionIds: axis.examples.map((id) => interactionIdOf(group.id, key, id)),
        sourceLabelIds: [],
      }));
      const ids = axes.map((a) => a.id);
      await replaceFinalAttributes(tx, session.id, axes, ids.slice(0, 3), ids.slice(0, 5));
    }
    await putSetting(tx, settingKey, { studyId, at: new Date(at).toISOString() });
  });
}
