/**
 * `pnpm bench session`: how fast a moderator's action reaches every client. Starts Calma on the
 * embedded database and on a throwaway PostgreSQL, connects a moderator and N participants over
 * socket.io on loopback, then times pause/resume round trips from the moderator's send to each
 * client's receipt of the new state (which the server persists before broadcasting).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Db } from '@calma/db';
import { startThrowawayPostgres } from '@calma/db/testing';
import { buildApp } from '@calma/server';
import { hashToken } from '@calma/server/testing';
import { io, type Socket } from 'socket.io-client';

const adminToken = 'bench-admin-token-0123456789abcdef';
const actions = Number(process.env.BENCH_ACTIONS ?? 200);
const clientCounts = (process.env.BENCH_CLIENTS ?? '4,50').split(',').map(Number);

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function measure(db: Db, clients: number): Promise<number[]> {
  const app = await buildApp(
    { logLevel: 'silent', bodyLimit: 1 << 20, joinRateLimit: 100_000, webDir: null },
    { db, adminTokenHash: hashToken(adminToken), version: 'bench' },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string, token: string | null, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as Record<string, string>;
  };
  const study = await call('POST', '/api/studies', adminToken, {
    title: 'Bench',
    context: { name: 'n', description: '', systemPrompt: '' },
  });
  const group = await call('POST', `/api/studies/${study.id}/groups`, adminToken, { name: 'G' });
  const session = await call('POST', `/api/groups/${group.id}/sessions`, group.moderatorToken ?? '', {});
  const tokens = [group.moderatorToken ?? ''];
  for (let i = 0; i < clients; i++) {
    tokens.push(
      (await call('POST', '/api/join', null, { inviteCode: group.inviteCode, displayName: `P${i}`, consent: true }))
        .token ?? '',
    );
  }
  const sockets: Socket[] = [];
  let pending = 0;
  let sentAt = 0;
  let resolveRound: (() => void) | null = null;
  const latencies: number[] = [];
  for (const token of tokens) {
    const socket = io(url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    await new Promise((resolve) => socket.emit('session:join', { sessionId: session.id }, resolve));
    socket.on('session:state', () => {
      latencies.push(performance.now() - sentAt);
      pending -= 1;
      if (pending === 0) resolveRound?.();
    });
    sockets.push(socket);
  }
  const moderator = sockets[0] as Socket;
  const control = (body: object) =>
    new Promise((resolve) => moderator.emit('session:control', { sessionId: session.id, ...body }, resolve));
  await control({ action: 'start', segment: 0, durationMs: 3_600_000 });
  await new Promise((r) => setTimeout(r, 100));
  latencies.length = 0;
  for (let i = 0; i < actions; i++) {
    pending = sockets.length;
    const round = new Promise<void>((resolve) => {
      resolveRound = resolve;
    });
    sentAt = performance.now();
    await control({ action: i % 2 === 0 ? 'pause' : 'resume' });
    await round;
  }
  for (const socket of sockets) socket.close();
  await app.close();
  return latencies.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const rows: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-bench-'));
  const pg = await startThrowawayPostgres((line) => console.log(`  ${line}`));
  try {
    for (const kind of ['pglite', 'postgres'] as const) {
      for (const clients of clientCounts) {
        const db =
          kind === 'pglite'
            ? await createDb({ pglite: join(dataDir, `db-${clients}`) })
            : await createDb({ url: pg.url });
        await db.migrate();
        console.log(`  ${kind}: ${clients} participants + moderator, ${actions} actions …`);
        const sorted = await measure(db, clients);
        await db.close();
        const f = (q: number) => percentile(sorted, q).toFixed(1).padStart(7);
        rows.push(`${kind.padEnd(9)} ${String(clients + 1).padStart(7)} ${f(0.5)} ${f(0.95)} ${f(0.99)} ${f(1)}`);
      }
    }
  } finally {
    pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log('\nModerator action → state received by every client (ms, loopback, persisted first)');
  console.log('database  clients     p50     p95     p99     max');
  for (const row of rows) console.log(row);
}

await main();
process.exit(0);
