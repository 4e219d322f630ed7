import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';
import { adminToken, buildServer, type Running, root, startServer, stop } from '../support/child-server.js';
import { picturesOnFailure } from '../support/e2e-page.js';

/**
 * The board people can read (issue 12, items 5 and 6), in Chromium against the seeded demo: it
 * opens on readable cards at 1280, 1920 and 390 px, "Fit all" centres the cards on a phone, the
 * wheel scrolls the page while Ctrl+wheel zooms, one finger pans and two pinch, a card's popover
 * (hover, tap, keyboard) holds the prompt and the whole response, notes are written in place and
 * seen by the others, a reload stays readable, and the board speaks Hindi. Screenshots go to
 * test-results/e2e/board/, each checked with axe-core.
 */
const shots = join(root, 'test-results', 'e2e', 'board');

interface Demo {
  groups: { id: string; inviteCode: string; moderatorToken: string }[];
}

/** A prompt and a response longer than the old 250-character tooltip, labelled in Devanagari and Arabic. */
const prompt = 'Why did the British East India Company gain power in Bengal?';
const response = `${'After the Battle of Plassey in 1757 the Company took control of revenue collection in Bengal. '.repeat(5)}The end of the response is here.`;

describe('the board in the browser', { timeout: 60_000 }, () => {
  let server: Running;
  let browser: Browser;
  let demo: Demo;
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-e2e-board-'));
  const contexts: BrowserContext[] = [];
  let moderator: Page;
  /** A participant on a laptop (1280 × 800) and one on a phone (390 × 844, touch). */
  let asha: Page;
  let ben: Page;
  let sessionPath = '';

  const violations: string[] = [];
  const shot = async (page: Page, name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    const found = await axeViolations(page);
    violations.push(...found.map((f) => `${name}: ${f}`));
    expect(found, `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
  };

  const open = async (path: string, options: Parameters<Browser['newContext']>[0]) => {
    const context = await browser.newContext(options);
    contexts.push(context);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
    // No window.prompt (or any dialog) anywhere on the board.
    page.on('dialog', (dialog) => {
      throw new Error(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
    });
    await page.goto(`${server.url}${path}`);
    return page;
  };

  const join_ = async (name: string, options: Parameters<Browser['newContext']>[0]) => {
    const group = demo.groups[0] as Demo['groups'][number];
    const page = await open(`/join/${group.inviteCode}`, options);
    await page.getByLabel('Display name').fill(name);
    await page.getByLabel('I have read the above and agree to take part.').check();
    await page.getByRole('button', { name: 'Join' }).click();
    // Session 1 is the demo's ended session (its axes for the cross-group comparison).
    await page.getByRole('link', { name: /Session 2/ }).click();
    await page.locator('.board-card').nth(20).waitFor();
    return page;
  };

  /** The smallest card text on screen, in CSS px, among the cards wholly on the surface. */
  const cardTextOnScreen = (page: Page) =>
    page.evaluate(() => {
      const surface = document.querySelector('[data-testid="board-surface"]')?.getBoundingClientRect();
      const sizes: number[] = [];
      for (const card of Array.from(document.querySelectorAll<HTMLElement>('.board-card'))) {
        const box = card.getBoundingClientRect();
        if (!surface || box.left < surface.left || box.right > surface.right) continue;
        if (box.top < surface.top || box.bottom > surface.bottom) continue;
        const text = card.querySelector('.card-text') as HTMLElement;
        sizes.push(Number.parseFloat(getComputedStyle(text).fontSize) * (box.width / card.offsetWidth));
      }
      return { visible: sizes.length, smallest: Math.min(...sizes) };
    });
  const zoom = async (page: Page) => Number((await page.getByTestId('board-zoom').textContent())?.replace('%', ''));
  const layer = (page: Page) => page.locator('.board-layer').getAttribute('style');
  const settle = (page: Page) => page.waitForTimeout(150);

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    expect(buildServer().status).toBe(0);
    server = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
    demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as Demo;
    const group = demo.groups[0] as Demo['groups'][number];
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${group.moderatorToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, await res.clone().text()).toBeLessThan(300);
      return (await res.json()) as { ids: string[] };
    };
    const { ids } = await post(`/api/groups/${group.id}/interactions`, {
      interactions: [
        {
          baseline: false,
          messages: [
            { role: 'user', content: prompt },
            { role: 'assistant', content: response },
          ],
        },
      ],
    });
    await post(`/api/groups/${group.id}/labels`, {
      labels: [
        {
          text: 'औपनिवेशिक पक्षपात',
          annotation: 'Tells only the Company’s side',
          stage: 'initial',
          interactionId: ids[0],
          messageIndex: 1,
        },
        { text: 'تحيز استعماري', annotation: null, stage: 'focused', interactionId: null },
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

  it('opens on readable cards on a laptop, and counts "1 other here"', async () => {
    const group = demo.groups[0] as Demo['groups'][number];
    moderator = await open(`/#token=${group.moderatorToken}`, { viewport: { width: 1280, height: 800 } });
    await moderator.getByRole('button', { name: 'New session' }).click();
    await moderator.getByText('Segment 0', { exact: true }).waitFor();
    sessionPath = new URL(moderator.url()).pathname;
    await moderator.getByRole('button', { name: 'Start 0' }).click();

    asha = await join_('Asha', { viewport: { width: 1280, height: 800 } });
    await asha.getByText('1 other here', { exact: false }).waitFor();
    const text = await cardTextOnScreen(asha);
    expect(text.smallest).toBeGreaterThanOrEqual(12);
    expect(text.visible).toBeGreaterThanOrEqual(10);
    expect(await zoom(asha)).toBeGreaterThanOrEqual(66);
    // The moderator's board, beside the console, is readable too.
    expect((await cardTextOnScreen(moderator)).smallest).toBeGreaterThanOrEqual(12);
    await shot(asha, '01-laptop-1280');
  });

  it('opens readable on a phone, the board gets the screen, and "Fit all" centres the cards', async () => {
    ben = await join_('Ben', { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    await ben.getByText('2 others here', { exact: false }).waitFor();
    const text = await cardTextOnScreen(ben);
    expect(text.smallest).toBeGreaterThanOrEqual(12);
    expect(text.visible).toBeGreaterThanOrEqual(2);
    const surface = (await ben.getByTestId('board-surface').boundingBox()) as { height: number; width: number };
    const tools = (await ben.getByRole('toolbar', { name: 'Board tools' }).boundingBox()) as { height: number };
    expect(surface.height).toBeGreaterThan(844 * 0.7);
    expect(surface.width).toBeGreaterThanOrEqual(389);
    expect(tools.height).toBeLessThan(844 * 0.2);
    await ben.getByTestId('board-surface').scrollIntoViewIfNeeded();
    await shot(ben, '02-phone-390');

    await ben.getByRole('button', { name: 'Fit all' }).click();
    await settle(ben);
    const placement = await ben.evaluate(() => {
      const s = document.querySelector('[data-testid="board-surface"]')?.getBoundingClientRect() as DOMRect;
      const cards = Array.from(document.querySelectorAll('.board-card')).map((c) => c.getBoundingClientRect());
      const left = Math.min(...cards.map((c) => c.left));
      const right = Math.max(...cards.map((c) => c.right));
      const top = Math.min(...cards.map((c) => c.top));
      const bottom = Math.max(...cards.map((c) => c.bottom));
      return {
        dx: (left + right) / 2 - (s.left + s.width / 2),
        dy: (top + bottom) / 2 - (s.top + s.height / 2),
        inside: left >= s.left && right <= s.right && top >= s.top && bottom <= s.bottom,
      };
    });
    expect(placement.inside).toBe(true);
    expect(Math.abs(placement.dx)).toBeLessThan(4);
    expect(Math.abs(placement.dy)).toBeLessThan(4);
    expect(await zoom(ben)).toBeLessThan(30);
    await shot(ben, '03-phone-fit-all');
  });

  it('scrolls the page with the wheel over the board; Ctrl+wheel zooms', async () => {
    await asha.evaluate(() => window.scrollTo(0, 0));
    const box = (await asha.getByTestId('board-surface').boundingBox()) as { x: number; y: number; width: number };
    const before = await zoom(asha);
    await asha.mouse.move(box.x + box.width / 2, box.y + 60);
    await asha.mouse.wheel(0, 300);
    await asha.waitForFunction(() => window.scrollY > 0);
    expect(await zoom(asha)).toBe(before);
    const scrolled = await asha.evaluate(() => window.scrollY);
    await asha.keyboard.down('Control');
    await asha.mouse.wheel(0, -200);
    await asha.keyboard.up('Control');
    await settle(asha);
    expect(await zoom(asha)).toBeGreaterThan(before);
    expect(await asha.evaluate(() => window.scrollY)).toBe(scrolled);
    await asha.getByRole('button', { name: 'Zoom out' }).click();
  });

  it('pans with one finger and zooms with two on a touch screen', async () => {
    const cdp = await ben.context().newCDPSession(ben);
    const box = (await ben.getByTestId('board-surface').boundingBox()) as {
      x: number;
      y: number;
      width: number;
      height: number;
    };
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const touch = (type: string, points: { x: number; y: number }[]) =>
      cdp.send('Input.dispatchTouchEvent', {
        type: type as 'touchStart',
        touchPoints: points.map((p, id) => ({ x: p.x, y: p.y, id })),
      });
    const parse = (style: string | null) => {
      const m = /translate\((-?[\d.]+)px, (-?[\d.]+)px\) scale\(([\d.]+)\)/.exec(style ?? '');
      return { x: Number(m?.[1]), y: Number(m?.[2]), scale: Number(m?.[3]) };
    };
    // One finger, on the background or a card not selected: the view pans.
    const start = parse(await layer(ben));
    await touch('touchStart', [{ x: cx, y: cy }]);
    for (let i = 1; i <= 5; i += 1) await touch('touchMove', [{ x: cx + i * 16, y: cy + i * 12 }]);
    await touch('touchEnd', []);
    const panned = parse(await layer(ben));
    expect(panned.x - start.x).toBeCloseTo(80, 0);
    expect(panned.y - start.y).toBeCloseTo(60, 0);
    expect(panned.scale).toBe(start.scale);
    // Two fingers apart: the zoom follows them.
    const zoomBefore = await zoom(ben);
    await touch('touchStart', [
      { x: cx - 40, y: cy },
      { x: cx + 40, y: cy },
    ]);
    for (let i = 1; i <= 5; i += 1)
      await touch('touchMove', [
        { x: cx - 40 - i * 16, y: cy },
        { x: cx + 40 + i * 16, y: cy },
      ]);
    await touch('touchEnd', []);
    await settle(ben);
    expect(await zoom(ben)).toBeGreaterThan(zoomBefore * 1.8);
    // A card tapped first (selected, its details open) then dragged with one finger moves, for everyone.
    await ben.getByRole('button', { name: 'Fit all' }).click();
    await ben.getByRole('button', { name: 'Zoom in' }).click();
    const card = ben.locator('.board-card', { hasText: 'dry' });
    const id = (await card.getAttribute('data-card-id')) as string;
    const at = (await card.boundingBox()) as { x: number; y: number; width: number; height: number };
    let [px, py] = [at.x + at.width / 2, at.y + at.height / 2];
    await touch('touchStart', [{ x: px, y: py }]);
    await touch('touchEnd', []);
    await ben.getByTestId('card-popover').waitFor();
    // The page scrolled the card into sight above the sheet.
    const shown = (await card.boundingBox()) as { x: number; y: number; width: number; height: number };
    const sheet = (await ben.getByTestId('card-popover').boundingBox()) as { y: number };
    expect(shown.y + shown.height).toBeLessThanOrEqual(sheet.y);
    [px, py] = [shown.x + shown.width / 2, shown.y + shown.height / 2];
    const before = await asha.locator(`[data-card-id="${id}"]`).getAttribute('style');
    await touch('touchStart', [{ x: px, y: py }]);
    for (let i = 1; i <= 5; i += 1) await touch('touchMove', [{ x: px + i * 6, y: py + i * 8 }]);
    await touch('touchEnd', []);
    await asha.waitForFunction(
      ([cardId, style]) => document.querySelector(`[data-card-id="${cardId}"]`)?.getAttribute('style') !== style,
      [id, before] as const,
    );
    await cdp.detach();
  });

  it('shows a card’s annotation, prompt, whole response and source by hover, keyboard and tap', async () => {
    // Hover (laptop): the label tied to the imported interaction, in Devanagari.
    const labelCard = asha.locator('.board-card', { hasText: 'औपनिवेशिक पक्षपात' });
    await labelCard.scrollIntoViewIfNeeded();
    await labelCard.hover();
    const popover = asha.getByTestId('card-popover');
    await popover.waitFor();
    await expect.poll(() => popover.textContent()).toContain(prompt);
    const shown = await asha.getByTestId('card-popover-response').textContent();
    expect(shown).toBe(response);
    expect(await popover.textContent()).toContain('Tells only the Company’s side');
    expect(await popover.getByRole('heading').getAttribute('dir')).toBe('auto');
    expect(await popover.textContent()).toMatch(/initial coding · interaction \d+/);
    await shot(asha, '04-popover-hover');
    await asha.mouse.move(5, 5);
    await popover.waitFor({ state: 'detached' });

    // Keyboard: a seeded label with its response, which the old tooltip cut at 250 characters.
    const seeded = asha.locator('.board-card', { hasText: 'neutral but nuanced' });
    await seeded.focus();
    await asha.keyboard.press('Enter');
    await popover.waitFor();
    expect(await asha.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('card-popover');
    const thanksgiving = (await asha.getByTestId('card-popover-response').textContent()) ?? '';
    expect(thanksgiving.length).toBeGreaterThan(400);
    expect(thanksgiving).toMatch(/mark the harvest season\.$/);
    expect(await popover.textContent()).toContain('Not recorded: only the model');
    await shot(asha, '05-popover-keyboard');
    await asha.keyboard.press('Escape');
    await popover.waitFor({ state: 'detached' });
    expect(await asha.evaluate(() => document.activeElement?.textContent)).toContain('neutral but nuanced');

    // Tap (phone): a Table 1 label with no interaction still says what it is and where it came from.
    await ben.getByRole('button', { name: 'Fit all' }).click();
    await settle(ben);
    const arabic = ben.locator('.board-card', { hasText: 'تحيز استعماري' });
    const box = (await arabic.boundingBox()) as { x: number; y: number; width: number; height: number };
    await ben.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
    const sheet = ben.getByTestId('card-popover');
    await sheet.waitFor();
    expect(await sheet.textContent()).toContain('focused coding');
    expect(await sheet.textContent()).toContain('not tied to one response');
    const sheetBox = (await sheet.boundingBox()) as { height: number };
    expect(sheetBox.height).toBeLessThanOrEqual(844 / 2 + 1);
    await shot(ben, '06-popover-tap-phone');
    await sheet.getByRole('button', { name: 'Close' }).click();
    await sheet.waitFor({ state: 'detached' });
  });

  it('writes, edits and cancels notes in place, and the others see them', async () => {
    await asha.getByRole('button', { name: 'Fit all' }).click();
    const notes = () => ben.locator('.board-card.kind-note').count();
    // A new note: written on the board, Enter saves.
    await asha.getByRole('button', { name: 'Add note' }).click();
    const editor = asha.getByRole('textbox', { name: 'Note text' });
    await editor.waitFor();
    expect(await editor.evaluate((e) => e === document.activeElement)).toBe(true);
    await shot(asha, '07-note-editor');
    await asha.keyboard.type('Ask about');
    await asha.keyboard.press('Shift+Enter');
    await asha.keyboard.type('sources');
    await asha.keyboard.press('Enter');
    const note = ben.locator('.board-card.kind-note', { hasText: 'Ask about' });
    await note.waitFor();
    expect(await note.locator('.card-text').textContent()).toBe('Ask about\nsources');
    // Escape on a new note, and an empty one: nothing is added.
    const count = await notes();
    await asha.getByRole('button', { name: 'Add note' }).click();
    await asha.keyboard.type('never mind');
    await asha.keyboard.press('Escape');
    await asha.getByRole('button', { name: 'Add note' }).click();
    await asha.keyboard.press('Enter');
    await expect.poll(() => asha.locator('.note-editor').count()).toBe(0);
    // Her own note: a double-click edits it, Enter saves, Escape cancels.
    const mine = asha.locator('.board-card.kind-note', { hasText: 'Ask about' });
    await mine.dblclick();
    await asha.keyboard.press('ControlOrMeta+a');
    await asha.keyboard.type('Ask about primary sources');
    await asha.keyboard.press('Enter');
    await ben.locator('.board-card.kind-note', { hasText: 'Ask about primary sources' }).waitFor();
    await asha.locator('.board-card.kind-note', { hasText: 'Ask about primary sources' }).focus();
    await asha.keyboard.press('Enter');
    await asha.keyboard.type(' and more');
    await asha.keyboard.press('Escape');
    await asha.waitForTimeout(300);
    expect(await ben.locator('.board-card.kind-note', { hasText: 'and more' }).count()).toBe(0);
    expect(await notes()).toBe(count);
    // A comment, written the same way, on one selected card.
    await asha.locator('.board-card', { hasText: 'neutral but nuanced' }).click();
    await asha.getByRole('button', { name: 'Comment' }).click();
    await asha.getByRole('textbox', { name: /Comment on/ }).waitFor();
    await asha.keyboard.type('Too one-sided?');
    await asha.keyboard.press('Enter');
    await ben.locator('.board-card', { hasText: 'Too one-sided?' }).getByText('comment').waitFor();
    await shot(ben, '08-phone-notes');
  });

  it('stays readable after a reload, and at 1920 px uses the space', async () => {
    await asha.reload();
    await asha.locator('.board-card').nth(20).waitFor();
    await settle(asha);
    expect((await cardTextOnScreen(asha)).smallest).toBeGreaterThanOrEqual(12);
    await asha.setViewportSize({ width: 1920, height: 1080 });
    await settle(asha);
    const surface = (await asha.getByTestId('board-surface').boundingBox()) as { width: number; height: number };
    expect(surface.width).toBeGreaterThan(1800);
    expect(surface.height).toBeGreaterThan(850);
    const text = await cardTextOnScreen(asha);
    expect(text.smallest).toBeGreaterThanOrEqual(12);
    expect(text.visible).toBeGreaterThanOrEqual(26);
    await shot(asha, '09-desktop-1920');
  });

  it('speaks Hindi, with Devanagari and Arabic labels on cards and in the popover', async () => {
    await ben.getByLabel('Language').selectOption('hi');
    await ben.getByRole('button', { name: 'नोट जोड़ें' }).waitFor();
    await ben.getByText('यहाँ 2 और लोग', { exact: false }).waitFor();
    await ben.getByRole('button', { name: 'सब दिखाएँ' }).click();
    await settle(ben);
    const card = ben.locator('.board-card', { hasText: 'औपनिवेशिक पक्षपात' });
    // The Hindi page's longer words push the board lower: a person scrolls to the card first.
    await card.scrollIntoViewIfNeeded();
    const box = (await card.boundingBox()) as { x: number; y: number; width: number; height: number };
    await ben.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
    const sheet = ben.getByTestId('card-popover');
    await sheet.waitFor();
    expect(await sheet.textContent()).toContain('प्रॉम्प्ट');
    expect(await sheet.textContent()).toContain(prompt);
    await shot(ben, '10-phone-hindi-popover');
    await sheet.getByRole('button', { name: 'बंद करें' }).click();
    // "More" holds the rest of the tools on a phone.
    await ben.getByRole('button', { name: 'और' }).click();
    await ben.getByRole('button', { name: 'पूर्ववत करें' }).waitFor();
    await shot(ben, '11-phone-hindi-more');
    expect(violations).toEqual([]);
    expect(sessionPath).toMatch(/^\/sessions\//);
  });
});
