import { writeCsv } from '../transcripts/csv-rows.js';
import { mergeCodes } from './codes.js';

/**
 * The codebook and the coded segments as spreadsheets. Pure row building: the server decides
 * what may leave (visibility, masking, pseudonyms) and hands the result here. Both files are
 * written the way Calma's other spreadsheet exports are (`writeCsv` with a BOM and formulas
 * defused), so a participant's code or note never runs as a formula.
 */

/** Who made a label, for an export: the participant's pseudonym, or the moderator's. */
export const moderatorCoderName = 'Moderator';

/** A label as the codebook reads it. */
export interface CodebookLabel {
  readonly id: string;
  readonly text: string;
  readonly participantId: string | null;
}

/** An attribute as the codebook reads it: its codes count for (1) or against (-1) it. */
export interface CodebookAttribute {
  readonly name: string;
  readonly definition: string;
  readonly codes: readonly { readonly labelId: string; readonly sign: 1 | -1 }[];
}

/** The codebook's columns. */
export const codebookCsvColumns = ['code', 'uses', 'coders', 'attributes', 'attribute_definitions'] as const;

/** One distinct code of the codebook. */
export interface CodebookEntry {
  /** The spelling most of its labels use (first seen on a tie). */
  readonly code: string;
  readonly uses: number;
  /** Distinct coders; the moderator counts as one. */
  readonly coders: number;
  /** Attributes any of its labels belong to, with the sign, in the attributes' order. */
  readonly attributes: { readonly name: string; readonly definition: string; readonly sign: 1 | -1 }[];
}

/**
 * The distinct codes (spellings merged as agreement merges them: trimmed, case-insensitive) in
 * the order first used, each with how often and by how many it was used and where it belongs.
 */
export function codebookEntries(
  labels: readonly CodebookLabel[],
  attributes: readonly CodebookAttribute[],
): CodebookEntry[] {
  const codes = mergeCodes(labels, (label) => label.text);
  const keyOfLabel = new Map<string, string>();
  for (const code of codes) for (const label of code.items) keyOfLabel.set(label.id, code.key);
  const belongs = new Map<string, CodebookEntry['attributes']>();
  for (const attribute of attributes) {
    const seen = new Map<string, Set<1 | -1>>();
    for (const { labelId, sign } of attribute.codes) {
      const key = keyOfLabel.get(labelId);
      if (key === undefined) continue;
      const signs = seen.get(key) ?? new Set();
      if (signs.has(sign)) continue;
      signs.add(sign);
      seen.set(key, signs);
      const list = belongs.get(key) ?? [];
      list.push({ name: attribute.name, definition: attribute.definition, sign });
      belongs.set(key, list);
    }
  }
  return codes.map(({ key, text, count, items }) => ({
    code: text,
    uses: count,
    // A participant id never equals this key (ids are generated), so the moderator counts once.
    coders: new Set(items.map((label) => label.participantId ?? '\u0000moderator')).size,
    attributes: belongs.get(key) ?? [],
  }));
}

const signMark = (sign: 1 | -1) => (sign === 1 ? '(for)' : '(against)');

/**
 * The codebook CSV: one row per distinct code. A code in several attributes lists them one a
 * line within its cell (`warmth (for)`), and their definitions likewise (`warmth: …`).
 */
export function toCodebookCsv(entries: readonly CodebookEntry[]): string {
  return writeCsv(
    [
      [...codebookCsvColumns],
      ...entries.map((e) => [
        e.code,
        e.uses,
        e.coders,
        e.attributes.map((a) => `${a.name} ${signMark(a.sign)}`).join('\n'),
        e.attributes
          .filter((a, i, all) => all.findIndex((b) => b.name === a.name) === i)
          .map((a) => `${a.name}: ${a.definition}`)
          .join('\n'),
      ]),
    ],
    { spreadsheet: true },
  );
}

/** The coded segments' columns. */
export const codedSegmentsCsvColumns = [
  'coder',
  'interaction_id',
  'message_index',
  'span_start',
  'span_end',
  'coded_text',
  'code',
  'note',
  'created_at',
] as const;

/** A coded turn or span, as exported (already masked and re-offset where the turn is masked). */
export interface CodedSegment {
  /** The coder's pseudonym (`P1`) or {@link moderatorCoderName}. */
  readonly coder: string;
  readonly interactionId: string;
  readonly messageIndex: number | null;
  /** Null: the whole turn. */
  readonly span: { readonly start: number; readonly end: number } | null;
  /** The message's text as exported; the coded text is cut from it. */
  readonly messageText: string | undefined;
  readonly code: string;
  readonly note: string | null;
  readonly createdAt: string | undefined;
}

/** The coded-segments CSV: one row per coded span or turn, the coded words quoted in full. */
export function toCodedSegmentsCsv(segments: readonly CodedSegment[]): string {
  return writeCsv(
    [
      [...codedSegmentsCsvColumns],
      ...segments.map((s) => [
        s.coder,
        s.interactionId,
        s.messageIndex,
        s.span?.start,
        s.span?.end,
        s.span && s.messageText !== undefined ? s.messageText.slice(s.span.start, s.span.end) : (s.messageText ?? ''),
        s.code,
        s.note,
        s.createdAt,
      ]),
    ],
    { spreadsheet: true },
  );
}
