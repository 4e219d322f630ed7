import type { AnalysisInput, SessionAnalysis } from './session-analysis.js';

/** One derived axis, a row of the paper's table of axes. */
export interface DerivedAxis {
  /** 1-based position in the group's ranking. */
  readonly rank: number;
  readonly id: string;
  readonly name: string;
  readonly definition: string;
  readonly inGroupTop3: boolean;
  /** True for the group's top-5 picks, which include its top-3 picks. */
  readonly inGroupTop5: boolean;
  readonly agreement: {
    readonly n: number;
    readonly mean: number | null;
    readonly median: number | null;
    readonly agreeShare: number | null;
  };
  readonly examples: readonly { readonly interactionId: string; readonly excerpt: string }[];
  readonly sourceLabels: readonly { readonly id: string; readonly text: string }[];
}

/** Full texts the export quotes from: interaction id → text, label id → text. */
export interface ExportLookup {
  readonly interactions: ReadonlyMap<string, string>;
  readonly labels: ReadonlyMap<string, string>;
}

/** Longest excerpt of an example interaction, in characters, the ellipsis included. */
export const excerptLength = 280;

/**
 * The start of `text` as a one-line excerpt of at most `limit` characters: whitespace runs become
 * one space, and a longer text is cut at the last word boundary that fits, followed by "…".
 */
export function interactionExcerpt(text: string, limit: number = excerptLength): string {
  const flat = text.replace(/\s+/gu, ' ').trim();
  // Count code points, not UTF-16 units, so that a cut never splits a surrogate pair.
  const chars = Array.from(flat);
  if (chars.length <= limit) return flat;
  const head = chars.slice(0, limit - 1).join('');
  const boundary = head.lastIndexOf(' ');
  // One enormous "word" (a URL, a pasted blob) has no boundary worth keeping: cut it hard instead.
  const cut = boundary > 0 ? head.slice(0, boundary) : head;
  return `${cut.trimEnd()}…`;
}

/**
 * The session's final attributes as derived axes, in the order of `analysis.groupRanking`, with
 * their segment-5 agreement, excerpts of their example interactions and the texts of their source
 * labels. Interaction and label ids missing from `lookup` are skipped.
 */
export function deriveAxes(input: AnalysisInput, analysis: SessionAnalysis, lookup: ExportLookup): DerivedAxis[] {
  const attributes = new Map(input.finalAttributes.map((a) => [a.id, a]));
  const top3 = new Set(input.groupTop3);
  const top5 = new Set([...input.groupTop3, ...input.groupTop5]);
  const axes: DerivedAxis[] = [];
  for (const id of analysis.groupRanking) {
    const attribute = attributes.get(id);
    if (!attribute) continue;
    const likert = Object.hasOwn(analysis.likert, id) ? analysis.likert[id] : undefined;
    const examples = attribute.exampleInteractionIds.flatMap((interactionId) => {
      const text = lookup.interactions.get(interactionId);
      return text === undefined ? [] : [{ interactionId, excerpt: interactionExcerpt(text) }];
    });
    const sourceLabels = attribute.sourceLabelIds.flatMap((labelId) => {
      const text = lookup.labels.get(labelId);
      return text === undefined ? [] : [{ id: labelId, text }];
    });
    axes.push({
      rank: axes.length + 1,
      id,
      name: attribute.name,
      definition: attribute.definition,
      inGroupTop3: top3.has(id),
      inGroupTop5: top5.has(id),
      agreement: {
        n: likert?.n ?? 0,
        mean: likert?.mean ?? null,
        median: likert?.median ?? null,
        agreeShare: likert?.agreeShare ?? null,
      },
      examples,
      sourceLabels,
    });
  }
  return axes;
}

/** Up to `digits` decimals, trailing zeros dropped; empty for null. */
function formatNumber(value: number | null, digits: number): string {
  if (value === null) return '';
  // Adding 0 turns the -0 that rounding a tiny negative produces into 0.
  return String(Number(value.toFixed(digits)) + 0);
}

/**
 * One CSV field. A leading = + - @, tab or CR would let a spreadsheet run the cell as a formula
 * (participant-written text lands here), so such a field is prefixed with a single quote.
 */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/u.test(value) ? `'${value}` : value;
  return /[",\r\n]/u.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Column names of the axes CSV, in order. */
export const axesCsvHeader = [
  'rank',
  'name',
  'definition',
  'group_top3',
  'group_top5',
  'ratings',
  'agreement_mean',
  'agreement_median',
  'agree_share',
  'example_interactions',
  'source_labels',
] as const;

/**
 * The axes as RFC 4180 CSV: a header row, CRLF after every record, booleans as true/false, numbers
 * with up to 3 decimals (empty for null), several examples or labels joined with " | ". The
 * example column holds the excerpts, since ids mean nothing to a reader of the table.
 */
export function axesToCsv(axes: readonly DerivedAxis[]): string {
  const rows = axes.map((axis) => [
    String(axis.rank),
    axis.name,
    axis.definition,
    String(axis.inGroupTop3),
    String(axis.inGroupTop5),
    String(axis.agreement.n),
    formatNumber(axis.agreement.mean, 3),
    formatNumber(axis.agreement.median, 3),
    formatNumber(axis.agreement.agreeShare, 3),
    axis.examples.map((e) => e.excerpt).join(' | '),
    axis.sourceLabels.map((l) => l.text).join(' | '),
  ]);
  return [[...axesCsvHeader], ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/**
 * Text made safe for one Markdown table cell: pipes and backslashes escaped, line breaks turned into
 * spaces, and `<` escaped because participant-written text must not become raw HTML when rendered.
 */
function markdownCell(value: string): string {
  return value
    .replace(/\r\n|\r|\n/gu, ' ')
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replaceAll('<', '&lt;');
}

/** Agreement as "4.2 / 5 (80% agree, n=5)", or "no ratings". */
function agreementText(agreement: DerivedAxis['agreement']): string {
  if (agreement.n === 0 || agreement.mean === null) return 'no ratings';
  const share = agreement.agreeShare === null ? '' : `${formatNumber(agreement.agreeShare * 100, 0)}% agree, `;
  return `${formatNumber(agreement.mean, 2)} / 5 (${share}n=${agreement.n})`;
}

/**
 * The axes as a Markdown document: a heading, the generation time, and the table
 * | Rank | Axis | Definition | Agreement | Example | Source labels |. Examples are quoted and
 * separated by `<br>`, source labels by " · ".
 */
export function axesToMarkdown(
  axes: readonly DerivedAxis[],
  meta: { readonly title: string; readonly generatedAt: string },
): string {
  const lines = [
    `# ${markdownCell(meta.title)}`,
    '',
    `Generated ${markdownCell(meta.generatedAt)}.`,
    '',
    '| Rank | Axis | Definition | Agreement | Example | Source labels |',
    '| ---: | --- | --- | --- | --- | --- |',
  ];
  for (const axis of axes) {
    const cells = [
      String(axis.rank),
      markdownCell(axis.name),
      markdownCell(axis.definition),
      agreementText(axis.agreement),
      axis.examples.map((e) => `“${markdownCell(e.excerpt)}”`).join('<br>'),
      axis.sourceLabels.map((l) => markdownCell(l.text)).join(' · '),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
