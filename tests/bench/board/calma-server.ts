/**
 * Child process for `pnpm bench hardening` (`pnpm bench board` runs the built bundle instead, see
 * `servers.ts`): Calma from its sources on an embedded database in a temporary folder, with
 * one study, one group, `participants` joined participants and a session whose segment 2 is
 * running (so participants may write on the board). Prints one JSON line
 * `{port, sessionId, moderatorToken, participantTokens, participantIds}` once it serves, and stops
 * on SIGTERM or when the bench that forked it goes away.
 *
 * Usage: `tsx tests/bench/board/calma-server.ts <participants> [dataDir]`; without `dataDir` a
 * temporary one is made and removed on exit.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createDb } from '@calma/db';
import { buildApp } from '@calma/server';
import { hashToken } from '@calma/server/testing';

/** What this process prints once it serves. */
export interface CalmaReady {
  port: number;
  sessionId: string;
  moderatorToken: string;
  participantTokens: string[];
  participantIds: string[];
}

const participants = Number(process.argv[2] ?? 1);
if (!Number.isInteger(participants) || participants < 1 || participants > 1000) {
  console.error(`participants must be a whole number from 1 to 1000, got "${process.argv[2]}"`);
  process.exit(2);
}
const ownDataDir = process.argv[3] === undefined;
const dataDir = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'calma-bench-board-'));

const adminToken = randomBytes(24).toString('hex');
const db = await createDb({ pglite: join(dataDir, 'db') });
await db.migrate();
const app = await buildApp(
  // Every participant joins from loopback within a second: the join rate limit must not apply.
  { logLevel: 'silent', bodyLimit: 1 << 20, joinRateLimit: 100_000, webDir: null },
  { db, adminTokenHash: hashToken(adminToken), version: 'bench' },
);
await app.listen({ host: '127.0.0.1', port: 0 });

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Closing the app first lets the board flush what it holds before the database goes.
  await app.close().catch(() => {});
  await db.close().catch(() => {});
  if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGTERM', () => void stop(0));
// The longest the event loop was held since the last question (`loop-delay` over IPC), in ms.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
// And the longest garbage collection pause in that time: a 10,000-card board is a big heap.
let gcMaxMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, entry.duration);
}).observe({ entryTypes: ['gc'] });
process.on('message', (message) => {
  if (message !== 'loop-delay') return;
  process.send?.({ maxMs: loopDelay.max / 1e6, p99Ms: loopDelay.percentile(99) / 1e6, gcMaxMs });
  loopDelay.reset();
  gcMaxMs = 0;
});
// Forked with an IPC channel: if the bench dies, the channel closes and this server must not linger.
process.on('disconnect', () => void stop(0));
// Whatever happens to the bench, a benchmark server never outlives ten minutes.
setTimeout(() => void stop(0), 600_000).unref();

/** One API call through Fastify's injector; anything but the expected status ends the process. */
async function call(method: 'POST', url: string, token: string | null, payload: object, expected: number) {
  const res = await app.inject({
    method,
    url,
    payload,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (res.statusCode !== expected) {
    console.error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
    await stop(1);
  }
  return res.json() as Record<string, unknown>;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

try {
  const context = { name: 'Bench', description: 'Board benchmark', systemPrompt: '' };
  const study = await call('POST', '/api/studies', adminToken, { title: 'Bench', context }, 201);
  const group = await call('POST', `/api/studies/${text(study.id)}/groups`, adminToken, { name: 'Board' }, 201);
  const moderatorToken = text(group.moderatorToken);
  const participantTokens: string[] = [];
  const participantIds: string[] = [];
  for (let i = 0; i < participants; i++) {
    const joined = await call(
      'POST',
      '/api/join',
      null,
      { inviteCode: text(group.inviteCode), displayName: `P${i}`, consent: true },
      201,
    );
    participantTokens.push(text(joined.token));
    participantIds.push(text(joined.participantId));
  }
  const session = await call('POST', `/api/groups/${text(group.id)}/sessions`, moderatorToken, {}, 201);
  const sessionId = text(session.id);
  await call(
    'POST',
    `/api/sessions/${sessionId}/control`,
    moderatorToken,
    { action: 'start', segment: 2, durationMs: 3_600_000 },
    200,
  );
  const ready: CalmaReady = {
    port: (app.server.address() as AddressInfo).port,
    sessionId,
    moderatorToken,
    participantTokens,
    participantIds,
  };
  console.log(JSON.stringify(ready));
} catch (err) {
  console.error(err instanceof Error ? err.stack : String(err));
  await stop(1);
}
