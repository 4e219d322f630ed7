import type { ComparisonAxis, ComparisonTable } from './pairing.js';

/** What the export adds to the table: the groups' names and each axis's definition. */
export interface ComparisonExportContext {
  readonly groups: readonly { readonly id: string; readonly name: string }[];
  readonly definitions: ReadonlyMap<string, string>;
}

/** One row of the exported table: a pair, or an axis only one group has (`b` empty). */
export interface ComparisonExportRow {
  readonly kind: 'shared' | 'near' | 'unique';
  readonly confirmed: boolean;
  readonly similarity: number | null;
  readonly a: ComparisonExportAxis;
  readonly b: ComparisonExportAxis | null;
}

/** An axis in an exported row. */
export interface ComparisonExportAxis {
  readonly groupId: string;
  readonly group: string;
  readonly attributeId: string;
  readonly name: string;
  readonly definition: string;
}

/** Column names of the comparison CSV, in order. */
export const comparisonCsvHeader = [
  'kind',
  'confirmed',
  'similarity',
  'group_a',
  'axis_a',
  'definition_a',
  'group_b',
  'axis_b',
  'definition_b',
] as const;

/** The table as rows: pairs in the table's order, then the unique axes. */
export function comparisonRows(table: ComparisonTable, context: ComparisonExportContext): ComparisonExportRow[] {
  const groupName = new Map(context.groups.map((g) => [g.id, g.name]));
  const axis = (x: ComparisonAxis): ComparisonExportAxis => ({
    groupId: x.groupId,
    group: groupName.get(x.groupId) ?? x.groupId,
    attributeId: x.attributeId,
    name: x.name,
    definition: context.definitions.get(x.attributeId) ?? '',
  });
  return [
    ...table.pairs.map((p) => ({
      kind: p.kind,
      confirmed: p.confirmed,
      similarity: p.similarity,
      a: axis(p.a),
      b: axis(p.b),
    })),
    ...table.unique.map((u) => ({ kind: 'unique' as const, confirmed: false, similarity: null, a: axis(u), b: null })),
  ];
}

/** One CSV field; a leading = + - @ would let a spreadsheet run it as a formula, so it is quoted away. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/u.test(value) ? `'${value}` : value;
  return /[",\r\n]/u.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * The table as RFC 4180 CSV (UTF-8 with a byte-order mark, as the axes export, so spreadsheets
 * read Devanagari): a header row, then one record per row, CRLF after each.
 */
export function comparisonToCsv(rows: readonly ComparisonExportRow[]): string {
  const records = rows.map((r) => [
    r.kind,
    String(r.confirmed),
    r.similarity === null ? '' : r.similarity.toFixed(3),
    r.a.group,
    r.a.name,
    r.a.definition,
    r.b?.group ?? '',
    r.b?.name ?? '',
    r.b?.definition ?? '',
  ]);
  return `\uFEFF${[[...comparisonCsvHeader], ...records].map((row) => `${row.map(csvField).join(',')}\r\n`).join('')}`;
}

/** Text safe in one Markdown table cell (participant-written text never becomes raw HTML). */
const cell = (value: string) =>
  value
    .trim()
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replaceAll('<', '&lt;')
    .replace(/\r\n|\r|\n/gu, ' ');

/**
 * The table as Markdown: a title, then one table with a column per group (pairs of more than two
 * groups name each axis's group), the kind, whether an analyst confirmed it, and the similarity.
 */
export function comparisonToMarkdown(
  rows: readonly ComparisonExportRow[],
  meta: { readonly title: string; readonly generatedAt: string },
): string {
  const lines = [
    `# ${cell(meta.title)}`,
    '',
    `Generated ${meta.generatedAt}. Shared: one-to-one pairs; near: also close; unique: one group only.`,
    '',
    '| Kind | Confirmed | Similarity | Axis A | Group A | Axis B | Group B |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.kind} | ${r.confirmed ? 'yes' : 'no'} | ${r.similarity === null ? '' : r.similarity.toFixed(3)} | ${cell(
          r.a.name,
        )} | ${cell(r.a.group)} | ${cell(r.b?.name ?? '')} | ${cell(r.b?.group ?? '')} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
