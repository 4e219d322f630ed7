import { rmSync } from 'node:fs';
import { schema } from '@calma/db';
import type { TestDb } from '@calma/db/testing';
import { freshDb } from '@calma/db/testing/fresh';
import { type FakeOpenAI, startFakeOpenAI } from '@calma/models/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, api, buildServer, type Running, stop } from '../support/child-server.js';
import { startClusterNode } from '../support/cluster.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/redis.js';
import { readUntil } from '../support/wait.js';

/**
 * A judge run on two Calma processes (the built bundle) on one PostgreSQL and one Redis: the node
 * working on it is killed mid-run, and the other takes it up once its lease has expired, where it
 * stopped, without asking the model again for the scores already stored.
 */

const leaseTtlMs = 1_000;
let db: TestDb;
let redis: ThrowawayRedis;
let fake: FakeOpenAI;
const nodes: Running[] = [];
const dataDirs: string[] = [];

function startNode(): Promise<Running> {
  return startClusterNode(
    { databaseUrl: db.url as string, redisUrl: redis.url, dataDirs },
    { CALMA_LEASE_TTL_MS: String(leaseTtlMs) },
  );
}

interface Run {
  status: 'running' | 'done' | 'failed';
  progress: { done: number; total: number };
  scores: unknown[];
  error: unknown;
}

async function call(node: Running, method: string, path: string, body?: unknown, token = adminToken) {
  const res = await api(node, path, {
    method,
    headers: { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body as Record<string, unknown>;
}

beforeAll(async () => {
  const build = buildServer();
  expect(build.status, build.stderr).toBe(0);
  [db, redis, fake] = await Promise.all([
    freshDb('postgres'),
    startThrowawayRedis(),
    // A reply every ~200 ms: the run lasts long enough to be killed in the middle.
    startFakeOpenAI({ reply: 'Score: 4\nMostly.', tokensPerSecond: 15 }),
  ]);
  nodes.push(await startNode());
  nodes.push(await startNode());
});

afterAll(async () => {
  for (const node of nodes) if (node.child.exitCode === null && node.child.signalCode === null) await stop(node);
  await Promise.all([db?.close(), redis?.stop(), fake?.close()]);
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('a judge run on several nodes', () => {
  it('is taken up by another node when the one working on it dies, where it stopped', async () => {
    const [a, b] = nodes as [Running, Running];
    const study = await call(b, 'POST', '/api/studies', {
      title: 'Judges',
      context: { name: 'n', description: '', systemPrompt: '' },
    });
    const group = await call(b, 'POST', `/api/studies/${study.id}/groups`, { name: 'G' });
    await call(b, 'PUT', `/api/studies/${study.id}/models`, {
      models: [{ id: 'judge', label: 'Fake judge', provider: 'openai', baseUrl: fake.baseUrl, model: 'fake-model' }],
      assignment: 'fixed',
    });
    const moderator = group.moderatorToken as string;
    await call(
      b,
      'POST',
      `/api/groups/${group.id}/interactions`,
      {
        interactions: Array.from({ length: 8 }, (_, i) => ({
          baseline: false,
          messages: [
            { role: 'user', content: `Question ${i}?` },
            { role: 'assistant', content: `Answer number ${i}, with its reasons.` },
          ],
        })),
      },
      moderator,
    );
    const session = await call(b, 'POST', `/api/groups/${group.id}/sessions`, {}, moderator);
    await db.db.insert(schema.finalAttributes).values(
      ['Balanced', 'Sourced'].map((name, position) => ({
        id: `fa_${session.id}_${position}`,
        sessionId: session.id as string,
        name,
        definition: `${name}, as the group defined it.`,
        position,
      })),
    );

    // Started on a; b, which sweeps for runs no node works on, must leave it alone while a lives.
    const { id } = await call(
      a,
      'POST',
      `/api/sessions/${session.id}/judge-runs`,
      { kind: 'llm', modelId: 'judge' },
      group.analystToken as string,
    );
    const runOf = async () => (await call(b, 'GET', `/api/judge-runs/${id}`, undefined, moderator)) as unknown as Run;
    const midway = await readUntil(runOf, (run) => run.progress.done >= 4, 'a to store a few scores', 20_000);
    expect(midway.progress.total).toBe(16);
    expect(fake.requests.length).toBeLessThanOrEqual(midway.progress.done + 1);
    const killedAt = Date.now();
    await stop(a, 'SIGKILL');

    const run = await readUntil(runOf, (r) => r.status !== 'running', 'b to finish the run', 30_000);
    const tookMs = Date.now() - killedAt;
    expect(run.status, JSON.stringify(run.error)).toBe('done');
    expect(run.progress).toEqual({ done: 16, total: 16 });
    expect(run.scores).toHaveLength(16);
    // Every item asked once, but for the one in flight when a died (asked again by b).
    const asked = fake.requests.map((r) => JSON.stringify(r.body.messages));
    expect(asked.length).toBeGreaterThanOrEqual(16);
    expect(asked.length).toBeLessThanOrEqual(17);
    expect(new Set(asked).size).toBe(16);
    // b waited for a's lease to expire, then found the run at its next look.
    expect(tookMs).toBeGreaterThan(leaseTtlMs);
    console.info(`[judge] a run taken up by another node ${tookMs} ms after its node was killed`);
  }, 60_000);
});
