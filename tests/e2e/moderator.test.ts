import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';
import { adminToken, buildServer, type Running, root, startServer, stop } from '../support/child-server.js';
import { picturesOnFailure } from '../support/e2e-page.js';

/**
 * The moderator console in a real browser against the built server: every control action, double
 * clicked (and clicked twice quickly), acts once, as the session's revision in the API shows;
 * ending asks in a modal dialog; durations keep their decimals; the console fits at 390, 1280,
 * 1440 and 1920 px, in English and Hindi. Screenshots go to test-results/e2e/moderator/.
 */
const shots = join(root, 'test-results', 'e2e', 'moderator');

interface Demo {
  groups: { id: string; inviteCode: string; moderatorToken: string }[];
}
interface State {
  segment: number;
  status: string;
  durationMs: number | null;
  startedAt: number | null;
  endsAt: number | null;
  revealed: number[];
  boardLocked: boolean;
  revision: number;
  speakers: { order: string[]; currentSpeakerId: string | null };
}

describe('the moderator console', { timeout: 60_000 }, () => {
  let server: Running;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let group: Demo['groups'][number];
  let sessionId = '';
  const people: { participantId: string; token: string }[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-e2e-moderator-'));

  const call = async <T = Record<string, unknown>>(path: string, token: string, init: RequestInit = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const stateOf = async () =>
    (await call<{ state: State }>(`/api/sessions/${sessionId}`, group.moderatorToken)).body.state;

  const checked: string[] = [];
  const shot = async (name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    const found = await axeViolations(page);
    checked.push(name);
    expect(found, `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
  };

  const button = (name: string, within: Page | Locator = page) => within.getByRole('button', { name, exact: true });
  /** The reason a control gives for being unusable (its accessible description), or null. */
  const reasonOf = (locator: Locator) =>
    locator.evaluate((b) => {
      if (b.getAttribute('aria-disabled') !== 'true') return null;
      const ids = (b.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
      return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
    });
  /**
   * Two clicks `gapMs` apart at the same spot, as a person makes them (not one `dblclick` event):
   * the second lands on whatever the first left under the pointer.
   */
  const twoQuickClicks = async (locator: Locator, gapMs = 60) => {
    await locator.scrollIntoViewIfNeeded();
    const box = await locator.boundingBox();
    if (!box) throw new Error('not visible');
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    await page.mouse.click(x, y);
    await page.waitForTimeout(gapMs);
    await page.mouse.click(x, y);
  };
  /**
   * Waits for the action to land, then a while longer for a second one that must not come: the
   * session is exactly one revision further.
   */
  const oneStepFrom = async (before: State) => {
    const deadline = Date.now() + 10_000;
    while ((await stateOf()).revision === before.revision) {
      if (Date.now() > deadline) throw new Error(`no action landed after revision ${before.revision}`);
      await page.waitForTimeout(50);
    }
    await page.waitForTimeout(800);
    const after = await stateOf();
    expect(after.revision, 'one click, one transition').toBe(before.revision + 1);
    return after;
  };
  /** Nothing in the console is wider than its box, and every field is inside the viewport. */
  const fits = async (label: string) => {
    const problems = await page.evaluate(() => {
      const found: string[] = [];
      const width = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth > width)
        found.push(`page scrolls sideways (${document.documentElement.scrollWidth} > ${width})`);
      const console = document.querySelector('.session-side');
      if (!console) return ['no console'];
      for (const el of [
        console,
        ...Array.from(console.querySelectorAll('.card, fieldset, .example-list, .mapping-row')),
      ]) {
        if (el.scrollWidth > el.clientWidth + 1) {
          const box = el.getBoundingClientRect();
          const right =
            box.left + el.clientLeft + el.clientWidth - Number.parseFloat(getComputedStyle(el).paddingRight);
          const wide = Array.from(el.querySelectorAll('*'))
            .filter((c) => c.getBoundingClientRect().right > right + 0.5)
            .map((c) => `${c.tagName}.${c.className}@${Math.round(c.getBoundingClientRect().right - right)}`)
            .slice(-3);
          found.push(`${el.className || el.tagName}: ${el.scrollWidth} > ${el.clientWidth} (${wide.join(', ')})`);
        }
      }
      for (const el of Array.from(
        console.querySelectorAll('input, select, textarea, button, label, .disabled-reason'),
      )) {
        const r = el.getBoundingClientRect();
        if (r.width === 0) continue;
        const card = el.closest('.card')?.getBoundingClientRect();
        if (r.left < 0 || r.right > width || (card && (r.left < card.left - 1 || r.right > card.right + 1)))
          found.push(
            `${el.tagName} ${el.getAttribute('aria-label') ?? el.textContent?.slice(0, 30)} at ${r.left}–${r.right}`,
          );
      }
      return found;
    });
    expect(problems, `overflow at ${label}`).toEqual([]);
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    expect(buildServer().status).toBe(0);
    server = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
    group = (JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as Demo)
      .groups[0] as Demo['groups'][number];
    browser = await launchChromium();
    const created = await call<{ id: string }>(`/api/groups/${group.id}/sessions`, group.moderatorToken, {
      method: 'POST',
      body: '{}',
    });
    sessionId = created.body.id;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
  }, 60_000);

  picturesOnFailure(shots, () => browser);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    if (server) await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says why controls cannot be used yet, and refuses a duration it cannot run', async () => {
    await page.goto(`${server.url}/sessions/${sessionId}#token=${group.moderatorToken}`);
    await page.getByRole('heading', { name: 'Agenda' }).waitFor();
    expect(await reasonOf(button('Set queue'))).toBe('No participants yet');
    expect(await reasonOf(button('Next speaker'))).toBe('Start segment 3 first');
    expect(await reasonOf(button('Previous speaker'))).toBe('Start segment 3 first');
    expect(await reasonOf(button('Pause'))).toBe('Start segment 0 first');
    expect(await reasonOf(button('Reveal segment 5'))).toBe('Reach segment 5 first');
    expect(await reasonOf(button('Save final attributes'))).toBe('Start segment 4 first');

    const minutes1 = page.getByLabel('Minutes for segment 1');
    await minutes1.fill('ten');
    await page.getByText('Enter a number of minutes, for example 10 or 0.5.').waitFor();
    expect(await minutes1.getAttribute('aria-invalid')).toBe('true');
    expect(await reasonOf(button('Start 1'))).toBe('Enter valid minutes for segment 1 first');
    expect(await reasonOf(button('Advance to 1'))).toBe('Enter valid minutes for segment 1 first');
    const before = await stateOf();
    // (force: Playwright itself waits for an aria-disabled button to become usable.)
    await button('Start 1').click({ force: true });
    await page.waitForTimeout(300);
    expect((await stateOf()).revision).toBe(before.revision);
    await minutes1.fill('0.01');
    await page.getByText('At least 1 second (0.02 min).').waitFor();
    await minutes1.fill('0,5');
    await page.getByText('= 0:30').waitFor();
    expect(await reasonOf(button('Start 1'))).toBeNull();
    await shot('01-console-pending-1280');

    // People join; the console shows them after a reload.
    for (const name of ['Asha', 'Ben', 'अनन्या'])
      people.push(
        (
          await call<{ participantId: string; token: string }>('/api/join', 'none', {
            method: 'POST',
            body: JSON.stringify({ inviteCode: group.inviteCode, displayName: name, consent: true }),
          })
        ).body,
      );
    await page.reload();
    await page.getByRole('heading', { name: 'Agenda' }).waitFor();
    await page.getByText('अनन्या').first().waitFor();
    expect(await reasonOf(button('Set queue'))).toBeNull();
  });

  it('runs 0.1 min as 6 seconds, and start, pause, resume and +2 min act once per double click', async () => {
    await page.getByLabel('Minutes for segment 0').fill('0.1');
    await page.getByText('= 0:06').waitFor();
    let state = await stateOf();
    await button('Start 0').dblclick();
    state = await oneStepFrom(state);
    expect(state).toMatchObject({ segment: 0, status: 'running', durationMs: 6_000 });
    expect((state.endsAt ?? 0) - (state.startedAt ?? 0)).toBe(6_000);
    const started = Date.now();
    await page.getByTestId('timer').getByText('0:00').waitFor({ timeout: 9_000 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThan(3_500);
    expect(elapsed).toBeLessThan(7_500);

    await button('Pause').dblclick();
    state = await oneStepFrom(state);
    expect(state.status).toBe('paused');
    await twoQuickClicks(button('Resume'));
    state = await oneStepFrom(state);
    expect(state.status).toBe('running');
    await button('+2 min').dblclick();
    state = await oneStepFrom(state);
    expect(state.durationMs).toBe(126_000);
    await twoQuickClicks(button('+2 min'));
    state = await oneStepFrom(state);
    expect(state.durationMs).toBe(246_000);
  });

  it('advance, lock and unlock act once; a reveal with work missing asks, and Escape cancels it', async () => {
    let state = await stateOf();
    // A slow double click: the server has answered and the console has changed before the second.
    await twoQuickClicks(button('Advance to 1'), 250);
    state = await oneStepFrom(state);
    expect(state).toMatchObject({ segment: 1, status: 'running', durationMs: 600_000 });
    expect(await page.getByRole('dialog').count(), 'the second click opened nothing').toBe(0);
    // Two of three submit their segment-1 attributes.
    for (const [i, person] of people.slice(0, 2).entries()) {
      const res = await call(`/api/sessions/${sessionId}/segment1`, person.token, {
        method: 'PUT',
        body: JSON.stringify({
          attributes: [
            { name: i === 0 ? 'Accuracy' : 'सटीकता', definition: 'Facts are right' },
            { name: 'Tone', definition: 'Fits a classroom' },
          ],
        }),
      });
      expect(res.status).toBe(200);
    }
    await button('+2 min').click();
    state = await oneStepFrom(state);

    await button('Lock board').dblclick();
    state = await oneStepFrom(state);
    expect(state.boardLocked).toBe(true);
    await twoQuickClicks(button('Unlock board'));
    state = await oneStepFrom(state);
    expect(state.boardLocked).toBe(false);
    await button('Lock board').dblclick();
    state = await oneStepFrom(state);
    await button('Unlock board').dblclick();
    state = await oneStepFrom(state);

    // Revealing while one person is still writing: a dialog says what it does; Escape cancels.
    await button('Reveal segment 1').dblclick();
    const dialog = page.getByRole('dialog', { name: 'Reveal segment 1?' });
    await dialog.getByText('Only 2 of 3 people have submitted').waitFor();
    expect(await page.getByRole('dialog').count()).toBe(1);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForTimeout(300);
    expect(await stateOf()).toMatchObject({ revision: state.revision, revealed: [] });
    await button('Reveal segment 1').click();
    await button('Reveal segment 1', dialog).dblclick();
    state = await oneStepFrom(state);
    expect(state.revealed).toEqual([1]);
  });

  it('sets the queue once; next and previous speaker act once, so no one is skipped', async () => {
    let state = await stateOf();
    await button('Set queue').dblclick();
    state = await oneStepFrom(state);
    expect(state.speakers.order).toHaveLength(3);
    await twoQuickClicks(button('Set queue'));
    state = await oneStepFrom(state);

    // Leaving segment 1 with a submission missing asks first.
    await button('Start 3').dblclick();
    const leave = page.getByRole('dialog', { name: 'Move on to segment 3?' });
    await leave.getByText('Only 2 of 3 people have submitted in segment 1').waitFor();
    await button('Move on to segment 3', leave).dblclick();
    state = await oneStepFrom(state);
    expect(state).toMatchObject({ segment: 3, status: 'running' });
    expect(await reasonOf(button('Previous speaker'))).toBe('No one has spoken yet');

    const [first, second] = state.speakers.order;
    await button('Next speaker').dblclick();
    state = await oneStepFrom(state);
    expect(state.speakers.currentSpeakerId).toBe(first);
    await twoQuickClicks(button('Next speaker'));
    state = await oneStepFrom(state);
    expect(state.speakers.currentSpeakerId).toBe(second);
    await button('Previous speaker').dblclick();
    state = await oneStepFrom(state);
    expect(state.speakers.currentSpeakerId).toBe(first);
    expect(await reasonOf(button('Previous speaker'))).toMatch(/the first in the queue, is speaking/);
    await button('Next speaker').click();
    state = await oneStepFrom(state);
    await twoQuickClicks(button('Previous speaker'));
    state = await oneStepFrom(state);
    expect(state.speakers.currentSpeakerId).toBe(first);
    await shot('02-console-speakers-1280');
  });

  it('computes the map once per double click', async () => {
    const posts: string[] = [];
    const count = (request: { method(): string; url(): string }) => {
      if (request.method() === 'POST' && request.url().endsWith('/affinity-map')) posts.push(request.url());
    };
    page.on('request', count);
    await button('Compute affinity map').dblclick();
    await page.getByText(/^Placed \d+ cards in \d+ suggested clusters/).waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    page.off('request', count);
    expect(posts).toHaveLength(1);
  });

  it('saves final attributes and the mapping once, and fits at 1280, 1440 and 1920 px', async () => {
    let state = await stateOf();
    await button('Advance to 4').dblclick();
    state = await oneStepFrom(state);
    expect(state.segment).toBe(4);

    const puts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PUT') puts.push(new URL(request.url()).pathname.split('/').pop() ?? '');
    });
    await button('Add attribute').click();
    const fieldset = page.locator('fieldset.final-attribute').first();
    await fieldset.getByLabel('Name').fill('Historical accuracy');
    expect(await reasonOf(button('Save final attributes'))).toBe('Give attribute 1 a name and a definition first');
    await fieldset.getByLabel('Definition').fill('The answer gets dates, people and causes right.');
    await fieldset.getByLabel('Group top-3').check();
    // The examples: a filter and checkboxes with whole, wrapped titles.
    const examples = fieldset.getByRole('group', { name: /Example interactions/ });
    const options = examples.locator('.example-option');
    const all = await options.count();
    expect(all).toBeGreaterThan(2);
    const firstTitle = (await options.first().textContent())?.trim() ?? '';
    await examples.getByLabel('Filter the interactions').fill(firstTitle.split(/\s+/).slice(1, 4).join(' '));
    expect(await options.count()).toBeLessThan(all);
    await options.first().getByRole('checkbox').check();
    await examples.getByLabel('Filter the interactions').fill('');
    await page.setViewportSize({ width: 1280, height: 900 });
    await fits('1280 px, segment 4');
    // No example title is cut: each option is as wide as its box, its text wraps.
    const cut = await options.evaluateAll((els) => els.filter((el) => el.scrollWidth > el.clientWidth + 1).length);
    expect(cut).toBe(0);

    await button('Save final attributes').dblclick();
    await page.getByText('Saved the final attributes.').waitFor();
    await page.waitForTimeout(700);
    expect(puts.filter((p) => p === 'final-attributes')).toHaveLength(1);
    const finals = await call<{ attributes: { exampleInteractionIds: string[] }[] }>(
      `/api/sessions/${sessionId}/final-attributes`,
      group.moderatorToken,
    );
    expect(finals.body.attributes).toHaveLength(1);
    expect(finals.body.attributes[0]?.exampleInteractionIds).toHaveLength(1);

    // Source labels set through the API survive a later save in the console.
    const labels = await call<{ labels: { id: string }[] }>(`/api/groups/${group.id}/labels`, group.moderatorToken);
    const source = labels.body.labels[0]?.id as string;
    const first = finals.body.attributes[0] as unknown as { id: string; name: string; definition: string };
    const put = await call(`/api/sessions/${sessionId}/final-attributes`, group.moderatorToken, {
      method: 'PUT',
      body: JSON.stringify({
        attributes: [{ ...first, exampleInteractionIds: [], sourceLabelIds: [source] }],
        groupTop3: [first.id],
        groupTop5: [],
      }),
    });
    expect(put.status).toBe(200);
    // The console refetches on final-attributes:changed; then the moderator ticks top-5 and saves.
    await fieldset.getByLabel('Group top-5').waitFor();
    await expect.poll(() => fieldset.getByRole('checkbox', { checked: true }).count()).toBe(1);
    await fieldset.getByLabel('Group top-5').check();
    const saving = page.waitForResponse((r) => r.url().endsWith('/final-attributes') && r.request().method() === 'PUT');
    await button('Save final attributes').click();
    expect((await saving).status()).toBe(200);
    const after = await call<{ attributes: { sourceLabelIds: string[] }[] }>(
      `/api/sessions/${sessionId}/final-attributes`,
      group.moderatorToken,
    );
    expect(after.body.attributes[0]?.sourceLabelIds).toEqual([source]);
    await page.waitForTimeout(700);

    await page.getByRole('heading', { name: 'Segment-1 mapping' }).waitFor();
    await page.getByLabel('Final attribute for Accuracy').selectOption({ label: 'Historical accuracy' });
    await twoQuickClicks(button('Save mapping'));
    await page.getByText('Saved the mapping.').waitFor();
    await page.waitForTimeout(700);
    expect(puts.filter((p) => p === 'segment1-mapping')).toHaveLength(1);

    for (const width of [1280, 1440, 1920]) {
      await page.setViewportSize({ width, height: 1000 });
      await page.waitForTimeout(200);
      await fits(`${width} px`);
      await shot(`03-console-segment4-${width}`);
    }
  });

  it('is usable at 390 px and in Hindi', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    await fits('390 px');
    await button('End session').scrollIntoViewIfNeeded();
    await shot('04-console-390');

    await page.getByLabel('Language', { exact: true }).selectOption('hi');
    await page.getByRole('heading', { name: 'कार्यसूची' }).waitFor();
    await button('सत्र समाप्त करें').waitFor();
    expect(await reasonOf(button('अगला वक्ता'))).toBe('पहले खंड 3 शुरू करें');
    await fits('390 px, Hindi');
    await shot('05-console-390-hi');
    await page.setViewportSize({ width: 1280, height: 900 });
    await fits('1280 px, Hindi');
    await button('सत्र समाप्त करें').click();
    const dialog = page.getByRole('dialog', { name: 'सत्र समाप्त करें?' });
    await dialog.waitFor();
    await shot('06-end-dialog-hi');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByLabel('भाषा', { exact: true }).selectOption('en');
    await page.getByRole('heading', { name: 'Agenda' }).waitFor();
  });

  it('ends only after confirmation in a modal dialog; Escape cancels; a double click ends once', async () => {
    let state = await stateOf();
    await button('End session').dblclick();
    const dialog = page.getByRole('dialog', { name: 'End the session?' });
    await dialog.getByText('participants see the closing page').waitFor();
    await dialog.getByText('Ending cannot be undone.').waitFor();
    expect(await page.getByRole('dialog').count()).toBe(1);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForTimeout(300);
    expect(await stateOf()).toMatchObject({ status: 'running', revision: state.revision });
    // The focus is back on the button that opened it.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('End session');

    // Opened again: the focus starts on Cancel and stays in the dialog.
    await button('End session').click();
    await dialog.waitFor();
    const focusInside = () => page.evaluate(() => Boolean(document.activeElement?.closest('dialog')));
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      expect(await focusInside()).toBe(true);
    }
    await page.keyboard.press('Shift+Tab');
    expect(await focusInside()).toBe(true);
    await shot('07-end-dialog');
    await button('End the session', dialog).dblclick();
    state = await oneStepFrom(state);
    expect(state.status).toBe('ended');
    await page.getByText('The session has ended. Participants see the closing page.').waitFor();
    await shot('08-console-ended');
    expect(checked.length).toBe(10);
  });
});
