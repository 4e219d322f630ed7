import { useTranslation } from 'react-i18next';

/** Terms sized by how often the group wrote them (plain counts, stop words out). */
export function WordCloud({ terms, max = 60 }: { terms: { term: string; count: number }[]; max?: number }) {
  const { t } = useTranslation('summary');
  const shown = terms.slice(0, max);
  const top = shown[0]?.count ?? 1;
  if (shown.length === 0) return <p className="hint">{t('noLabels')}</p>;
  return (
    <ul className="word-cloud" aria-label={t('wordCloudLabel')}>
      {[...shown]
        .sort((a, b) => a.term.localeCompare(b.term))
        .map(({ term, count }) => (
          <li key={term} dir="auto" style={{ fontSize: `${0.85 + (1.6 * count) / top}rem` }}>
            {term}
            <span className="visually-hidden"> ({t('times', { count })})</span>
          </li>
        ))}
    </ul>
  );
}
