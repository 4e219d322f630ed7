/**
 * Turns runs into what a person reads: one progress line per run, and at the end aligned tables of
 * figures per server (the median over repetitions), each with its ratio to the reference column.
 */
import { log } from '../support.js';
import type { ScenarioResult } from './scenario.js';

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

/** One progress line for a finished scenario. */
export function progressLine(result: ScenarioResult): string {
  const sorted = result.latenciesMs;
  const ms = (q: number) => percentile(sorted, q).toFixed(1);
  return (
    `sent ${result.sentPerSecond.toFixed(0)}/s; p50 ${ms(0.5)} · p99 ${ms(0.99)} · max ${ms(1)} ms; server CPU ${result.serverCpuPercent.toFixed(0)}%, ` +
    `RSS ${result.serverWindowStartRssMb.toFixed(0)}→${result.serverWindowPeakRssMb.toFixed(0)} MB; ` +
    `lost ${result.lost}/${result.expected}; bench-process CPU ${result.clientCpuPercent.toFixed(0)}%`
  );
}

/** A row of a table: a figure, how it is shown, and how repetitions combine into one value. */
export interface Metric {
  readonly key: string;
  readonly label: string;
  readonly digits: number;
  /** `median` of the repetitions (the default), or the `best` (largest) one. */
  readonly aggregate?: 'median' | 'best';
  /** Shown in front of a value that sits at the top of what was tried (a ramp that never failed). */
  readonly atLeast?: (value: number) => boolean;
}

/** Figures per metric and column, one value per repetition. */
export class Results<Column extends string> {
  private readonly values = new Map<string, Map<Column, number[]>>();

  add(key: string, column: Column, value: number): void {
    let byColumn = this.values.get(key);
    if (!byColumn) {
      byColumn = new Map();
      this.values.set(key, byColumn);
    }
    byColumn.set(column, [...(byColumn.get(column) ?? []), value]);
  }

  /** The metric's value for `column` over the repetitions measured; NaN when none was. */
  value(metric: Metric, column: Column): number {
    const values = (this.values.get(metric.key)?.get(column) ?? []).filter((v) => !Number.isNaN(v));
    if (values.length === 0) return Number.NaN;
    const sorted = [...values].sort((a, b) => a - b);
    if (metric.aggregate === 'best') return sorted[sorted.length - 1] ?? Number.NaN;
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  }

  /** Every repetition's value, for a table's footnote. */
  all(key: string, column: Column): readonly number[] {
    return this.values.get(key)?.get(column) ?? [];
  }

  has(key: string): boolean {
    return this.values.has(key);
  }
}

/** A column of a table: its key in the results and its title. */
export interface Column<Key extends string> {
  readonly key: Key;
  readonly title: string;
}

const labelWidth = 50;
const cellWidth = 20;

/**
 * Prints `metrics` (those with any value) as rows and `columns` as columns, each cell the value and
 * its ratio to the `reference` column's, e.g. `19.8 (0.96×)`.
 */
export function printComparison<Key extends string>(
  title: string,
  columns: readonly Column<Key>[],
  reference: Key | null,
  metrics: readonly Metric[],
  results: Results<Key>,
  notes: readonly string[] = [],
): void {
  const shown = metrics.filter((m) => results.has(m.key));
  if (shown.length === 0) return;
  console.log(`\n${title}`);
  console.log(`${''.padEnd(labelWidth)}${columns.map((c) => c.title.padStart(cellWidth)).join('')}`);
  for (const metric of shown) {
    const ref = reference === null ? Number.NaN : results.value(metric, reference);
    const cells = columns.map((column) => {
      const value = results.value(metric, column.key);
      if (Number.isNaN(value)) return '—'.padStart(cellWidth);
      const shownValue = `${metric.atLeast?.(value) ? '≥ ' : ''}${value.toFixed(metric.digits)}`;
      // No ratio to a reference that shows as 0 (an RSS growth of 0.004 MB made "10843.00×").
      const refShown = Number(ref.toFixed(metric.digits));
      const ratio =
        column.key === reference || Number.isNaN(ref) || refShown === 0 ? '' : ` (${(value / ref).toFixed(2)}×)`;
      return `${shownValue}${ratio}`.padStart(cellWidth);
    });
    console.log(`${metric.label.padEnd(labelWidth)}${cells.join('')}`);
  }
  for (const note of notes) console.log(`  ${note}`);
}

/**
 * Runs `run`; if it throws, says so and goes on: one failed start must not lose an hour's other
 * runs. The figures it did not add show as missing (or as the other repetitions' median).
 */
export async function notMeasuredOnFailure(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    log(`    not measured: ${err instanceof Error ? err.message : String(err)}`);
  }
}
