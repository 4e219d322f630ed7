import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLeases } from '../../apps/server/src/cluster/leases.js';
import { RedisConnections } from '../../apps/server/src/cluster/redis.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/redis.js';

/** Two nodes' leases on one real Redis: work one node at a time may do (judge runs). */

const quiet = { warn: () => undefined, info: () => undefined };
let redis: ThrowawayRedis;
const opened: { connections: RedisConnections; leases: RedisLeases }[] = [];

async function node(ttlMs: number) {
  const connections = await RedisConnections.connect(redis.url, quiet);
  const leases = new RedisLeases(connections, ttlMs);
  opened.push({ connections, leases });
  return leases;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  redis = await startThrowawayRedis();
});

afterAll(async () => {
  for (const { connections, leases } of opened) {
    leases.close();
    await connections.close();
  }
  await redis?.stop();
});

describe('leases over Redis', () => {
  it('lets one node hold a lease, renews it while held and hands it on when released', async () => {
    const a = await node(300);
    const b = await node(300);
    const release = await a.claim('judge-run:r1');
    expect(release).not.toBeNull();
    expect(await b.claim('judge-run:r1')).toBeNull();
    // Held past its time to live: renewed, still a's.
    await sleep(700);
    expect(await b.claim('judge-run:r1')).toBeNull();
    release?.();
    await sleep(50);
    expect(await b.claim('judge-run:r1')).not.toBeNull();
  });

  it('lets go of the lease of a node that stopped renewing (it died)', async () => {
    const a = await node(300);
    const b = await node(300);
    expect(await a.claim('judge-run:r2')).not.toBeNull();
    a.close();
    await sleep(500);
    expect(await b.claim('judge-run:r2')).not.toBeNull();
  });

  it('claims nothing while Redis is away, rather than risk running twice', async () => {
    const a = await node(300);
    await redis.down();
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      await expect(a.claim('judge-run:r3')).resolves.toBeNull();
    } finally {
      await redis.up();
    }
  });
});
