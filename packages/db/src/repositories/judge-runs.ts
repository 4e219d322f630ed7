import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { newId } from '../ids.js';
import { judgeRubrics, judgeRuns, judgeScores } from '../schema.js';

/** A judge run row. */
export type JudgeRunRow = typeof judgeRuns.$inferSelect;
/** A judge score row. */
export type JudgeScoreRow = typeof judgeScores.$inferSelect;

/** Starts a judge run (status `running`, nothing scored yet). */
export async function createJudgeRun(
  db: Database,
  run: {
    sessionId: string;
    kind: 'llm' | 'classifier';
    modelId: string | null;
    interactionIds: string[] | null;
    createdBy: string;
  },
): Promise<JudgeRunRow> {
  const [row] = await db
    .insert(judgeRuns)
    .values({ id: newId('jr'), status: 'running', ...run })
    .returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** One judge run, or `undefined`. */
export async function findJudgeRun(db: Database, id: string): Promise<JudgeRunRow | undefined> {
  const rows = await db.select().from(judgeRuns).where(eq(judgeRuns.id, id));
  return rows[0];
}

/** A session's judge runs, newest first. */
export function listJudgeRuns(db: Database, sessionId: string): Promise<JudgeRunRow[]> {
  return db
    .select()
    .from(judgeRuns)
    .where(eq(judgeRuns.sessionId, sessionId))
    .orderBy(desc(judgeRuns.createdAt), desc(judgeRuns.id));
}

/** Runs left `running` (by a server that stopped): the runner resumes them at start-up. */
export function listRunningJudgeRuns(db: Database): Promise<JudgeRunRow[]> {
  return db.select().from(judgeRuns).where(eq(judgeRuns.status, 'running')).orderBy(asc(judgeRuns.createdAt));
}

/** Changes a run's status, progress, figures or error. */
export async function updateJudgeRun(
  db: Database,
  id: string,
  change: Partial<
    Pick<JudgeRunRow, 'status' | 'progress' | 'agreement' | 'error' | 'tokens' | 'ms' | 'rubricVersions' | 'finishedAt'>
  >,
): Promise<void> {
  await db.update(judgeRuns).set(change).where(eq(judgeRuns.id, id));
}

/**
 * Stores one score and adds its tokens and time to the run, in one transaction, so that after a
 * crash the run's totals agree with the scores it holds. A score already stored is kept (a resumed
 * run never asks twice, but two writers must not fail on each other).
 */
export async function saveJudgeScore(
  db: Database,
  score: {
    runId: string;
    interactionId: string;
    messageIndex: number;
    axisId: string;
    score: number;
    rationale: string | null;
    tokens: number;
  },
  progress: { done: number; total: number },
  ms: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(judgeScores).values(score).onConflictDoNothing();
    await tx
      .update(judgeRuns)
      .set({
        progress,
        tokens: sql`${judgeRuns.tokens} + ${score.tokens}`,
        ms: sql`${judgeRuns.ms} + ${Math.round(ms)}`,
      })
      .where(eq(judgeRuns.id, score.runId));
  });
}

/**
 * Stores many scores at once (the classifier makes hundreds in milliseconds: one transaction
 * each would spend the run's time in the database), with the run's progress and time.
 */
export async function saveJudgeScores(
  db: Database,
  runId: string,
  scores: readonly Omit<Parameters<typeof saveJudgeScore>[1], 'runId'>[],
  progress: { done: number; total: number },
  ms: number,
): Promise<void> {
  if (scores.length === 0) return;
  await db.transaction(async (tx) => {
    await tx
      .insert(judgeScores)
      .values(scores.map((s) => ({ ...s, runId })))
      .onConflictDoNothing();
    await tx
      .update(judgeRuns)
      .set({
        progress,
        tokens: sql`${judgeRuns.tokens} + ${scores.reduce((sum, s) => sum + s.tokens, 0)}`,
        ms: sql`${judgeRuns.ms} + ${Math.round(ms)}`,
      })
      .where(eq(judgeRuns.id, runId));
  });
}

/** A run's scores, in a stable order (interaction, message, axis). */
export function listJudgeScores(db: Database, runId: string): Promise<JudgeScoreRow[]> {
  return db
    .select()
    .from(judgeScores)
    .where(eq(judgeScores.runId, runId))
    .orderBy(asc(judgeScores.interactionId), asc(judgeScores.messageIndex), asc(judgeScores.axisId));
}

/** The latest stored rubric version of each of a session's axes (final attribute id → version, rubric). */
export async function latestJudgeRubrics(
  db: Database,
  sessionId: string,
): Promise<Map<string, { version: number; rubric: Record<string, unknown> }>> {
  const rows = await db
    .select({ axisId: judgeRubrics.finalAttributeId, version: judgeRubrics.version, rubric: judgeRubrics.rubric })
    .from(judgeRubrics)
    .where(eq(judgeRubrics.sessionId, sessionId))
    .orderBy(asc(judgeRubrics.finalAttributeId), asc(judgeRubrics.version));
  const latest = new Map<string, { version: number; rubric: Record<string, unknown> }>();
  for (const row of rows) latest.set(row.axisId, { version: row.version, rubric: row.rubric });
  return latest;
}

/** Adds time (and tokens) spent outside any one score, e.g. embedding and training the classifier. */
export async function addJudgeRunCost(db: Database, id: string, cost: { tokens?: number; ms: number }): Promise<void> {
  await db
    .update(judgeRuns)
    .set({ tokens: sql`${judgeRuns.tokens} + ${cost.tokens ?? 0}`, ms: sql`${judgeRuns.ms} + ${Math.round(cost.ms)}` })
    .where(eq(judgeRuns.id, id));
}

/**
 * Forgets a run's items that got no score (stored with score 0, e.g. an unparseable reply), so a
 * resumed run asks for them again; real scores stay.
 */
export async function clearJudgeFailures(db: Database, runId: string): Promise<void> {
  await db.delete(judgeScores).where(and(eq(judgeScores.runId, runId), eq(judgeScores.score, 0)));
}
