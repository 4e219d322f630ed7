import type { AnalysisInput, SessionAnalysis } from './session-analysis.js';

/** Where an axis's examples or source labels came from. */
export const LinkSource = {
  /** Named by the moderator with the final attribute. */
  moderator: 'moderator',
  /**
   * Source labels: the labels the group put in one board cluster with the segment-1 attributes
   * that (by the confirmed mapping) became this axis. Examples: the interactions those labels are about.
   */
  board: 'board',
  /** Examples: the interactions the axis's source labels are about. */
  sourceLabels: 'source-labels',
  none: 'none',
} as const;
/** One of the {@link LinkSource} values. */
export type LinkSource = (typeof LinkSource)[keyof typeof LinkSource];

/** An example interaction of an axis, quoted whole. */
export interface AxisExample {
  readonly interactionId: string;
  /** The model's whole answer (the name is the contract's; nothing is cut). */
  readonly excerpt: string;
  /** What the person asked before that answer, or null when the interaction holds no question. */
  readonly prompt: string | null;
}

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
  readonly examples: readonly AxisExample[];
  readonly examplesFrom: LinkSource;
  readonly sourceLabels: readonly { readonly id: string; readonly text: string }[];
  readonly sourceLabelsFrom: LinkSource;
}

/** An interaction as the export quotes it: the question and the model's answer. */
export interface ExampleText {
  readonly prompt: string | null;
  readonly response: string;
}

/** A board card, as far as it links labels to segment-1 attributes (see {@link LinkSource}). */
export interface BoardLinkCard {
  readonly kind: string;
  readonly clusterId: number | string | null;
  readonly labelId: string | null;
  readonly segment1AttributeId: string | null;
}

/**
 * What the export quotes from: interactions and labels by id (labels in the group's order, with
 * the interaction each is about), and the board's cards for the label → axis link.
 */
export interface ExportLookup {
  readonly interactions: ReadonlyMap<string, ExampleText>;
  readonly labels: ReadonlyMap<string, { readonly text: string; readonly interactionId: string | null }>;
  readonly board?: readonly BoardLinkCard[];
}

/** Longest default excerpt of an example interaction, in characters, the ellipsis included. */
export const excerptLength = 280;

/**
 * The start of `text` as a one-line excerpt of at most `limit` characters: whitespace runs become
 * one space, and a longer text is cut at the last word boundary that fits, followed by "…". For
 * short displays only: the export quotes examples whole.
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

/** Most examples an axis takes from its source labels' interactions. */
const boardExamples = 3;

/**
 * Each final attribute's labels by the board: the labels in the clusters (the affinity map's, or
 * people's own groups) that hold a card of a segment-1 attribute mapped to it. The label → axis
 * link that a session makes without anyone writing it down.
 */
export function boardSourceLabelIds(
  mapping: Readonly<Record<string, string | null>>,
  cards: readonly BoardLinkCard[],
): Map<string, Set<string>> {
  const clustersOf = new Map<string, Set<string>>();
  for (const card of cards) {
    if (card.kind !== 'attribute' || card.segment1AttributeId === null || card.clusterId === null) continue;
    const target = Object.hasOwn(mapping, card.segment1AttributeId) ? mapping[card.segment1AttributeId] : undefined;
    if (typeof target !== 'string') continue;
    const clusters = clustersOf.get(target) ?? new Set<string>();
    clusters.add(String(card.clusterId));
    clustersOf.set(target, clusters);
  }
  const labelsIn = new Map<string, string[]>();
  for (const card of cards) {
    if (card.kind !== 'label' || card.labelId === null || card.clusterId === null) continue;
    const key = String(card.clusterId);
    labelsIn.set(key, [...(labelsIn.get(key) ?? []), card.labelId]);
  }
  const out = new Map<string, Set<string>>();
  for (const [finalId, clusters] of clustersOf)
    out.set(finalId, new Set([...clusters].flatMap((c) => labelsIn.get(c) ?? [])));
  return out;
}

/**
 * The session's final attributes as derived axes, in the order of `analysis.groupRanking`, with
 * their segment-5 agreement, their example interactions quoted whole and the texts of their source
 * labels. Source labels are the moderator's when they named any, else the board's (see
 * {@link boardSourceLabelIds}), in the group's label order; examples likewise, else the interactions
 * of the source labels. Interaction and label ids missing from `lookup` are skipped.
 */
