import { highlightSegments } from '@calma/core';

/** A code with a span on the text shown. */
export interface SpanMark {
  id: string;
  start: number;
  end: number;
  text: string;
}

/**
 * A turn's text with its coded spans marked. Overlapping codes are cut into runs (core's
 * `highlightSegments`), so marks never nest; a run's codes are named in its `title` and, for
 * screen readers, in the code list under the turn.
 */
export function HighlightedText({ text, marks }: { text: string; marks: readonly SpanMark[] }) {
  const byId = new Map(marks.map((m) => [m.id, m.text]));
  const segments = highlightSegments(text.length, marks);
  return (
    <p className="artifact-turn-text" dir="auto">
      {segments.map((segment) => {
        const piece = text.slice(segment.start, segment.end);
        if (segment.ids.length === 0) return <span key={segment.start}>{piece}</span>;
        return (
          <mark
            key={segment.start}
            className={segment.ids.length > 1 ? 'artifact-mark artifact-mark-overlap' : 'artifact-mark'}
            title={segment.ids.map((id) => byId.get(id)).join(', ')}
            data-testid="artifact-mark"
          >
            {piece}
          </mark>
        );
      })}
    </p>
  );
}
