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
 * BENCH_SIZES=500,2000 narrows the sizes.
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
for (const n of sizes) {
  process.stdout.write(`n = ${n}: route… `);
  const route = run('route', n);
  process.stdout.write('stages… ');
  const stages = run('stages', n);
  process.stdout.write('umap-js…\n');
  const umap = run('umap-js', n);
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
  'epochs',
  'umap-js @200',
  'peak RSS (umap-js)',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const row of rows) console.log(line(row));
console.log(
  '\nTarget: 2,000 labels embed + layout with a cold cache ≤ 3 s ("map (route, cold)" includes both and more);' +
    ' one added label placed ≤ 100 ms ("add 1 label" is the whole HTTP call, placement included).',
);
