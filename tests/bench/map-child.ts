/** One measurement of `pnpm bench map`, in its own process; prints one JSON line. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeLayout, placeNear, StaticEmbedder, stack, staticModelDirectory } from '@calma/embeddings';
import { UMAP } from 'umap-js';
import { until } from '../support/board-clients.js';
import { adminToken, startServer, stop } from '../support/child-server.js';
import { realisticLabels } from './map-labels.js';

const [mode, nArg] = process.argv.slice(2);
const n = Number(nArg);
const labels = realisticLabels(n);
const result: Record<string, number> = {};

if (mode === 'route') {
  // The built server, as `npm start` runs it: model loaded and layout worker started at boot,
  // embedding cache empty (a new data directory).
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-bench-map-'));
  const server = await startServer({
    CALMA_DATA_DIR: dataDir,
    CALMA_ADMIN_TOKEN: adminToken,
    CALMA_SEED_DEMO: '0',
    CALMA_BODY_LIMIT: String(64 << 20),
    CALMA_MAP_MAX_CARDS: '20000',
  });
  await until(() => server.output().includes('Embeddings:'), 'the model to load', 30_000);
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const study = await call('POST', '/api/studies', adminToken, {
    title: 'Bench',
    context: { name: 'n', description: '', systemPrompt: '' },
  });
  const group = await call('POST', `/api/studies/${study.id}/groups`, adminToken, { name: 'G' });
  const moderator = group.moderatorToken as string;
  await call('POST', `/api/groups/${group.id}/labels`, moderator, {
    labels: labels.map((text) => ({ text, stage: 'initial' })),
  });
  const session = await call('POST', `/api/groups/${group.id}/sessions`, moderator);
  let started = performance.now();
  const map = await call('POST', `/api/sessions/${session.id}/affinity-map`, moderator, {});
  result.mapMs = performance.now() - started;
  Object.assign(result, map.timings);
  const added: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    started = performance.now();
    await call('POST', `/api/groups/${group.id}/labels`, moderator, {
      labels: [{ text: `bias towards the British crown ${i}`, stage: 'initial' }],
    });
    added.push(performance.now() - started);
  }
  result.addLabelMs = added.sort((a, b) => a - b)[2] as number;
  const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
  result.maxRss = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  await stop(server);
  rmSync(dataDir, { recursive: true, force: true });
  console.log(JSON.stringify(result));
  process.exit(0);
} else {
  let started = performance.now();
  const embedder = await StaticEmbedder.load(staticModelDirectory());
  result.loadMs = performance.now() - started;
  started = performance.now();
  const vectors = await embedder.embed(labels);
  result.embedMs = performance.now() - started;
  const flat = stack(vectors, embedder.dims);
  if (mode === 'stages') {
    const layout = computeLayout({ vectors: flat, dims: embedder.dims, seed: 42 });
    Object.assign(result, layout.timings);
    const cards = vectors.map((vector, i) => ({
      vector,
      x: layout.positions[i * 2] as number,
      y: layout.positions[i * 2 + 1] as number,
      clusterId: layout.clusters[i] as number,
    }));
    const [extra] = await embedder.embed(['bias towards the British crown']);
    started = performance.now();
    placeNear(extra as Float32Array, cards);
    result.placeMs = performance.now() - started;
  } else if (mode === 'umap-js' || mode === 'umap-js-default') {
    const rows = vectors.map((v) => Array.from(v));
    for (const epochs of mode === 'umap-js' ? [undefined, 200] : [undefined]) {
      started = performance.now();
      const umap = new UMAP({ nComponents: 2, nNeighbors: 15, minDist: 0.1, nEpochs: epochs });
      const total = umap.initializeFit(rows);
      for (let epoch = 0; epoch < total; epoch += 1) umap.step();
      const ms = performance.now() - started;
      if (epochs === undefined) {
        result.defaultMs = ms;
        result.defaultEpochs = total;
      } else result.epochs200Ms = ms;
    }
  } else throw new Error(`unknown mode ${mode}`);
}
result.maxRss = process.resourceUsage().maxRSS;
console.log(JSON.stringify(result));
