/**
 * `pnpm bench move`: how long a card moved in one browser takes to appear moved in another, on
 * loopback. The built server and web app, two Debian Chromium pages (playwright-core) on one
 * board; each drag's time is taken where it happens: when the mover's page first shows the card
 * moving (the same handler sends the Yjs update) and when the other page's card gets its place
 * (MutationObserver, both on the machine's one clock). BENCH_MOVES (default 40) drags.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { adminToken, buildServer, root, startServer, stop } from '../support/child-server.js';

const moves = Number(process.env.BENCH_MOVES ?? 40);
if (!existsSync(join(root, 'apps/web/dist/index.html'))) throw new Error('build the web app first: pnpm build');
if (buildServer().status !== 0) throw new Error('server build failed');
const dataDir = mkdtempSync(join(tmpdir(), 'calma-bench-move-'));
const server = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
const browser = await launchChromium();
try {
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as {
    groups: { id: string; inviteCode: string; moderatorToken: string }[];
  };
  const group = demo.groups[0] as { id: string; inviteCode: string; moderatorToken: string };
  const call = async (method: string, path: string, token: string | null, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as Record<string, string>;
  };
  const session = await call('POST', `/api/groups/${group.id}/sessions`, group.moderatorToken);
  await call('POST', `/api/sessions/${session.id}/control`, group.moderatorToken, {
    action: 'start',
    segment: 0,
    durationMs: 3_600_000,
  });
  const pages: Page[] = [];
  for (const name of ['Mover', 'Watcher']) {
    const joined = await call('POST', '/api/join', null, {
      inviteCode: group.inviteCode,
      displayName: name,
      consent: true,
    });
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/sessions/${session.id}#token=${joined.token}`);
    await page.locator('.board-card').first().waitFor();
    // Record every card style change with its time.
    await page.evaluate(() => {
      const seen: { id: string; style: string; t: number }[] = [];
      (window as unknown as { seen: typeof seen }).seen = seen;
      new MutationObserver((records) => {
        const t = performance.timeOrigin + performance.now();
        for (const r of records) {
          const el = r.target as HTMLElement;
          const id = el.getAttribute('data-card-id');
          if (id) seen.push({ id, style: el.getAttribute('style') ?? '', t });
        }
      }).observe(document.querySelector('.board-layer') as Node, {
        attributes: true,
        attributeFilter: ['style'],
        subtree: true,
      });
    });
    pages.push(page);
  }
  const [mover, watcher] = pages as [Page, Page];
  const card = mover.locator('.board-card.kind-label').nth(3);
  const cardId = (await card.getAttribute('data-card-id')) as string;
  const latencies: number[] = [];
  for (let i = 0; i < moves; i += 1) {
    const box = (await card.boundingBox()) as { x: number; y: number };
    const dx = i % 2 === 0 ? 60 : -60;
    await mover.mouse.move(box.x + 30, box.y + 30);
    await mover.mouse.down();
    await mover.mouse.move(box.x + 30 + dx, box.y + 40, { steps: 1 });
    await mover.mouse.up();
    const style = await card.getAttribute('style');
    await watcher.waitForFunction(
      ([id, s]) => document.querySelector(`[data-card-id="${id}"]`)?.getAttribute('style') === s,
      [cardId, style] as const,
      { polling: 'raf', timeout: 5_000 },
    );
    type Seen = { id: string; style: string; t: number }[];
    const sent = (await mover.evaluate(() => (window as unknown as { seen: Seen }).seen)) as Seen;
    const got = (await watcher.evaluate(() => (window as unknown as { seen: Seen }).seen)) as Seen;
    // The mover's first re-render of the card in this drag: the pointermove handler that sends
    // the Yjs update also sets the dragged position, so this is (just after) the send.
    const t0 = sent.find((s) => s.id === cardId)?.t;
    const t1 = got.find((s) => s.id === cardId && s.style === style)?.t;
    if (t0 !== undefined && t1 !== undefined) latencies.push(t1 - t0);
    await mover.evaluate(() => {
      (window as unknown as { seen: unknown[] }).seen.length = 0;
    });
    await watcher.evaluate(() => {
      (window as unknown as { seen: unknown[] }).seen.length = 0;
    });
  }
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  // A drag that started on another card lying over ours moved that one instead: not counted.
  console.log(
    `pnpm bench move: ${latencies.length} of ${moves} drags moved the card; seen moved in the other browser after`,
  );
  console.log(
    `  p50 ${q(0.5).toFixed(1)} ms   p95 ${q(0.95).toFixed(1)} ms   max ${(latencies.at(-1) ?? Number.NaN).toFixed(1)} ms   (target ≤ 200 ms)`,
  );
} finally {
  await browser.close();
  await stop(server);
  rmSync(dataDir, { recursive: true, force: true });
}
