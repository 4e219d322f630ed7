import type { AbRoundRow } from '@calma/db';
import type { ModelSpec } from '@calma/models';
import type { AbModelRef, AbRound } from '@calma/protocol';

/** A model as staff see it in a round: its id and, while the study still has it, its label. */
export function modelRef(models: readonly ModelSpec[], id: string): AbModelRef {
  return { id, label: models.find((m) => m.id === id)?.label ?? id };
}

/**
 * A round for the API. Staff get the models and counts; a participant gets neither models nor
 * anyone else's counts, only their own progress: the round is blind to them.
 */
export function roundView(
  row: AbRoundRow,
  who:
    | { staff: true; models: readonly ModelSpec[]; counts: { items: number; voted: number; participants: number } }
    | { staff: false; voted: number },
  baselinePrompts: number,
): AbRound {
  const base: AbRound = {
    id: row.id,
    status: row.status,
    prompts: row.prompts,
    axes: row.axes,
    sessionId: row.sessionId,
    createdAt: row.createdAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    baselinePrompts,
  };
  if (!who.staff) return { ...base, mine: { voted: who.voted } };
  return {
    ...base,
    models: { a: modelRef(who.models, row.modelA), b: modelRef(who.models, row.modelB) },
    counts: who.counts,
  };
}
