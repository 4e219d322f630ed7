import type { JudgeRun } from '@calma/protocol';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Cell, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber, formatShare } from '../analyst/format';

/** Score colours, 1 (goes against the axis) to 5 (fully meets it): a diverging scale. */
const scoreColours = ['#b2182b', '#ef8a62', '#8c8c8c', '#67a9cf', '#2166ac'] as const;

/** How many turns got each score, 1–5, on one axis. */
export function scoreCounts(run: Pick<JudgeRun, 'scores'>, axisId: string): number[] {
  const counts = [0, 0, 0, 0, 0];
  for (const s of run.scores)
    if (s.axisId === axisId && s.score >= 1 && s.score <= 5) counts[s.score - 1] = (counts[s.score - 1] ?? 0) + 1;
  return counts;
}

/** Per axis, a bar chart of how many turns got each score, with the counts read out in words. */
export function ScoreDistributions({ run }: { run: JudgeRun }) {
  const { t, i18n } = useTranslation('judge');
  return (
    <section aria-labelledby="distribution-title" className="judge-distributions">
      <h3 id="distribution-title">{t('distribution.title')}</h3>
      <p className="hint">{t('distribution.intro')}</p>
      <div className="judge-distribution-grid">
        {run.axes.map((axis) => {
          const counts = scoreCounts(run, axis.id);
          const total = counts.reduce((a, b) => a + b, 0);
          const data = counts.map((count, i) => ({ score: String(i + 1), count }));
          const reading = t('distribution.reading', {
            counts: counts.map((c, i) => t('distribution.count', { score: i + 1, count: c })).join(', '),
            total: formatNumber(total, i18n.language, 0),
          });
          return (
            <figure key={axis.id} className="chart judge-distribution" data-testid="judge-distribution">
              <figcaption dir="auto">{axis.name}</figcaption>
              <p className="reading">{reading}</p>
              <div className="judge-chart-plot">
                <ResponsiveContainer width="100%" height={180}>
                  <BarChart data={data} margin={{ top: 16, left: 0, right: 8, bottom: 8 }}>
                    <CartesianGrid strokeDasharray="3 3" vertical={false} />
                    <XAxis
                      dataKey="score"
                      label={{ value: t('distribution.score'), position: 'insideBottom', offset: -2 }}
                      height={36}
                    />
                    <YAxis allowDecimals={false} width={32} />
                    <Tooltip formatter={(v) => [formatNumber(Number(v), i18n.language, 0), t('distribution.turns')]} />
                    <Bar dataKey="count" isAnimationActive={false}>
                      {data.map((d, i) => (
                        <Cell key={d.score} fill={scoreColours[i]} />
                      ))}
                      <LabelList dataKey="count" position="top" />
                    </Bar>
                  </BarChart>
                </ResponsiveContainer>
              </div>
            </figure>
          );
        })}
      </div>
    </section>
  );
}

/** Per axis, the share of the people's examples the judge put on the right side, with n in the label. */
export function AgreementChart({ run }: { run: JudgeRun }) {
  const { t, i18n } = useTranslation('judge');
  const data = run.agreement.map((a) => ({
    name: t('agreement.barLabel', { name: a.name ?? a.axisId, n: a.n }),
    accuracy: a.accuracy === null ? 0 : Math.round(a.accuracy * 100),
    shown: formatShare(a.accuracy, i18n.language),
  }));
  const reading = run.agreement
    .map((a) =>
      t('agreement.reading', { name: a.name ?? a.axisId, accuracy: formatShare(a.accuracy, i18n.language), n: a.n }),
    )
    .join(' ');
  return (
    <figure className="chart" data-testid="judge-agreement-chart">
      <figcaption>{t('agreement.chart')}</figcaption>
      <p className="reading" data-testid="judge-agreement-reading">
        {reading}
      </p>
      <div className="judge-chart-plot">
        <ResponsiveContainer width="100%" height={Math.max(120, 44 * data.length + 40)}>
          <BarChart data={data} layout="vertical" margin={{ left: 8, right: 40 }}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" domain={[0, 100]} unit="%" />
            <YAxis type="category" dataKey="name" width={130} />
            <Bar dataKey="accuracy" fill="#2166ac" isAnimationActive={false}>
              <LabelList dataKey="shown" position="right" />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
