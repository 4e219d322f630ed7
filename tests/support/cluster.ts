import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminToken, type Running, startServer } from './child-server.js';

/**
 * Starts one Calma node (the built bundle) of a cluster on the PostgreSQL at `databaseUrl` and
 * the Redis at `redisUrl`, in a data directory of its own, added to `dataDirs` for the caller to
 * remove; `extra` adds or overrides environment variables.
 */
export function startClusterNode(
  cluster: { databaseUrl: string; redisUrl: string; dataDirs: string[] },
  extra: Record<string, string> = {},
): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-node-'));
  cluster.dataDirs.push(dataDir);
  return startServer({
    CALMA_DATA_DIR: dataDir,
    CALMA_ADMIN_TOKEN: adminToken,
    CALMA_SEED_DEMO: '0',
    DATABASE_URL: cluster.databaseUrl,
    CALMA_REDIS_URL: cluster.redisUrl,
    ...extra,
  });
}
