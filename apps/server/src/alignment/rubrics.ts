import {
  applyRubricEdit,
  buildRubric,
  type JudgeRubric,
  type JudgeScore,
  type RubricExample,
  rubricEditProblem,
  rubricTemplate,
} from '@calma/core';
import {
  addJudgeRubricVersion,
  type Database,
  type FinalAttributeRow,
  type JudgeRubricRow,
  listAxisRubricVersions,
  listFinalAttributes,
  listJudgeRubricVersions,
} from '@calma/db';
import type { RubricEditBody, RubricVersion } from '@calma/protocol';
import { badRequest, conflict, notFound } from '../errors.js';
import { type AxisTurnsOptions, axisTurns } from './axis-turns.js';

/** Who wrote a generated first version. */
export const builtBy = 'built';

const view = (row: JudgeRubricRow): RubricVersion => {
  const rubric = row.rubric as unknown as JudgeRubric;
  return {
    axisId: row.finalAttributeId,
    version: row.version,
    editedBy: row.editedBy,
    createdAt: row.createdAt.toISOString(),
    rubric: rubric as RubricVersion['rubric'],
    template: rubricTemplate(rubric),
  };
};

const asJson = (rubric: JudgeRubric) => rubric as unknown as Record<string, unknown>;

/**
 * The latest rubric of each of the session's axes, in the moderator's order. An axis with none yet
 * gets version 1 built from its definition and turns (`editedBy: "built"`) and stored, so the
 * first read fixes what later edits are compared against. Two first reads at once store one.
 */
export async function latestRubrics(
  db: Database,
  sessionId: string,
  options: AxisTurnsOptions = {},
): Promise<RubricVersion[]> {
  const [finals, stored] = await Promise.all([
    listFinalAttributes(db, sessionId),
    listJudgeRubricVersions(db, sessionId),
  ]);
  const latest = new Map<string, JudgeRubricRow>();
  for (const row of stored) latest.set(row.finalAttributeId, row);
  const missing = finals.filter((f) => !latest.has(f.id));
  if (missing.length > 0) {
    const turns = await axisTurns(db, sessionId, options);
    for (const axis of turns?.axes ?? []) {
      if (latest.has(axis.id)) continue;
      const row = await addJudgeRubricVersion(db, {
        finalAttributeId: axis.id,
        sessionId,
        version: 1,
        rubric: asJson(buildRubric(axis)),
        editedBy: builtBy,
      });
      if (row) latest.set(axis.id, row);
    }
    // Another request stored some of them first: theirs stand.
    if (finals.some((f) => !latest.has(f.id)))
      for (const row of await listJudgeRubricVersions(db, sessionId)) latest.set(row.finalAttributeId, row);
  }
  return finals.flatMap((f) => {
    const row = latest.get(f.id);
    return row ? [view(row)] : [];
  });
}

async function sessionAxis(db: Database, sessionId: string, axisId: string): Promise<FinalAttributeRow> {
  const axis = (await listFinalAttributes(db, sessionId)).find((f) => f.id === axisId);
  if (!axis) throw notFound('Axis');
  return axis;
}

/** An axis's rubric history, oldest first (version 1 built on first use). */
export async function rubricHistory(
  db: Database,
  sessionId: string,
  axisId: string,
  options: AxisTurnsOptions = {},
): Promise<RubricVersion[]> {
  await sessionAxis(db, sessionId, axisId);
  let rows = await listAxisRubricVersions(db, axisId);
  if (rows.length === 0) {
    await latestRubrics(db, sessionId, options);
    rows = await listAxisRubricVersions(db, axisId);
  }
  return rows.map(view);
}

/**
 * Stores an analyst's edit as the next version after `baseVersion`: 409 when that is not the
 * latest (someone saved in between), 400 when the edit is not a usable rubric. An example's
 * quoted text is taken from the axis's turns or an earlier version, never from the request.
 */
export async function saveRubricEdit(
  db: Database,
  sessionId: string,
  axisId: string,
  edit: RubricEditBody,
  editedBy: string,
  options: AxisTurnsOptions = {},
): Promise<RubricVersion> {
  const history = await rubricHistory(db, sessionId, axisId, options);
  const latest = history.at(-1);
  if (!latest) throw notFound('Rubric');
  if (edit.baseVersion !== latest.version)
    throw conflict(`The rubric is at version ${latest.version}; reload it and edit that version.`);

  const known = new Map<string, { prompt: string | null; response: string }>();
  const key = (t: { interactionId: string; messageIndex: number }) => `${t.interactionId}#${t.messageIndex}`;
  for (const version of history) for (const e of version.rubric.examples) known.set(key(e), e);
  if (edit.examples.some((e) => !known.has(key(e)))) {
    const turns = await axisTurns(db, sessionId, options);
    const axis = turns?.axes.find((a) => a.id === axisId);
    for (const t of [...(axis?.positive ?? []), ...(axis?.negative ?? [])])
      if (!known.has(key(t))) known.set(key(t), t);
  }
  const examples: RubricExample[] = [];
  for (const e of edit.examples) {
    const quoted = known.get(key(e));
    if (!quoted)
      throw badRequest(`Example ${e.interactionId}#${e.messageIndex} is not one of this axis's turns or examples.`);
    examples.push({
      interactionId: e.interactionId,
      messageIndex: e.messageIndex,
      prompt: quoted.prompt,
      response: quoted.response,
      score: e.score as JudgeScore,
      reason: e.reason,
    });
  }
  const problem = rubricEditProblem({ prompt: edit.prompt, levels: edit.levels, examples });
  if (problem) throw badRequest(problem);
  const rubric = applyRubricEdit(latest.rubric as JudgeRubric, { prompt: edit.prompt, levels: edit.levels, examples });
  const row = await addJudgeRubricVersion(db, {
    finalAttributeId: axisId,
    sessionId,
    version: latest.version + 1,
    rubric: asJson(rubric),
    editedBy,
  });
  if (!row) throw conflict(`The rubric is past version ${latest.version}; reload it and edit the latest version.`);
  return view(row);
}
