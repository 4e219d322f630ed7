import { type ComparisonDecisionInput, type ComparisonTable, compareAxes, type Principal } from '@calma/core';
import {
  type ComparableGroupRow,
  type Database,
  findInteractions,
  findStudy,
  type InteractionRow,
  listComparableGroups,
  listComparisonDecisions,
  listFinalAttributesOf,
} from '@calma/db';
import type { ComparisonGroup } from '@calma/protocol';
import type { EmbeddingCache } from '../../affinity/embedding-cache.js';
import { axisSimilarityMatrix } from '../../comparison/similarity.js';
import { badRequest, forbidden, notFound } from '../../errors.js';

/** The most groups compared at once (each two are matched; a study has a handful). */
export const maxComparedGroups = 12;

/** Who decided, as stored: `admin`, or the analyst's role and group. */
export const deciderOf = (principal: Principal) =>
  principal.role === 'analyst' ? `analyst:${principal.groupId}` : principal.role;

/**
 * The study (404) and its groups, checking the caller may compare within it: the admin, or an
 * analyst of one of its groups (403 otherwise).
 */
export async function studyGroupsFor(
  db: Database,
  studyId: string,
  principal: Principal,
): Promise<ComparableGroupRow[]> {
  const study = await findStudy(db, studyId);
  if (!study) throw notFound('Study');
  const groups = await listComparableGroups(db, study.id);
  if (principal.role !== 'admin' && !(principal.role === 'analyst' && groups.some((g) => g.id === principal.groupId)))
    throw forbidden("This token belongs to another study's group");
  return groups;
}

/**
 * The groups asked for (`?groups=ID,ID`), in the order asked: two or more distinct groups of the
 * study (400 otherwise), one of them the analyst's own (403 otherwise).
 */
export function askedGroups(
  all: readonly ComparableGroupRow[],
  query: string,
  principal: Principal,
): ComparableGroupRow[] {
  const ids = query
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (new Set(ids).size !== ids.length) throw badRequest('A group is listed twice');
  if (ids.length < 2) throw badRequest('Name two or more groups to compare: groups=ID,ID');
  if (ids.length > maxComparedGroups) throw badRequest(`At most ${maxComparedGroups} groups are compared at once`);
  const byId = new Map(all.map((g) => [g.id, g]));
  const asked = ids.map((id) => {
    const group = byId.get(id);
    if (!group) throw badRequest(`Group ${id} is not a group of this study`);
    return group;
  });
  if (principal.role === 'analyst' && !ids.includes(principal.groupId))
    throw forbidden("An analyst compares their own group's axes with others'");
  return asked;
}

/** The model's first answer of an interaction: what the group coded and cited. */
const answerOf = (interaction: InteractionRow) =>
  interaction.messages.find((m) => m.role === 'assistant')?.content ?? interaction.messages[0]?.content ?? '';

/** The comparison of the groups' latest ended sessions' final attributes, decisions applied. */
export async function loadComparison(
  db: Database,
  embeddings: EmbeddingCache,
  studyId: string,
  groups: readonly ComparableGroupRow[],
): Promise<{ table: ComparisonTable; groups: ComparisonGroup[]; model: string }> {
  const sessionIds = groups.flatMap((g) => (g.sessionId ? [g.sessionId] : []));
  const [finals, decisions] = await Promise.all([
    listFinalAttributesOf(db, sessionIds),
    listComparisonDecisions(db, studyId),
  ]);
  const groupOf = new Map(groups.flatMap((g) => (g.sessionId ? [[g.sessionId, g.id] as const] : [])));
  const axes = finals.map((f) => ({ ...f, groupId: groupOf.get(f.sessionId) as string }));
  // Example answers per group, read once per group.
  const answers = new Map<string, string>();
  for (const group of groups) {
    const ids = [...new Set(axes.filter((a) => a.groupId === group.id).flatMap((a) => a.exampleInteractionIds))];
    for (const interaction of await findInteractions(db, group.id, ids))
      answers.set(interaction.id, answerOf(interaction));
  }
  const { matrix, model } = await axisSimilarityMatrix(
    embeddings,
    axes.map((a) => ({
      name: a.name,
      definition: a.definition,
      examples: a.exampleInteractionIds.flatMap((id) => answers.get(id) ?? []),
    })),
  );
  const input: ComparisonDecisionInput[] = decisions.map((d) => ({
    a: d.aAttributeId,
    b: d.bAttributeId,
    status: d.status,
    kind: d.kind,
    decidedBy: d.decidedBy,
    decidedAt: d.decidedAt.getTime(),
  }));
  const table = compareAxes(
    axes.map((a) => ({ groupId: a.groupId, attributeId: a.id, name: a.name })),
    matrix,
    input,
    groups.map((g) => g.id),
  );
  return {
    table,
    model,
    groups: groups.map((g) => ({
      groupId: g.id,
      name: g.name,
      sessionId: g.sessionId,
      axes: axes
        .filter((a) => a.groupId === g.id)
        .map((a) => ({
          attributeId: a.id,
          name: a.name,
          definition: a.definition,
          exampleInteractionIds: a.exampleInteractionIds,
        })),
    })),
  };
}
