import { interactionExcerpt } from '@calma/core';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber, formatShare } from './format';

/** One derived axis as the export serves it (`GET /api/sessions/:id/export?format=json`). */
export interface ExportedAxis {
  rank: number;
  id: string;
  name: string;
  definition: string;
  inGroupTop3: boolean;
  inGroupTop5: boolean;
  agreement: { n: number; mean: number | null; median: number | null; agreeShare: number | null };
  examples: { interactionId: string; excerpt: string; prompt?: string | null }[];
  sourceLabels: { id: string; text: string }[];
}

/** Labels written the same way by several people, shown once with how often (the export keeps each). */
function distinctTexts(labels: readonly { text: string }[]): { text: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const { text } of labels) counts.set(text, (counts.get(text) ?? 0) + 1);
  return [...counts].map(([text, count]) => ({ text, count }));
}

/** How much of an example the table shows before "show full example". */
const shortExample = 110;

/** One example: a short quote, and the question and whole answer on demand. */
function Example({ example }: { example: ExportedAxis['examples'][number] }) {
  const { t } = useTranslation('analyst');
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const short = interactionExcerpt(example.excerpt, shortExample);
  return (
    <div className="axis-example">
      {!open && (
        <q dir="auto" className="axis-example-short">
          {short}
        </q>
      )}
      <button
        type="button"
        className="link-button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        {open ? t('axes.hideExample') : t('axes.showExample')}
      </button>
      <div id={panelId} hidden={!open} className="axis-example-full" data-testid="full-example">
        {open && (
          <>
            <p className="example-part">{t('axes.prompt')}</p>
            <p dir="auto">{example.prompt ?? t('axes.noPrompt')}</p>
            <p className="example-part">{t('axes.response')}</p>
            <p dir="auto" className="example-response">
              {example.excerpt}
            </p>
          </>
        )}
      </div>
    </div>
  );
}

/**
 * The derived axes: rank, name and definition, the group's pick, agreement, short examples (whole
 * on demand) and source labels. On a phone each axis becomes a stacked block, its cells labelled;
 * between that and a wide screen the table scrolls sideways inside its own box.
 */
export function AxesTable({ axes }: { axes: ExportedAxis[] }) {
  const { t, i18n } = useTranslation('analyst');
  if (axes.length === 0) return <p className="hint">{t('axes.none')}</p>;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (WCAG 2.1.1)
    <section className="table-scroll" aria-labelledby="axes-title" tabIndex={0}>
      <table className="table axes-table" data-testid="axes-table">
        <thead>
          <tr>
            <th scope="col">{t('axes.rank')}</th>
            <th scope="col">{t('axes.axis')}</th>
            <th scope="col">{t('axes.agreement')}</th>
            <th scope="col">{t('axes.examples')}</th>
            <th scope="col">{t('axes.sourceLabels')}</th>
          </tr>
        </thead>
        <tbody>
          {axes.map((axis) => (
            <tr key={axis.id}>
              <td data-label={t('axes.rank')}>
                {axis.rank}
                {(axis.inGroupTop3 || axis.inGroupTop5) && (
                  <span className="pick">{axis.inGroupTop3 ? t('axes.top3') : t('axes.top5')}</span>
                )}
              </td>
              <th scope="row" className="axis-cell">
                <span dir="auto" className="axis-name">
                  {axis.name}
                </span>
                <span dir="auto" className="axis-definition">
                  {axis.definition}
                </span>
              </th>
              <td className="agreement-cell" data-label={t('axes.agreement')}>
                {axis.agreement.n === 0
                  ? t('axes.noRatings')
                  : t('axes.agreementText', {
                      share: formatShare(axis.agreement.agreeShare, i18n.language),
                      mean: formatNumber(axis.agreement.mean, i18n.language),
                      count: axis.agreement.n,
                    })}
              </td>
              <td className="examples-cell" data-label={t('axes.examples')}>
                {axis.examples.length === 0 ? (
                  <span className="hint">{t('axes.noExamples')}</span>
                ) : (
                  axis.examples.map((e) => <Example key={e.interactionId} example={e} />)
                )}
              </td>
              <td data-label={t('axes.sourceLabels')}>
                {axis.sourceLabels.length === 0 ? (
                  <span className="hint">{t('axes.noSourceLabels')}</span>
                ) : (
                  <ul className="source-labels">
                    {distinctTexts(axis.sourceLabels).map(({ text, count }) => (
                      <li key={text} dir="auto">
                        {text}
                        {count > 1 && <span className="label-count"> ×{count}</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
