import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.js';
import { addCard, type BoardClient, boardClient, until } from '../support/board-clients.js';
import { root } from '../support/child-server.js';
import { type Demo, type DemoServer, startDemo } from '../support/demo-session.js';
import { type E2ePage, e2ePageHooks, expectFitsWidth, openE2ePage } from '../support/e2e-page.js';

/**
 * Session replay in a real browser: a short session on the seeded demo (the moderator writes one
 * note in segment 2 and another in segment 3 through a stock y-websocket client), then the analyst
 * scrubs the replay: at the start of segment 3 the board has the first note only, at the end both.
 * Pictures at 1280 and 390 px, checked with axe-core.
 */
const shots = join(root, 'test-results', 'e2e', 'replay');

describe('session replay in the browser', { timeout: 90_000 }, () => {
  let d: DemoServer;
  let e2e: E2ePage | undefined;
  let page: Page;
  let moderator: BoardClient | null = null;
  let sessionId = '';
  let group: Demo['groups'][number];

  const http = <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) =>
    d.http<T>(method, path, token, body);
  const control = (body: object) => http('POST', `/api/sessions/${sessionId}/control`, group.moderatorToken, body);
  const shot = async (name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    expect(await axeViolations(page), `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
  };
  const surface = () => page.getByTestId('board-surface');

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    d = await startDemo('replay');
    const demo = d.demo;
    group = demo.groups[0] as Demo['groups'][number];

    sessionId = (await http<{ id: string }>('POST', `/api/groups/${group.id}/sessions`, group.moderatorToken)).id;
    await control({ action: 'start', segment: 2, durationMs: 600_000 });
    moderator = await boardClient(d.server.url, sessionId, group.moderatorToken);
    addCard(moderator, 'replay-before', { kind: 'note', text: 'Written in segment two', x: 0, y: -400 });
    const observer = await boardClient(d.server.url, sessionId, group.analystToken);
    await until(() => observer.cards.has('replay-before'), 'the first note to be stored');
    await control({ action: 'advance', durationMs: 600_000 });
    await new Promise((r) => setTimeout(r, 50));
    addCard(moderator, 'replay-after', { kind: 'note', text: 'Written in segment three', x: 300, y: -400 });
    await until(() => observer.cards.has('replay-after'), 'the second note to be stored');
    observer.destroy();
    await control({ action: 'end' });

    e2e = await openE2ePage({ timeoutMs: 15_000 });
    page = e2e.page;
  }, 90_000);

  e2ePageHooks(shots, () => e2e);

  afterAll(async () => {
    moderator?.destroy();
    await d?.close();
  });

  it('scrubs to the start of segment 3 and to the end, drawing the board as it stood at each', async () => {
    // From the analyst's dashboard, by its link.
    await page.goto(`${d.server.url}/sessions/${sessionId}/analysis#token=${group.analystToken}`);
    await page.getByRole('link', { name: 'Replay the session' }).click();
    await page.getByRole('heading', { name: 'Session replay', level: 1 }).waitFor();
    const events = page.getByRole('list', { name: /What happened/ });
    await events.getByRole('button').first().waitFor();
    const texts = await events.getByRole('button').allTextContents();
    expect(texts.map((text) => text.replace(/^\S+\s/, ''))).toEqual([
      'Session created',
      'Segment 2 · Affinity map (Running)',
      'Segment 3 · Presentations (Running)',
      'Session ended',
    ]);
    // Opened at the end: both notes.
    await surface().getByText('Written in segment three').waitFor();
    await expect.poll(() => surface().getByText('Written in segment two').count()).toBe(1);
    await shot('replay-end-1280');

    // The start of segment 3: the note of segment 2 only.
    await events.getByRole('button', { name: /Segment 3/ }).click();
    await expect.poll(() => page.getByTestId('replay-segment').textContent()).toContain('Segment 3');
    await expect.poll(() => surface().getByText('Written in segment three').count()).toBe(0);
    expect(await surface().getByText('Written in segment two').count()).toBe(1);
    expect(await events.getByRole('button', { name: /Segment 3/ }).getAttribute('aria-current')).toBe('step');
    await shot('replay-segment3-1280');

    // The keyboard: Home goes to the first moment (an empty board, segment 0), End back to the end.
    const slider = page.getByRole('slider');
    await slider.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => page.getByTestId('replay-segment').textContent()).toContain('Segment 0');
    await expect.poll(() => surface().getByText('Written in segment two').count()).toBe(0);
    await page.keyboard.press('End');
    await expect.poll(() => page.getByTestId('replay-segment').textContent()).toContain('Ended');
    await surface().getByText('Written in segment three').waitFor();

    await page.setViewportSize({ width: 390, height: 844 });
    await expectFitsWidth(page);
    await shot('replay-390');

    // In Hindi: the page, the events and the segment names.
    await page.getByLabel('Language').selectOption('hi');
    await page.getByRole('heading', { name: 'सत्र का पुनर्दर्शन', level: 1 }).waitFor();
    await page.getByRole('button', { name: /सत्र समाप्त हुआ/ }).waitFor();
    await shot('replay-390-hi');
    await page.getByLabel('भाषा').selectOption('en');
  });
});
