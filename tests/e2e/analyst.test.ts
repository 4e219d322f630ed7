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
 * The analyst view and the group summary in a real browser, on the seeded demo driven to segment 5
 * through the HTTP API (three participants, one writing in Hindi and one in Arabic): every figure
 * read out in a sentence with rounded numbers, "what is this" for the statistics, the Likert legend
 * in scale order, whole examples on demand, source labels, the summary's way back, Hindi, and
 * 390 / 1280 / 1920 px pictures checked with axe-core.
 */
const shots = join(root, 'test-results', 'e2e', 'analyst');
const widths = [390, 1280, 1920] as const;
/** How many pages the steps below picture (and check with axe-core). */
const picturedPages = 10;

interface Demo {
  groups: { id: string; inviteCode: string; moderatorToken: string; analystToken: string }[];
}

/** More than two decimals anywhere ("0.7701149425287356"): a number nobody rounded. */
const rawNumber = /\d\.\d{3,}/;

describe('the analyst view and the group summary in the browser', { timeout: 60_000 }, () => {
  let server: Running;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let demo: Demo;
  let group: Demo['groups'][number];
  let sessionId = '';
  let finalIds: string[] = [];
  let exampleResponse = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-e2e-analyst-'));

  const http = async <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  const control = (body: object) => http('POST', `/api/sessions/${sessionId}/control`, group.moderatorToken, body);

  const violations: string[] = [];
  const checked: string[] = [];
  const shot = async (name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    const found = await axeViolations(page);
    violations.push(...found.map((f) => `${name}: ${f}`));
    checked.push(name);
    expect(found, `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
  };
  /** The page does not scroll sideways: wide content scrolls inside its own box. */
  const fitsWidth = async (width: number) => {
    // Charts take their width from a resize observer: the check gives them a moment to follow.
    await expectFitsWidth(page, `the page at ${width} px`);
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    expect(buildServer().status).toBe(0);
    server = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
    demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as Demo;
    group = demo.groups[0] as Demo['groups'][number];
    browser = await launchChromium();

    // The demo, driven to segment 5 through the HTTP API.
    const people = [];
    for (const displayName of ['आशा', 'سلمى', 'Chen'])
      people.push(
        await http<{ token: string; participantId: string }>('POST', '/api/join', '', {
          inviteCode: group.inviteCode,
          displayName,
          consent: true,
        }),
      );
    sessionId = (await http<{ id: string }>('POST', `/api/groups/${group.id}/sessions`, group.moderatorToken)).id;
    await control({ action: 'start', segment: 1, durationMs: 600_000 });
    const segment1 = [
      [
        { name: 'संतुलित', definition: 'कई दृष्टिकोण निष्पक्ष ढंग से' },
        { name: 'Accurate', definition: 'Correct dates and facts' },
      ],
      [
        { name: 'Accurate', definition: 'States correct facts' },
        { name: 'متوازن', definition: 'يعرض كل الآراء' },
      ],
      [
        { name: 'Engaging', definition: 'Sparks curiosity' },
        { name: 'Balanced', definition: 'Several perspectives' },
      ],
    ];
    for (const [i, person] of people.entries())
      await http('PUT', `/api/sessions/${sessionId}/segment1`, person.token, { attributes: segment1[i] });
    await control({ action: 'reveal', segment: 1 });
    await control({ action: 'start', segment: 2, durationMs: 600_000 });
    await http('POST', `/api/sessions/${sessionId}/affinity-map`, group.moderatorToken, {});
    await control({ action: 'start', segment: 4, durationMs: 600_000 });
    const interactions = await http<{ interactions: { id: string; messages: { role: string; content: string }[] }[] }>(
      'GET',
      `/api/groups/${group.id}/interactions`,
      group.moderatorToken,
    );
    const example = interactions.interactions.find((i) => (i.messages[0]?.content.length ?? 0) > 400);
    exampleResponse = example?.messages[0]?.content ?? '';
    const saved = await http<{ attributes: { id: string }[] }>(
      'PUT',
      `/api/sessions/${sessionId}/final-attributes`,
      group.moderatorToken,
      {
        attributes: [
          {
            name: 'संतुलित दृष्टिकोण',
            definition: 'कई दृष्टिकोण, निष्पक्ष ढंग से',
            exampleInteractionIds: [example?.id],
          },
          { name: 'Accuracy', definition: 'States correct facts, dates and figures' },
          { name: 'التفاعل', definition: 'يثير فضول الطلاب' },
        ],
        groupTop3: [],
        groupTop5: [],
      },
    );
    finalIds = saved.attributes.map((a) => a.id);
    await http('PUT', `/api/sessions/${sessionId}/final-attributes`, group.moderatorToken, {
      attributes: saved.attributes,
      groupTop3: finalIds,
      groupTop5: finalIds,
    });
    const mapping = await http<{ attributes: { id: string; name: string }[] }>(
      'GET',
      `/api/sessions/${sessionId}/segment1-mapping`,
      group.moderatorToken,
    );
    const target: Record<string, number> = { संतुलित: 0, متوازن: 0, Balanced: 0, Accurate: 1, Engaging: 2 };
    await http('PUT', `/api/sessions/${sessionId}/segment1-mapping`, group.moderatorToken, {
      mapping: Object.fromEntries(mapping.attributes.map((a) => [a.id, finalIds[target[a.name] ?? 0]])),
    });
    await control({ action: 'start', segment: 5, durationMs: 600_000 });
    const rankings = [
      [0, 1, 2],
      [0, 1, 2],
      [0, 2, 1],
    ];
    for (const [i, person] of people.entries())
      await http('PUT', `/api/sessions/${sessionId}/segment5`, person.token, {
        likert: Object.fromEntries(finalIds.map((id, j) => [id, [5, 4, 3, 2][(i + j) % 4]])),
        ranking: (rankings[i] as number[]).map((j) => finalIds[j]),
      });

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

  it('reads every figure out in a sentence, with rounded numbers and plain explanations', async () => {
    await page.goto(`${server.url}/sessions/${sessionId}/analysis#token=${group.analystToken}`);
    await page.getByRole('heading', { name: 'Derived axes' }).waitFor();
    await page.getByTestId('axes-table').locator('tbody tr').nth(2).waitFor();
    const w = page.getByTestId('w-chart-reading');
    await expect
      .poll(() => w.textContent())
      .toMatch(/^Agreement on rankings (rose from \S+ to \S+: people converged|fell from|stayed about the same)/);
    expect(await page.getByTestId('shift-chart-reading').textContent()).toMatch(/people's rankings/);
    expect(await page.getByTestId('jaccard-chart-reading').textContent()).toMatch(/top 3/);
    expect(await page.getByTestId('likert-chart-reading').textContent()).toMatch(/^Most agreement: .+ \(\d+% agree\)/);
    // What Kendall's W, tau-b and Jaccard are, on demand.
    for (const [term, question, words] of [
      ['kendallW', "What is Kendall's W?", /how much the whole group agrees on an order/],
      ['tauB', "What is Kendall's tau-b?", /comparing one person's order with the group's/],
      ['jaccard', 'What is Jaccard overlap?', /divided by how many are in either/],
    ] as const) {
      const details = page.getByTestId(`explain-${term}`);
      await details.getByText(question).click();
      expect(await details.getAttribute('open')).not.toBeNull();
      expect(await details.textContent()).toMatch(words);
    }
    // The legend is the scale, in order.
    expect(await page.locator('.likert-legend li').allTextContents()).toEqual([
      'Strongly disagree',
      'Disagree',
      'Neutral',
      'Agree',
      'Strongly agree',
    ]);
    // No unrounded number anywhere on the page, nor in a chart's tooltip.
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, one line per element (textContent runs tick labels together into "0.500.51")
    expect(await page.locator('main').innerText()).not.toMatch(rawNumber);
    for (const chart of ['w-chart', 'jaccard-chart', 'shift-chart', 'likert-chart']) {
      const figure = page.getByTestId(chart);
      await figure.scrollIntoViewIfNeeded();
      const box = (await figure.locator('.recharts-wrapper > .recharts-surface').boundingBox()) as {
        x: number;
        y: number;
        width: number;
        height: number;
      };
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3, { steps: 4 });
      await page.mouse.move(box.x + box.width * 0.35, box.y + box.height * 0.4, { steps: 4 });
      const tooltip = figure.locator('.recharts-tooltip-wrapper');
      await expect
        .poll(async () => (await tooltip.textContent())?.trim() ?? '', { timeout: 5_000, message: `${chart} tooltip` })
        .not.toBe('');
      expect(await tooltip.textContent(), `${chart} tooltip`).not.toMatch(rawNumber);
    }
    await page.mouse.move(0, 0);
  });

  it('shows short examples and the whole example on demand, and the source labels', async () => {
    const table = page.getByTestId('axes-table');
    const first = table.locator('tbody tr').first();
    expect(await first.locator('.axis-name').getAttribute('dir')).toBe('auto');
    expect(await first.locator('.axis-name').textContent()).toBe('संतुलित दृष्टिकोण');
    const short = (await first.locator('.axis-example-short').textContent()) ?? '';
    expect(short.length).toBeLessThan(exampleResponse.length / 2);
    await first.getByRole('button', { name: 'Show full example' }).click();
    const full = first.getByTestId('full-example');
    await full.waitFor();
    expect(await full.textContent()).toContain(exampleResponse);
    expect(await full.textContent()).toContain('Question');
    // Source labels come from the board's clusters: the export no longer leaves them empty.
    expect(await table.locator('.source-labels li').count()).toBeGreaterThan(0);
    await shot('analyst-1280-full-example');
    await first.getByRole('button', { name: 'Hide full example' }).click();
    await full.waitFor({ state: 'hidden' });
  });

  it('downloads the CSV for a spreadsheet: UTF-8 behind a byte-order mark, every text exact', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'CSV (spreadsheet)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`calma-axes-${sessionId}.csv`);
    const bytes = readFileSync(await download.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.toString('utf8');
    expect(csv).toContain('1,संतुलित दृष्टिकोण,"कई दृष्टिकोण, निष्पक्ष ढंग से",true,true,3,');
    expect(csv).toContain(',التفاعل,يثير فضول الطلاب,');
    expect(csv).toContain(exampleResponse.includes('"') ? exampleResponse.replaceAll('"', '""') : exampleResponse);
    expect(csv).not.toContain('…');
  });

  it('fits phone and wide screens, and survives a reload', async () => {
    for (const width of [390, 1920] as const) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 1080 });
      await page.getByTestId('axes-table').waitFor();
      await page.waitForTimeout(300);
      await fitsWidth(width);
      await shot(`analyst-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.reload();
    await page.getByTestId('axes-table').locator('tbody tr').nth(2).waitFor();
    await page.getByTestId('w-chart-reading').waitFor();
    await shot('analyst-1280');
  });

  it('reads the analyst view in Hindi', async () => {
    await page.getByLabel('Language').selectOption('hi');
    await page.getByRole('heading', { name: 'निकाले गए अक्ष' }).waitFor();
    expect(await page.locator('.likert-legend li').allTextContents()).toEqual([
      'पूरी तरह असहमत',
      'असहमत',
      'तटस्थ',
      'सहमत',
      'पूरी तरह सहमत',
    ]);
    expect(await page.getByTestId('w-chart-reading').textContent()).toMatch(/क्रम पर सहमति/);
    expect(await page.getByRole('button', { name: 'पूरा उदाहरण दिखाएँ' }).count()).toBeGreaterThan(0);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, one line per element (textContent runs tick labels together into "0.500.51")
    expect(await page.locator('main').innerText()).not.toMatch(rawNumber);
    await shot('analyst-1280-hi');
  });

  it('gives the group summary a way back to the session, in both languages and at every width', async () => {
    // Still in Hindi from the step before: the summary is linked from the analysis.
    await page.getByRole('link', { name: 'समूह सारांश' }).click();
    await page.getByRole('heading', { name: 'समूह सारांश', level: 1 }).waitFor();
    await page.locator('.word-cloud li').nth(3).waitFor();
    await shot('summary-1280-hi');
    await page.getByLabel('भाषा').selectOption('en');
    for (const width of widths) {
      await page.setViewportSize({ width, height: 900 });
      await page.getByRole('heading', { name: 'Group summary', level: 1 }).waitFor();
      await fitsWidth(width);
      await shot(`summary-${width}`);
    }
    // Opened on its own (no ?session=), it goes back to the group's open session.
    await page.goto(`${server.url}/groups/${group.id}/summary`);
    const back = page.getByRole('link', { name: 'Back to the session' }).first();
    await back.waitFor();
    await back.click();
    await page.waitForURL(`${server.url}/sessions/${sessionId}`);
    await page.goto(`${server.url}/groups/${group.id}/summary`);
    await page.getByRole('link', { name: 'Home' }).first().click();
    await page.waitForURL(`${server.url}/`);
  });

  it('says plainly when there is not enough data yet', async () => {
    const fresh = (await http<{ id: string }>('POST', `/api/groups/${group.id}/sessions`, group.moderatorToken)).id;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}/sessions/${fresh}/analysis`);
    await page.getByText('No final attributes yet: they are written in segment 4.').waitFor();
    expect(await page.getByTestId('w-chart-reading').textContent()).toMatch(/^Not enough data to compare agreement/);
    expect(await page.getByTestId('shift-chart-reading').textContent()).toMatch(/^Not enough data/);
    expect(await page.getByTestId('likert-chart-reading').textContent()).toMatch(/^No ratings yet/);
    // No empty chart frames beside those sentences.
    expect(await page.locator('.recharts-wrapper').count()).toBe(0);
    await shot('analyst-1280-empty');
  });

  it('passes the axe-core WCAG 2 A/AA checks on every page pictured', () => {
    console.log(`axe-core checked ${checked.length} pages: ${checked.join(', ')}`);
    expect(violations).toEqual([]);
    expect(checked.length).toBeGreaterThanOrEqual(picturedPages);
  });
});
