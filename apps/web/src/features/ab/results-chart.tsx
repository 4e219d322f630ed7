import type { AbResults } from '@calma/protocol';
import { useTranslation } from 'react-i18next';

const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : `${Math.round(value * 100)} %`;

/**
 * Win rates per axis as a plot: for each axis, model A's win rate as a bar from the left and B's
 * as the rest, the 95 % interval of A's rate as a whisker, and the 50 % line (no difference). The
 * figure is described in words for screen readers, and the numbers follow in a table.
 */
export function AbResultsChart({ results }: { results: AbResults }) {
  const { t } = useTranslation('ab');
  const { a, b } = results.models;
  const width = 320;
  const left = 0;
  const rowHeight = 46;
  const height = results.axes.length * rowHeight + 24;
  const x = (value: number) => left + value * width;
  const summary = results.axes
    .map((axis) =>
      t('results.axisSummary', {
        axis: axis.name,
        model: a.label,
        rate: percent(axis.a.winRate),
        low: percent(axis.a.interval?.low),
        high: percent(axis.a.interval?.high),
        count: axis.n,
      }),
    )
    .join(' ');
  return (
    <figure className="ab-chart">
      <div className="ab-legend">
        <span>
          <span className="ab-swatch ab-swatch-a" aria-hidden="true" /> {t('results.modelA', { model: a.label })}
        </span>
        <span>
          <span className="ab-swatch ab-swatch-b" aria-hidden="true" /> {t('results.modelB', { model: b.label })}
        </span>
      </div>
      <svg
        viewBox={`-4 0 ${width + 8} ${height}`}
        role="img"
        aria-label={summary}
        className="ab-chart-svg"
        data-testid="ab-chart"
      >
        {results.axes.map((axis, i) => {
          const y = i * rowHeight;
          const rate = axis.a.winRate;
          return (
            <g key={axis.id}>
              <text x={0} y={y + 12} className="ab-chart-axis">
                {axis.name} · {t('results.votes', { count: axis.n })}
              </text>
              <rect x={x(0)} y={y + 18} width={width} height={18} className="ab-bar-b" />
              {rate !== null && <rect x={x(0)} y={y + 18} width={rate * width} height={18} className="ab-bar-a" />}
              {axis.a.interval && (
                <g className="ab-whisker">
                  <line x1={x(axis.a.interval.low)} x2={x(axis.a.interval.high)} y1={y + 27} y2={y + 27} />
                  <line x1={x(axis.a.interval.low)} x2={x(axis.a.interval.low)} y1={y + 21} y2={y + 33} />
                  <line x1={x(axis.a.interval.high)} x2={x(axis.a.interval.high)} y1={y + 21} y2={y + 33} />
                </g>
              )}
            </g>
          );
        })}
        <line x1={x(0.5)} x2={x(0.5)} y1={14} y2={height - 10} className="ab-midline" />
        <text x={x(0.5)} y={height - 1} textAnchor="middle" className="ab-chart-tick">
          50 %
        </text>
      </svg>
      <figcaption className="hint">{t('results.caption')}</figcaption>
      {/* Focusable, so that a keyboard can scroll the table where it is wider than a phone. */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1) */}
      <section className="ab-table-wrap" tabIndex={0} aria-label={t('results.tableCaption')}>
        <table className="ab-table">
          <caption className="visually-hidden">{t('results.tableCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('results.axis')}</th>
              <th scope="col">{t('results.model')}</th>
              <th scope="col">{t('results.wins')}</th>
              <th scope="col">{t('results.losses')}</th>
              <th scope="col">{t('results.ties')}</th>
              <th scope="col">{t('results.winRate')}</th>
              <th scope="col">{t('results.interval')}</th>
            </tr>
          </thead>
          <tbody>
            {results.axes.flatMap((axis) =>
              (['a', 'b'] as const).map((side) => {
                const r = axis[side];
                return (
                  <tr key={`${axis.id}-${side}`}>
                    <th scope="row" dir="auto">
                      {axis.name}
                    </th>
                    <td dir="auto">{results.models[side].label}</td>
                    <td>{r.wins}</td>
                    <td>{r.losses}</td>
                    <td>{r.ties}</td>
                    <td>{percent(r.winRate)}</td>
                    <td>{r.interval ? `${percent(r.interval.low)} – ${percent(r.interval.high)}` : '–'}</td>
                  </tr>
                );
              }),
            )}
          </tbody>
        </table>
      </section>
    </figure>
  );
}
