import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, preloadAxe } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';
import { adminToken, buildServer, type Running, root, startServer, stop } from '../support/child-server.js';
import { picturesOnFailure } from '../support/e2e-page.js';

/**
 * Every page of the app, as a newcomer running the demo meets it, at a phone (390 px), a laptop
 * (1280 px) and a large screen (1920 px), in English and Hindi: each one pictured into
 * test-results/e2e/tour/, checked with axe-core (WCAG 2 A and AA: zero violations), and checked
 * for sideways overflow (nothing wider than the window, so nothing is cut off or needs a sideways
 * scroll). The session is driven through the HTTP API, one segment after the other; participant,
 * moderator and analyst pages are pictured in each. The Reflect pages (initial and focused coding,
 * artifacts, agreement) are pictured with codes made through the API on the baseline set.
 */
const shots = join(root, 'test-results', 'e2e', 'tour');
const widths = [390, 1280, 1920] as const;
const languages = ['en', 'hi'] as const;
/** Hindi at a phone's and a laptop's width (1920 adds nothing a translation could break). */
const widthsFor = (language: Language) => (language === 'en' ? widths : widths.slice(0, 2));
/** How many pages the steps below picture. */
const pages = 24;

interface Demo {
  groups: { id: string; inviteCode: string; moderatorToken: string; analystToken: string }[];
}

type Language = (typeof languages)[number];

