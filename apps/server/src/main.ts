import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createDb } from '@calma/db';
import { LayoutRunner } from '@calma/embeddings';
import { LocalProvider } from '@calma/models';
import pkg from '../package.json' with { type: 'json' };
import { ensureAdminToken } from './admin-token.js';
import { EmbeddingCache } from './affinity/embedding-cache.js';
import { buildApp } from './app.js';
import { printBanner } from './banner.js';
import { ConfigError, loadConfig } from './config.js';
import { seedDemo } from './seed/demo.js';

async function main(): Promise<void> {
  const config = loadConfig();
  mkdirSync(config.dataDir, { recursive: true });
  const db = await createDb(
    config.databaseUrl ? { url: config.databaseUrl } : { pglite: join(config.dataDir, 'pglite') },
  );
  await db.migrate();
  const admin = await ensureAdminToken(db.db, { envToken: config.adminToken, dataDir: config.dataDir });
  const demo = config.seedDemo ? await seedDemo(db.db, config.dataDir) : null;
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
  const app = await buildApp(config, {
    db,
    adminTokenHash: admin.hash,
    version: pkg.version,
    embeddings,
    layouts,
    localModels,
  });

  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'closing');
    try {
      // Stop accepting, finish in-flight requests, then flush and close the database.
      await app.close();
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
  printBanner({ url: config.publicUrl ?? url, db: db.kind, dataDir: config.dataDir, admin, demo });
  console.log(`Calma listening on ${url}`);
  // Load the embedding model now, so a fallback is reported at start-up rather than mid-session.
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
