import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseKinds } from '@calma/db/testing/fresh';
import type { ClientToServerEvents, MapProgress, ServerToClientEvents } from '@calma/protocol';
import { type DemoCredentials, seedDemo, startTestApp, type TestApp } from '@calma/server/testing';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { type BoardClient, boardClient, until } from './support/board-clients.js';

/**
 * The affinity map with real clients: the seeded demo's map computed offline and seen by every
 * board client, the paper's neighbours placed together, labels added later placed by their
 * neighbours, and other sessions served while a big layout runs.
 */
type ControlClient = Socket<ServerToClientEvents, ClientToServerEvents>;

function control(url: string, token: string, sessionId: string): Promise<ControlClient> {
  const socket: ControlClient = io(url, { auth: { token }, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect_error', reject);
    socket.once('connect', () => socket.emit('session:join', { sessionId }, () => resolve(socket)));
  });
}

const position = (client: BoardClient, cardId: string) => {
  const card = client.cards.get(cardId) as Y.Map<unknown> | undefined;
  return card ? { x: card.get('x') as number, y: card.get('y') as number, clusterId: card.get('clusterId') } : null;
};

describe.each(databaseKinds)('the affinity map with real clients on %s', (kind) => {
  let t: TestApp;
  let demo: DemoCredentials;
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-map-test-'));
  const closers: (() => void)[] = [];

  const http = <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) =>
    t.http<T>(method, path, token, body);

  beforeAll(async () => {
    t = await startTestApp(kind, { listen: true });
    demo = (await seedDemo(t.db.db, dataDir)) as DemoCredentials;
  });
  afterAll(async () => {
    for (const close of closers) close();
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A study with one group of its own (no labels yet). */
  const newGroup = async (title: string) => {
    const study = await http<{ id: string }>('POST', '/api/studies', t.adminToken, {
      title,
      context: { name: 'n', description: '', systemPrompt: '' },
    });
    return (
      await http<{ id: string; moderatorToken: string }>('POST', `/api/studies/${study.body.id}/groups`, t.adminToken, {
        name: title,
      })
    ).body;
  };

  const newSession = async (groupId: string, token: string) =>
    (await http<{ id: string }>('POST', `/api/groups/${groupId}/sessions`, token)).body.id;

  it("computes the seeded demo's map and every client sees the cards move, with progress on the control channel", async () => {
    const group = demo.groups[0] as DemoCredentials['groups'][number];
    const sessionId = await newSession(group.id, group.moderatorToken);
    const participant = (
      await http<{ token: string }>('POST', '/api/join', '', {
        inviteCode: group.inviteCode,
        displayName: 'Ana',
        consent: true,
      })
    ).body.token;
    const viewers = [
      await boardClient(t.url, sessionId, participant),
      await boardClient(t.url, sessionId, group.analystToken),
    ];
    for (const viewer of viewers) closers.push(() => viewer.destroy());
    const moderator = await control(t.url, group.moderatorToken, sessionId);
    closers.push(() => moderator.close());
    const progress: MapProgress[] = [];
    const done: unknown[] = [];
    moderator.on('affinity-map:progress', (p) => progress.push(p));
    moderator.on('affinity-map:done', (p) => done.push(p));

    const before = new Map(
      [...(viewers[0] as BoardClient).cards.keys()].map((id) => [id, position(viewers[0] as BoardClient, id)]),
    );
    const res = await http<{ points: { cardId: string; x: number; y: number; clusterId: number }[]; model: string }>(
      'POST',
      `/api/sessions/${sessionId}/affinity-map`,
      group.moderatorToken,
      {},
    );
    expect(res.status).toBe(200);
    expect(res.body.model).toBe('calma/glove-wordnet-100d');
    expect(res.body.points.length).toBe(before.size);
    for (const viewer of viewers) {
      await until(
        () =>
          res.body.points.every((p) => {
            const now = position(viewer, p.cardId);
            return now?.x === p.x && now.y === p.y && now.clusterId === p.clusterId;
          }),
        'every card at its mapped position',
      );
    }
    const moved = res.body.points.filter((p) => {
      const was = before.get(p.cardId);
      return was?.x !== p.x || was?.y !== p.y;
    });
    expect(moved.length).toBeGreaterThan(res.body.points.length / 2);
    await until(() => done.length === 1, 'affinity-map:done');
    expect(progress[0]?.stage).toBe('embedding');
    expect(progress.at(-1)?.fraction).toBe(1);
    const fractions = progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    // The suggested clusters are named in the board too, for everyone.
    const clusters = (viewers[0] as BoardClient).doc.getMap('clusters');
    expect(clusters.size).toBeGreaterThan(0);
  });

  it("puts the paper's neighbours together: balanced/diplomatic/nuanced apart from biased/one-sided", async () => {
    const group = await newGroup('Neighbours');
    const texts = [
      'balanced',
      'diplomatic',
      'nuanced',
      'biased',
      'one-sided',
      'factual',
      'accurate',
      'dry',
      'boring',
      'violent',
      'graphic',
      'incomplete',
      'thorough',
      'cultural context',
      'local perspective',
    ];
    const ids = (
      await http<{ ids: string[] }>('POST', `/api/groups/${group.id}/labels`, group.moderatorToken, {
        labels: texts.map((text) => ({ text, stage: 'initial' })),
      })
    ).body.ids;
    const sessionId = await newSession(group.id, group.moderatorToken);
    const map = await http<{ points: { labelId: string; x: number; y: number }[] }>(
      'POST',
      `/api/sessions/${sessionId}/affinity-map`,
      group.moderatorToken,
      { include: ['labels'] },
    );
    const at = (text: string) =>
      map.body.points.find((p) => p.labelId === ids[texts.indexOf(text)]) as { x: number; y: number };
    const d = (a: string, b: string) => Math.hypot(at(a).x - at(b).x, at(a).y - at(b).y);
    const balance = ['balanced', 'diplomatic', 'nuanced'];
    const bias = ['biased', 'one-sided'];
    const mean = (pairs: [string, string][]) => pairs.reduce((s, [a, b]) => s + d(a, b), 0) / pairs.length;
    const within = mean([
      ['balanced', 'diplomatic'],
      ['balanced', 'nuanced'],
      ['diplomatic', 'nuanced'],
      ['biased', 'one-sided'],
    ]);
    const across = mean(balance.flatMap((a) => bias.map((b): [string, string] => [a, b])));
    expect(within).toBeLessThan(across);
    expect(d('biased', 'one-sided')).toBeLessThan(Math.min(...balance.map((a) => d('biased', a))));
  });

  it('places a label added after the map beside its nearest neighbours, in their cluster, without refitting', async () => {
    const group = demo.groups[1] as DemoCredentials['groups'][number];
    const sessionId = await newSession(group.id, group.moderatorToken);
    const viewer = await boardClient(t.url, sessionId, group.analystToken);
    closers.push(() => viewer.destroy());
    const map = await http<{ points: { cardId: string; x: number; y: number; clusterId: number }[] }>(
      'POST',
      `/api/sessions/${sessionId}/affinity-map`,
      group.moderatorToken,
      { include: ['labels'] },
    );
    await until(() => map.body.points.every((p) => position(viewer, p.cardId)?.x === p.x), 'the map on the board');
    const added = await http<{ ids: string[] }>('POST', `/api/groups/${group.id}/labels`, group.moderatorToken, {
      labels: [{ text: 'RELIGIOUS BIAS IN ANSWERS', stage: 'initial' }],
    });
    const cardId = `label-${added.body.ids[0]}`;
    await until(() => position(viewer, cardId) !== null, 'the new card');
    const placed = position(viewer, cardId) as { x: number; y: number; clusterId: unknown };
    // Nothing else moved: no refit.
    for (const p of map.body.points) expect(position(viewer, p.cardId)).toMatchObject({ x: p.x, y: p.y });
    // Its nearest card on the board is a bias label, and it joined that card's cluster.
    const nearest = map.body.points
      .map((p) => ({ p, d: Math.hypot(p.x - placed.x, p.y - placed.y) }))
      .sort((a, b) => a.d - b.d)[0]?.p as { cardId: string; clusterId: number };
    const nearestText = (viewer.cards.get(nearest.cardId) as Y.Map<unknown>).get('text') as string;
    expect(nearestText.toLowerCase()).toContain('bias');
    expect(typeof placed.clusterId).toBe('number');
  });

  it('keeps serving other sessions while a big layout runs', async () => {
    const big = await newGroup('Big');
    const words = ['biased', 'balanced', 'factual', 'dry', 'engaging', 'incomplete', 'violent', 'nuanced', 'colonial'];
    const labels = Array.from({ length: 3000 }, (_, i) => ({
      text: `${words[i % words.length]} ${words[Math.floor(i / words.length) % words.length]} ${i}`,
      stage: 'initial',
    }));
    await http('POST', `/api/groups/${big.id}/labels`, big.moderatorToken, { labels });
    const bigSession = await newSession(big.id, big.moderatorToken);
    const otherGroup = demo.groups[0] as DemoCredentials['groups'][number];
    const otherSession = await newSession(otherGroup.id, otherGroup.moderatorToken);

    let mapDone = false;
    const mapping = http('POST', `/api/sessions/${bigSession}/affinity-map`, big.moderatorToken, {}).then((res) => {
      mapDone = true;
      return res;
    });
    // Wait until the layout itself is running (the worker reports progress past embedding).
    const watcher = await control(t.url, big.moderatorToken, bigSession);
    closers.push(() => watcher.close());
    await new Promise<void>((resolve) =>
      watcher.on('affinity-map:progress', (p) => {
        if (p.stage === 'optimise') resolve();
      }),
    );
    const served: boolean[] = [];
    for (let i = 0; i < 5; i += 1) {
      const res = await http('POST', `/api/sessions/${otherSession}/control`, otherGroup.moderatorToken, {
        action: i === 0 ? 'start' : 'extend',
        segment: 0,
        durationMs: 60_000,
      });
      expect(res.status).toBe(200);
      served.push(!mapDone);
    }
    expect(served.every(Boolean)).toBe(true);
    const res = await mapping;
    expect(res.status).toBe(200);
  });
});
