import type { AxisTurn, AxisTurns } from './axis-turns.js';

/**
 * Alignment datasets from a session's axes: SteerLM/HelpSteer-style attribute-annotated rows,
 * DPO-style preference pairs and a constitution. Every row says where it came from: the
 * participants' coding (`participant-codes`) or a judge run (`judge:<runId>`).
 */

/** A turn to put in a dataset: an assistant answer and the question before it (masked as quoted). */
export interface DatasetTurn {
  readonly interactionId: string;
  readonly messageIndex: number;
  readonly prompt: string | null;
  readonly response: string;
}

/** A finished judge run's scores (1–5) per turn and axis. */
export interface DatasetJudgeRun {
  readonly runId: string;
  readonly scores: readonly {
    readonly interactionId: string;
    readonly messageIndex: number;
    readonly axisId: string;
    readonly score: number;
  }[];
}

/** Where a dataset score or pair came from. */
export type DatasetProvenance = 'participant-codes' | `judge:${string}`;

/** One SteerLM/HelpSteer row. */
export interface SteerLmRow {
  readonly prompt: string;
  readonly response: string;
  /** Per axis name: 1–5, or null when neither the people nor the judge tied the turn to it. */
  readonly scores: Record<string, number | null>;
  readonly provenance: Record<string, DatasetProvenance | null>;
  readonly interactionId: string;
  readonly messageIndex: number;
}

/** One preference pair (the shape DPO trainers read), with where it came from. */
export interface PreferenceRow {
  readonly prompt: string;
  readonly chosen: string;
  readonly rejected: string;
  /** The axis name. */
  readonly axis: string;
  /**
   * `participant-codes:same-prompt` (a positive and a negative turn answering the same question),
   * `participant-codes:different-prompts` (no such pair: the chosen turn's question, and the
   * rejected turn answered another one, given in `rejectedPrompt`), or `judge:<runId>` (two
   * answers to the same question the judge scored differently).
   */
  readonly source: string;
  readonly rejectedPrompt?: string;
  readonly chosenTurn: { readonly interactionId: string; readonly messageIndex: number };
  readonly rejectedTurn: { readonly interactionId: string; readonly messageIndex: number };
}

const turnKey = (t: { interactionId: string; messageIndex: number }) => `${t.interactionId}#${t.messageIndex}`;
const promptKey = (prompt: string | null) => (prompt ?? '').replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * Keys for the axes in dataset rows: their names, with " (2)", " (3)" … added to a repeated one
 * so that no two axes share a column.
 */
export function datasetAxisKeys(axes: readonly { readonly id: string; readonly name: string }[]): Map<string, string> {
  const used = new Set<string>();
  const keys = new Map<string, string>();
  for (const axis of axes) {
    const base = axis.name.trim() || axis.id;
    let key = base;
    for (let n = 2; used.has(key); n += 1) key = `${base} (${n})`;
    used.add(key);
    keys.set(axis.id, key);
  }
  return keys;
}

/** The participants' score of a turn on an axis: 5 positive, 1 negative, 3 when it is on both sides, else null. */
export function participantScore(
  axis: AxisTurns,
  turn: { interactionId: string; messageIndex: number },
): number | null {
  const key = turnKey(turn);
  const positive = axis.positive.some((t) => turnKey(t) === key);
  const negative = axis.negative.some((t) => turnKey(t) === key);
  return positive && negative ? 3 : positive ? 5 : negative ? 1 : null;
}

/**
 * SteerLM rows: one per turn in `turns` (the group's coded assistant turns), per turn tied to an
 * axis, and per turn the judge scored when `judge.turns` quotes it, in that order. Each axis's
 * score comes from the coding ({@link participantScore}); a turn the people did not tie to an axis
 * takes the judge's score when `judge` has one, else null. No axes: no rows.
 */
export function steerLmRows(
  axes: readonly AxisTurns[],
  turns: readonly DatasetTurn[],
  judge?: DatasetJudgeRun & { readonly turns?: ReadonlyMap<string, DatasetTurn> },
): SteerLmRow[] {
  // With no axis there is nothing to score a turn on.
  if (axes.length === 0) return [];
  const keys = datasetAxisKeys(axes);
  const all = new Map<string, DatasetTurn>();
  const judgedTurns = (judge?.scores ?? []).flatMap((s) => judge?.turns?.get(turnKey(s)) ?? []);
  for (const turn of [...turns, ...axes.flatMap((a) => [...a.positive, ...a.negative]), ...judgedTurns])
    if (!all.has(turnKey(turn))) all.set(turnKey(turn), turn);
  const judged = new Map(
    (judge?.scores ?? []).map((s) => [`${s.axisId}\n${turnKey(s)}`, Math.min(5, Math.max(1, Math.round(s.score)))]),
  );
  return [...all.values()].map((turn) => {
    const scores: Record<string, number | null> = {};
    const provenance: Record<string, DatasetProvenance | null> = {};
    for (const axis of axes) {
      const key = keys.get(axis.id) as string;
      const coded = participantScore(axis, turn);
      const byJudge = judged.get(`${axis.id}\n${turnKey(turn)}`);
      if (coded !== null) {
        scores[key] = coded;
        provenance[key] = 'participant-codes';
      } else if (byJudge !== undefined && judge) {
        scores[key] = byJudge;
        provenance[key] = `judge:${judge.runId}`;
      } else {
        scores[key] = null;
        provenance[key] = null;
      }
    }
    return {
      prompt: turn.prompt ?? '',
      response: turn.response,
      scores,
      provenance,
      interactionId: turn.interactionId,
      messageIndex: turn.messageIndex,
    };
  });
}

