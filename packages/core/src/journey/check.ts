import type { CheckQuestion, Orientation } from './types.js';

/** The result of one attempt at the comprehension check. */
export interface CheckResult {
  /** How many questions were answered correctly. */
  score: number;
  /** Whether `score` reached the pass mark. */
  passed: boolean;
  /** The number of questions. */
  total: number;
  passMark: number;
}

/**
 * Scores an attempt: one point per question whose chosen option is the correct one. Answers to
 * questions the check does not have are ignored; an unanswered question scores nothing.
 */
export function scoreCheck(
  check: { questions: readonly CheckQuestion[]; passMark: number },
  answers: Readonly<Record<string, number>>,
): CheckResult {
  let score = 0;
  for (const question of check.questions) {
    if (Object.hasOwn(answers, question.id) && answers[question.id] === question.correct) score += 1;
  }
  return { score, passed: score >= check.passMark, total: check.questions.length, passMark: check.passMark };
}

/**
 * What is wrong with an orientation an owner wants to save, in sentences (empty: nothing). The
 * schema has checked the shapes; these are the rules across fields: every question has at least
 * two options and a correct index among them, question and practice ids are unique, and the pass
 * mark can be reached.
 */
export function orientationProblems(orientation: Orientation): string[] {
  const problems: string[] = [];
  const { questions, passMark } = orientation.check;
  const seen = new Set<string>();
  for (const [i, q] of questions.entries()) {
    const name = `check.questions[${i}] (${q.id})`;
    if (seen.has(q.id)) problems.push(`${name}: the question id is used twice`);
    seen.add(q.id);
    if (q.text.trim() === '') problems.push(`${name}: the question text is blank`);
    if (q.options.length < 2) problems.push(`${name}: a question needs at least two options`);
    if (q.options.some((o) => o.trim() === '')) problems.push(`${name}: an option is blank`);
    if (!Number.isInteger(q.correct) || q.correct < 0 || q.correct >= q.options.length)
      problems.push(`${name}: correct must be the index of one of its ${q.options.length} options`);
  }
  if (passMark > questions.length)
    problems.push(`check.passMark ${passMark} is more than the ${questions.length} questions`);
  if (orientation.required && questions.length === 0) problems.push('a required check needs at least one question');
  const practiceIds = new Set<string>();
  for (const [i, item] of orientation.practice.entries()) {
    if (practiceIds.has(item.id)) problems.push(`practice[${i}] (${item.id}): the item id is used twice`);
    practiceIds.add(item.id);
    if (item.response.trim() === '') problems.push(`practice[${i}] (${item.id}): the response is blank`);
  }
  for (const [i, page] of orientation.pages.entries()) {
    if (page.title.trim() === '') problems.push(`pages[${i}]: the title is blank`);
  }
  return problems;
}

/** The orientation as participants get it: no correct answers, no reference labels. */
export function participantOrientation(orientation: Orientation) {
  return {
    pages: orientation.pages,
    practice: orientation.practice.map(({ id, prompt, response }) => ({ id, prompt, response })),
    check: {
      questions: orientation.check.questions.map(({ id, text, options }) => ({ id, text, options })),
      passMark: orientation.check.passMark,
    },
    required: orientation.required,
  };
}
