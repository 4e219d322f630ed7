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
 * What a participant sees through a session, in real browsers on the seeded demo: a moderator
 * (driven over the HTTP control route, with a console page that is reloaded) and three
 * participants — Asha on a phone (390 px), Ben on a laptop (1280 px), Chen on a wide screen
 * (1920 px) in Hindi. Every segment 0–5 and the end are reloaded and must show the right state:
 * submitted work, counts, the finals drafted live, the end page. Screenshots go to
 * test-results/e2e/participant/, each pictured page checked with axe-core (WCAG 2 A/AA).
 */
const shots = join(root, 'test-results', 'e2e', 'participant');

interface Demo {
  groups: { id: string; inviteCode: string; moderatorToken: string; analystToken: string }[];
}
interface Person {
  name: string;
  token: string;
  participantId: string;
  page: Page;
}

describe('a participant through a whole session', { timeout: 60_000 }, () => {
  let server: Running;
  let browser: Browser;
  let group: Demo['groups'][number];
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-e2e-participant-'));
  const contexts: BrowserContext[] = [];
  let sessionId = '';
  let moderator: Page;
  let asha: Person;
  let ben: Person;
  let chen: Person;
  const checked: string[] = [];
  const violations: string[] = [];

  const http = async <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const control = (body: object) => http('POST', `/api/sessions/${sessionId}/control`, group.moderatorToken, body);

  const open = async (path: string, viewport: { width: number; height: number }, language?: 'hi') => {
    const phone = viewport.width < 600;
    const context = await browser.newContext({ viewport, isMobile: phone, hasTouch: phone });
    contexts.push(context);
    context.setDefaultTimeout(15_000);
    if (language) await context.addInitScript((l) => window.localStorage.setItem('calma.language', l), language);
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
    await page.goto(`${server.url}${path}`);
    return page;
  };

  const shot = async (page: Page, name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    const found = await axeViolations(page);
    violations.push(...found.map((f) => `${name}: ${f}`));
    checked.push(name);
    expect(found, `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
  };

  const segmentLabel = (page: Page, segment: number) => (page === chen.page ? `खंड ${segment}` : `Segment ${segment}`);
  const waitForSegment = (page: Page, segment: number) =>
    page.getByText(segmentLabel(page, segment), { exact: true }).waitFor({ timeout: 10_000 });
  /** Waits until the element with `testId` shows `text`. */
  const shows = (page: Page, testId: string, text: string | RegExp) =>
    page.getByTestId(testId).filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
  /** Reloads and waits for the session bar to show `segment` again. */
  const reload = async (page: Page, segment: number) => {
    await page.reload();
    await waitForSegment(page, segment);
  };
  const everyone = () => [asha.page, ben.page, chen.page];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    expect(buildServer().status).toBe(0);
    server = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
    group = (JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as Demo)
      .groups[0] as Demo['groups'][number];
    browser = await launchChromium();
    sessionId = (await http<{ id: string }>('POST', `/api/groups/${group.id}/sessions`, group.moderatorToken)).id;
    const joinAs = async (name: string, viewport: { width: number; height: number }, language?: 'hi') => {
      const joined = await http<{ token: string; participantId: string }>('POST', '/api/join', '', {
        inviteCode: group.inviteCode,
        displayName: name,
        consent: true,
      });
      const page = await open(`/sessions/${sessionId}#token=${joined.token}`, viewport, language);
      return { name, ...joined, page };
    };
    asha = await joinAs('Asha', { width: 390, height: 844 });
    ben = await joinAs('Ben', { width: 1280, height: 800 });
    chen = await joinAs('Chen', { width: 1920, height: 1080 }, 'hi');
    moderator = await open(`/sessions/${sessionId}#token=${group.moderatorToken}`, { width: 1280, height: 900 });
    // Any session bar will do here (each step checks its own text), so that on code without
    // these fixes each step fails on its own.
    for (const page of [...everyone(), moderator]) await page.getByTestId('session-status').waitFor();
  }, 90_000);

  picturesOnFailure(shots, () => browser);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    if (server) await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('segment 0: says clearly when the time is up, also after a reload, and when the clock is paused', async () => {
    await control({ action: 'start', segment: 0, durationMs: 2_000 });
    await shows(ben.page, 'session-status', 'Running');
    for (const page of [asha.page, ben.page]) {
      await shows(page, 'clock-note', 'Time is up — the moderator will move on');
      await shows(page, 'session-status', 'Time is up');
    }
    await shows(chen.page, 'clock-note', 'समय समाप्त हो गया — संचालक आगे बढ़ेंगे');
    // A polite live region, so that it is announced (once: its text does not change again).
    expect(await ben.page.getByRole('status').filter({ hasText: 'Time is up' }).count()).toBe(1);
    expect(await ben.page.getByTestId('timer').textContent()).toBe('0:00');
    await reload(asha.page, 0);
    await shows(asha.page, 'clock-note', 'Time is up');
    await shot(asha.page, 'phone-390-segment0-time-up');
    await shot(chen.page, 'desktop-1920-hi-segment0-time-up');

    await control({ action: 'extend', durationMs: 600_000 });
    await shows(ben.page, 'session-status', 'Running');
    await control({ action: 'pause' });
    await shows(ben.page, 'session-status', 'Paused');
    await shows(ben.page, 'clock-note', 'The clock is paused');
    await reload(ben.page, 0);
    await shows(ben.page, 'session-status', 'Paused');
    await shot(ben.page, 'desktop-1280-segment0-paused');
  });

  it('segment 1: the form says what is missing, and a reload shows what was submitted and the right counts', async () => {
    await control({ action: 'start', segment: 1, durationMs: 600_000 });
    for (const page of everyone()) await waitForSegment(page, 1);
    const form = asha.page.locator('form.segment-form');
    const submit = form.getByRole('button', { name: 'Submit my attributes' });
    await shows(asha.page, 'submitted-count', '0 of 3 submitted');
    await form.locator('.disabled-reason', { hasText: 'Name and define at least one attribute' }).waitFor();
    await asha.page.getByLabel('Attribute 1', { exact: true }).fill('Balanced');
    await form.locator('.disabled-reason', { hasText: 'Give attribute 1 a definition' }).waitFor();
    await asha.page.getByLabel('Definition').nth(0).fill('Presents several perspectives fairly');
    await asha.page.getByLabel('Attribute 2', { exact: true }).fill('संदर्भ');
    await asha.page.getByLabel('Definition').nth(1).fill('स्थानीय दृष्टिकोण से घटनाओं को समझाता है');
    await submit.click();
    await asha.page.getByText('Saved your 2 attributes.').waitFor();
    await shows(asha.page, 'you-submitted', 'You have submitted');

    await ben.page.getByLabel('Attribute 1', { exact: true }).fill('Unbiased');
    await ben.page.getByLabel('Definition').nth(0).fill('Does not favour Western views');
    await ben.page.getByRole('button', { name: 'Submit my attributes' }).click();
    await ben.page.getByText('Saved your 1 attribute.').waitFor();

    for (const page of [asha.page, ben.page, moderator]) await shows(page, 'submitted-count', '2 of 3 submitted');
    await shows(chen.page, 'submitted-count', '3 में से 2 ने जमा किया');
    await shows(chen.page, 'you-submitted', 'आपने अभी तक जमा नहीं किया है');

    // After a reload: the form holds what was submitted, with when, and the counts are right.
    await reload(asha.page, 1);
    await shows(asha.page, 'submitted-at', /Submitted at \d{1,2}:\d{2}.* — you can change it until the segment ends/);
    expect(await asha.page.getByLabel('Attribute 1', { exact: true }).inputValue()).toBe('Balanced');
    expect(await asha.page.getByLabel('Attribute 2', { exact: true }).inputValue()).toBe('संदर्भ');
    expect(await asha.page.getByLabel('Definition').nth(1).inputValue()).toBe('स्थानीय दृष्टिकोण से घटनाओं को समझाता है');
    await shows(asha.page, 'submitted-count', '2 of 3 submitted');
    await shows(asha.page, 'you-submitted', 'You have submitted');
    await reload(moderator, 1);
    await shows(moderator, 'submitted-count', '2 of 3 submitted');
    await reload(chen.page, 1);
    await shows(chen.page, 'submitted-count', '3 में से 2 ने जमा किया');
    await shot(asha.page, 'phone-390-segment1-after-reload');
    await shot(chen.page, 'desktop-1920-hi-segment1');
    await control({ action: 'reveal', segment: 1 });
  });

  it('segments 2 and 3: a reload shows one’s own segment-1 attributes only, and the clock state', async () => {
    await control({ action: 'advance', durationMs: 600_000 });
    await reload(ben.page, 2);
    await ben.page.getByTestId('own-segment1').getByText('What you submitted in segment 1').click();
    await ben.page.getByTestId('own-segment1').getByText('Unbiased').waitFor();
    // Segment 1 is revealed, so the server lists Asha's too: the page shows Ben his own only.
    expect(await ben.page.getByTestId('own-segment1').getByText('Balanced').count()).toBe(0);
    await shows(ben.page, 'session-status', 'Running');
    await shot(ben.page, 'desktop-1280-segment2');

    await control({ action: 'advance', durationMs: 600_000 });
    await reload(asha.page, 3);
    await asha.page.getByTestId('own-segment1').getByText('What you submitted in segment 1').click();
    await asha.page.getByTestId('own-segment1').getByText('Balanced').waitFor();
    await reload(chen.page, 3);
    await chen.page.getByTestId('own-segment1').getByText('आपने खंड 1 में कोई विशेषता जमा नहीं की।').waitFor({
      state: 'attached',
    });
  });

  it('segment 4: participants follow the final attributes as the moderator saves them, without reloading', async () => {
    await control({ action: 'advance', durationMs: 600_000 });
    for (const page of everyone()) await waitForSegment(page, 4);
    await ben.page.getByTestId('finals-live').getByText('Nothing has been saved yet.').waitFor();
    const interactions = await http<{ interactions: { id: string }[] }>(
      'GET',
      `/api/groups/${group.id}/interactions`,
      group.moderatorToken,
    );
    const [first, second] = interactions.interactions.map((i) => i.id);
    const saved = await http<{ attributes: { id: string; name: string; definition: string }[] }>(
      'PUT',
      `/api/sessions/${sessionId}/final-attributes`,
      group.moderatorToken,
      {
        attributes: [
          { name: 'Balance', definition: 'Presents several perspectives fairly', exampleInteractionIds: [first] },
          { name: 'Accuracy', definition: 'States correct facts' },
          { name: 'संदर्भ', definition: 'स्थानीय दृष्टिकोण से घटनाओं को समझाता है' },
        ],
        groupTop3: [],
        groupTop5: [],
      },
    );
    for (const page of [ben.page, asha.page])
      await page.getByTestId('live-final').filter({ hasText: 'Balance' }).waitFor();
    expect(await ben.page.getByTestId('live-final').count()).toBe(3);
    const [balance, accuracy, context] = saved.attributes as [
      (typeof saved.attributes)[number],
      (typeof saved.attributes)[number],
      (typeof saved.attributes)[number],
    ];
    await http('PUT', `/api/sessions/${sessionId}/final-attributes`, group.moderatorToken, {
      attributes: [
        { ...balance, exampleInteractionIds: [first, second] },
        { ...accuracy, definition: 'States correct facts, dates and figures' },
        context,
      ],
      groupTop3: [balance.id, accuracy.id],
      groupTop5: [balance.id, accuracy.id, context.id],
    });
    await ben.page.getByText('States correct facts, dates and figures').waitFor();
    await ben.page.getByTestId('live-final').filter({ hasText: 'Balance' }).getByText('Group top-3').waitFor();
    await ben.page
      .getByTestId('live-final')
      .filter({ hasText: 'Balance' })
      .getByText('Example interactions (2)')
      .click();
    await chen.page.getByTestId('live-final').filter({ hasText: 'Accuracy' }).getByText('समूह की शीर्ष-3').waitFor();
    await shot(ben.page, 'desktop-1280-segment4-live-finals');
    await shot(chen.page, 'desktop-1920-hi-segment4-live-finals');
    // A participant who reloads mid-segment sees the draft as it is now.
    await reload(asha.page, 4);
    await asha.page.getByText('States correct facts, dates and figures').waitFor();
    await shot(asha.page, 'phone-390-segment4-live-finals');
  });

  it('segment 5: asks a question per definition and takes no ranking the participant did not confirm', async () => {
    await control({ action: 'advance', durationMs: 600_000 });
    for (const page of everyone()) await waitForSegment(page, 5);
    const page = asha.page;
    const questions = page.getByTestId('likert-question');
    await questions.first().waitFor();
    expect(await questions.count()).toBe(3);
    await page.getByRole('group', { name: 'How much do you agree with this definition of Balance?' }).waitFor();
    const form = page.locator('form.segment-form');
    const submit = form.getByRole('button', { name: 'Submit ratings and ranking' });
    await form.locator('.disabled-reason', { hasText: 'Rate all 3 definitions' }).waitFor();
    for (const [i, answer] of ['Agree', 'Strongly agree', 'Neutral'].entries())
      await questions.nth(i).getByRole('radio', { name: answer, exact: true }).check();
    await form.locator('.disabled-reason', { hasText: 'Confirm your ranking' }).waitFor();
    // The untouched ranking (the moderator's order) cannot be submitted: a click does nothing.
    await submit.click({ force: true });
    await page.waitForTimeout(300);
    const before = await http<{ segment5: unknown[] }>('GET', `/api/sessions/${sessionId}/submissions`, asha.token);
    expect(before.segment5).toEqual([]);
    await shot(page, 'phone-390-segment5-needs-confirmation');

    await page.getByRole('button', { name: 'Move item 3 up' }).click();
    await page.getByLabel('I have ranked these in my order').check();
    await submit.click();
    await page.getByText('Saved your ratings and ranking.').waitFor();
    await shows(page, 'you-submitted', 'You have submitted');
    const ranking = async (p: Page) =>
      (await p.locator('form.segment-form .rank-list .rank-body').allTextContents()).map((s) => s.trim());
    expect(await ranking(page)).toEqual(['Balance', 'संदर्भ', 'Accuracy']);

    // Ben rates and confirms too; then everyone's counts are right after a reload.
    const benQuestions = ben.page.getByTestId('likert-question');
    await benQuestions.first().waitFor();
    for (let i = 0; i < 3; i += 1)
      await benQuestions.nth(i).getByRole('radio', { name: 'Disagree', exact: true }).check();
    await ben.page.getByLabel('I have ranked these in my order').check();
    await ben.page.getByRole('button', { name: 'Submit ratings and ranking' }).click();
    await ben.page.getByText('Saved your ratings and ranking.').waitFor();

    await reload(page, 5);
    await shows(page, 'submitted-at', /Submitted at .* — you can change it until the segment ends/);
    expect(await ranking(page)).toEqual(['Balance', 'संदर्भ', 'Accuracy']);
    expect(await page.getByLabel('I have ranked these in my order').isChecked()).toBe(true);
    expect(await questions.nth(1).getByRole('radio', { name: 'Strongly agree', exact: true }).isChecked()).toBe(true);
    await shows(page, 'submitted-count', '2 of 3 submitted');
    await reload(moderator, 5);
    await shows(moderator, 'submitted-count', '2 of 3 submitted');
    await reload(ben.page, 5);
    await shows(ben.page, 'submitted-count', '2 of 3 submitted');
    await shot(ben.page, 'desktop-1280-segment5-after-reload');
    await chen.page
      .getByRole('group', { name: 'Balance की इस परिभाषा से आप कितना सहमत हैं?' })
      .getByRole('radio', { name: 'पूरी तरह सहमत' })
      .waitFor();
    await shot(chen.page, 'desktop-1920-hi-segment5');
  });

  it('after the end: an end-of-session page with what they submitted, also after a reload', async () => {
    await control({ action: 'end' });
    for (const page of [asha.page, ben.page])
      await page.getByRole('heading', { name: 'Thank you for taking part' }).waitFor();
    await chen.page.getByRole('heading', { name: 'भाग लेने के लिए धन्यवाद' }).waitFor();
    // The dead board is gone.
    expect(await ben.page.getByTestId('board-surface').count()).toBe(0);
    await reload(asha.page, 5);
    const end = asha.page.getByTestId('session-end');
    await end.getByText('Presents several perspectives fairly').waitFor();
    expect((await end.getByTestId('end-ranking').locator('li').allTextContents()).map((s) => s.trim())).toEqual([
      'Balance',
      'संदर्भ',
      'Accuracy',
    ]);
    await end.getByTestId('end-segment5').getByText('Strongly agree').waitFor();
    await shows(asha.page, 'session-status', 'Ended');
    await shot(asha.page, 'phone-390-end');
    await shot(ben.page, 'desktop-1280-end');
    await reload(chen.page, 5);
    await chen.page.getByTestId('session-end').getByText('आपने इस खंड में कुछ जमा नहीं किया।').first().waitFor();
    await shot(chen.page, 'desktop-1920-hi-end');
  });

  it('passes the axe-core WCAG 2 A/AA checks on every page pictured', () => {
    console.log(`axe-core checked ${checked.length} pages: ${checked.join(', ')}`);
    expect(violations).toEqual([]);
    expect(checked.length).toBeGreaterThanOrEqual(15);
  });
});
