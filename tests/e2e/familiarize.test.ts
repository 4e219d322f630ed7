import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultOrientation } from '@calma/core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';
import { adminToken, buildServer, type Running, root, startServer, stop } from '../support/child-server.js';
import { expectFitsWidth, picturesOnFailure } from '../support/e2e-page.js';

/**
 * Familiarize in a real browser on the seeded demo: a participant on a phone (390 px) joins, goes
 * from the home page to their journey, reads the orientation, labels the practice responses and
 * sees the reference labels and how close theirs came by meaning, fails the comprehension check
 * once, retries and passes; the journey then says Interact is open, also after a reload. The
 * moderator (1280 px) sees the participant's stage; the journey and orientation are pictured in
 * Hindi too. Screenshots go to test-results/e2e/familiarize/, each checked with axe-core.
 */
const shots = join(root, 'test-results', 'e2e', 'familiarize');
const check = defaultOrientation('en').check;

interface Demo {
  groups: { id: string; inviteCode: string; moderatorToken: string; analystToken: string }[];
}

describe('familiarize: orientation, practice and check open Interact', { timeout: 60_000 }, () => {
  let server: Running;
  let browser: Browser;
  let group: Demo['groups'][number];
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-e2e-familiarize-'));
  const contexts: BrowserContext[] = [];
  let asha: Page;
  let ashaToken = '';

  const open = async (path: string, viewport: { width: number; height: number }, language?: 'hi') => {
    const phone = viewport.width < 600;
    const context = await browser.newContext({ viewport, isMobile: phone, hasTouch: phone });
    contexts.push(context);
    context.setDefaultTimeout(10_000);
    if (language) await context.addInitScript((l) => window.localStorage.setItem('calma.language', l), language);
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
    await page.goto(`${server.url}${path}`);
    return page;
  };

  const shot = async (page: Page, name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    // Nothing may widen the page past the screen: a phone would scroll sideways.
    await expectFitsWidth(page, name);
    expect(await axeViolations(page), `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
  };
  const stageText = (page: Page) => page.getByTestId('journey-stage').textContent();

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    expect(buildServer().status).toBe(0);
    server = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
    group = (JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as Demo)
      .groups[0] as Demo['groups'][number];
    browser = await launchChromium();
  }, 60_000);

  picturesOnFailure(shots, () => browser);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    if (server) await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('join → journey → orientation: the home page leads to the journey, pages are recorded as read', async () => {
    asha = await open(`/join/${group.inviteCode}`, { width: 390, height: 844 });
    await asha.getByLabel('Display name').fill('Asha');
    await asha.getByLabel('I have read the above and agree to take part.').check();
    await asha.getByRole('button', { name: 'Join', exact: true }).click();
    await asha.getByText('Welcome, Asha').waitFor();
    ashaToken = (await asha.evaluate(() => window.sessionStorage.getItem('calma.token'))) ?? '';
    expect(ashaToken).not.toBe('');

    // The home page leads to the journey, saying where she stands.
    await asha.getByText('Your stage: Familiarize.').waitFor();
    await shot(asha, 'phone-390-home');
    await asha.getByRole('link', { name: 'Continue your journey' }).click();
    await asha.getByRole('heading', { name: 'Your journey', level: 1 }).waitFor();
    expect(await stageText(asha)).toBe('Your stage: Familiarize.');
    await asha.getByText('Read the orientation (0 of 3 pages read)').waitFor();
    await shot(asha, 'phone-390-journey-start');

    await asha.getByRole('link', { name: 'Read the orientation', exact: true }).click();
    await asha.getByRole('heading', { name: 'What this study asks of you', level: 2 }).waitFor();
    await shot(asha, 'phone-390-orientation-page1');
    await asha.getByRole('button', { name: 'I have read this page: next' }).click();
    // Markdown rendered as structure: the worked example's heading and list items.
    await asha.getByRole('heading', { name: 'Worked example', level: 3 }).waitFor();
    expect(await asha.locator('.journey-markdown li').count()).toBeGreaterThan(3);
    await asha.getByRole('button', { name: 'I have read this page: next' }).click();
    await asha.getByRole('heading', { name: 'Focused coding: from labels to attributes' }).waitFor();
    await asha.getByRole('button', { name: 'I have read this page', exact: true }).click();
    await asha.getByText('You have read the orientation.').waitFor();
  });

  it('practice: label three responses, then see the reference labels and closeness by meaning', async () => {
    await asha.getByRole('link', { name: 'Go on to the practice' }).click();
    await asha.getByRole('heading', { name: 'Practice: label responses' }).waitFor();
    const compare = asha.getByRole('button', { name: 'Compare with the reference labels' });
    // Not yet: every response needs a label, and the button says so.
    await asha.getByText('Write at least one label for 3 more responses').waitFor();
    await asha.locator('#practice-labels-0').fill('Safety advice\nprices given');
    await asha.locator('#practice-labels-1').fill('honest');
    await asha.locator('#practice-labels-2').fill('too tiring for old people');
    await compare.click();
    const first = asha.getByTestId('practice-result-0');
    await first.waitFor();
    await first.getByText('budget-friendly').waitFor();
    expect(await first.textContent()).toContain('Safety advice → safety advice close (100%)');
    expect(await first.textContent()).toMatch(/prices given → concrete prices related \(\d+%\)/);
    expect(await asha.getByTestId('practice-result-2').textContent()).toMatch(
      /too tiring for old people → too physically demanding close \(\d+%\)/,
    );
    await shot(asha, 'phone-390-practice-closeness');
  });

  it('check: fail once, retry, pass; the journey says Interact is open, also after a reload', async () => {
    await asha.getByRole('link', { name: 'Go on to the check' }).click();
    await asha.getByRole('heading', { name: 'Comprehension check' }).waitFor();
    const answer = async (right: number) => {
      for (const [i, q] of check.questions.entries()) {
        const option = i < right ? q.correct : (q.correct + 1) % q.options.length;
        await asha.locator('fieldset').nth(i).getByRole('radio').nth(option).check();
      }
      await asha.getByRole('button', { name: 'Check my answers' }).click();
    };
    await answer(2);
    const result = asha.getByTestId('check-result');
    await result.getByText('2 of 5 right.').waitFor();
    expect(await result.textContent()).toContain('You need 4 to pass.');
    expect(await asha.getByRole('link', { name: 'Start chatting' }).count()).toBe(0);
    await shot(asha, 'phone-390-check-failed');

    await asha.getByRole('button', { name: 'Try again' }).click();
    expect(await asha.locator('input[type=radio]:checked').count()).toBe(0);
    await answer(5);
    await result.getByText('5 of 5 right.').waitFor();
    await result.getByText('You passed: Interact is open.').waitFor();
    expect(await asha.getByRole('link', { name: 'Start chatting' }).getAttribute('href')).toBe(
      `/groups/${group.id}/chat`,
    );
    await shot(asha, 'phone-390-check-passed');

    await asha.getByRole('link', { name: 'Back to your journey' }).click();
    await asha.getByTestId('interact-open').waitFor();
    expect(await stageText(asha)).toBe('Your stage: Interact.');
    await asha.reload();
    await asha.getByTestId('interact-open').waitFor();
    expect(await stageText(asha)).toBe('Your stage: Interact.');
    await asha.getByText('Read the orientation (3 of 3 pages read)').waitFor();
    expect(await asha.getByTestId('interact-open').getByRole('link').getAttribute('href')).toBe(
      `/groups/${group.id}/chat`,
    );
    await shot(asha, 'phone-390-journey-interact');
  });

  it("the moderator sees the participant's stage and what is left", async () => {
    const moderator = await open(`/#token=${group.moderatorToken}`, { width: 1280, height: 800 });
    await moderator.getByRole('link', { name: "Participants' progress" }).click();
    await moderator.getByRole('heading', { name: "Participants' progress", level: 1 }).waitFor();
    const row = moderator.getByTestId('progress-row').filter({ hasText: 'Asha' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Interact');
    await shot(moderator, 'desktop-1280-progress');
  });

  it('in Hindi: the journey and the shipped orientation, at 1280 px', async () => {
    const page = await open(`/groups/${group.id}/journey#token=${ashaToken}`, { width: 1280, height: 800 }, 'hi');
    await page.getByRole('heading', { name: 'आपकी यात्रा', level: 1 }).waitFor();
    expect(await stageText(page)).toBe('आपका चरण: बातचीत।');
    await shot(page, 'desktop-1280-hi-journey');
    await page.goto(`${server.url}/groups/${group.id}/orientation`);
    await page.getByRole('heading', { name: 'यह अध्ययन आपसे क्या चाहता है', level: 2 }).waitFor();
    await shot(page, 'desktop-1280-hi-orientation');
  });

  it('the study owner edits the check: an impossible pass mark is refused with the reason, a good one is kept', async () => {
    const res = await fetch(`${server.url}/api/groups/${group.id}`, {
      headers: { authorization: `Bearer ${group.moderatorToken}` },
    });
    const { studyId } = (await res.json()) as { studyId: string };
    const page = await open(`/studies/${studyId}/orientation#token=${adminToken}`, { width: 1280, height: 900 });
    await page.getByRole('heading', { name: 'Orientation, practice and check', level: 1 }).waitFor();
    await page.getByText('This study uses the shipped orientation').waitFor();
    const passMark = page.getByLabel('Pass mark: correct answers needed (of 5 questions)');
    expect(await passMark.inputValue()).toBe('4');
    await passMark.fill('6');
    await page.getByRole('button', { name: 'Save the orientation' }).click();
    await page.getByRole('alert').getByText('check.passMark 6 is more than the 5 questions').waitFor();
    await passMark.fill('3');
    await page.getByRole('button', { name: 'Save the orientation' }).click();
    await page.getByText('Saved. Participants see this orientation from now on.').waitFor();
    await shot(page, 'desktop-1280-orientation-editor');
    await page.reload();
    await page.getByRole('heading', { name: 'Comprehension check', level: 2 }).waitFor();
    expect(await page.getByLabel('Pass mark: correct answers needed (of 5 questions)').inputValue()).toBe('3');
    expect(await page.getByText('This study uses the shipped orientation').count()).toBe(0);
  });
});
