import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

type AxeWindow = {
  axe: {
    run(
      ctx: Document,
      options: object,
    ): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
  };
};

/**
 * Runs axe-core's WCAG 2 A and AA rules on the page as it is now; one line per violation
 * ("serious color-contrast: .hint, …"), empty when there is none.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const result = await (window as unknown as AxeWindow).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] });
    return result.violations.map(
      (v) =>
        `${v.impact} ${v.id}: ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
  });
}

/**
 * Loads axe-core into every page of `context` as it opens, for files that check many pages:
 * {@link axeViolations} then finds it there. Sending its 550 kB with each check took 180–450 ms a
 * page; the browser's own start-up script is about 300 ms a page cheaper (goto and check, 0.54 s
 * against 0.84 s, measured on the demo's home, summary and agreement pages).
 */
export async function preloadAxe(context: BrowserContext): Promise<void> {
  await context.addInitScript({ path: axePath });
}
