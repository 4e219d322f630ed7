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

const likertColours = ['#b2182b', '#ef8a62', '#bababa', '#67a9cf', '#2166ac'];
const likertNames = ['Strongly disagree', 'Disagree', 'Neutral', 'Agree', 'Strongly agree'];

/**
 * Likert answers per final attribute as diverging stacked bars: disagreement to the left of zero,
 * agreement to the right, neutral split across it.
 */
export function LikertChart({ analysis, names }: { analysis: Analysis; names: Record<string, string> }) {
  const data = analysis.groupRanking.map((id) => {
    const c = analysis.likert[id]?.counts ?? [0, 0, 0, 0, 0];
    return {
      name: names[id] ?? id,
      [likertNames[0] as string]: -(c[0] ?? 0),
      [likertNames[1] as string]: -(c[1] ?? 0),
      neutralLeft: -(c[2] ?? 0) / 2,
      neutralRight: (c[2] ?? 0) / 2,
      [likertNames[3] as string]: c[3] ?? 0,
      [likertNames[4] as string]: c[4] ?? 0,
    };
  });
  return (
    <figure className="chart" aria-label="Likert answers per final attribute">
      <figcaption>Agreement with each final definition (segment 5)</figcaption>
      <ResponsiveContainer width="100%" height={Math.max(160, 48 * data.length + 60)}>
        <BarChart data={data} layout="vertical" stackOffset="sign" margin={{ left: 24, right: 24 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            type="number"
            allowDecimals={false}
            domain={[-Math.max(1, analysis.participants), Math.max(1, analysis.participants)]}
            tickFormatter={(v: number) => String(Math.abs(v))}
          />
          <YAxis type="category" dataKey="name" width={160} />
          <Tooltip formatter={(v) => Math.abs(Number(v))} />
          <ReferenceLine x={0} stroke="#333" />
          <Bar dataKey={likertNames[1] as string} stackId="l" fill={likertColours[1]} />
          <Bar dataKey={likertNames[0] as string} stackId="l" fill={likertColours[0]} />
          <Bar dataKey="neutralLeft" stackId="l" fill={likertColours[2]} name="Neutral" legendType="none" />
          <Bar dataKey="neutralRight" stackId="l" fill={likertColours[2]} name="Neutral" />
          <Bar dataKey={likertNames[3] as string} stackId="l" fill={likertColours[3]} />
          <Bar dataKey={likertNames[4] as string} stackId="l" fill={likertColours[4]} />
          <Legend />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Each participant's agreement with the group ranking (Kendall's tau-b), segment 1 → segment 5. */
export function ShiftChart({ analysis, names }: { analysis: Analysis; names: Record<string, string> }) {
  const people = analysis.participantsShift;
  const data = [
    { when: 'Segment 1', ...Object.fromEntries(people.map((p) => [p.participantId, p.tauWithGroupBefore])) },
    { when: 'Segment 5', ...Object.fromEntries(people.map((p) => [p.participantId, p.tauWithGroupAfter])) },
  ];
  const colours = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];
  return (
    <figure className="chart" aria-label="Rank shift from segment 1 to segment 5">
      <figcaption>
        Each participant's agreement with the group ranking (tau-b), before and after the discussion
      </figcaption>
      <ResponsiveContainer width="100%" height={280}>
        <LineChart data={data} margin={{ left: 8, right: 24, top: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="when" />
          <YAxis domain={[-1, 1]} />
          <Tooltip />
          <Legend />
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
    </figure>
  );
}

/** Kendall's W (agreement among all participants) before and after, and each person's top-3 overlap. */
export function ConsensusCharts({ analysis, names }: { analysis: Analysis; names: Record<string, string> }) {
  const w = [
    { when: 'Segment 1', W: analysis.concordance.segment1W ?? 0 },
    { when: 'Segment 5', W: analysis.concordance.segment5W ?? 0 },
  ];
  const overlap = analysis.participantsShift.map((p) => ({
    name: names[p.participantId] ?? p.participantId,
    before: p.top3JaccardBefore ?? 0,
    after: p.top3JaccardAfter ?? 0,
  }));
  return (
    <div className="chart-row">
      <figure className="chart" aria-label="Kendall's W before and after">
        <figcaption>Kendall's W, before vs after</figcaption>
        <ResponsiveContainer width="100%" height={240}>
          <BarChart data={w}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="when" />
            <YAxis domain={[0, 1]} />
            <Tooltip />
            <Bar dataKey="W" fill="#2166ac" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart" aria-label="Top-3 overlap with the group">
        <figcaption>Overlap of each top-3 with the group's (Jaccard)</figcaption>
        <ResponsiveContainer width="100%" height={240}>
          <BarChart data={overlap}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="name" />
            <YAxis domain={[0, 1]} />
            <Tooltip />
            <Legend />
            <Bar dataKey="before" name="Segment 1" fill="#bababa" isAnimationActive={false} />
            <Bar dataKey="after" name="Segment 5" fill="#2166ac" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}
