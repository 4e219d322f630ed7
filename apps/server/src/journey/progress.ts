import {
  defaultOrientation,
  type JourneyProgress,
  journeyProgress,
  type Orientation,
  type StageSettings,
} from '@calma/core';
import {
  type Database,
  findGroup,
  findParticipant,
  findStudy,
  type GroupRow,
  listGroupJourneyEvents,
  listJourneyEvents,
  listParticipants,
  listSessions,
  participantActivity,
  type SessionRow,
  type StudyRow,
} from '@calma/db';
import { notFound } from '../errors.js';

/**
 * A study's orientation: its own, or the shipped default in `language` (the study's language
 * unless the reader asked for another). The stored shape is the protocol's, checked when it was
 * saved, so it is core's `Orientation`.
 */
export function orientationOf(study: StudyRow, language?: string): Orientation {
  return (study.orientation as Orientation | null) ?? defaultOrientation(language ?? study.language);
}

/** The study a group belongs to (404 when either is gone). */
export async function studyOfGroup(db: Database, group: GroupRow | string): Promise<StudyRow> {
  const row = typeof group === 'string' ? await findGroup(db, group) : group;
  if (!row) throw notFound('Group');
  const study = await findStudy(db, row.studyId);
  if (!study) throw notFound('Study');
  return study;
}

/**
 * The Discuss session a participant should join: the group's latest not ended, else the latest
 * that ended after they joined (one they may have taken part in). A session that ended before
 * they came (the demo's seeded ones, an earlier cohort's) is not their Discuss stage. A session's
 * last change is its end, so `updatedAt` dates it.
 */
export function discussSessionFor(
  sessions: readonly Pick<SessionRow, 'id' | 'state' | 'updatedAt'>[],
  joinedAt: Date,
): string | null {
  const open = sessions.filter((s) => s.state.status !== 'ended');
  const theirs = sessions.filter((s) => s.state.status === 'ended' && s.updatedAt >= joinedAt);
  return (open.at(-1) ?? theirs.at(-1))?.id ?? null;
}

const sizeOf = (orientation: Orientation) => ({
  pages: orientation.pages.length,
  practice: orientation.practice.length,
  questions: orientation.check.questions.length,
  passMark: orientation.check.passMark,
  required: orientation.required,
});

/** One participant's progress through the journey. */
export async function participantProgress(
  db: Database,
  study: StudyRow,
  groupId: string,
  participantId: string,
): Promise<JourneyProgress> {
  const [events, activity, sessions, participant] = await Promise.all([
    listJourneyEvents(db, participantId),
    participantActivity(db, groupId, participantId),
    listSessions(db, groupId),
    findParticipant(db, groupId, participantId),
  ]);
  const sessionId = discussSessionFor(sessions, participant?.createdAt ?? new Date(0));
  const done = activity.get(participantId) ?? { conversations: 0, userTurns: 0, labels: 0 };
  return journeyProgress({
    stages: study.stages as StageSettings,
    orientation: sizeOf(orientationOf(study)),
    events,
    ...done,
    discussSessionId: sessionId,
  });
}

/** Every participant of a group with their progress, in the order they joined. */
export async function groupProgress(
  db: Database,
  study: StudyRow,
  groupId: string,
): Promise<{ participantId: string; displayName: string; progress: JourneyProgress }[]> {
  const [people, events, activity, sessions] = await Promise.all([
    listParticipants(db, groupId),
    listGroupJourneyEvents(db, groupId),
    participantActivity(db, groupId),
    listSessions(db, groupId),
  ]);
  const size = sizeOf(orientationOf(study));
  return people.map((person) => ({
    participantId: person.id,
    displayName: person.displayName,
    progress: journeyProgress({
      stages: study.stages as StageSettings,
      orientation: size,
      events: events.filter((e) => e.participantId === person.id),
      ...(activity.get(person.id) ?? { conversations: 0, userTurns: 0, labels: 0 }),
      discussSessionId: discussSessionFor(sessions, person.createdAt),
    }),
  }));
}
