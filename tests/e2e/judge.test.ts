import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import codedFile from '../../apps/server/src/seed/demo-coded.json' with { type: 'json' };
import { axeViolations } from '../support/axe.js';
import { root } from '../support/child-server.js';
import { type Demo, type DemoServer, startDemo } from '../support/demo-session.js';
import { type E2ePage, e2ePageHooks, expectFitsWidth, openE2ePage } from '../support/e2e-page.js';

/**
 * The offline judge in a real browser on the seeded demo (no network): the US pilot group's session
 * ends with two axes whose source codes are the paper's "Cultural Context" and "Source" labels; the
 * analyst opens the judge page from the dashboard, starts the classifier, watches it finish, and
 * reads the score distribution of each axis (a chart) and the agreement with the people, with its
 * n. 1280 and 390 px and Hindi, with axe. Screenshots in test-results/e2e/judge/.
 */
const shots = join(root, 'test-results', 'e2e', 'judge');

describe('the judge page in the browser', { timeout: 90_000 }, () => {
  let d: DemoServer;
  let e2e: E2ePage | undefined;
  let page: Page;
  let group: Demo['groups'][number];
  let sessionId = '';

  const http = <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) =>
    d.http<T>(method, path, token, body);
  const shot = async (name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    expect(await axeViolations(page), `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
    await expectFitsWidth(page, name);
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    d = await startDemo('judge');
    const demo = d.demo;
    group = demo.groups[0] as Demo['groups'][number];

    // The session, driven to segment 4 through the HTTP API; the axes name the pilot's codes.
    const control = (body: object) => http('POST', `/api/sessions/${sessionId}/control`, group.moderatorToken, body);
    sessionId = (await http<{ id: string }>('POST', `/api/groups/${group.id}/sessions`, group.moderatorToken)).id;
    await control({ action: 'start', segment: 1, durationMs: 600_000 });
    await control({ action: 'start', segment: 4, durationMs: 600_000 });
    const { labels } = await http<{ labels: { id: string; text: string; interactionId: string | null }[] }>(
      'GET',
      `/api/groups/${group.id}/labels`,
      group.moderatorToken,
    );
    const tied = (text: string) => labels.filter((l) => l.text === text && l.interactionId).map((l) => l.id);
    expect(tied('Cultural Context')).toHaveLength(2);
    expect(tied('Source')).toHaveLength(2);
    await http('PUT', `/api/sessions/${sessionId}/final-attributes`, group.moderatorToken, {
      attributes: [
        {
          name: 'Cultural context',
          definition: 'Explains events through the culture and perspective of the people involved.',
          sourceLabelIds: tied('Cultural Context'),
        },
        {
          name: 'Sources',
          definition: 'Says where its facts come from and how sure they are.',
          sourceLabelIds: tied('Source'),
        },
      ],
      groupTop3: [],
      groupTop5: [],
    });

    e2e = await openE2ePage({ timeoutMs: 20_000 });
    page = e2e.page;
  }, 90_000);

  e2ePageHooks(shots, () => e2e);

  afterAll(async () => {
    await d?.close();
  });

  it('runs the classifier from the dashboard and shows each axis as a chart and the agreement with its n', async () => {
    await page.goto(`${d.server.url}/sessions/${sessionId}/analysis#token=${group.analystToken}`);
    await page.getByRole('link', { name: 'Judge the axes (classifier or LLM)' }).click();
    await page.getByRole('heading', { name: 'Judge the axes', level: 1 }).waitFor();
    await page.getByText('No run yet: start one above.').waitFor();
    await shot('empty-1280');

    await expect.poll(() => page.getByRole('radio', { name: /Classifier \(offline\)/ }).isChecked()).toBe(true);
    const started = Date.now();
    await page.getByRole('button', { name: 'Start a run' }).click();
    const run = page.getByTestId('judge-run');
    await page.locator('[data-testid="judge-run"][data-status="done"]').waitFor();
    console.info(`[judge e2e] classifier run on the demo: done on the page ${Date.now() - started} ms after the click`);
    expect(await page.getByTestId('judge-status').textContent()).toBe('Done');
    // Every answer of the US group (the pilot's 5 quoted ones and the demo's coded conversations) × 2 axes.
    const turns = 5 + codedFile.groups.mit.length;
    expect(await run.getByText(`${2 * turns} of ${2 * turns} scored`).count()).toBe(1);
    const progress = run.getByRole('progressbar', { name: 'Progress' });
    expect(await progress.getAttribute('value')).toBe(String(2 * turns));

    // A chart per axis: bars drawn (SVG rectangles), and the counts read out in words.
    const charts = page.getByTestId('judge-distribution');
    await expect.poll(() => charts.count()).toBe(2);
    for (const name of ['Cultural context', 'Sources']) {
      const chart = charts.filter({ hasText: name });
      await expect.poll(() => chart.locator('svg .recharts-bar-rectangle').count()).toBeGreaterThan(0);
      expect(await chart.locator('.reading').textContent()).toMatch(new RegExp(`${turns} turns in all`));
    }
    // Agreement: each axis with n = 4 (its 2 examples and the other axis's 2).
    const reading = await page.getByTestId('judge-agreement-reading').textContent();
    expect(reading).toMatch(/Cultural context: \d+% of 4 examples judged as the people did\./);
    expect(reading).toMatch(/Sources: \d+% of 4 examples judged as the people did\./);
    await expect
      .poll(() => page.getByTestId('judge-agreement-chart').locator('svg .recharts-bar-rectangle').count())
      .toBe(2);
    const rows = page.getByTestId('judge-agreement-table').locator('tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.first().locator('td').first().textContent()).toBe('4');
    expect(await page.getByTestId('judge-tokens').textContent()).toBe('0');
    expect(await page.getByTestId('judge-time').textContent()).toMatch(/^[\d.]+ s$/);
    await shot('done-1280');

    // The API says the same.
    const runs = await http<{ runs: { id: string; status: string; agreement: { n: number }[] }[] }>(
      'GET',
      `/api/sessions/${sessionId}/judge-runs`,
      group.analystToken,
    );
    expect(runs.runs[0]?.status).toBe('done');
    expect(runs.runs[0]?.agreement.map((a) => a.n)).toEqual([4, 4]);
  });

  it('fits a phone and reads in Hindi', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator('[data-testid="judge-run"][data-status="done"]').waitFor();
    await expect.poll(() => page.getByTestId('judge-distribution').count()).toBe(2);
    await shot('done-390');
    await page.getByLabel('Language').selectOption('hi');
    await page.getByRole('heading', { name: 'अक्षों पर निर्णायक', level: 1 }).waitFor();
    await page.locator('[data-testid="judge-run"][data-status="done"]').waitFor();
    expect(await page.getByTestId('judge-status').textContent()).toBe('पूरा हुआ');
    await shot('done-390-hi');
  });
});
