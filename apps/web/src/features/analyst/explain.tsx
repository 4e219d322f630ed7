import { useTranslation } from 'react-i18next';

/** A short "what is this" for a statistic, in plain words, opened on demand. */
export function Explanation({ term }: { term: 'kendallW' | 'tauB' | 'jaccard' | 'likert' }) {
  const { t } = useTranslation('analyst');
  return (
    <details className="explanation" data-testid={`explain-${term}`}>
      <summary>{t(`explain.${term}.title`)}</summary>
      <p>{t(`explain.${term}.text`)}</p>
    </details>
  );
}