const ref = (t: DatasetTurn) => ({ interactionId: t.interactionId, messageIndex: t.messageIndex });

/**
 * Preference pairs per axis. From the coding: every positive/negative pair answering the same
 * question; a positive or negative turn left without one is then paired round-robin with a turn
 * of the other side (`different-prompts`). A turn on both sides is left out (people disagreed).
 * From the judge: on each axis, answers to the same question with different scores, the higher
 * chosen (each pair once).
 */
export function preferencePairs(
  axes: readonly AxisTurns[],
  judge?: DatasetJudgeRun & { readonly turns: ReadonlyMap<string, DatasetTurn> },
): PreferenceRow[] {
  const keys = datasetAxisKeys(axes);
  const rows: PreferenceRow[] = [];
  for (const axis of axes) {
    const name = keys.get(axis.id) as string;
    const negativeKeys = new Set(axis.negative.map(turnKey));
    const positiveKeys = new Set(axis.positive.map(turnKey));
    const positive = axis.positive.filter((t) => !negativeKeys.has(turnKey(t)));
    const negative = axis.negative.filter((t) => !positiveKeys.has(turnKey(t)));
    const paired = new Set<string>();
    for (const p of positive)
      for (const n of negative) {
        if (promptKey(p.prompt) === '' || promptKey(p.prompt) !== promptKey(n.prompt)) continue;
        paired.add(turnKey(p)).add(turnKey(n));
        rows.push(pair(p, n, name, 'participant-codes:same-prompt'));
      }
    const lonePositive = positive.filter((t) => !paired.has(turnKey(t)));
    const loneNegative = negative.filter((t) => !paired.has(turnKey(t)));
    const count =
      lonePositive.length > 0 || loneNegative.length > 0 ? Math.max(lonePositive.length, loneNegative.length) : 0;
    const chosenFrom = lonePositive.length > 0 ? lonePositive : positive;
    const rejectedFrom = loneNegative.length > 0 ? loneNegative : negative;
    if (chosenFrom.length > 0 && rejectedFrom.length > 0)
      for (let i = 0; i < count; i += 1) {
        const p = chosenFrom[i % chosenFrom.length] as AxisTurn;
        const n = rejectedFrom[i % rejectedFrom.length] as AxisTurn;
        const same = promptKey(p.prompt) !== '' && promptKey(p.prompt) === promptKey(n.prompt);
        if (same) continue; // already paired above
        rows.push(pair(p, n, name, 'participant-codes:different-prompts'));
      }
    if (judge) rows.push(...judgePairs(axis.id, name, judge));
  }
  return rows;
}

function pair(chosen: DatasetTurn, rejected: DatasetTurn, axis: string, source: string): PreferenceRow {
  const differs = promptKey(chosen.prompt) !== promptKey(rejected.prompt);
  return {
    prompt: chosen.prompt ?? '',
    chosen: chosen.response,
    rejected: rejected.response,
    axis,
    source,
    ...(differs ? { rejectedPrompt: rejected.prompt ?? '' } : {}),
    chosenTurn: ref(chosen),
    rejectedTurn: ref(rejected),
  };
}

function judgePairs(
  axisId: string,
  axis: string,
  judge: DatasetJudgeRun & { readonly turns: ReadonlyMap<string, DatasetTurn> },
): PreferenceRow[] {
  const byPrompt = new Map<string, { turn: DatasetTurn; score: number }[]>();
  const seen = new Set<string>();
  for (const s of judge.scores) {
    const turn = judge.turns.get(turnKey(s));
    if (s.axisId !== axisId || !turn || seen.has(turnKey(s))) continue;
    seen.add(turnKey(s));
    const key = promptKey(turn.prompt);
    if (key === '') continue;
    byPrompt.set(key, [...(byPrompt.get(key) ?? []), { turn, score: s.score }]);
  }
  const rows: PreferenceRow[] = [];
  for (const answers of byPrompt.values())
    for (let i = 0; i < answers.length; i += 1)
      for (let j = i + 1; j < answers.length; j += 1) {
        const a = answers[i] as { turn: DatasetTurn; score: number };
        const b = answers[j] as { turn: DatasetTurn; score: number };
        if (a.score === b.score) continue;
        const [hi, lo] = a.score > b.score ? [a, b] : [b, a];
        rows.push(pair(hi.turn, lo.turn, axis, `judge:${judge.runId}`));
      }
  return rows;
}

/** One constitution principle for an axis, from its definition. */
export function constitutionPrinciple(axis: { readonly name: string; readonly definition: string }): string {
  const definition = axis.definition
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.\s]+$/, '');
  const name = axis.name.replace(/\s+/g, ' ').trim();
  return definition
    ? `Choose the response that best shows "${name}": ${definition}.`
    : `Choose the response that best shows "${name}".`;
}

/** The axes as a constitution in Markdown: one principle per axis, in the order given. */
export function constitutionMarkdown(
  axes: readonly { readonly name: string; readonly definition: string }[],
  title: string,
): string {
  const lines = [
    `# ${title}`,
    '',
    "Principles written from the community's own definitions of its axes (participant-written; not edited by a model).",
    '',
    ...axes.map((axis, i) => `${i + 1}. ${constitutionPrinciple(axis)}`),
  ];
  if (axes.length === 0) lines.push('_No axes yet: the session has no final attributes._');
  return `${lines.join('\n')}\n`;
}

/** Rows as JSON Lines: one JSON object per line, and an empty string for no rows. */
export function datasetJsonLines(rows: readonly unknown[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}
