import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';
import { adminToken, api, buildServer, type Running, startServer, stop } from '../support/child-server.js';
import { picturesOnFailure } from '../support/e2e-page.js';

/**
 * Who is who, in real browsers: a sign-in that survives closing the tab ("Continue as Chen"),
 * joining twice from one device (and a double click on Join) making one person, "Not you?" for a
 * shared laptop, an invalid invite and a refused moderator link told so, and the moderator's
 * People panel (rename, merge, remove) with the console following live. Screenshots of every
 * page go to test-results/e2e/identity/, each checked with axe-core (WCAG 2 A and AA).
 */
const root = new URL('../..', import.meta.url).pathname;
const shots = join(root, 'test-results', 'e2e', 'identity');
const phone = { width: 390, height: 844 };
const laptop = { width: 1280, height: 800 };
const wide = { width: 1920, height: 1080 };

interface Demo {
  groups: { id: string; inviteCode: string; moderatorToken: string; analystToken: string }[];
}

describe('identity: sign-ins that last, one person per device, and the moderator’s corrections', {
  timeout: 60_000,
}, () => {
  let server: Running;
  let browser: Browser;
  let demo: Demo;
  let group: Demo['groups'][number];
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-e2e-identity-'));
  const contexts: BrowserContext[] = [];
  let moderator: Page;
  /** Chen's browser (a phone): one context, so closing a page and opening another is a closed tab. */
  let chenDevice: BrowserContext;
  let sessionPath = '';

  const newContext = async (viewport = laptop) => {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    context.setDefaultTimeout(15_000);
    return context;
  };
  const openIn = async (context: BrowserContext, path: string) => {
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
    await page.goto(`${server.url}${path}`);
    return page;
  };
  const checked: string[] = [];
  const shot = async (page: Page, name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    const found = await axeViolations(page);
    checked.push(name);
    expect(found, `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
  };
  const peopleCount = () => moderator.getByTestId('people-count');
  const joinAs = async (page: Page, name: string, click: 'click' | 'dblclick' = 'click') => {
    await page.getByLabel('Display name').fill(name);
    await page.getByLabel('I have read the above and agree to take part.').check();
    await page.getByRole('button', { name: 'Join', exact: true })[click]();
    await page.getByText(`Welcome, ${name}`).waitFor();
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    expect(buildServer().status).toBe(0);
    server = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
    demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as Demo;
    group = demo.groups[0] as Demo['groups'][number];
    browser = await launchChromium();
  }, 60_000);

  picturesOnFailure(shots, () => browser);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    if (server) await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says an invite link is invalid before showing the form', async () => {
    const page = await openIn(await newContext(phone), '/join/NOPE2345');
    await page.getByRole('heading', { name: 'This invite link is not valid' }).waitFor();
    expect(await page.getByLabel('Display name').count()).toBe(0);
    await shot(page, '01-invalid-invite-390');
  });

  it('tells a refused moderator link to ask the administrator, not to use an invite link', async () => {
    const page = await openIn(await newContext(), '/#token=not-a-real-moderator-token-0123456789');
    const notice = page.getByTestId('sign-in-refused');
    await notice.waitFor();
    expect(await notice.textContent()).toContain("Ask the study's administrator for a new one");
    expect(await notice.textContent()).not.toContain('invite link');
    // Forgotten on this device: no "Continue" offered for it.
    expect(await page.getByRole('button', { name: /^Continue as/ }).count()).toBe(0);
    await shot(page, '02-refused-staff-link-1280');
  });

  it('shows a joiner in the moderator’s console at once, and a double click on Join makes one person', async () => {
    moderator = await openIn(await newContext(laptop), `/#token=${group.moderatorToken}`);
    await moderator.getByRole('button', { name: 'New session' }).click();
    await moderator.getByText('Segment 0', { exact: true }).waitFor();
    sessionPath = new URL(moderator.url()).pathname;
    await peopleCount().getByText('No one has joined yet.').waitFor();

    chenDevice = await newContext(phone);
    const chen = await openIn(chenDevice, `/join/${group.inviteCode}`);
    await joinAs(chen, 'Chen', 'dblclick');
    // The console's first tab sees Chen without a reload: in People and in the speaking queue.
    await peopleCount().getByText('1 participant', { exact: true }).waitFor();
    await moderator.locator('section[aria-labelledby="speakers-title"]').getByText('Chen').first().waitFor();
    await shot(chen, '03-participant-home-390');
  });

  it('continues as the same participant after the tab is closed and reopened', async () => {
    const [first] = chenDevice.pages() as [Page];
    const before = await first.evaluate(() => sessionStorage.getItem('calma.token'));
    await first.close();
    const home = await openIn(chenDevice, '/');
    const again = home.getByRole('button', { name: 'Continue as Chen' });
    await again.waitFor();
    await shot(home, '04-continue-as-390');
    await again.click();
    await home.getByText('Welcome, Chen').waitFor();
    expect(await home.evaluate(() => sessionStorage.getItem('calma.token'))).toBe(before);
    await home.close();

    // A session link opened in a fresh tab offers the same, and lands in the session.
    // Double-clicked, as people do: the second press lands on the session page, and must not
    // select the page's text (it did: anchored in the removed card, from the top to the pointer).
    const session = await openIn(chenDevice, sessionPath);
    await session.getByRole('button', { name: 'Continue as Chen' }).dblclick();
    await session.getByText('Segment 0', { exact: true }).waitFor();
    expect(await session.evaluate(() => window.getSelection()?.toString() ?? '')).toBe('');
    await session.close();

    // The invite link again: "Welcome back", no form.
    const joinPage = await openIn(chenDevice, `/join/${group.inviteCode}`);
    await joinPage.getByTestId('welcome-back').waitFor();
    expect(await joinPage.getByLabel('Display name').count()).toBe(0);
    await shot(joinPage, '05-join-welcome-back-390');
    await joinPage.close();

    // Joining again from this device (the remembered sign-in lost, the device key kept) resumes Chen.
    const lost = await openIn(chenDevice, '/');
    await lost.evaluate(() => localStorage.removeItem('calma.signIns'));
    await lost.goto(`${server.url}/join/${group.inviteCode}`);
    await joinAs(lost, 'Chen');
    await lost.close();
    await moderator.waitForTimeout(500);
    expect(await peopleCount().textContent()).toBe('1 participant');
  });

  it('makes a new person after “Not you?”, and lets the moderator rename, merge and remove', async () => {
    const shared = await openIn(chenDevice, `/join/${group.inviteCode}`);
    await shared.getByRole('button', { name: 'Not you?' }).click();
    await joinAs(shared, 'Dana');
    await peopleCount().getByText('2 participants', { exact: true }).waitFor();

    // Chen joins again from another browser: a duplicate the moderator is told about.
    const laptopTab = await openIn(await newContext(laptop), `/join/${group.inviteCode}`);
    await joinAs(laptopTab, 'chen');
    await peopleCount().getByText('3 participants', { exact: true }).waitFor();
    await moderator.getByText('chen appears more than once', { exact: false }).waitFor();
    await moderator.setViewportSize(wide);
    await shot(moderator, '06-moderator-people-1920');

    const people = moderator.locator('.people-list li');
    // Rename Dana.
    await people.filter({ hasText: 'Dana' }).getByRole('button', { name: 'Rename' }).click();
    await moderator.getByLabel('New name for Dana').fill('Dana K');
    await moderator.locator('.people-list').getByRole('button', { name: 'Save', exact: true }).click();
    await people.filter({ hasText: 'Dana K' }).waitFor();

    // Merge the duplicate "chen" into Chen, through the dialog.
    await people.filter({ hasText: /^chen/ }).getByRole('button', { name: 'Merge…' }).click();
    const dialog = moderator.getByRole('dialog');
    const into = await dialog.locator('option', { hasText: /^Chen/ }).getAttribute('value');
    await dialog.getByLabel('Merge chen into').selectOption(into as string);
    await moderator.setViewportSize(laptop);
    await shot(moderator, '07-merge-dialog-1280');
    await dialog.getByRole('button', { name: 'Merge', exact: true }).click();
    await peopleCount().getByText('2 participants', { exact: true }).waitFor();
    // The duplicate's browser now signs in as Chen.
    await laptopTab.reload();
    await laptopTab.getByText('Welcome, Chen').waitFor();

    // Remove Dana K: her tab is told to use the invite link again.
    await people.filter({ hasText: 'Dana K' }).getByRole('button', { name: 'Remove…' }).click();
    await moderator.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
    await peopleCount().getByText('1 participant', { exact: true }).waitFor();
    await shared.reload();
    await shared.getByTestId('sign-in-refused').getByText('use your invite link again').waitFor();
    await shot(shared, '08-removed-participant-390');

    const list = await api(server, `/api/groups/${group.id}/participants`);
    expect((list.body.participants as { displayName: string }[]).map((p) => p.displayName)).toEqual(['Chen']);
    const speakers = moderator.locator('section[aria-labelledby="speakers-title"]');
    expect(await speakers.getByText('Dana K').count()).toBe(0);
  });

  it('joins in Hindi when the study says so, at phone width', async () => {
    const context = { name: 'भारत पायलट', description: '', systemPrompt: '' };
    const study = await api(server, '/api/studies', {
      method: 'POST',
      body: JSON.stringify({ title: 'पायलट अध्ययन', context, language: 'hi' }),
    });
    const hindi = await api(server, `/api/studies/${study.body.id}/groups`, {
      method: 'POST',
      body: JSON.stringify({ name: 'दिल्ली समूह' }),
    });
    const page = await openIn(await newContext(phone), `/join/${hindi.body.inviteCode}`);
    await page.getByRole('heading', { name: 'अपने समूह से जुड़ें' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('hi');
    await shot(page, '09-join-hindi-390');
    await page.getByLabel('प्रदर्शित नाम').fill('आशा');
    await page.getByLabel('मैंने ऊपर लिखा पढ़ लिया है और भाग लेने के लिए सहमत हूँ।').check();
    await page.getByRole('button', { name: 'जुड़ें', exact: true }).click();
    await page.getByText('स्वागत है, आशा').waitFor();
    await shot(page, '10-home-hindi-390');
  });

  it('checked every pictured page with axe-core', () => {
    console.log(`axe-core checked ${checked.length} pages: ${checked.join(', ')}`);
    expect(checked.length).toBeGreaterThanOrEqual(10);
  });
});
