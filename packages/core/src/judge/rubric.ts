/**
 * LLM-judge rubrics for a group's axes: a judge prompt that quotes the group's definition, five
 * score levels written from it (anchored by the axis's positive and negative example turns), and
 * few-shot examples from the coded interactions. Everything here is text the analyst may edit
 * before use; what the judge is sent is {@link judgeMessages} of a rubric.
 */

/** A judge's score: 1 (contradicts the axis) to 5 (fully meets it). */
export type JudgeScore = 1 | 2 | 3 | 4 | 5;

/** The scores in ascending order. */
export const judgeScores: readonly JudgeScore[] = [1, 2, 3, 4, 5];

/** An assistant turn the community tied to an axis, with the question before it. */
export interface RubricTurn {
  readonly interactionId: string;
  readonly messageIndex: number;
  /** What the person asked before that answer, or null when the interaction holds none. */
  readonly prompt: string | null;
  readonly response: string;
  /** The codes participants put on it that tie it to the axis (for the example's reason). */
  readonly codes?: readonly string[];
}

/** An axis as the rubric is built from it. */
export interface RubricAxis {
  readonly id: string;
  readonly name: string;
  readonly definition: string;
  /** Turns that show the axis (tagged as examples, or coded for it). */
  readonly positive: readonly RubricTurn[];
  /** Turns that go against it (negative examples, or codes counting against it). */
  readonly negative: readonly RubricTurn[];
}

/** One score level of a rubric. */
export interface RubricLevel {
  readonly score: JudgeScore;
  readonly description: string;
}

/** A few-shot example: a turn, the score it should get, and why. */
export interface RubricExample {
  readonly interactionId: string;
  readonly messageIndex: number;
  readonly prompt: string | null;
  readonly response: string;
  readonly score: JudgeScore;
  readonly reason: string;
}

/** A judge rubric for one axis. */
export interface JudgeRubric {
  readonly axisId: string;
  readonly name: string;
  readonly definition: string;
  /** The judge's instructions; they quote the definition. */
  readonly prompt: string;
  /** Exactly five levels, scores 1 to 5 in order. */
  readonly levels: readonly RubricLevel[];
  readonly examples: readonly RubricExample[];
}

