/**
 * Turns scenario results into the figures and the table a person reads at the end of the run.
 */
import type { ScenarioResult } from './scenario.js';

/** The servers compared, in the order their columns appear. */
export const serverNames = ['calma', 'hocuspocus'] as const;
/** One of the servers compared. */
export type ServerName = (typeof serverNames)[number];

/** The figures reported for one server at one client count. */
export interface Figures {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly cpuPercent: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  readonly idleRssMb: number;
  readonly lost: number;
  readonly expected: number;
  readonly clientCpuPercent: number;
}

/** A server at one client count: its figures, or why it could not be measured. */
export type Outcome =
  | { readonly type: 'measured'; readonly figures: Figures }
  | { readonly type: 'unavailable'; readonly reason: string };

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

/** The reported figures of one scenario. */
export function figuresOf(result: ScenarioResult): Figures {
  const sorted = result.latenciesMs;
  return {
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: percentile(sorted, 1),
    cpuPercent: result.serverCpuPercent,
    cpuSeconds: result.serverCpuSeconds,
    peakRssMb: result.serverPeakRssMb,
    idleRssMb: result.serverIdleRssMb,
    lost: result.lost,
    expected: result.expected,
    clientCpuPercent: result.clientCpuPercent,
  };
}

/** One progress line for a finished scenario. */
export function progressLine(figures: Figures): string {
  const ms = (v: number) => v.toFixed(1);
  return (
    `p50 ${ms(figures.p50)} · p95 ${ms(figures.p95)} · p99 ${ms(figures.p99)} · max ${ms(figures.max)} ms; ` +
    `server CPU ${figures.cpuPercent.toFixed(0)}%, peak RSS ${figures.peakRssMb.toFixed(0)} MB ` +
    `(${figures.idleRssMb.toFixed(0)} MB before clients); ` +
    `lost ${figures.lost}/${figures.expected}; bench-process CPU ${figures.clientCpuPercent.toFixed(0)}%`
  );
}

const rows: readonly { label: string; value: (f: Figures) => number; digits: number }[] = [
  { label: 'p50 edit→peer (ms)', value: (f) => f.p50, digits: 1 },
  { label: 'p95 edit→peer (ms)', value: (f) => f.p95, digits: 1 },
  { label: 'p99 edit→peer (ms)', value: (f) => f.p99, digits: 1 },
  { label: 'max edit→peer (ms)', value: (f) => f.max, digits: 1 },
  { label: 'server CPU (% of a core)', value: (f) => f.cpuPercent, digits: 0 },
  { label: 'server CPU (s)', value: (f) => f.cpuSeconds, digits: 2 },
  { label: 'server peak RSS (MB)', value: (f) => f.peakRssMb, digits: 0 },
  { label: '  RSS before clients (MB)', value: (f) => f.idleRssMb, digits: 0 },
  { label: 'lost updates', value: (f) => f.lost, digits: 0 },
  { label: 'bench-process CPU (%)', value: (f) => f.clientCpuPercent, digits: 0 },
];

/**
 * The closing table: for each client count, each figure for Calma and Hocuspocus and their ratio,
 * then the verdict on the target (Calma's p99 at the largest N no worse than Hocuspocus's).
 */
export function printTable(results: ReadonlyMap<number, ReadonlyMap<ServerName, Outcome>>, header: string): void {
  const width = [26, 11, 11, 13];
  const line = (cells: string[]) =>
    console.log(cells.map((cell, i) => (i === 0 ? cell.padEnd(width[0] ?? 0) : cell.padStart(width[i] ?? 0))).join(''));
  console.log(`\n${header}`);
  for (const [clients, outcomes] of results) {
    const calma = outcomes.get('calma');
    const hocuspocus = outcomes.get('hocuspocus');
    console.log(`\nN = ${clients} clients (1 writer, ${clients - 1} readers)`);
    line(['', 'Calma', 'Hocuspocus', 'Calma/Hocus']);
    for (const row of rows) {
      const a = calma?.type === 'measured' ? row.value(calma.figures) : Number.NaN;
      const b = hocuspocus?.type === 'measured' ? row.value(hocuspocus.figures) : Number.NaN;
      const show = (v: number) => (Number.isNaN(v) ? 'n/a' : v.toFixed(row.digits));
      const ratio = Number.isNaN(a) || Number.isNaN(b) || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`;
      line([row.label, show(a), show(b), ratio]);
    }
    for (const [name, outcome] of outcomes) {
      if (outcome.type === 'unavailable') console.log(`  ${name}: not measured — ${outcome.reason}`);
    }
  }
  const largest = Math.max(...results.keys());
  const at = results.get(largest);
  const calma = at?.get('calma');
  const hocuspocus = at?.get('hocuspocus');
  console.log('');
  if (calma?.type === 'measured' && hocuspocus?.type === 'measured') {
    const ratio = calma.figures.p99 / hocuspocus.figures.p99;
    const verdict = ratio <= 1 ? 'MET' : 'NOT MET';
    const lost = calma.figures.lost > 0 ? ` (but Calma lost ${calma.figures.lost} updates)` : '';
    console.log(
      `Target at N=${largest}: Calma p99 ≤ 1.0× Hocuspocus p99 — ${verdict}: ` +
        `${calma.figures.p99.toFixed(1)} ms vs ${hocuspocus.figures.p99.toFixed(1)} ms = ${ratio.toFixed(2)}×${lost}`,
    );
  } else {
    console.log(`Target at N=${largest}: Calma p99 ≤ 1.0× Hocuspocus p99 — not checked (a server was not measured)`);
  }
}
