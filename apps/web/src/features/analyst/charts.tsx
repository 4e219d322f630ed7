import type { ReactNode } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Analysis } from '../../lib/contract';
import { Explanation } from './explain';
import { formatNumber, formatShare } from './format';
import type { Readings } from './readings';

/** The Likert scale, in its own order: the legend follows it, never the alphabet. */
const likertScale = [
  { key: 'stronglyDisagree', colour: '#b2182b' },
  { key: 'disagree', colour: '#d6604d' },
  { key: 'neutral', colour: '#8c8c8c' },
  { key: 'agree', colour: '#4393c3' },
  { key: 'stronglyAgree', colour: '#2166ac' },
] as const;

/** A tooltip value, rounded (the chart's own values are raw floats). */
function useTooltipNumber(): (value: unknown) => string {
  const { i18n } = useTranslation('analyst');
  return (value) => formatNumber(typeof value === 'number' ? Math.abs(value) : Number(value), i18n.language);
}

/**
 * Recharts sorts legends and tooltips alphabetically by default ("After" before "Before"); this
 * keeps the order the series were given in.
 */
const inSeriesOrder =
  (keys: readonly string[]) =>
  (item: { dataKey?: unknown }): number =>
    keys.indexOf(String(item.dataKey));

/** A figure with its plain reading and its "what is this". */
function Figure({
  id,
  title,
  reading,
  explain,
  empty = false,
  children,
}: {
  id: string;
  title: string;
  reading: ReactNode;
  explain?: 'kendallW' | 'tauB' | 'jaccard' | 'likert';
  /** Nothing to draw: the reading says so, and an empty chart would only be noise. */
  empty?: boolean;
  children: ReactNode;
}) {
  return (
    <figure className="chart" aria-labelledby={`${id}-title`} data-testid={id}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <p className="reading" data-testid={`${id}-reading`}>
        {reading}
      </p>
      {explain && <Explanation term={explain} />}
      {!empty && children}
    </figure>
  );
}

/**
 * Likert answers per final attribute as diverging stacked bars: disagreement to the left of zero,
 * agreement to the right, neutral split across it. The legend is the scale, in order.
 */