export function deriveAxes(input: AnalysisInput, analysis: SessionAnalysis, lookup: ExportLookup): DerivedAxis[] {
  const attributes = new Map(input.finalAttributes.map((a) => [a.id, a]));
  const top3 = new Set(input.groupTop3);
  const top5 = new Set([...input.groupTop3, ...input.groupTop5]);
  const byBoard = boardSourceLabelIds(input.mapping, lookup.board ?? []);
  const axes: DerivedAxis[] = [];
  for (const id of analysis.groupRanking) {
    const attribute = attributes.get(id);
    if (!attribute) continue;
    const likert = Object.hasOwn(analysis.likert, id) ? analysis.likert[id] : undefined;

    const named = attribute.sourceLabelIds.filter((labelId) => lookup.labels.has(labelId));
    const onBoard = byBoard.get(id) ?? new Set<string>();
    const labelIds = named.length > 0 ? named : [...lookup.labels.keys()].filter((labelId) => onBoard.has(labelId));
    const sourceLabels = labelIds.map((labelId) => ({ id: labelId, text: lookup.labels.get(labelId)?.text ?? '' }));
    const sourceLabelsFrom: LinkSource =
      named.length > 0 ? LinkSource.moderator : labelIds.length > 0 ? LinkSource.board : LinkSource.none;

    const chosen = attribute.exampleInteractionIds.filter((i) => lookup.interactions.has(i));
    const fromLabels = [
      ...new Set(labelIds.flatMap((labelId) => lookup.labels.get(labelId)?.interactionId ?? [])),
    ].filter((i) => lookup.interactions.has(i));
    const interactionIds = chosen.length > 0 ? chosen : fromLabels.slice(0, boardExamples);
    const examples = interactionIds.map((interactionId) => {
      const quoted = lookup.interactions.get(interactionId) as ExampleText;
      return { interactionId, excerpt: quoted.response, prompt: quoted.prompt };
    });
    const examplesFrom: LinkSource =
      chosen.length > 0 ? LinkSource.moderator : examples.length > 0 ? LinkSource.sourceLabels : LinkSource.none;

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
      examplesFrom,
      sourceLabels,
      sourceLabelsFrom,
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

/** Where several whole examples in one CSV cell are parted: an empty line. */
const csvExampleSeparator = '\n\n';

/**
 * The byte-order mark the CSV starts with. Excel reads a CSV without it in the computer's legacy
 * code page, which turns Devanagari and Arabic into mojibake; with it, Excel, LibreOffice and
 * Google Sheets all read UTF-8. (Python reads it with `encoding="utf-8-sig"`.)
 */
export const csvByteOrderMark = '\uFEFF';

/**
 * The axes as RFC 4180 CSV, UTF-8 with a byte-order mark (see {@link csvByteOrderMark}): a
 * header row, CRLF after every record, booleans as true/false, numbers with up to 3 decimals
 * (empty for null), whole example answers parted by an empty line, labels joined with " | ".
 * The example column holds the texts, since ids mean nothing to a reader of the table.
 */
export function axesToCsv(axes: readonly DerivedAxis[], options: { readonly bom?: boolean } = {}): string {
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
    axis.examples.map((e) => e.excerpt).join(csvExampleSeparator),
    axis.sourceLabels.map((l) => l.text).join(' | '),
  ]);
  const body = [[...axesCsvHeader], ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
  return (options.bom ?? true) ? `${csvByteOrderMark}${body}` : body;
}

/**
 * Text made safe for one Markdown table cell: pipes and backslashes escaped, line breaks turned into
 * spaces, and `<` escaped because participant-written text must not become raw HTML when rendered.
 */
function markdownCell(value: string, lineBreak = ' '): string {
  return value
    .trim()
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replaceAll('<', '&lt;')
    .replace(/\r\n|\r|\n/gu, lineBreak);
}

/** A whole example in a table cell: the question (when there is one) and the answer, line breaks kept. */
function markdownExample(example: AxisExample): string {
  const answer = `“${markdownCell(example.excerpt, '<br>')}”`;
  return example.prompt === null ? answer : `**Q:** ${markdownCell(example.prompt, '<br>')}<br>**A:** ${answer}`;
}

/** Agreement as "4.2 / 5 (80% agree, n=5)", or "no ratings". */
function agreementText(agreement: DerivedAxis['agreement']): string {
  if (agreement.n === 0 || agreement.mean === null) return 'no ratings';
  const share = agreement.agreeShare === null ? '' : `${formatNumber(agreement.agreeShare * 100, 0)}% agree, `;
  return `${formatNumber(agreement.mean, 2)} / 5 (${share}n=${agreement.n})`;
}

/**
 * The axes as a Markdown document: a heading, the generation time, and the table
 * | Rank | Axis | Definition | Agreement | Example | Source labels |. Examples are quoted whole
 * (question and answer, line breaks as `<br>`) and parted by an empty line, source labels by " · ".
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
      axis.examples.map(markdownExample).join('<br><br>'),
      axis.sourceLabels.map((l) => markdownCell(l.text)).join(' · '),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
