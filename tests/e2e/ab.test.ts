import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';
import { adminToken, root } from '../support/child-server.js';
import { type Demo, type DemoServer, startDemo } from '../support/demo-session.js';
import { expectFitsWidth, picturesOnFailure } from '../support/e2e-page.js';

/**
 * A community A/B round in a real browser against the built server and the demo study (offline:
 * its two replay voices, whole and brief). The moderator of a new group (one without an ended
 * session, so they write the axes) opens a round, two participants compare pairs for prompts of their own (the demo's baseline set has
 * responses but no prompts), at 390 px and in Hindi — and the moderator reads the results as a plot and closes the round, after which
 * a participant sees the results. Nothing a participant's page shows names a model. axe on every
 * screen; screenshots in test-results/e2e/ab/.
 */
const shots = join(root, 'test-results', 'e2e', 'ab');

interface StudyModels {
  models: { id: string; label: string; provider: string; model: string }[];
  assignment: string;
}

describe('a community A/B round in the browser', { timeout: 120_000 }, () => {
  let d: DemoServer;
  let browser: Browser;
  let demo: Demo;
  let group: Demo['groups'][number];
  const participants: { token: string; name: string }[] = [];
  const modelWords: string[] = [];

  const http = <T = Record<string, unknown>>(method: string, path: string, auth: string, body?: unknown) =>
    d.http<T>(method, path, auth, body);

  const shot = async (p: Page, name: string) => {
    await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    expect(await axeViolations(p), `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
    await expectFitsWidth(p, name);
  };

  /** Nothing on the page (text or markup) names either model. */
  const expectBlind = async (p: Page) => {
    const html = await p.content();
    for (const word of modelWords) expect(html, `the page names "${word}"`).not.toContain(word);
  };

  /** Chooses on every axis of the shown pair and saves. */
  const vote = async (p: Page, choices: Record<string, RegExp>) => {
    for (const [axis, choice] of Object.entries(choices)) {
      await p.getByRole('group', { name: axis }).getByRole('radio', { name: choice }).check();
    }
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    d = await startDemo('ab');
    demo = d.demo;
    // A new group of the demo study: the pilot groups have ended sessions whose final attributes
    // would be the round's axes; this one has none, so the moderator writes them (the route test
    // covers axes taken from a session).
    group = await http<Demo['groups'][number]>('POST', `/api/studies/${demo.studyId}/groups`, adminToken, {
      name: 'A/B newcomers',
    });
    // The demo study's two offline voices: the pilot's recordings whole, and their first two sentences.
    const { models } = await http<StudyModels>('GET', `/api/studies/${demo.studyId}/models`, adminToken);
    expect(models.map((m) => m.id)).toEqual(['replay', 'replay-brief']);
    for (const m of models) modelWords.push(m.id === 'replay' ? '"replay"' : m.id, m.label);
    for (const name of ['Ira', 'Jon']) {
      const joined = await http<{ token: string }>('POST', '/api/join', '', {
        inviteCode: group.inviteCode,
        displayName: name,
        consent: true,
      });
      participants.push({ token: joined.token, name });
    }
    browser = await launchChromium();
  });

  picturesOnFailure(shots, () => browser);

  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  it('lets the moderator open a round on two models with axes of their own', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${d.server.url}/#token=${group.moderatorToken}`);
    await page.getByRole('link', { name: /^A\/B rounds/ }).click();
    await page.getByRole('heading', { name: 'Open a round' }).waitFor();
    await expect.poll(() => page.getByLabel('Model A').inputValue()).toBe('replay');
    await page.getByLabel('Model B').selectOption('replay-brief');
    await page.getByLabel('Axis 1: name').fill('Cultural sensitivity');
    await page.getByLabel('Axis 1: definition').fill('Respects the perspectives of the people the answer is about.');
    await page.getByRole('button', { name: 'Add an axis' }).click();
    await page.getByLabel('Axis 2: name').fill('Accuracy');
    await page.getByLabel('Axis 2: definition').fill('States facts that are true and complete.');
    await shot(page, 'moderator-open-1280');
    await page.getByRole('button', { name: 'Open the round' }).click();
    await page.getByText('Open:').waitFor();
    await page
      .getByText(/Recorded pilot answers \(A\) against Recorded pilot answers, first two sentences \(B\)/)
      .waitFor();
    await page.getByRole('button', { name: 'Close the round' }).waitFor();
    await shot(page, 'moderator-opened-1280');
    await context.close();
  });

  it('lets a participant at 390 px compare two pairs for prompts of their own, blind', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    const [ira] = participants;
    await page.goto(`${d.server.url}/#token=${ira?.token}`);
    await page.getByRole('link', { name: /An A\/B round is open/ }).click();
    await page.getByRole('heading', { name: 'Ask both models' }).waitFor();
    await shot(page, 'participant-ask-390');
    // The demo's baseline set holds the pilot's responses without their prompts: nothing to offer.
    expect(await page.getByRole('button', { name: 'Use a baseline prompt' }).count()).toBe(0);
    await page.getByLabel('Write a prompt of your own').fill('Why do Americans celebrate Thanksgiving?');
    await page.getByRole('button', { name: 'Ask both models' }).click();
    await page.getByRole('heading', { name: 'Answer 1' }).waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Answer 2' }).waitFor();
    const first = (await page.getByTestId('ab-answer-first').textContent()) ?? '';
    const second = (await page.getByTestId('ab-answer-second').textContent()) ?? '';
    expect(first.length).toBeGreaterThan(20);
    expect(second).not.toBe(first);
    await page.getByText('Respects the perspectives of the people the answer is about.').waitFor();
    await expectBlind(page);
    await shot(page, 'participant-pair-390');
    // Saving waits for a choice on every axis.
    await vote(page, { 'Cultural sensitivity': /^Answer 1$/ });
    await page.getByText('Choose on 1 more axis').waitFor();
    await vote(page, { Accuracy: /^Equal$/ });
    await page.getByRole('button', { name: 'Save my choices' }).click();
    await page.getByText('Your choices are saved.', { exact: false }).waitFor();
    await page.getByText('You have compared 1 pair so far.').waitFor();

    await page.getByLabel('Write a prompt of your own').fill('What was the Trail of Tears?');
    await page.getByRole('button', { name: 'Ask both models' }).click();
    await page.getByText('What was the Trail of Tears?').waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Answer 2' }).waitFor();
    await expectBlind(page);
    await vote(page, { 'Cultural sensitivity': /^Answer 2$/, Accuracy: /^Answer 1$/ });
    await page.getByRole('button', { name: 'Save my choices' }).click();
    await page.getByText('You have compared 2 pairs so far.').waitFor();
    await shot(page, 'participant-voted-390');
    await context.close();
  });

  it('lets a second participant compare a pair in Hindi', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(() => window.localStorage.setItem('calma.language', 'hi'));
    const page = await context.newPage();
    const [, jon] = participants;
    await page.goto(`${d.server.url}/groups/${group.id}/ab#token=${jon?.token}`);
    await page.getByLabel('अपना प्रॉम्प्ट लिखें').fill('भारत में दिवाली कैसे मनाई जाती है?');
    await page.getByRole('button', { name: 'दोनों मॉडलों से पूछें' }).click();
    await page.getByRole('heading', { name: 'उत्तर 1' }).waitFor({ timeout: 30_000 });
    await expectBlind(page);
    await vote(page, { 'Cultural sensitivity': /^उत्तर 2$/, Accuracy: /^बराबर$/ });
    await shot(page, 'participant-pair-hi-1280');
    await page.getByRole('button', { name: 'मेरे चुनाव सहेजें' }).click();
    await page.getByText('आप अब तक 1 जोड़ी की तुलना कर चुके हैं।').waitFor();
    await context.close();
  });

  it('shows the moderator the results as a plot with intervals, then closes the round for everyone', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    await page.goto(`${d.server.url}/groups/${group.id}/ab#token=${group.moderatorToken}`);
    await page.getByText('3 pairs asked, 3 compared, by 2 participants.').waitFor();
    const chart = page.getByTestId('ab-chart');
    await chart.waitFor();
    // The plot says what it shows: a win rate and its interval per axis.
    const described = (await chart.getAttribute('aria-label')) ?? '';
    expect(described).toMatch(
      /Cultural sensitivity: Recorded pilot answers wins \d+ % of 3 votes \(95 % interval \d+ % to \d+ %\)/,
    );
    expect(described).toMatch(/Accuracy: Recorded pilot answers wins \d+ % of 3 votes/);
    expect(await chart.locator('.ab-whisker').count()).toBe(2);
    // The plot shows the server's figures (checked against the reference in the route test).
    const { rounds } = await http<{ rounds: { id: string }[] }>(
      'GET',
      `/api/groups/${group.id}/ab-rounds`,
      group.analystToken,
    );
    const results = await http<{ axes: { name: string; n: number; a: { winRate: number } }[] }>(
      'GET',
      `/api/groups/${group.id}/ab-rounds/${rounds[0]?.id}/results`,
      group.analystToken,
    );
    for (const axis of results.axes) {
      expect(axis.n).toBe(3);
      expect(described).toContain(
        `${axis.name}: Recorded pilot answers wins ${Math.round(axis.a.winRate * 100)} % of 3 votes`,
      );
    }
    await shot(page, 'moderator-results-390');
    await page.getByRole('button', { name: 'Close the round' }).click();
    await page.getByText('Closed:').waitFor();
    await context.close();

    const participant = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const mine = await participant.newPage();
    await mine.goto(`${d.server.url}/#token=${participants[0]?.token}`);
    await mine.getByRole('link', { name: 'See the results of the last A/B round' }).click();
    await mine.getByText(/The round is closed. You compared 2 pairs of answers/).waitFor();
    await mine.getByTestId('ab-chart').waitFor();
    await shot(mine, 'participant-results-390');
    await participant.close();
  });
});
