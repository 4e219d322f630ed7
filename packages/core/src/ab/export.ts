import { writeCsv } from '../transcripts/csv-rows.js';
import type { AbModelChoice, AbModelSide } from './order.js';

/** One voted or unvoted item of a round, as the pseudonymous export shows it. */
export interface AbExportItem {
  readonly itemId: string;
  /** `P1`, `P2`… (join order), or `Unknown` for a participant since removed. */
  readonly participant: string;
  readonly prompt: string;
  /** The baseline item the prompt came from, or null for one the participant wrote. */
  readonly baselineId: string | null;
  readonly firstModel: AbModelSide;
  /** Both answers by model (the item stores them in the order shown). */
  readonly answers: { readonly a: string; readonly b: string };
  /** Axis id → the model chosen (or `equal`); null until the participant votes. */
  readonly votes: Readonly<Record<string, AbModelChoice>> | null;
  readonly createdAt: string;
  readonly votedAt: string | null;
}

/** The columns of the A/B CSV: one row per item and axis (long form, one vote a row). */
export const abCsvColumns = [
  'round_id',
  'item_id',
  'participant',
  'prompt_source',
  'baseline_id',
  'prompt',
  'model_a',
  'model_b',
  'shown_first',
  'answer_a',
  'answer_b',
  'axis_id',
  'axis_name',
  'choice',
  'created_at',
  'voted_at',
] as const;

/**
 * The pseudonymous raw data of a round as CSV for spreadsheets (UTF-8 with BOM, formulas
 * defused): one row per item and axis, `choice` being `a`, `b`, `equal`, or empty for an item not
 * (yet) voted on. Models are named by the study's model ids; participants by pseudonym only.
 */
export function abItemsToCsv(
  round: {
    readonly id: string;
    readonly modelA: string;
    readonly modelB: string;
    readonly axes: readonly { readonly id: string; readonly name: string }[];
  },
  items: readonly AbExportItem[],
): string {
  const rows = items.flatMap((item) =>
    round.axes.map((axis) => [
      round.id,
      item.itemId,
      item.participant,
      item.baselineId === null ? 'own' : 'baseline',
      item.baselineId,
      item.prompt,
      round.modelA,
      round.modelB,
      item.firstModel,
      item.answers.a,
      item.answers.b,
      axis.id,
      axis.name,
      item.votes?.[axis.id] ?? null,
      item.createdAt,
      item.votedAt,
    ]),
  );
  return writeCsv([[...abCsvColumns], ...rows], { spreadsheet: true });
}
