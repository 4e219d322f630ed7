import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';
import { adminToken, api, buildServer, type Running, root, startServer, stop } from '../support/child-server.js';
import { expectFitsWidth, picturesOnFailure } from '../support/e2e-page.js';

/**
 * The moderator's transcripts page in a real browser against the built server: a CSV with one bad
 * row is refused with that row named and nothing stored; the fixed file imports; each export
 * downloads; the page holds at 390 px and in Hindi. A participant's chat is shown to them masked
 * before they share it; once shared another participant lists it masked, once withheld not at all.
 * Screenshots in test-results/e2e/transcripts/.
 */
const shots = join(root, 'test-results', 'e2e', 'transcripts');

interface Demo {
  studyId: string;
  groups: { id: string; inviteCode: string; moderatorToken: string; analystToken: string }[];
}

const header = 'interaction_id,participant,baseline,source,message_index,role,content';
const badCsv = [
  header,
  'e2e-1,,false,import,0,user,"Is Thanksgiving, in your words, a harvest feast?"',
  'e2e-1,,false,import,1,robot,It began as one.',
  'e2e-2,,false,import,0,assistant,A second answer.',
  '',
].join('\r\n');

describe('transcripts in the browser', { timeout: 45_000 }, () => {
  let server: Running;
  let browser: Browser;
  let demo: Demo;
  let context: BrowserContext;
  let page: Page;
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-e2e-transcripts-'));

  const shot = async (name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    expect(await axeViolations(page), `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
  };
  const upload = (name: string, text: string) =>
    page.getByLabel('File', { exact: true }).setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    expect(buildServer().status).toBe(0);
    server = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
    demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as Demo;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
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

  it('reaches the page from the moderator home and shows the baseline set', async () => {
    const group = demo.groups[0] as Demo['groups'][number];
    await page.goto(`${server.url}/#token=${group.moderatorToken}`);
    await page.getByRole('link', { name: 'Transcripts: import, export, baseline' }).click();
    await page.getByRole('heading', { name: 'Transcripts', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/groups/${group.id}/transcripts`);
    await page.getByRole('heading', { name: 'Baseline set' }).waitFor();
    await page
      .getByText(/Thanksgiving is a holiday/)
      .first()
      .waitFor();
    await shot('01-page');
  });

  it('refuses a CSV with one bad row, naming it, then imports the fixed file', async () => {
    await upload('bad.csv', badCsv);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('Nothing was imported: 1 problem to fix.').waitFor();
    await alert.getByText('Line 3:').waitFor();
    await alert.getByText('role must be "user" or "assistant"').waitFor();
    await shot('02-refused');
    const total = async () => (await page.getByText(/^The group has \d+ interactions?\.$/).textContent()) ?? '';
    const before = await total();

    await upload('fixed.csv', badCsv.replace('robot', 'assistant'));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Imported 2 interactions.').waitFor();
    await expect.poll(total).not.toBe(before);
    await shot('03-imported');
  });

  it('downloads the three exports', async () => {
    for (const [label, start] of [
      ['Download JSON', '{'],
      ['Download CSV', 'interaction_id,participant'],
      ['Download OCML (ID,TEXT)', 'ID,TEXT'],
    ] as const) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: label }).click(),
      ]);
      const path = await download.path();
      const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
      expect(text.startsWith(start), label).toBe(true);
      expect(text).toContain('A second answer.');
    }
  });

  it('holds at 390 px, after a reload, and in Hindi', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('heading', { name: 'Transcripts', level: 1 }).waitFor();
    await upload('bad.csv', badCsv);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Line 3:').waitFor();
    await expectFitsWidth(page);
    await shot('04-phone');
    await page.getByLabel('Language').selectOption('hi');
    await page.getByRole('heading', { name: 'ट्रांसक्रिप्ट', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'आयात करें' }).waitFor();
    await expectFitsWidth(page);
    await shot('05-phone-hindi');
    await page.getByLabel('भाषा').selectOption('en');
  });

  it('shows a participant the masked chat, shares it and withholds it again', async () => {
    const group = demo.groups[0] as Demo['groups'][number];
    // This step is about sharing, not Familiarize: the comprehension check is made optional.
    const orientation = await api(server, `/api/studies/${demo.studyId}/orientation`);
    if (orientation.status === 200) {
      const { isDefault: _isDefault, ...body } = orientation.body;
      await api(server, `/api/studies/${demo.studyId}/orientation`, {
        method: 'PUT',
        body: JSON.stringify({ ...body, required: false }),
      });
    }
    const joinAs = async (displayName: string) =>
      (
        await api(server, '/api/join', {
          method: 'POST',
          headers: { authorization: '' },
          body: JSON.stringify({ inviteCode: group.inviteCode, displayName, consent: true }),
        })
      ).body as { token: string };
    const asha = await joinAs('Asha Rao');
    const ben = await joinAs('Ben');
    const listedTo = async (token: string) =>
      ((await api(server, `/api/groups/${group.id}/interactions`, { headers: { authorization: `Bearer ${token}` } }))
        .body.interactions ?? []) as { id: string; source?: string; messages: { content: string }[] }[];

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/#token=${asha.token}`);
    await page.goto(`${server.url}/groups/${group.id}/chat`);
    await page.getByRole('button', { name: 'Start a conversation' }).click();
    await page.getByLabel('Your message').fill("Hi, I'm Asha. Write to asha.rao@example.org about Thanksgiving.");
    await page.getByRole('button', { name: 'Send' }).click();
    const panel = page.getByRole('region', { name: 'Share with your group' });
    await panel.getByText('Not shared.', { exact: true }).waitFor();
    await panel.getByText("Hi, I'm [name]. Write to [email] about Thanksgiving.").waitFor();
    await panel.getByText('2 personal details (emails, phone numbers, links or your name) are hidden.').waitFor();
    await expectFitsWidth(page);
    await shot('06-share-preview-phone');
    expect((await listedTo(ben.token)).some((i) => i.source === 'chat')).toBe(false);

    await panel.getByRole('button', { name: 'Share', exact: true }).click();
    await panel.getByText('Shared.', { exact: true }).waitFor();
    const seen = (await listedTo(ben.token)).filter((i) => i.source === 'chat');
    expect(seen).toHaveLength(1);
    expect(JSON.stringify(seen)).toContain('[email]');
    expect(JSON.stringify(seen)).not.toMatch(/asha|example\.org/i);
    await shot('07-shared');

    await panel.getByRole('button', { name: 'Withhold' }).click();
    await panel.getByText('Not shared.', { exact: true }).waitFor();
    expect((await listedTo(ben.token)).some((i) => i.source === 'chat')).toBe(false);
  });
});