export function LikertChart({
  analysis,
  names,
  readings,
}: {
  analysis: Analysis;
  names: Record<string, string>;
  readings: Readings;
}) {
  const { t, i18n } = useTranslation('analyst');
  const label = (key: (typeof likertScale)[number]['key']) => t(`likert.${key}`);
  const data = analysis.groupRanking.map((id) => {
    const c = analysis.likert[id]?.counts ?? [0, 0, 0, 0, 0];
    return {
      name: names[id] ?? id,
      counts: c,
      stronglyDisagree: -(c[0] ?? 0),
      disagree: -(c[1] ?? 0),
      neutralLeft: -(c[2] ?? 0) / 2,
      neutralRight: (c[2] ?? 0) / 2,
      agree: c[3] ?? 0,
      stronglyAgree: c[4] ?? 0,
    };
  });
  const span = Math.max(1, analysis.participants);
  const { best, worst } = readings.likert;
  const reading =
    best === null ? (
      t('reading.likert.missing')
    ) : worst !== null && worst.share === best.share ? (
      t('reading.likert.same', { share: formatShare(best.share, i18n.language) })
    ) : (
      <>
        <Trans
          t={t}
          i18nKey="reading.likert.best"
          values={{ name: names[best.id] ?? best.id, share: formatShare(best.share, i18n.language) }}
          components={{ name: <bdi /> }}
        />
        {worst && (
          <>
            {' '}
            <Trans
              t={t}
              i18nKey="reading.likert.worst"
              values={{ name: names[worst.id] ?? worst.id, share: formatShare(worst.share, i18n.language) }}
              components={{ name: <bdi /> }}
            />
          </>
        )}
      </>
    );
  const bar = (key: (typeof likertScale)[number]['key'], dataKey: string, colour: string) => (
    <Bar key={dataKey} dataKey={dataKey} stackId="l" fill={colour} name={label(key)} isAnimationActive={false} />
  );
  return (
    <Figure id="likert-chart" title={t('charts.likert')} reading={reading} explain="likert" empty={best === null}>
      <ol className="likert-legend" aria-label={t('charts.likertLegend')}>
        {likertScale.map((s) => (
          <li key={s.key}>
            <span className="swatch" style={{ background: s.colour }} aria-hidden="true" />
            {label(s.key)}
          </li>
        ))}
      </ol>
      <ResponsiveContainer width="100%" height={Math.max(160, 48 * data.length + 40)}>
        <BarChart data={data} layout="vertical" stackOffset="sign" margin={{ left: 8, right: 16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            type="number"
            allowDecimals={false}
            domain={[-span, span]}
            ticks={span <= 10 ? Array.from({ length: 2 * span + 1 }, (_, i) => i - span) : undefined}
            tickFormatter={(v: number) => String(Math.abs(v))}
          />
          <YAxis type="category" dataKey="name" width={120} />
          <Tooltip
            content={({ active, payload, label: row }) => {
              const counts = (payload?.[0]?.payload as { counts?: number[] } | undefined)?.counts;
              if (!active || !counts) return null;
              // The answers in scale order, neutral counted once (the bars split it across zero).
              return (
                <div className="chart-tooltip">
                  <p dir="auto">{String(row)}</p>
                  <ul>
                    {likertScale.map((s, i) => (
                      <li key={s.key}>
                        {label(s.key)}: {formatNumber(counts[i] ?? 0, i18n.language)}
                      </li>
                    ))}
                  </ul>
                </div>
              );
            }}
          />
          <ReferenceLine x={0} stroke="#333" />
          {/* Stacking order: each side grows outwards from zero. */}
          {bar('disagree', 'disagree', likertScale[1].colour)}
          {bar('stronglyDisagree', 'stronglyDisagree', likertScale[0].colour)}
          {bar('neutral', 'neutralLeft', likertScale[2].colour)}
          {bar('neutral', 'neutralRight', likertScale[2].colour)}
          {bar('agree', 'agree', likertScale[3].colour)}
          {bar('stronglyAgree', 'stronglyAgree', likertScale[4].colour)}
        </BarChart>
      </ResponsiveContainer>
    </Figure>
  );
}

/** The sentence for a before/after change of one figure. */
function ChangeReading({ figure, change }: { figure: 'w' | 'tau' | 'jaccard'; change: Readings['tau'] }) {
  const { t, i18n } = useTranslation('analyst');
  return (
    <>
      {t(`reading.${figure}.${change.trend}`, {
        before: formatNumber(change.before, i18n.language),
        after: formatNumber(change.after, i18n.language),
      })}
    </>
  );
}

/** Each participant's agreement with the group ranking (Kendall's tau-b), segment 1 → segment 5. */
export function ShiftChart({
  analysis,
  names,
  readings,
}: {
  analysis: Analysis;
  names: Record<string, string>;
  readings: Readings;
}) {
  const { t } = useTranslation('analyst');
  const tooltipNumber = useTooltipNumber();
  const people = analysis.participantsShift;
  const data = [
    { when: t('charts.before'), ...Object.fromEntries(people.map((p) => [p.participantId, p.tauWithGroupBefore])) },
    { when: t('charts.after'), ...Object.fromEntries(people.map((p) => [p.participantId, p.tauWithGroupAfter])) },
  ];
  const colours = ['#1b7a5e', '#b34700', '#5c56a8', '#c0196f', '#4d7f16', '#8a6d00', '#8a5a14', '#555555'];
  const { total, closer } = readings.tauPeople;
  return (
    <Figure
      id="shift-chart"
      title={t('charts.shift')}
      explain="tauB"
      empty={people.every((p) => p.tauWithGroupBefore === null && p.tauWithGroupAfter === null)}
      reading={
        <>
          <ChangeReading figure="tau" change={readings.tau} />
          {total > 0 && ` ${t('reading.tauPeople', { closer, total })}`}
        </>
      }
    >
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={data} margin={{ left: 0, right: 16, top: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="when" padding={{ left: 48, right: 48 }} />
          <YAxis domain={[-1, 1]} />
          <Tooltip formatter={tooltipNumber} itemSorter={inSeriesOrder(people.map((p) => p.participantId))} />
          <Legend itemSorter={null} />
          {people.map((p, i) => (
            <Line
              key={p.participantId}
              dataKey={p.participantId}
              name={names[p.participantId] ?? p.participantId}
              stroke={colours[i % colours.length]}
              strokeWidth={2}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </Figure>
  );
}

/** Kendall's W (agreement among all participants) before and after, and each person's top-3 overlap. */
export function ConsensusCharts({
  analysis,
  names,
  readings,
}: {
  analysis: Analysis;
  names: Record<string, string>;
  readings: Readings;
}) {
  const { t } = useTranslation('analyst');
  const tooltipNumber = useTooltipNumber();
  const w = [
    { when: t('charts.before'), W: analysis.concordance.segment1W },
    { when: t('charts.after'), W: analysis.concordance.segment5W },
  ];
  const overlap = analysis.participantsShift.map((p) => ({
    name: names[p.participantId] ?? p.participantId,
    before: p.top3JaccardBefore,
    after: p.top3JaccardAfter,
  }));
  return (
    <div className="chart-row">
      <Figure
        id="w-chart"
        title={t('charts.w')}
        explain="kendallW"
        empty={analysis.concordance.segment1W === null && analysis.concordance.segment5W === null}
        reading={<ChangeReading figure="w" change={readings.concordance} />}
      >
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={w}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="when" />
            <YAxis domain={[0, 1]} />
            <Tooltip formatter={tooltipNumber} />
            <Bar dataKey="W" name={t('charts.wSeries')} fill="#2166ac" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </Figure>
      <Figure
        id="jaccard-chart"
        title={t('charts.jaccard')}
        explain="jaccard"
        empty={overlap.every((o) => o.before === null && o.after === null)}
        reading={<ChangeReading figure="jaccard" change={readings.jaccard} />}
      >
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={overlap}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="name" />
            <YAxis domain={[0, 1]} />
            <Tooltip formatter={tooltipNumber} itemSorter={inSeriesOrder(['before', 'after'])} />
            <Legend itemSorter={null} />
            <Bar dataKey="before" name={t('charts.before')} fill="#8c8c8c" isAnimationActive={false} />
            <Bar dataKey="after" name={t('charts.after')} fill="#2166ac" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </Figure>
    </div>
  );
}
