import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@calma/embeddings/random';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { adminToken, api, buildServer, type Running, root, startServer, stop } from '../support/child-server.js';
import { picturesOnFailure, shiftedControls, watchLayoutShifts } from '../support/e2e-page.js';
import { pollUntil } from '../support/wait.js';

/**
 * Nothing a person could click moves while a page loads. Every page a participant or a moderator
 * opens, at a phone's width and a desktop's, with each API answer held back a random 0–400 ms
 * (so the answers come in every order): Chromium's Layout Instability API must see no link,
 * button or field move. A control that moves between a press and its release (a late list, a
 * link line that wraps when its last link comes) takes the click somewhere else; this is what
 * made browser tests fail now and then, and people misclick. Pictures of a failure in
 * test-results/e2e/steady/.
 */
const shots = join(root, 'test-results', 'e2e', 'steady');
const widths = [390, 1280];

interface Demo {
  studyId: string;
  groups: { id: string; inviteCode: string; moderatorToken: string }[];
}

/** Resolves once no API request of `page` has been open for `quietMs`. */
async function settled(page: Page, open: () => number, quietMs = 300): Promise<void> {
  let quietSince = performance.now();
  const quiet = () => {
    if (open() > 0) quietSince = performance.now();
    return performance.now() - quietSince >= quietMs;
  };
  if (!(await pollUntil(quiet, 15_000, 50))) throw new Error(`requests still open after 15 s on ${page.url()}`);
}

describe('pages that hold still while they load', { timeout: 240_000 }, () => {
  let server: Running;
  let browser: Browser;
  let pages: Record<'participant' | 'moderator', { token: string; paths: string[] }>;
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-e2e-steady-'));
  const seed = Number(process.env.CALMA_SHIFT_SEED ?? Date.now() % 1_000_000);

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    expect(buildServer().status).toBe(0);
    server = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as Demo;
    const group = demo.groups[0] as Demo['groups'][number];
    const joined = await api(server, '/api/join', {
      method: 'POST',
      headers: { authorization: '' },
      body: JSON.stringify({ inviteCode: group.inviteCode, displayName: 'Asha', consent: true }),
    });
    const session = await api(server, `/api/groups/${group.id}/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${group.moderatorToken}` },
      body: '{}',
    });
    expect([joined.status, session.status]).toEqual([201, 201]);
    const g = `/groups/${group.id}`;
    const person = joined.body as { token: string; participantId: string };
    const s = `/sessions/${session.body.id as string}`;
    const study = `/studies/${demo.studyId}`;
    pages = {
      participant: {
        token: person.token,
        paths: [
          '/',
          ...['journey', 'orientation', 'practice', 'check', 'progress', 'chat', 'summary'].map((p) => `${g}/${p}`),
          ...['artifacts', `artifacts/${person.participantId}`, 'coding', 'attributes', 'ab'].map((p) => `${g}/${p}`),
          s,
        ],
      },
      moderator: {
        token: group.moderatorToken,
        paths: [
          '/',
          '/studies',
          study,
          `${study}/comparison`,
          `${study}/orientation`,
          ...['transcripts', 'agreement', 'summary', 'artifacts', 'progress', 'ab'].map((p) => `${g}/${p}`),
          ...['', '/analysis', '/rubrics', '/replay', '/judge'].map((p) => `${s}${p}`),
        ],
      },
    };
    browser = await launchChromium();
  });
  picturesOnFailure(shots, () => browser);

  afterAll(async () => {
    await browser?.close();
    if (server) await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const role of ['participant', 'moderator'] as const)
    for (const width of widths)
      it(`as a ${role}, ${width} px wide`, async () => {
        const { token, paths } = pages[role];
        const context = await browser.newContext({ viewport: { width, height: 844 } });
        await watchLayoutShifts(context);
        const page = await context.newPage();
        const delay = seededRandom(seed + width + role.length);
        let open = 0;
        page.on('request', (request) => {
          if (new URL(request.url()).pathname.startsWith('/api/')) open += 1;
        });
        const done = (request: { url(): string }) => {
          if (new URL(request.url()).pathname.startsWith('/api/')) open -= 1;
        };
        page.on('requestfinished', done);
        page.on('requestfailed', done);
        await page.route('**/api/**', async (route) => {
          await new Promise((resolve) => setTimeout(resolve, delay() * 400));
          await route.continue().catch(() => undefined);
        });
        await page.goto(`${server.url}/#token=${token}`);
        await settled(page, () => open);

        const moved: string[] = [];
        for (const path of paths) {
          await page.goto(`${server.url}${path}`);
          await settled(page, () => open);
          for (const shift of await shiftedControls(page))
            moved.push(
              `${path}: ${shift.element} [${shift.controls.join(' | ')}] ${shift.from} → ${shift.to} at ${shift.at} ms`,
            );
        }
        expect(moved, `controls that moved (CALMA_SHIFT_SEED=${seed} repeats the order of answers)`).toEqual([]);
        await context.close();
      });

  it("reloads once when a page's chunk will not load (a tab open across a redeploy), then says so instead of going blank", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/#token=${pages.participant.token}`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    const coding = pages.participant.paths.find((p) => p.endsWith('/coding')) as string;
    const navigate = (path: string) =>
      page.evaluate((to) => {
        history.pushState(null, '', to);
        dispatchEvent(new PopStateEvent('popstate'));
      }, path);

    // The first request for the coding page's chunk fails, as one the new build removed would.
    let refused = 0;
    await page.route('**/assets/coding-page-*.js', async (route) => {
      if (refused++ === 0) await route.fulfill({ status: 404, body: 'gone' });
      else await route.continue();
    });
    const reloaded = page.waitForEvent('load');
    await navigate(coding);
    await reloaded;
    await page.getByTestId('coding-codes').waitFor({ state: 'attached' });
    expect(refused).toBe(2);
    expect(new URL(page.url()).pathname).toBe(coding);

    // Every request fails (the server is gone): one reload, then a page that says so.
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.unroute('**/assets/coding-page-*.js');
    await page.route('**/assets/coding-page-*.js', (route) => route.fulfill({ status: 404, body: 'gone' }));
    await navigate(coding);
    await page.getByRole('heading', { name: 'This page could not be loaded' }).waitFor();
    await page.getByRole('button', { name: 'Reload' }).waitFor();
    await context.close();
  });
});
