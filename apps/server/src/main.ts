import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb } from '@calma/db';
import { defaultEmbeddingModel, LayoutRunner, staticModelDirectory } from '@calma/embeddings';
import { LocalProvider } from '@calma/models';
import pkg from '../package.json' with { type: 'json' };
import { ensureAdminToken } from './admin-token.js';
import { EmbeddingCache } from './affinity/embedding-cache.js';
import { buildApp } from './app.js';
import { printBanner } from './banner.js';
import { DrainState } from './cluster/drain.js';
import { RedisConnections } from './cluster/redis.js';
import { ConfigError, loadConfig } from './config.js';
import { seedDemo } from './seed/demo.js';
import { StartupClock } from './startup/clock.js';

/** What the offline embedding model's files say about it, read without loading its table. */
function offlineModelDims(staticModelDir: string | null): number {
  const dir = staticModelDirectory(staticModelDir ?? undefined);
  return (JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { dims: number }).dims;
}

/** Redis trouble, told on stderr like the server's other warnings. */
const redisLog = {
  warn: (fields: object, message: string) => console.warn(`Redis: ${message}`, JSON.stringify(fields)),
  info: (fields: object, message: string) => console.log(`Redis: ${message}`, JSON.stringify(fields)),
};

async function main(): Promise<void> {
  const clock = new StartupClock();
  const config = loadConfig();
  mkdirSync(config.dataDir, { recursive: true });
  const db = await createDb(
    config.databaseUrl
      ? { url: config.databaseUrl }
      : {
          pglite: join(config.dataDir, 'pglite'),
          // A new data directory starts as a copy of the build's initdb'd, migrated template
          // (absent when running from source: initdb and the migrations then run).
          template: fileURLToPath(new URL('./pglite-template', import.meta.url)),
          optimizeWasm: config.pgliteOptimizeWasm,
        },
  );
  clock.lap('database');
  const recovered = db.boardJournal?.recovered ?? 0;
  if (recovered > 0) console.log(`Board journal: ${recovered} update(s) a stopped server left were stored.`);
  // Several nodes starting together on one PostgreSQL migrate and seed one at a time.
  const { admin, demo } = await db.exclusive(async () => {
    await db.migrate();
    clock.lap('migrations');
    const admin = await ensureAdminToken(db.db, { envToken: config.adminToken, dataDir: config.dataDir });
    const demo = config.seedDemo ? await seedDemo(db.db, config.dataDir) : null;
    clock.lap('demo');
    return { admin, demo };
  });
  const embeddings = new EmbeddingCache(db.db, {
    model: config.embeddingModel,
    cacheDir: join(config.dataDir, 'models'),
    allowDownloads: config.embeddingDownloads,
    staticModelDir: config.staticModelDir ?? undefined,
  });
  // The layout worker starts now rather than with the first affinity map.
  const layouts = new LayoutRunner();
  layouts.warm();
  // Local chat models load in a worker thread on first use, never at start-up.
  const localModels = new LocalProvider({ modelsDir: config.modelsDir, allowDownloads: config.modelDownloads });
  // Several nodes: one set of Redis connections for the whole node (the socket.io adapter, the
  // event bus and the board relay take theirs from it), closed after the app.
  const redis = config.redisUrl ? await RedisConnections.connect(config.redisUrl, redisLog) : null;
  if (redis) clock.lap('redis');
  const drain = new DrainState();
  const app = await buildApp(config, {
    db,
    adminTokenHash: admin.hash,
    version: pkg.version,
    embeddings,
    layouts,
    localModels,
    redis,
    drain,
  });
  clock.lap('app');

  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'closing');
    // Not ready from now on; a load balancer given `drainDelayMs` to notice sends new clients
    // elsewhere while this node still serves the ones it has.
    drain.begin();
    try {
      if (config.drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.drainDelayMs));
      // Stop accepting, finish in-flight requests, flush the boards and close their sockets (1001)
      // and socket.io's (they reconnect elsewhere), then close Redis and the database.
      await app.close();
      await redis?.close();
      await db.close();
      process.exit(0);
    } catch (err) {
      console.error('Calma failed to close cleanly:', err);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void close('SIGTERM'));
  process.once('SIGINT', () => void close('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${hostForUrl}:${port}`;
  clock.lap('listen');
  printBanner({ url: config.publicUrl ?? url, db: db.kind, dataDir: config.dataDir, admin, demo });
  console.log(`Calma listening on ${url}`);
  console.log(clock.summary());
  const model = config.embeddingModel.trim();
  if (model === '' || model === defaultEmbeddingModel) {
    // The offline model cannot fall back to anything and loads in a tenth of a second, but its
    // table is ~40 MB: it loads on first use, not into every idle server. That it is there (the
    // build made it) is checked now, so a missing model still stops the start.
    const dims = offlineModelDims(config.staticModelDir);
    console.log(`Embeddings: ${defaultEmbeddingModel} (${dims} dimensions, loaded on first use)`);
    return;
  }
  // A configured model loads now, so that a fallback is reported at start-up, not mid-session.
  const { embedder } = await embeddings.ready();
  console.log(`Embeddings: ${embedder.model} (${embedder.dims} dimensions)`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || (err instanceof Error && err.name === 'DataDirLockedError')) {
    console.error(`Calma cannot start: ${err.message}`);
    process.exit(2);
  }
  console.error('Calma failed to start:', err);
  process.exit(1);
});
