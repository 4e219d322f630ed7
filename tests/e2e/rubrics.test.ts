import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.js';
import { root } from '../support/child-server.js';
import { type Demo, type DemoServer, startDemo } from '../support/demo-session.js';
import { type E2ePage, e2ePageHooks, expectFitsWidth, openE2ePage } from '../support/e2e-page.js';

/**
 * The judge rubrics in a real browser, on the seeded demo with final attributes written through
 * the HTTP API (an example interaction and a coded turn per axis): the analyst reaches the editor
 * from the dashboard, edits a level, removes and reorders examples, saves, reloads and sees
 * version 2 with its history, then downloads every alignment export and each parses back.
 * 390 and 1280 px, English and Hindi, checked with axe-core. Screenshots in test-results/e2e/rubrics/.
 */
const shots = join(root, 'test-results', 'e2e', 'rubrics');

describe('judge rubrics and alignment downloads in the browser', { timeout: 90_000 }, () => {
  let d: DemoServer;
  let e2e: E2ePage | undefined;
  let page: Page;
  let group: Demo['groups'][number];
  let sessionId = '';

  const http = <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) =>
    d.http<T>(method, path, token, body);
  const control = (body: object) => http('POST', `/api/sessions/${sessionId}/control`, group.moderatorToken, body);
  const shot = async (name: string, width: number) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    expect(await axeViolations(page), `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
    await expectFitsWidth(page, `${name} at ${width} px`);
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    d = await startDemo('rubrics');
    const demo = d.demo;
    group = demo.groups[0] as Demo['groups'][number];

    const interactions = (
      await http<{ interactions: { id: string; messages: { role: string; content: string }[] }[] }>(
        'GET',
        `/api/groups/${group.id}/interactions`,
        group.moderatorToken,
      )
    ).interactions.filter((i) => i.messages.some((m) => m.role === 'assistant'));
    expect(interactions.length).toBeGreaterThanOrEqual(3);
    const answerOf = (i: (typeof interactions)[number]) => i.messages.findIndex((m) => m.role === 'assistant');
    // Codes on three turns: two for "Accuracy", one against it through a Reflect attribute below.
    const labels = await http<{ ids: string[] }>('POST', `/api/groups/${group.id}/labels`, group.moderatorToken, {
      labels: [0, 1, 2].map((n) => ({
        text: n === 2 ? 'wrong date' : 'accurate',
        stage: 'focused',
        interactionId: interactions[n]?.id,
        messageIndex: answerOf(interactions[n] as (typeof interactions)[number]),
      })),
    });
    await http('POST', `/api/groups/${group.id}/attributes`, group.moderatorToken, {
      name: 'Correctness',
      definition: 'Gets the facts right',
      codes: [
        { labelId: labels.ids[0], sign: 1 },
        { labelId: labels.ids[2], sign: -1 },
      ],
    });

    sessionId = (await http<{ id: string }>('POST', `/api/groups/${group.id}/sessions`, group.moderatorToken)).id;
    await control({ action: 'start', segment: 1, durationMs: 600_000 });
    await control({ action: 'reveal', segment: 1 });
    await control({ action: 'start', segment: 2, durationMs: 600_000 });
    await control({ action: 'start', segment: 4, durationMs: 600_000 });
    await http('PUT', `/api/sessions/${sessionId}/final-attributes`, group.moderatorToken, {
      attributes: [
        {
          name: 'Accuracy',
          definition: 'States correct facts, dates and figures',
          exampleInteractionIds: [interactions[3]?.id ?? interactions[0]?.id],
          sourceLabelIds: [labels.ids[0]],
        },
        { name: 'संतुलन', definition: 'कई दृष्टिकोण, निष्पक्ष ढंग से' },
      ],
      groupTop3: [],
      groupTop5: [],
    });

    e2e = await openE2ePage({ timeoutMs: 15_000 });
    page = e2e.page;
  }, 90_000);

  e2ePageHooks(shots, () => e2e);

  afterAll(async () => {
    await d?.close();
  });

  it('edits a rubric from the dashboard and keeps it as version 2 after a reload', async () => {
    await page.goto(`${d.server.url}/sessions/${sessionId}/analysis#token=${group.analystToken}`);
    await page.getByRole('link', { name: 'Judge rubrics and datasets' }).click();
    await page.getByRole('heading', { name: 'Judge rubrics', level: 1 }).waitFor();
    const accuracy = page
      .locator('section.rubric-editor')
      .filter({ has: page.getByRole('heading', { name: 'Accuracy' }) });
    await expect.poll(() => accuracy.getByTestId('rubric-version').textContent()).toMatch(/^Version 1 · built/);
    expect(await accuracy.getByLabel('Judge prompt').inputValue()).toContain('States correct facts, dates and figures');
    const examples = accuracy.locator('.rubric-example');
    const before = await examples.count();
    expect(before).toBeGreaterThanOrEqual(3);
    await shot('editor-1280', 1280);

    await accuracy.getByLabel('Score 3', { exact: true }).fill('Half the facts are right.');
    const secondText = await examples.nth(1).locator('.rubric-quote').last().textContent();
    await accuracy.getByRole('button', { name: 'Move example 2 up' }).click();
    expect(await examples.nth(0).locator('.rubric-quote').last().textContent()).toBe(secondText);
    await accuracy.getByRole('button', { name: `Remove example ${before}` }).click();
    await accuracy.getByRole('button', { name: 'Save as a new version' }).click();
    await accuracy.getByText('Saved as version 2.').waitFor();

    await page.reload();
    const reloaded = page
      .locator('section.rubric-editor')
      .filter({ has: page.getByRole('heading', { name: 'Accuracy' }) });
    await expect
      .poll(() => reloaded.getByTestId('rubric-version').textContent())
      .toMatch(/^Version 2 · edited by analyst/);
    expect(await reloaded.getByLabel('Score 3', { exact: true }).inputValue()).toBe('Half the facts are right.');
    expect(await reloaded.locator('.rubric-example').count()).toBe(before - 1);
    expect(await reloaded.locator('.rubric-example').first().locator('.rubric-quote').last().textContent()).toBe(
      secondText,
    );
    await reloaded.locator('summary', { hasText: 'History' }).click();
    await reloaded.locator('.rubric-versions li').nth(1).waitFor();
    expect(await reloaded.locator('.rubric-versions li').allTextContents()).toEqual([
      expect.stringMatching(/^Version 2 — analyst, /),
      expect.stringMatching(/^Version 1 — built, /),
    ]);
  });

  it('downloads every alignment export, and each parses back', async () => {
    const files: Record<string, string> = {};
    for (const format of ['judge', 'judge-md', 'steerlm', 'preferences', 'constitution']) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId(`download-${format}`).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`^calma-${format}-${sessionId}\\.(json|jsonl|md)$`));
      files[format] = readFileSync(await download.path(), 'utf8');
    }
    const judge = JSON.parse(files.judge as string) as {
      name: string;
      prompt: string;
      rubric: { score: number }[];
      version: number;
    }[];
    expect(judge.map((j) => [j.name, j.version])).toEqual([
      ['Accuracy', 2],
      ['संतुलन', 1],
    ]);
    for (const entry of judge) expect(entry.rubric.map((l) => l.score)).toEqual([1, 2, 3, 4, 5]);
    expect(files['judge-md']).toContain('| 3 | Half the facts are right. |');
    const lines = (text: string) =>
      text
        .split('\n')
        .filter((l, i, all) => l !== '' || i < all.length - 1)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const steer = lines(files.steerlm as string);
    expect(steer.length).toBeGreaterThanOrEqual(3);
    for (const row of steer)
      expect(Object.keys(row)).toEqual(expect.arrayContaining(['prompt', 'response', 'scores', 'provenance']));
    expect(steer.some((r) => (r.scores as Record<string, number | null>).Accuracy === 1)).toBe(true);
    const pairs = lines(files.preferences as string);
    expect(pairs.length).toBeGreaterThan(0);
    for (const row of pairs)
      for (const key of ['prompt', 'chosen', 'rejected', 'axis', 'source']) expect(row).toHaveProperty(key);
    expect(files.constitution).toContain('Choose the response that best shows "Accuracy"');
    expect(files.constitution).toContain('संतुलन');
  });

  it('fits 390 px, in Hindi too', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator('section.rubric-editor').first().waitFor();
    await shot('editor-390', 390);
    await page.getByLabel('Language').selectOption('hi');
    await page.getByRole('heading', { name: 'जज रूब्रिक', level: 1 }).waitFor();
    await shot('editor-390-hi', 390);
  });
});
