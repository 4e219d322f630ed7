import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';
import { adminToken, buildServer, type Running, root, startServer, stop } from '../support/child-server.js';
import { expectFitsWidth, picturesOnFailure } from '../support/e2e-page.js';

/**
 * Focused coding in a real browser against the built server: a participant whose codes include
 * the near-synonyms "warm", "friendly", "caring" (and "cold") opens the suggested grouping, edits
 * it (one code against, a positive and a negative example), saves, edits again (the history says
 * both versions in words), reloads (an unsaved draft comes back), shares, and a stale save from a
 * second tab is refused with the conflict message. Screenshots in test-results/e2e/focused/.
 */
const shots = join(root, 'test-results', 'e2e', 'focused');

interface Demo {
  studyId: string;
  groups: { id: string; inviteCode: string; moderatorToken: string; analystToken: string }[];
}
interface Listed {
  id: string;
  name: string;
  definition: string;
  codes: { labelId: string; sign: 1 | -1 }[];
  examples: { interactionId: string; messageIndex: number; polarity: string }[];
  shared: boolean;
  version: number;
}

const kindTurn = 'Families gather to share a meal and give thanks, welcoming friends and neighbours warmly.';
const curtTurn = 'It is a holiday. Look it up.';

describe('focused coding in the browser', { timeout: 60_000 }, () => {
  let server: Running;
  let browser: Browser;
  let group: Demo['groups'][number];
  let dev: { token: string; participantId: string };
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-e2e-focused-'));
  const contexts: BrowserContext[] = [];
  let page: Page;

  const http = async <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const attributes = async () =>
    (await http<{ attributes: Listed[] }>('GET', `/api/groups/${group.id}/attributes`, dev.token)).attributes;

  const open = async (viewport: { width: number; height: number }, language?: 'hi') => {
    const phone = viewport.width < 600;
    const context = await browser.newContext({ viewport, isMobile: phone, hasTouch: phone });
    contexts.push(context);
    context.setDefaultTimeout(15_000);
    if (language) await context.addInitScript((l) => window.localStorage.setItem('calma.language', l), language);
    return context;
  };
  const goto = async (context: BrowserContext, to = 'attributes') => {
    const tab = await context.newPage();
    tab.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
    await tab.goto(`${server.url}/groups/${group.id}/${to}#token=${dev.token}`);
    return tab;
  };
  const shot = async (tab: Page, name: string) => {
    await tab.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    expect(await axeViolations(tab), `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
    await expectFitsWidth(tab, name);
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    expect(buildServer().status).toBe(0);
    server = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as Demo;
    group = demo.groups[0] as Demo['groups'][number];
    dev = await http('POST', '/api/join', '', { inviteCode: group.inviteCode, displayName: 'Dev', consent: true });
    // Familiarize through the API: every page read, the check passed.
    const orientation = await http<{ pages: unknown[]; check: { questions: { id: string; correct: number }[] } }>(
      'GET',
      `/api/studies/${demo.studyId}/orientation`,
      adminToken,
    );
    for (const [index] of orientation.pages.entries())
      await http('POST', `/api/groups/${group.id}/orientation/read`, dev.token, { page: index });
    const answers = Object.fromEntries(orientation.check.questions.map((q) => [q.id, q.correct]));
    await http('POST', `/api/groups/${group.id}/check`, dev.token, { answers });
    // A second baseline item beside the demo's, so there are two turns to cite as examples.
    await http('POST', `/api/groups/${group.id}/interactions`, group.moderatorToken, {
      interactions: [
        {
          id: 'e2e-focused-baseline',
          baseline: true,
          messages: [
            { role: 'user', content: 'What is Thanksgiving about?' },
            { role: 'assistant', content: kindTurn },
            { role: 'user', content: 'Tell me more.' },
            { role: 'assistant', content: curtTurn },
          ],
        },
      ],
    });
    const on = (interactionId: string, messageIndex: number) => (text: string) => ({
      text,
      stage: 'initial',
      interactionId,
      messageIndex,
    });
    const kind = on('e2e-focused-baseline', 1);
    const curt = on('e2e-focused-baseline', 3);
    await http('POST', `/api/groups/${group.id}/labels`, dev.token, {
      labels: [
        kind('warm'),
        kind('friendly'),
        kind('caring'),
        curt('cold'),
        on(`bl:${group.id}:thanksgiving`, 0)('warm'),
      ],
    });
    browser = await launchChromium();
  }, 60_000);

  picturesOnFailure(shots, () => browser);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    if (server) await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens a suggestion, edits it (one code against, two examples) and saves it once', async () => {
    // The way in: the journey's Reflect stage links here.
    page = await goto(await open({ width: 1280, height: 900 }), 'journey');
    await page.getByRole('link', { name: 'Group your codes into attributes' }).click();
    await page.getByRole('heading', { name: 'Group your codes into attributes', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/groups/${group.id}/attributes`);
    await page.getByRole('heading', { name: 'Your codes (4)' }).waitFor();
    await expect(page.getByTestId('own-codes').textContent()).resolves.toContain('used 2 times');
    const suggestion = page.getByTestId('suggestions').locator('li.suggestion');
    await suggestion.first().waitFor();
    expect(await suggestion.count()).toBe(1);
    const suggested = (await suggestion.first().textContent()) ?? '';
    for (const code of ['warm', 'friendly', 'caring']) expect(suggested).toContain(code);
    expect(suggested).not.toContain('cold');
    await shot(page, '01-suggestion-1280');

    await page.getByRole('button', { name: /^Open in editor: / }).click();
    await page.getByText('Opened from a suggestion').waitFor();
    expect(await attributes()).toEqual([]); // never applied by itself
    await page.getByLabel('Name').fill('Warmth');
    await page.getByLabel('Definition').fill('How kindly the answer speaks');
    await page.getByLabel('Add one of your codes').selectOption('cold');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByLabel('How “cold” counts').selectOption('-1');
    await page.getByText(/^Choose from the turns you coded/).click();
    await page.getByRole('combobox', { name: /Coded turn \d+: Families gather/ }).selectOption('positive');
    await page.getByRole('combobox', { name: /Coded turn \d+: It is a holiday/ }).selectOption('negative');
    await page.getByTestId('examples-positive').getByText(kindTurn).waitFor();
    await page.getByTestId('examples-negative').getByText(curtTurn).waitFor();
    await shot(page, '02-editor-1280');
    await page.getByRole('button', { name: 'Save', exact: true }).dblclick();
    await page.getByText('Saved as version 1.').waitFor();

    const saved = await attributes();
    expect(saved).toHaveLength(1); // the double click saved once
    const warmth = saved[0] as Listed;
    expect(warmth).toMatchObject({ name: 'Warmth', definition: 'How kindly the answer speaks', version: 1 });
    // Every label of each code: "warm" twice, the rest once; "cold" against.
    expect(warmth.codes).toHaveLength(5);
    expect(warmth.codes.filter((c) => c.sign === -1)).toHaveLength(1);
    expect(warmth.examples.map((e) => [e.messageIndex, e.polarity]).sort()).toEqual([
      [1, 'positive'],
      [3, 'negative'],
    ]);
  });

  it('edits again: the history says both versions in words', async () => {
    await page.getByRole('button', { name: 'Remove: friendly' }).click();
    await page.getByLabel('Definition').fill('How kindly and gently the answer speaks');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved as version 2.').waitFor();
    const history = page.getByTestId('version-history');
    await history.getByText('Version 2 · by its author').waitFor();
    const words = (await history.textContent()) ?? '';
    expect(words).toContain('removed code “friendly” (for)');
    expect(words).toContain('definition changed');
    expect(words).toContain('Version 1 · by its author');
    expect(words).toContain('created it');
    // Version 2 is listed first (newest first).
    expect(words.indexOf('Version 2')).toBeLessThan(words.indexOf('Version 1'));
    await shot(page, '03-history-1280');
  });

  it('brings everything back after a reload, the unsaved draft included, and shares', async () => {
    await page.getByLabel('Definition').fill('Unsaved words about warmth');
    await page.reload();
    await page.getByRole('heading', { name: 'Edit attribute' }).waitFor();
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('Warmth');
    await expect(page.getByLabel('Definition').inputValue()).resolves.toBe('Unsaved words about warmth');
    await page.getByLabel('How “cold” counts').waitFor();
    await expect(page.getByLabel('How “cold” counts').inputValue()).resolves.toBe('-1');
    await page.getByTestId('examples-negative').getByText(curtTurn).waitFor();
    await page.getByTestId('version-history').getByText('removed code “friendly” (for)').waitFor();
    // The suggestion that was saved is not offered again on this device.
    await page.getByText('1 suggestion dismissed on this device.').waitFor();
    // Opening something else asks before the unsaved changes go.
    await page.getByRole('button', { name: 'New attribute' }).click();
    await page.getByText('“Warmth” has changes that are not saved.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Keep editing' }).click();
    await expect(page.getByLabel('Definition').inputValue()).resolves.toBe('Unsaved words about warmth');

    await page.getByRole('button', { name: 'Share with the group' }).click();
    await page.getByText('Shared with your group.').waitFor();
    await page.getByTestId('version-history').getByText('shared with the group').waitFor();
    expect((await attributes())[0]).toMatchObject({ shared: true, version: 3 });
    // The draft survived sharing: still unsaved, still there.
    await expect(page.getByLabel('Definition').inputValue()).resolves.toBe('Unsaved words about warmth');
  });

  it('refuses a stale save from a second tab with the conflict message, overwriting nothing', async () => {
    const second = await goto(page.context());
    await second.getByRole('heading', { name: 'Edit attribute' }).waitFor();
    // This tab saves first.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved as version 4.').waitFor();
    // The second tab started from version 3.
    await second.getByLabel('Definition').fill('Words from the second tab');
    await second.getByRole('button', { name: 'Save', exact: true }).click();
    const conflict = second.getByTestId('attribute-conflict');
    await conflict.getByText(/changed elsewhere \(it is at version 4; your edit started from version 3\)/).waitFor();
    expect((await attributes())[0]).toMatchObject({ definition: 'Unsaved words about warmth', version: 4 });
    await shot(second, '04-conflict-1280');
    await second.getByRole('button', { name: 'Reload the saved version' }).click();
    await expect(second.getByLabel('Definition').inputValue()).resolves.toBe('Unsaved words about warmth');
    await second.close();
  });

  it('deletes an attribute only once confirmed', async () => {
    await page.getByRole('button', { name: 'New attribute' }).click();
    await page.getByRole('heading', { name: 'New attribute', level: 2 }).waitFor();
    await page.getByLabel('Name').fill('Scratch');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved as version 1.').waitFor();
    expect(await attributes()).toHaveLength(2);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('Delete “Scratch” and its history? This cannot be undone.').waitFor();
    await page.getByRole('button', { name: 'Keep it' }).click();
    expect(await attributes()).toHaveLength(2);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.getByRole('heading', { name: 'Your attribute (1)' }).waitFor();
    expect((await attributes()).map((a) => a.name)).toEqual(['Warmth']);
  });

  it('holds at 390 px, and in Hindi', async () => {
    const phone = await goto(await open({ width: 390, height: 844 }));
    await phone.getByRole('heading', { name: 'Your attribute (1)' }).waitFor();
    await phone.getByRole('button', { name: 'Warmth' }).click();
    await phone.getByTestId('version-history').getByText('Version 4 · by its author').waitFor();
    await shot(phone, '05-phone-390');
    const hindi = await goto(await open({ width: 390, height: 844 }, 'hi'));
    await hindi.getByRole('heading', { name: 'अपने कोड को विशेषताओं में समूहित करें', level: 1 }).waitFor();
    await hindi.getByRole('button', { name: 'Warmth' }).click();
    await hindi.getByTestId('version-history').getByText('कोड “friendly” हटाया (पक्ष में)').waitFor();
    await shot(hindi, '06-phone-390-hindi');
  });
});
