/**
 * `pnpm bench quality`: the neighbour check (60 labels in 7 themes, 7 paper triples) for the
 * offline model, or for `CALMA_EMBEDDING_MODEL` (a hub id with `CALMA_EMBEDDING_DOWNLOADS=1`, or a
 * local model directory), to compare models before choosing one.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbedder, neighbourReport } from '@calma/embeddings';

const selected = await createEmbedder({
  model: process.env.CALMA_EMBEDDING_MODEL,
  cacheDir: join(process.env.CALMA_DATA_DIR ?? tmpdir(), 'models'),
  allowDownloads: process.env.CALMA_EMBEDDING_DOWNLOADS === '1',
});
if (selected.fallbackReason) console.log(`(fallback: ${selected.fallbackReason})`);
const started = performance.now();
const report = await neighbourReport(selected.embedder);
console.log(
  `model ${selected.embedder.model} (${selected.embedder.dims} dims), ${(performance.now() - started).toFixed(0)} ms`,
);
console.log(`  nearest label in the same theme   ${(report.nearestInTheme * 100).toFixed(0)} % of ${report.labels}`);
console.log(`  three nearest in the same theme   ${(report.threeNearestInTheme * 100).toFixed(0)} %`);
console.log(`  paper triples held (a nearer b than c)  ${report.triplesHeld} / ${report.triples}`);
console.log(`  misses: ${report.misses.join('; ')}`);
