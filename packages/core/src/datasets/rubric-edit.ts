import type { JudgeRubric, JudgeScore, RubricExample, RubricLevel } from '../judge/rubric.js';

/** What an analyst sends to save a rubric's next version. */
export interface RubricEdit {
  readonly prompt: string;
  readonly levels: readonly { readonly score: number; readonly description: string }[];
  readonly examples: readonly RubricExample[];
}

/**
 * Why an edit cannot be saved, or null when it can: the prompt must say something, and the levels
 * must be exactly the scores 1 to 5, once each, each described.
 */
export function rubricEditProblem(edit: RubricEdit): string | null {
  if (!edit.prompt.trim()) return 'The judge prompt is empty.';
  const scores = edit.levels.map((l) => l.score).sort((a, b) => a - b);
  if (scores.length !== 5 || scores.some((s, i) => s !== i + 1))
    return 'The levels must be exactly the scores 1, 2, 3, 4 and 5, once each.';
  if (edit.levels.some((l) => !l.description.trim())) return 'Every level needs a description.';
  if (edit.examples.some((e) => !e.response.trim() || !e.reason.trim()))
    return 'Every example needs a response and a reason.';
  return null;
}

/** The rubric an edit makes of `base`: its prompt, levels in score order and examples, trimmed. */
export function applyRubricEdit(base: JudgeRubric, edit: RubricEdit): JudgeRubric {
  return {
    ...base,
    prompt: edit.prompt.trim(),
    levels: [...edit.levels]
      .sort((a, b) => a.score - b.score)
      .map((l): RubricLevel => ({ score: l.score as JudgeScore, description: l.description.trim() })),
    examples: edit.examples.map((e) => ({ ...e, reason: e.reason.trim() })),
  };
}
