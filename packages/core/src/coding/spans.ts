/**
 * Coded spans: a code on part of a turn. Offsets count UTF-16 code units (JavaScript string
 * indices), `start` inclusive and `end` exclusive, so `text.slice(start, end)` is the coded text
 * on the server and in the browser alike.
 */

/** A half-open range `[start, end)` of a message's text, in UTF-16 code units. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Why a span does not fit its message. */
export type SpanProblem = 'not-integer' | 'negative' | 'empty' | 'past-end';

/**
 * Checks a span against a message of `length` code units: `0 ≤ start < end ≤ length`. A
 * zero-length span codes nothing, so it is refused rather than stored as an invisible code.
 */
export function checkSpan(span: Span, length: number): SpanProblem | null {
  if (!Number.isInteger(span.start) || !Number.isInteger(span.end)) return 'not-integer';
  if (span.start < 0 || span.end < 0) return 'negative';
  if (span.end <= span.start) return 'empty';
  if (span.end > length) return 'past-end';
  return null;
}

/** A sentence for a span problem, naming where it is (e.g. `labels[3].span`). */
export function describeSpanProblem(where: string, span: Span, length: number, problem: SpanProblem): string {
  switch (problem) {
    case 'not-integer':
      return `${where} offsets must be whole numbers`;
    case 'negative':
      return `${where} offsets must not be negative`;
    case 'empty':
      return `${where} is empty: start ${span.start} must be before end ${span.end}`;
    case 'past-end':
      return `${where} ends at ${span.end}, past the message's ${length} characters`;
  }
}

/**
 * Whether a stored span still fits the message as it now stands. A message edited after it was
 * coded (a chat retried, a transcript re-imported) may have become shorter: the label is kept
 * and flagged stale rather than silently moved or dropped.
 */
export function spanFits(span: Span, text: string | undefined): boolean {
  return text !== undefined && checkSpan(span, text.length) === null;
}

/** Whether two spans share at least one code unit (touching ends do not overlap). */
export function spansOverlap(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

/** A run of a message's text and the codes (by id) that cover all of it. */
export interface HighlightSegment {
  readonly start: number;
  readonly end: number;
  /** Ids of the spans covering this run, in the order the spans were given; empty: not coded. */
  readonly ids: readonly string[];
}

/**
 * Cuts a message of `length` code units into consecutive runs, each covered by the same set of
 * spans, so overlapping codes can be highlighted without nesting markup. Spans that do not fit
 * are left out (a stale span highlights nothing). The runs cover `[0, length)` exactly.
 */
export function highlightSegments(
  length: number,
  spans: readonly (Span & { readonly id: string })[],
): HighlightSegment[] {
  const fitting = spans.filter((s) => checkSpan(s, length) === null);
  // A sweep over the cut points: each span enters at its start and leaves at its end, so the
  // work grows with the runs and the spans covering them, not with every pair.
  const entering = new Map<number, number[]>();
  const leaving = new Map<number, number[]>();
  for (const [index, s] of fitting.entries()) {
    entering.set(s.start, [...(entering.get(s.start) ?? []), index]);
    leaving.set(s.end, [...(leaving.get(s.end) ?? []), index]);
  }
  const points = [...new Set([0, length, ...entering.keys(), ...leaving.keys()])].sort((a, b) => a - b);
  const active = new Set<number>();
  const segments: HighlightSegment[] = [];
  for (let i = 0; i + 1 < points.length; i += 1) {
    const start = points[i] as number;
    const end = points[i + 1] as number;
    for (const index of leaving.get(start) ?? []) active.delete(index);
    for (const index of entering.get(start) ?? []) active.add(index);
    const ids = [...active].sort((a, b) => a - b).map((index) => (fitting[index] as { id: string }).id);
    segments.push({ start, end, ids });
  }
  return segments;
}
