/** Terms sized by how often the group wrote them (plain counts, stop words out). */
export function WordCloud({ terms, max = 60 }: { terms: { term: string; count: number }[]; max?: number }) {
  const shown = terms.slice(0, max);
  const top = shown[0]?.count ?? 1;
  if (shown.length === 0) return <p className="hint">No labels yet.</p>;
  return (
    <ul className="word-cloud" aria-label="Word cloud of the group's labels">
      {[...shown]
        .sort((a, b) => a.term.localeCompare(b.term))
        .map(({ term, count }) => (
          <li key={term} style={{ fontSize: `${0.85 + (1.6 * count) / top}rem` }} title={`${count}×`}>
            {term}
            <span className="visually-hidden"> ({count})</span>
          </li>
        ))}
    </ul>
  );
}
