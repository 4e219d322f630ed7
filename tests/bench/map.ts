/**
 * `pnpm bench map`: embed + lay out 500, 2,000 and 5,000 realistic labels (the pilot's, the
 * neighbour check's, and generated variants of them), each measurement in a fresh child process
 * so that "cold" is cold and peak memory is its own:
 *
 *   route    the built server (apps/server/dist, as `npm start` runs it, on PGlite): the whole
 *            POST /api/sessions/:id/affinity-map with an empty embedding cache (board read,
 *            embedding, cache writes, worker layout, board write), then labels added one at a
 *            time after the map (POST labels; each placed by its neighbours; median of 5)
 *   stages   the same work in-process, stage by stage (model load, embed, kNN, graph, UMAP, ...)
 *   umap-js  plain umap-js (defaults, and at Calma's 200 epochs) on the same vectors
 *
 * Route and umap-js run alternately BENCH_ROUNDS times (default 3) and the medians are shown, with
 * their ratio: on a shared machine the ratio is the figure to trust. BENCH_SIZES=500,2000 narrows
 * the sizes.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildServer } from '../support/child-server.js';

// The route is measured on the built server: bundle the current sources first.
const build = buildServer();
if (build.status !== 0) throw new Error(`server build failed:\n${build.stderr}`);

const sizes = (process.env.BENCH_SIZES ?? '500,2000,5000').split(',').map(Number);
const child = fileURLToPath(new URL('./map-child.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

type Result = Record<string, number | string>;
function run(mode: string, n: number): Result {
  const out = spawnSync(tsx, [child, mode, String(n)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (out.status !== 0) throw new Error(`${mode} ${n} failed:\n${out.stderr}`);
  const line = out.stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(line) as Result;
}

const s = (ms: unknown) => (typeof ms === 'number' ? (ms / 1000).toFixed(2) : '-');
const mb = (bytes: unknown) => (typeof bytes === 'number' ? `${Math.round(bytes / 1024)} MB` : '-');
console.log(`pnpm bench map on ${process.arch}, Node ${process.version}; seconds unless marked\n`);
const rows: string[][] = [];
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const median = (values: number[]) => [...values].sort((p, q) => p - q)[Math.floor((values.length - 1) / 2)] as number;
/** The result whose `key` is the median of the rounds (its other figures with it). */
const medianOf = (results: Result[], key: string) => {
  const m = median(results.map((r) => Number(r[key])));
  return results.find((r) => Number(r[key]) === m) as Result;
};
for (const n of sizes) {
  // Route and umap-js alternate, `rounds` times (BENCH_ROUNDS), so that a machine shared with
  // other work loads both alike; the ratio is of their medians.
  const routes: Result[] = [];
  const umaps: Result[] = [];
  for (let round = 0; round < rounds; round += 1) {
    process.stdout.write(`n = ${n}, round ${round + 1}/${rounds}: route… `);
    routes.push(run('route', n));
    process.stdout.write('umap-js…\n');
    umaps.push(run(round === 0 ? 'umap-js' : 'umap-js-default', n));
    process.stdout.write(
      `  route ${s(routes.at(-1)?.mapMs)}, umap-js ${s(umaps.at(-1)?.defaultMs)}` +
        ` (${(Number(routes.at(-1)?.mapMs) / Number(umaps.at(-1)?.defaultMs)).toFixed(2)}×)\n`,
    );
  }
  process.stdout.write('stages…\n');
  const stages = run('stages', n);
  const route = medianOf(routes, 'mapMs');
  const umap: Result = { ...(umaps[0] as Result), defaultMs: median(umaps.map((u) => Number(u.defaultMs))) };
  rows.push([
    String(n),
    s(route.mapMs),
    `${Number(route.addLabelMs).toFixed(0)} ms`,
    `${Number(stages.placeMs).toFixed(2)} ms`,
    `${route.boardMs}/${route.embeddingMs}/${route.layoutMs}/${route.writeMs}`,
    s(stages.loadMs),
    s(stages.embedMs),
    s(stages.neighbours),
    s(stages.graph),
    s(stages.optimise),
    s(stages.clusters),
    s(stages.board),
    mb(route.maxRss),
    s(umap.defaultMs),
    `${(Number(route.mapMs) / Number(umap.defaultMs)).toFixed(2)}×`,
    `${umap.defaultEpochs}`,
    s(umap.epochs200Ms),
    mb(umap.maxRss),
  ]);
}
const header = [
  'labels',
  'map (route, cold)',
  'add 1 label (route)',
  'placeNear',
  'route ms: board/embed/layout/write',
  'model load',
  'embed',
  'kNN',
  'graph',
  'UMAP',
  'clusters',
  'board',
  'peak RSS (route)',
  'umap-js',
  'route / umap-js',
  'epochs',
  'umap-js @200',
  'peak RSS (umap-js)',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const row of rows) console.log(line(row));
console.log(
  '\nTargets: 2,000 labels mapped with a cold cache ≤ 2 s for the whole route ("map (route, cold)") and ≤ 0.3×' +
    ' umap-js with its defaults on the same vectors ("route / umap-js", measured in the same run);' +
    ' one added label placed ≤ 100 ms ("add 1 label" is the whole HTTP call, placement included).',
);