describe('every page at phone and desktop widths, in English and Hindi', { timeout: 240_000 }, () => {
  let server: Running;
  let browser: Browser;
  let demo: Demo;
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-tour-'));
  const contexts = new Map<string, BrowserContext>();
  const problems: string[] = [];
  const pictured: string[] = [];
  let sessionId = '';
  const people: { participantId: string; token: string }[] = [];

  const call = async (path: string, token: string, method = 'GET', body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json as Record<string, unknown>;
  };
  const group = () => demo.groups[0] as Demo['groups'][number];
  const control = (body: Record<string, unknown>) =>
    call(`/api/sessions/${sessionId}/control`, group().moderatorToken, 'POST', body);

  /** One browser context per person and language; the token goes in before the app starts. */
  const pageFor = async (who: string, token: string | null, language: Language): Promise<Page> => {
    const key = `${who}-${language}`;
    let context = contexts.get(key);
    if (!context) {
      context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(15_000);
      await preloadAxe(context);
      await context.addInitScript(
        ([lang, tok]) => {
          window.localStorage.setItem('calma.language', lang as string);
          if (tok) window.sessionStorage.setItem('calma.token', tok);
        },
        [language, token] as const,
      );
      contexts.set(key, context);
    }
    const page = context.pages()[0] ?? (await context.newPage());
    return page;
  };

  /** Opens `path` at each width, waits for `ready`, pictures it and checks it. */
  const tour = async (name: string, who: string, token: string | null, path: string, ready: string) => {
    for (const language of languages) {
      const page = await pageFor(who, token, language);
      for (const width of widthsFor(language)) {
        await page.setViewportSize({ width, height: width < 500 ? 844 : 1000 });
        await page.goto(`${server.url}${path}`);
        await page.locator(ready).first().waitFor();
        // Let live data (socket state, board sync) and fonts settle before the picture.
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        await page.waitForTimeout(200);
        const label = `${name}-${language}-${width}`;
        await page.screenshot({ path: join(shots, `${label}.png`), fullPage: true });
        const lang = await page.evaluate(() => document.documentElement.lang);
        if (lang !== language) problems.push(`${label}: <html lang="${lang}">`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 1) problems.push(`${label}: ${overflow}px wider than the window`);
        const found = await axeViolations(page);
        problems.push(...found.map((f) => `${label}: ${f}`));
        pictured.push(label);
      }
    }
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    expect(buildServer().status).toBe(0);
    server = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
    demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as Demo;
    browser = await launchChromium();
    const created = await call(`/api/groups/${group().id}/sessions`, group().moderatorToken, 'POST');
    sessionId = created.id as string;
    for (const name of ['Asha', 'चेन']) {
      const res = await fetch(`${server.url}/api/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inviteCode: group().inviteCode, displayName: name, consent: true }),
      });
      people.push((await res.json()) as { participantId: string; token: string });
    }
  }, 90_000);

  picturesOnFailure(shots, () => browser);

  afterAll(async () => {
    for (const context of contexts.values()) await context.close().catch(() => undefined);
    await browser?.close();
    if (server) await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const participant = () => people[0] as { participantId: string; token: string };
  const sessionPath = () => `/sessions/${sessionId}`;

  it('pictures the pages before a session starts', async () => {
    await tour('start-signed-out', 'nobody', null, '/', 'h1');
    await tour('join', 'nobody', null, `/join/${group().inviteCode}`, 'h1');
    await tour('join-invalid', 'nobody', null, '/join/NOT-A-CODE', 'h1');
    await tour('not-found', 'nobody', null, '/no/such/page', 'h1');
    await tour('participant-home', 'asha', participant().token, '/', 'h1');
    await tour('moderator-home', 'moderator', group().moderatorToken, '/', 'h1');
    await tour('group-summary', 'asha', participant().token, `/groups/${group().id}/summary`, 'h1');
  });

  it('pictures the Reflect pages: coding, focused coding, artifacts and agreement', async () => {
    // Both code the baseline set's one response (through the API), so there are codes to show,
    // a span to mark, a note, and codes the two split on for α.
    const base = `/api/groups/${group().id}`;
    const baselineId = `bl:${group().id}:thanksgiving`;
    const listed = (await call(`${base}/interactions`, participant().token)) as {
      interactions: { id: string; messages: { content: string }[] }[];
    };
    const text = listed.interactions.find((i) => i.id === baselineId)?.messages[0]?.content ?? '';
    const start = text.indexOf('harvest festival');
    expect(start).toBeGreaterThan(0);
    const turn = { stage: 'initial', interactionId: baselineId, messageIndex: 0 };
    const [asha, chen] = people as [(typeof people)[number], (typeof people)[number]];
    const mine = (await call(`${base}/labels`, asha.token, 'POST', {
      labels: [
        {
          ...turn,
          text: 'origin story',
          span: { start, end: start + 'harvest festival'.length },
          annotation: 'Says where the holiday began.',
        },
        { ...turn, text: 'warm' },
        { ...turn, text: 'friendly' },
        { ...turn, text: 'caring' },
        { ...turn, text: 'गर्मजोशी भरा' },
      ],
    })) as { ids: string[] };
    await call(`${base}/labels`, chen.token, 'POST', {
      labels: [
        { ...turn, text: 'warm' },
        { ...turn, text: 'terse summary' },
      ],
    });
    await call(`${base}/attributes`, asha.token, 'POST', {
      name: 'Historical context',
      definition: 'Says where a custom comes from.',
      codes: [
        { labelId: mine.ids[0], sign: 1 },
        { labelId: mine.ids[4], sign: -1 },
      ],
    });
    const g = `/groups/${group().id}`;
    await tour('coding', 'asha', asha.token, `${g}/coding`, '[data-testid="coding-codes"]');
    await tour('attributes', 'asha', asha.token, `${g}/attributes`, '[data-testid="suggestions"]');
    await tour('artifacts-list', 'asha', asha.token, `${g}/artifacts`, '.artifact-people li');
    await tour(
      'artifacts',
      'asha',
      asha.token,
      `${g}/artifacts/${asha.participantId}`,
      '[data-testid="artifact-mark"]',
    );
    await tour('agreement', 'moderator', group().moderatorToken, `${g}/agreement`, '[data-testid="agreement-code"]');
  });

  it('pictures segments 0 to 3 for a participant and the moderator', async () => {
    const durationMs = 10 * 60_000;
    await control({ action: 'start', segment: 0, durationMs });
    await tour('segment0-participant', 'asha', participant().token, sessionPath(), '.board-card');
    await tour('segment0-moderator', 'moderator', group().moderatorToken, sessionPath(), '.board-card');

    await control({ action: 'advance', durationMs });
    await call(`/api/sessions/${sessionId}/segment1`, participant().token, 'PUT', {
      attributes: [
        { name: 'Balanced', definition: 'Gives the main views fairly.' },
        { name: 'संतुलित', definition: 'सभी पक्षों को निष्पक्ष रूप से रखता है।' },
      ],
    });
    await tour('segment1-participant', 'asha', participant().token, sessionPath(), 'h1');

    await control({ action: 'advance', durationMs });
    await call(`/api/sessions/${sessionId}/control`, group().moderatorToken, 'POST', { action: 'reveal', segment: 1 });
    await tour('segment2-participant', 'asha', participant().token, sessionPath(), '.board-card');

    await control({ action: 'advance', durationMs });
    await control({ action: 'set-speakers', participantIds: people.map((p) => p.participantId), turnMs: 120_000 });
    await control({ action: 'next-speaker' });
    await tour('segment3-participant', 'asha', participant().token, sessionPath(), '.board-card');
    await tour('segment3-moderator', 'moderator', group().moderatorToken, sessionPath(), '.board-card');
  });

  it('pictures segments 4 and 5, the end of the session and its analysis', async () => {
    const durationMs = 10 * 60_000;
    await control({ action: 'advance', durationMs });
    const finals = (await call(`/api/sessions/${sessionId}/final-attributes`, group().moderatorToken, 'PUT', {
      attributes: [
        { name: 'Balanced', definition: 'Presents the main views on a contested question fairly, with reasons.' },
        { name: 'संतुलित दृष्टिकोण', definition: 'विवादित प्रश्न पर मुख्य विचारों को निष्पक्ष रूप से रखता है।' },
        { name: 'متوازن', definition: 'يعرض وجهات النظر الرئيسية بإنصاف.' },
      ],
      groupTop3: [],
      groupTop5: [],
    })) as { attributes: { id: string }[] };
    await tour('segment4-participant', 'asha', participant().token, sessionPath(), 'h1');
    await tour('segment4-moderator', 'moderator', group().moderatorToken, sessionPath(), 'h1');

    await control({ action: 'advance', durationMs });
    await tour('segment5-participant', 'asha', participant().token, sessionPath(), 'h1');
    const ids = finals.attributes.map((a) => a.id);
    for (const person of people)
      await call(`/api/sessions/${sessionId}/segment5`, person.token, 'PUT', {
        likert: Object.fromEntries(ids.map((id, i) => [id, 5 - i])),
        ranking: ids,
      });
    await control({ action: 'end' });
    await tour('ended-participant', 'asha', participant().token, sessionPath(), 'h1');
    await tour('ended-moderator', 'moderator', group().moderatorToken, sessionPath(), 'h1');
    await tour('analysis', 'analyst', group().analystToken, `${sessionPath()}/analysis`, 'h1');
  });

  it('found no violations, no overflow and the right language on any pictured page', () => {
    expect(pictured.length).toBe(pages * (widthsFor('en').length + widthsFor('hi').length));
    expect(problems).toEqual([]);
  });
});