/** A chat message for the judge model. */
export interface JudgeMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** Options for {@link buildRubric}. */
export interface RubricOptions {
  /** Few-shot examples of each polarity at most (default 2). */
  readonly examplesPerSide?: number;
  /** Longest quoted response in a few-shot example, in characters (default 1,200). */
  readonly exampleLength?: number;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

function clip(text: string, limit: number): string {
  const flat = text.trim();
  if (flat.length <= limit) return flat;
  const cut = flat.slice(0, limit - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > limit * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function reasonOf(turn: RubricTurn, name: string, side: 'positive' | 'negative'): string {
  const codes = [...new Set((turn.codes ?? []).map(oneLine).filter(Boolean))];
  const coded = codes.length > 0 ? ` (coded ${codes.map((c) => `"${c}"`).join(', ')})` : '';
  return side === 'positive'
    ? `Participants chose this answer as an example of "${name}"${coded}.`
    : `Participants took this answer as going against "${name}"${coded}.`;
}

/**
 * The judge instructions for an axis: what to judge, the group's definition quoted as written,
 * and the answer format {@link parseJudgeScore} reads.
 */
export function judgeInstructions(name: string, definition: string): string {
  return [
    `You are evaluating an AI assistant's answer along one axis that a community defined for its own use: "${oneLine(name)}".`,
    `The community's definition, quoted as written:\n"""\n${definition.trim()}\n"""`,
    'Judge only this axis, not other qualities of the answer. Use the score levels below.',
    'Reply with one line "Score: N" (N from 1 to 5), then one or two sentences saying why.',
  ].join('\n\n');
}

/** Five score levels written from the definition; levels 5 and 1 point at the examples when there are any. */
export function rubricLevels(axis: Pick<RubricAxis, 'name' | 'definition' | 'positive' | 'negative'>): RubricLevel[] {
  const name = oneLine(axis.name);
  const definition = oneLine(axis.definition);
  const like = axis.positive.length > 0 ? " Like the community's positive examples." : '';
  const unlike = axis.negative.length > 0 ? " Like the community's negative examples." : '';
  return [
    { score: 1, description: `Goes against "${name}": the opposite of what the definition asks.${unlike}` },
    { score: 2, description: `Mostly falls short of "${name}": little of the definition is met.` },
    { score: 3, description: `Partly meets "${name}": some of the definition, with clear gaps.` },
    { score: 4, description: `Mostly meets "${name}", with minor lapses.` },
    { score: 5, description: `Fully meets "${name}": ${definition}${like}` },
  ];
}

/**
 * The first rubric of an axis, built from its definition and examples: positive turns as score-5
 * few-shot examples, negative turns as score-1 ones (at most `examplesPerSide` each, in the order
 * given, one per interaction and message).
 */
export function buildRubric(axis: RubricAxis, options: RubricOptions = {}): JudgeRubric {
  const perSide = options.examplesPerSide ?? 2;
  const length = options.exampleLength ?? 1200;
  const seen = new Set<string>();
  const pick = (turns: readonly RubricTurn[], side: 'positive' | 'negative'): RubricExample[] => {
    const picked: RubricExample[] = [];
    for (const turn of turns) {
      const key = `${turn.interactionId}#${turn.messageIndex}`;
      if (picked.length >= perSide || seen.has(key) || !turn.response.trim()) continue;
      seen.add(key);
      picked.push({
        interactionId: turn.interactionId,
        messageIndex: turn.messageIndex,
        prompt: turn.prompt === null ? null : clip(turn.prompt, length),
        response: clip(turn.response, length),
        score: side === 'positive' ? 5 : 1,
        reason: reasonOf(turn, oneLine(axis.name), side),
      });
    }
    return picked;
  };
  const positive = pick(axis.positive, 'positive');
  const negative = pick(axis.negative, 'negative');
  return {
    axisId: axis.id,
    name: axis.name,
    definition: axis.definition,
    prompt: judgeInstructions(axis.name, axis.definition),
    levels: rubricLevels(axis),
    examples: [...positive, ...negative],
  };
}

function turnText(turn: { readonly prompt: string | null; readonly response: string }): string {
  const question = turn.prompt?.trim() ? `Question:\n"""\n${turn.prompt.trim()}\n"""\n\n` : '';
  return `${question}Answer to judge:\n"""\n${turn.response.trim()}\n"""`;
}

function levelsText(levels: readonly RubricLevel[]): string {
  return [
    'Score levels:',
    ...[...levels].sort((a, b) => b.score - a.score).map((l) => `${l.score}: ${l.description}`),
  ].join('\n');
}

/**
 * The messages a judge model is sent to score one turn: the instructions and levels as the system
 * message, each few-shot example as a user/assistant exchange, then the turn to judge.
 */
export function judgeMessages(
  rubric: JudgeRubric,
  turn: { readonly prompt: string | null; readonly response: string },
): JudgeMessage[] {
  const messages: JudgeMessage[] = [{ role: 'system', content: `${rubric.prompt}\n\n${levelsText(rubric.levels)}` }];
  for (const example of rubric.examples) {
    messages.push({ role: 'user', content: turnText(example) });
    messages.push({ role: 'assistant', content: `Score: ${example.score}\n${example.reason}` });
  }
  messages.push({ role: 'user', content: turnText(turn) });
  return messages;
}

/**
 * The rubric as one prompt template, for pipelines that take a single string: `{{prompt}}` and
 * `{{response}}` stand for the question and the answer to judge.
 */
export function rubricTemplate(rubric: JudgeRubric): string {
  const examples = rubric.examples.map((e, i) => `Example ${i + 1}\n${turnText(e)}\nScore: ${e.score}\n${e.reason}`);
  return [
    rubric.prompt,
    levelsText(rubric.levels),
    ...(examples.length > 0 ? [examples.join('\n\n')] : []),
    'Now judge this one.\nQuestion:\n"""\n{{prompt}}\n"""\n\nAnswer to judge:\n"""\n{{response}}\n"""',
  ].join('\n\n');
}

/**
 * The score in a judge's reply: the first "Score: N" (any case, N 1–5; "Score: 4/5" reads 4), else
 * a reply that starts with a number 1–5. The text after the score (else before it) is the rationale.
 * Null when there is no score.
 */
export function parseJudgeScore(reply: string): { score: JudgeScore; rationale: string } | null {
  const labelled = /\bscore\**\s*(?:[:=]|of)?\s*\**\s*([1-5])(?:\s*(?:\/|out of)\s*5)?\b/i.exec(reply);
  const bare = labelled ? null : /^\s*\**([1-5])\**\s*(?:[.)\n]|$)/.exec(reply);
  const found = labelled ?? bare;
  if (!found) return null;
  const score = Number(found[1]) as JudgeScore;
  // The reason follows the score; a reply that puts it first has it before.
  const tidy = (text: string) => text.replace(/^[\s*.:,;)—–-]+|[\s*]+$/g, '');
  const rationale = tidy(reply.slice(found.index + found[0].length)) || tidy(reply.slice(0, found.index));
  return { score, rationale };
}

/** Rubrics as Markdown, one section per axis: definition, levels, examples. */
export function rubricsToMarkdown(rubrics: readonly JudgeRubric[], title: string): string {
  const lines = [`# ${title}`, ''];
  for (const rubric of rubrics) {
    lines.push(
      `## ${oneLine(rubric.name)}`,
      '',
      `> ${oneLine(rubric.definition)}`,
      '',
      '| Score | Description |',
      '|---|---|',
    );
    for (const level of [...rubric.levels].sort((a, b) => b.score - a.score))
      lines.push(`| ${level.score} | ${level.description.replace(/\|/g, '\\|')} |`);
    lines.push('');
    rubric.examples.forEach((e, i) => {
      lines.push(`**Example ${i + 1} (score ${e.score})**: ${e.reason}`, '');
      if (e.prompt) lines.push(`> Q: ${oneLine(e.prompt)}`, '>');
      lines.push(`> A: ${oneLine(e.response)}`, '');
    });
    lines.push('**Prompt template**', '', '```text', rubricTemplate(rubric), '```', '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
