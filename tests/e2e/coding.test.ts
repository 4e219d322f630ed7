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
 * Initial coding in a real browser against the built server and the demo study: a participant
 * who passed the check (through the API) codes the baseline turn on selected words with a note,
 * takes a suggested code by keyboard, moves on by keyboard, reloads (codes and the unsent draft
 * are back), and a second tab shows the same codes; the labels API has the span. 1280 and 390 px
 * (and Hindi) with axe. Screenshots in test-results/e2e/coding/.
 */
const shots = join(root, 'test-results', 'e2e', 'coding');

interface Demo {
  studyId: string;
  groups: { id: string; inviteCode: string; moderatorToken: string; analystToken: string }[];
}

describe('initial coding in the browser', { timeout: 60_000 }, () => {
  let server: Running;
  let browser: Browser;
  let demo: Demo;
  let group: Demo['groups'][number];
  let context: BrowserContext;
  let page: Page;
  let token = '';
  let expected = { start: 0, end: 0, text: '' };
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-e2e-coding-'));

  const http = async <T = Record<string, unknown>>(method: string, path: string, auth: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };

  const shot = async (p: Page, name: string) => {
    await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    expect(await axeViolations(p), `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
    await expectFitsWidth(p, name);
  };
  const codeField = (p: Page) => p.getByRole('combobox', { name: 'Code' });
  const codes = (p: Page) => p.getByTestId('coding-codes');

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    expect(buildServer().status).toBe(0);
    server = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
    demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as Demo;
    group = demo.groups[0] as Demo['groups'][number];
    const joined = await http<{ token: string }>('POST', '/api/join', '', {
      inviteCode: group.inviteCode,
      displayName: 'Dana',
      consent: true,
    });
    token = joined.token;
    // Familiarize through the API: every page read, the check passed.
    const orientation = await http<{ pages: unknown[]; check: { questions: { id: string; correct: number }[] } }>(
      'GET',
      `/api/studies/${demo.studyId}/orientation`,
      adminToken,
    );
    for (const [index] of orientation.pages.entries())
      await http('POST', `/api/groups/${group.id}/orientation/read`, token, { page: index });
    const answers = Object.fromEntries(orientation.check.questions.map((q) => [q.id, q.correct]));
    expect(await http('POST', `/api/groups/${group.id}/check`, token, { answers })).toMatchObject({ passed: true });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
  }, 45_000);

  picturesOnFailure(shots, () => browser);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    if (server) await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('codes selected words of the baseline turn with a note, and takes a suggestion by keyboard', async () => {
    await page.goto(`${server.url}/groups/${group.id}/journey#token=${token}`);
    // The journey's coding step links here once Familiarize is done (while Interact is open too).
    await page.getByRole('link', { name: /^Label responses/ }).click();
    await page.getByRole('heading', { name: 'Code the responses', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/groups/${group.id}/coding`);
    await page.getByText(/^0 of \d+ turns coded$/).waitFor();
    const turn = page.getByTestId('coding-turn');
    await turn.getByText('Baseline set').waitFor();
    await turn.getByRole('heading', { name: /^Turn 1 of \d+$/ }).waitFor();

    // Select words in the response as a mouse would leave them: a DOM selection inside it.
    expected = await page.getByTestId('coding-response').evaluate((el) => {
      const node = el.firstChild as Text;
      const text = node.data;
      const start = text.indexOf(' ') + 1;
      const end = Math.min(text.length, start + 24);
      const range = document.createRange();
      range.setStart(node, start);
      range.setEnd(node, end);
      const selection = window.getSelection() as Selection;
      selection.removeAllRanges();
      selection.addRange(range);
      return { start, end, text: text.slice(start, end) };
    });
    await page.getByText('Coding the selected words:').waitFor();
    await codeField(page).fill('dismissive tone');
    await page.getByLabel('Note: why (optional)').fill('It skips what the day means to Native Americans.');
    await codeField(page).press('Enter');
    await codes(page).getByText('dismissive tone').waitFor();
    await codes(page).getByText('It skips what the day means to Native Americans.').waitFor();
    await page.getByText(/^1 of \d+ turns? coded$/).waitFor();
    await expect.poll(() => page.getByTestId('coding-pending').count()).toBe(0);
    // The coded words are highlighted.
    await expect.poll(() => page.locator('.coding-response mark').first().textContent()).toBe(expected.text);

    // Autocomplete from the group's codes (the demo's pilot labels): ↓ then Enter takes it, Enter adds.
    await codeField(page).pressSequentially('neu');
    const option = page.getByRole('option', { name: /neutral but nuanced/ });
    await option.waitFor();
    await expect(option.textContent()).resolves.toContain('starts the same');
    await codeField(page).press('ArrowDown');
    await expect.poll(() => option.getAttribute('aria-selected')).toBe('true');
    await codeField(page).press('Enter');
    await expect(codeField(page).inputValue()).resolves.toBe('neutral but nuanced');
    await codeField(page).press('Enter');
    await codes(page).getByText('neutral but nuanced').waitFor();
    await expect.poll(() => codes(page).locator('li').count()).toBe(2);
    // A note is changed in place (PATCH), Ctrl+Enter saves it.
    await page.getByRole('button', { name: 'Edit the note on dismissive tone' }).click();
    const note = page.getByLabel('Note on dismissive tone: why');
    await note.fill('It skips what the day means to Native Americans, and says so flatly.');
    await note.press('Control+Enter');
    await codes(page).getByText('It skips what the day means to Native Americans, and says so flatly.').waitFor();
    await shot(page, '01-coded-desktop');
  });

  it('moves on by keyboard, keeps an unsent draft over a reload, and shows the codes in a second tab', async () => {
    // Esc leaves the field; then the letter shortcuts work (and not while typing).
    await codeField(page).press('Escape');
    await page.keyboard.press('j');
    await page.getByRole('heading', { name: /^Turn 2 of \d+$/ }).waitFor();
    // A save that cannot reach the server is shown with its sentence, kept, and sent again.
    await page.route('**/api/groups/*/labels', (route) =>
      route.request().method() === 'POST' ? route.abort('connectionrefused') : route.continue(),
    );
    await page.keyboard.press('c');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('combobox');
    await page.keyboard.type('offline code');
    await page.keyboard.press('Enter');
    await page
      .getByTestId('coding-pending')
      .getByText(/^Not saved: Could not reach the Calma server/)
      .waitFor();
    await page.getByText('Trying again in a moment.').waitFor();
    await page.unroute('**/api/groups/*/labels');
    await codes(page).getByText('offline code').waitFor();
    await expect.poll(() => page.getByTestId('coding-pending').count(), { timeout: 10_000 }).toBe(0);
    await page.getByText(/^2 of \d+ turns coded$/).waitFor();

    await page.keyboard.type('jk half-written');
    await page.getByLabel('Note: why (optional)').fill('draft note');
    await page.getByRole('heading', { name: /^Turn 2 of \d+$/ }).waitFor();

    await page.reload();
    await page.getByRole('heading', { name: /^Turn 2 of \d+$/ }).waitFor();
    await expect(codeField(page).inputValue()).resolves.toBe('jk half-written');
    await expect(page.getByLabel('Note: why (optional)').inputValue()).resolves.toBe('draft note');
    await page.getByTestId('draft-restored').waitFor();
    await page.keyboard.press('Alt+ArrowUp');
    await page.getByRole('heading', { name: /^Turn 1 of \d+$/ }).waitFor();
    await codes(page).getByText('dismissive tone').waitFor();
    await codes(page).getByText('neutral but nuanced').waitFor();

    const second = await context.newPage();
    await second.goto(`${server.url}/groups/${group.id}/coding#token=${token}`);
    await second.getByRole('heading', { name: /^Turn 1 of \d+$/ }).waitFor();
    await codes(second).getByText('dismissive tone').waitFor();
    await second.getByText(/^2 of \d+ turns coded$/).waitFor();
    // A code removed in the second tab leaves the first once it looks again.
    await second.getByRole('button', { name: 'Remove the code neutral but nuanced' }).click();
    await expect.poll(() => codes(second).locator('li').count()).toBe(1);
    await page.bringToFront();
    await expect.poll(() => codes(page).locator('li').count()).toBe(1);
    await second.close();

    const { labels } = await http<{
      labels: {
        text: string;
        annotation: string | null;
        span: { start: number; end: number } | null;
        participantId: string;
      }[];
    }>('GET', `/api/groups/${group.id}/labels`, token);
    const coded = labels.find((l) => l.text === 'dismissive tone');
    expect(coded).toMatchObject({
      span: { start: expected.start, end: expected.end },
      annotation: 'It skips what the day means to Native Americans, and says so flatly.',
    });
    expect(labels.some((l) => l.text === 'neutral but nuanced' && l.participantId === coded?.participantId)).toBe(
      false,
    );
  });

  it('holds at 390 px and in Hindi', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('heading', { name: /^Turn 1 of \d+$/ }).waitFor();
    await shot(page, '02-phone');
    await page.getByLabel('Language').selectOption('hi');
    await page.getByRole('heading', { name: 'उत्तरों को कोड करें', level: 1 }).waitFor();
    await page.getByText(/^कोड किए गए उत्तर: \d+ में से 2$/).waitFor();
    await shot(page, '03-phone-hindi');
    await page.getByLabel('भाषा').selectOption('en');
  });
});
