import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { judgeRubrics, judgeRuns, judgeScores } from '../schema.js';

/** A stored version of an axis's judge rubric. */
export type JudgeRubricRow = typeof judgeRubrics.$inferSelect;

/** Every rubric version of a session, by axis then version. */
export function listJudgeRubricVersions(db: Database, sessionId: string): Promise<JudgeRubricRow[]> {
  return db
    .select()
    .from(judgeRubrics)
    .where(eq(judgeRubrics.sessionId, sessionId))
    .orderBy(asc(judgeRubrics.finalAttributeId), asc(judgeRubrics.version));
}

/** One axis's rubric versions, oldest first. */
export function listAxisRubricVersions(db: Database, finalAttributeId: string): Promise<JudgeRubricRow[]> {
  return db
    .select()
    .from(judgeRubrics)
    .where(eq(judgeRubrics.finalAttributeId, finalAttributeId))
    .orderBy(asc(judgeRubrics.version));
}

/**
 * Stores a rubric version unless that version of the axis exists. The primary key (axis,
 * version) decides: of two edits made on the same base, exactly one is stored and the other gets
 * null, so no edit silently overwrites another.
 */
export async function addJudgeRubricVersion(
  db: Database,
  row: Pick<JudgeRubricRow, 'finalAttributeId' | 'sessionId' | 'version' | 'rubric' | 'editedBy'>,
): Promise<JudgeRubricRow | null> {
  const [stored] = await db.insert(judgeRubrics).values(row).onConflictDoNothing().returning();
  return stored ?? null;
}

/** The latest finished (`done`) judge run of a session and its scores, or undefined when none. */
export async function latestFinishedJudgeScores(
  db: Database,
  sessionId: string,
): Promise<
  | {
      runId: string;
      scores: { interactionId: string; messageIndex: number; axisId: string; score: number }[];
    }
  | undefined
> {
  const [run] = await db
    .select({ id: judgeRuns.id })
    .from(judgeRuns)
    .where(and(eq(judgeRuns.sessionId, sessionId), eq(judgeRuns.status, 'done')))
    .orderBy(sql`${judgeRuns.finishedAt} desc nulls last`, desc(judgeRuns.createdAt), desc(judgeRuns.id))
    .limit(1);
  if (!run) return undefined;
  const scores = await db
    .select({
      interactionId: judgeScores.interactionId,
      messageIndex: judgeScores.messageIndex,
      axisId: judgeScores.axisId,
      score: judgeScores.score,
    })
    .from(judgeScores)
    .where(eq(judgeScores.runId, run.id))
    .orderBy(asc(judgeScores.interactionId), asc(judgeScores.messageIndex), asc(judgeScores.axisId));
  return { runId: run.id, scores };
}
