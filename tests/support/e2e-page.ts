import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, expect } from 'vitest';
import { launchChromium } from './browser.js';

/** One browser page for a test file, and how to get rid of it. */
export interface E2ePage {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
}

/**
 * Opens Chromium with one page (1280 × 900 unless told, downloads accepted, `timeoutMs` for every
 * wait) and says the page's own errors on the test's output. Call it from the file's `beforeAll`,
 * with {@link e2ePageHooks} beside it.
 */
export async function openE2ePage(
  options: { viewport?: { width: number; height: number }; timeoutMs?: number } = {},
): Promise<E2ePage> {
  const browser = await launchChromium();
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(options.timeoutMs ?? 20_000);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
  return { browser, context, page };
}

/**
 * The hooks that go with {@link openE2ePage}: a picture of the page when a test fails, and the
 * browser closed after the file. Call it in the `describe`, beside the `beforeAll` that opens it.
 */
export function e2ePageHooks(shots: string, current: () => E2ePage | undefined): void {
  afterEach(async (test) => {
    if (test.task.result?.state !== 'fail') return;
    const page = current()?.page;
    if (page) await pictureFailure(page, join(shots, `failed-${test.task.name.slice(0, 30)}.png`));
  });
  afterAll(async () => {
    const open = current();
    await open?.context.close().catch(() => undefined);
    await open?.browser.close();
  });
}

/**
 * A failed test's page: a full-page picture at `path`, and on the test's output the address it
 * was at and its first heading (a click whose next page never came shows where it stayed).
 */
export async function pictureFailure(page: Page, path: string): Promise<void> {
  const heading = await page
    .locator('h1')
    .first()
    .textContent({ timeout: 1_000 })
    .catch(() => null);
  console.error(`[browser] failed at ${page.url()} (h1: ${heading ?? 'none'}); picture: ${path}`);
  await page.screenshot({ path, fullPage: true }).catch(() => undefined);
}

/**
 * Pictures of every page still open in `browser` when a test fails ({@link pictureFailure}), for
 * files that open a context per test and close it at the test's end (a failed test leaves its
 * pages open).
 */
export function picturesOnFailure(shots: string, browser: () => Browser | undefined): void {
  afterEach(async (test) => {
    if (test.task.result?.state !== 'fail') return;
    for (const [i, context] of (browser()?.contexts() ?? []).entries())
      for (const [j, page] of context.pages().entries())
        await pictureFailure(page, join(shots, `failed-${test.task.name.slice(0, 30)}-${i}-${j}.png`));
  });
}

/**
 * The page does not scroll sideways: nothing is wider than the window. Polled for a few seconds,
 * since a page that has just loaded or been resized may still be laying out (charts follow a
 * resize observer, fonts and late data reflow); a failure names what sticks out.
 */
export async function expectFitsWidth(page: Page, label = 'the page'): Promise<void> {
  const measure = () =>
    page.evaluate(() => {
      const width = window.innerWidth;
      const over = document.documentElement.scrollWidth - width;
      if (over <= 0) return '';
      const wide = Array.from(document.querySelectorAll('body *'))
        .filter((el) => el.getBoundingClientRect().right > width)
        .slice(-5)
        .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}"> to ${el.getBoundingClientRect().right}px`);
      return `${over}px wider than the window (${width}px): ${wide.join('; ') || 'no element found'}`;
    });
  await expect.poll(measure, { timeout: 3_000, message: `${label} scrolls sideways` }).toBe('');
}

/** A control (link, button, field or tab) the browser saw move while nobody touched the page. */
export interface ShiftedControl {
  /** Milliseconds after the page's navigation started. */
  at: number;
  /** The element that moved (tag and class) and the first controls in it, by their text. */
  element: string;
  controls: string[];
  /** Its top-left corner before and after, in CSS pixels (0,0: moved out of the window). */
  from: [number, number];
  to: [number, number];
}

/**
 * Has every page of `context` note the layout shifts (Chromium's Layout Instability API) that
 * moved a control on screen without the person's input, for {@link shiftedControls} to read: a
 * control that moves under a pointer takes the click meant for it somewhere else.
 */
export async function watchLayoutShifts(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const seen: unknown[] = [];
    Object.defineProperty(window, '__calmaShifts', { value: seen });
    const controls = 'a[href],button,input,select,textarea,[role=tab]';
    const round = (n: number) => Math.round(n);
    new PerformanceObserver((list) => {
      type Rect = { x: number; y: number };
      type Shift = PerformanceEntry & {
        hadRecentInput: boolean;
        sources: { node: Node | null; previousRect: Rect; currentRect: Rect }[];
      };
      for (const entry of list.getEntries() as Shift[]) {
        if (entry.hadRecentInput) continue;
        for (const source of entry.sources ?? []) {
          const element = source.node instanceof Element ? source.node : (source.node?.parentElement ?? null);
          if (!element) continue;
          const inside = element.matches(controls) ? [element] : Array.from(element.querySelectorAll(controls));
          if (inside.length === 0) continue;
          seen.push({
            at: round(entry.startTime),
            element: `${element.tagName.toLowerCase()}${element.className ? `.${String(element.className).split(' ').join('.')}` : ''}`,
            controls: inside
              .slice(0, 3)
              .map((c) => (c.textContent?.trim() || c.getAttribute('aria-label') || c.tagName).slice(0, 40)),
            from: [round(source.previousRect.x), round(source.previousRect.y)],
            to: [round(source.currentRect.x), round(source.currentRect.y)],
          });
        }
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/** The controls seen moving on `page` since it loaded ({@link watchLayoutShifts}). */
export function shiftedControls(page: Page): Promise<ShiftedControl[]> {
  return page.evaluate(() => (window as unknown as { __calmaShifts?: ShiftedControl[] }).__calmaShifts ?? []);
}
