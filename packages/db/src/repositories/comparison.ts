import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database } from '../client.js';
import { comparisonDecisions, finalAttributes, groups, sessions } from '../schema.js';

/** A stored decision on a pair of a study's comparison; `aAttributeId` is the lesser id. */
export type ComparisonDecisionRow = typeof comparisonDecisions.$inferSelect;

/** A study's group with its latest ended Discuss session (null when none has ended). */
export interface ComparableGroupRow {
  readonly id: string;
  readonly studyId: string;
  readonly name: string;
  readonly sessionId: string | null;
}

/**
 * A study's groups, oldest first (then by name), each with its latest ended session: the one that ended last
 * (by the state's `endedAt`; ties and states without it by creation, then id). Sessions are read
 * per study, once: a study has a handful of groups and sessions.
 */
export async function listComparableGroups(db: Database, studyId: string): Promise<ComparableGroupRow[]> {
  const rows = await db
    .select({ id: groups.id, studyId: groups.studyId, name: groups.name })
    .from(groups)
    .where(eq(groups.studyId, studyId))
    .orderBy(asc(groups.createdAt), asc(groups.name), asc(groups.id));
  if (rows.length === 0) return [];
  const all = await db
    .select({ id: sessions.id, groupId: sessions.groupId, state: sessions.state, createdAt: sessions.createdAt })
    .from(sessions)
    .where(
      inArray(
        sessions.groupId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(sessions.createdAt), asc(sessions.id));
  const latest = new Map<string, { id: string; endedAt: number }>();
  for (const s of all) {
    if (s.state.status !== 'ended') continue;
    const endedAt = s.state.endedAt ?? s.createdAt.getTime();
    const current = latest.get(s.groupId);
    // Rows come oldest first, so on equal `endedAt` the later-created session wins.
    if (!current || endedAt >= current.endedAt) latest.set(s.groupId, { id: s.id, endedAt });
  }
  return rows.map((r) => ({ ...r, sessionId: latest.get(r.id)?.id ?? null }));
}

/** The final attributes of several sessions, by session then the moderator's order. */
export function listFinalAttributesOf(db: Database, sessionIds: readonly string[]) {
  if (sessionIds.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(finalAttributes)
    .where(inArray(finalAttributes.sessionId, [...sessionIds]))
    .orderBy(asc(finalAttributes.sessionId), asc(finalAttributes.position));
}

/** Final attributes by id, with the group and study of their session. */
export function findFinalAttributesWithGroup(db: Database, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .select({
      id: finalAttributes.id,
      name: finalAttributes.name,
      sessionId: finalAttributes.sessionId,
      groupId: sessions.groupId,
      studyId: groups.studyId,
    })
    .from(finalAttributes)
    .innerJoin(sessions, eq(sessions.id, finalAttributes.sessionId))
    .innerJoin(groups, eq(groups.id, sessions.groupId))
    .where(inArray(finalAttributes.id, [...ids]));
}

/** A study's comparison decisions, oldest first. */
export function listComparisonDecisions(db: Database, studyId: string): Promise<ComparisonDecisionRow[]> {
  return db
    .select()
    .from(comparisonDecisions)
    .where(eq(comparisonDecisions.studyId, studyId))
    .orderBy(
      asc(comparisonDecisions.decidedAt),
      asc(comparisonDecisions.aAttributeId),
      asc(comparisonDecisions.bAttributeId),
    );
}

/** The lesser id first: a pair has one row whichever way round it is named. */
const ordered = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);

/**
 * Stores a decision on a pair (replacing an earlier one on the same pair). Confirming a `shared`
 * pair re-pairs its axes: any other confirmed `shared` pair on either axis is dropped in the same
 * transaction, so no axis is ever in two confirmed `shared` pairs.
 */
export function putComparisonDecision(
  db: Database,
  input: {
    studyId: string;
    a: string;
    b: string;
    status: 'confirmed' | 'broken';
    kind: 'shared' | 'near';
    decidedBy: string;
  },
): Promise<ComparisonDecisionRow> {
  const [a, b] = ordered(input.a, input.b);
  return db.transaction(async (tx) => {
    if (input.status === 'confirmed' && input.kind === 'shared') {
      const mine = await tx
        .select()
        .from(comparisonDecisions)
        .where(
          and(
            eq(comparisonDecisions.studyId, input.studyId),
            eq(comparisonDecisions.status, 'confirmed'),
            eq(comparisonDecisions.kind, 'shared'),
          ),
        );
      for (const row of mine) {
        const touches = [a, b].includes(row.aAttributeId) || [a, b].includes(row.bAttributeId);
        if (touches && !(row.aAttributeId === a && row.bAttributeId === b))
          await tx
            .delete(comparisonDecisions)
            .where(
              and(
                eq(comparisonDecisions.studyId, input.studyId),
                eq(comparisonDecisions.aAttributeId, row.aAttributeId),
                eq(comparisonDecisions.bAttributeId, row.bAttributeId),
              ),
            );
      }
    }
    const values = {
      studyId: input.studyId,
      aAttributeId: a,
      bAttributeId: b,
      status: input.status,
      kind: input.kind,
      decidedBy: input.decidedBy,
      decidedAt: new Date(),
    };
    const [row] = await tx
      .insert(comparisonDecisions)
      .values(values)
      .onConflictDoUpdate({
        target: [comparisonDecisions.studyId, comparisonDecisions.aAttributeId, comparisonDecisions.bAttributeId],
        set: { status: values.status, kind: values.kind, decidedBy: values.decidedBy, decidedAt: values.decidedAt },
      })
      .returning();
    if (!row) throw new Error('upsert returned no row');
    return row;
  });
}

/** Removes the decision on a pair; true when there was one. */
export async function deleteComparisonDecision(db: Database, studyId: string, x: string, y: string): Promise<boolean> {
  const [a, b] = ordered(x, y);
  const rows = await db
    .delete(comparisonDecisions)
    .where(
      and(
        eq(comparisonDecisions.studyId, studyId),
        eq(comparisonDecisions.aAttributeId, a),
        eq(comparisonDecisions.bAttributeId, b),
      ),
    )
    .returning({ a: comparisonDecisions.aAttributeId });
  return rows.length > 0;
}
