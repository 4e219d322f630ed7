import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeOpenAI, startFakeOpenAI } from '@calma/models/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';
import { adminToken, buildServer, type Running, root, startServer, stop } from '../support/child-server.js';
import { expectFitsWidth, picturesOnFailure } from '../support/e2e-page.js';

/**
 * Interact in real browsers on the seeded demo, whose study also offers an OpenAI-compatible model
 * served by a fake started here (the real wire format, paced so tokens are seen arriving):
 * Asha on a phone (390 px) goes through the orientation and the check pages, chats with the live
 * model (the answer visibly grows), sees a cut-off answer marked and retried, reloads (her draft and
 * the stored conversation are back), and shares it, after which it is listed for coding. Chen (1280
 * px, Hindi) chats with the demo's replay model, badged as recorded replies. The administrator sets
 * up a new study's context and model on the set-up page; after a reload it is there, the key named
 * by its variable and never shown. Screenshots go to test-results/e2e/interact/, each checked with
 * axe-core (WCAG 2 A/AA).
 */
const shots = join(root, 'test-results', 'e2e', 'interact');

interface Demo {
  studyId: string;
  groups: { id: string; inviteCode: string; moderatorToken: string; analystToken: string }[];
}

/** The fake model's answer: long enough, at 12 tokens a second, to be seen growing for seconds. */
const liveAnswer =
  'Thanksgiving began as a harvest celebration. Families gather, share a meal and give thanks; many also volunteer, watch parades or play football together.';
/** A key the server holds in its environment: no page may ever show it. */
const secretKey = 'sk-e2e-never-shown-0123456789';

describe('Interact: chatting with the study model, and the study set-up', { timeout: 90_000 }, () => {
  let server: Running;
  let fake: FakeOpenAI;
  let browser: Browser;
  let demo: Demo;
  let group: Demo['groups'][number];
  const dataDir = mkdtempSync(join(tmpdir(), 'calma-e2e-interact-'));
  const contexts: BrowserContext[] = [];
  let conversationUrl = '';
  let conversationId = '';

  const http = async <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };

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
    expect(await axeViolations(page), `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
    // Nothing may run off the side of a phone.
    await expectFitsWidth(page, name);
  };

  const joinAs = (name: string) =>
    http<{ token: string; participantId: string }>('POST', '/api/join', '', {
      inviteCode: group.inviteCode,
      displayName: name,
      consent: true,
    });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    fake = await startFakeOpenAI({ reply: liveAnswer, tokensPerSecond: 12, models: ['fake-chat-model'] });
    expect(buildServer().status).toBe(0);
    server = await startServer({
      CALMA_DATA_DIR: dataDir,
      CALMA_ADMIN_TOKEN: adminToken,
      CALMA_DEMO_OPENAI_URL: fake.baseUrl,
      CALMA_DEMO_OPENAI_MODEL: 'fake-chat-model',
      CALMA_E2E_MODEL_KEY: secretKey,
    });
    demo = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as Demo;
    group = demo.groups[0] as Demo['groups'][number];
    browser = await launchChromium();
  }, 60_000);

  picturesOnFailure(shots, () => browser);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    if (server) await stop(server);
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a participant goes through orientation and check, then watches the live model answer token by token', async () => {
    const asha = await joinAs('Asha');
    const page = await open(`/groups/${group.id}/orientation#token=${asha.token}`, { width: 390, height: 844 });

    // Orientation: every page read, through the familiarize pages.
    const pageOf = page.getByText(/^Page \d+ of \d+$/);
    const total = Number(/of (\d+)/.exec((await pageOf.textContent()) ?? '')?.[1]);
    expect(total).toBeGreaterThan(0);
    for (let i = 1; i < total; i++) {
      await page.getByRole('button', { name: 'I have read this page: next' }).click();
      await page.getByText(`Page ${i + 1} of ${total}`).waitFor();
    }
    await page.getByRole('button', { name: 'I have read this page', exact: true }).click();
    await page.getByText('You have read the orientation.').waitFor();

    // Comprehension check: the right options, as the study owner set them.
    const orientation = await http<{ check: { questions: { correct: number }[] } }>(
      'GET',
      `/api/studies/${demo.studyId}/orientation`,
      adminToken,
    );
    await page.goto(`${server.url}/groups/${group.id}/check`);
    const questions = page.locator('fieldset');
    await questions.first().waitFor();
    for (const [i, q] of orientation.check.questions.entries())
      await questions.nth(i).locator('input[type=radio]').nth(q.correct).check();
    await page.getByRole('button', { name: 'Check my answers' }).click();
    await page.getByText('You passed').waitFor();
    await page.getByRole('link', { name: 'Start chatting' }).click();

    // The chat page: the study lets her choose between the live model and the recorded replies.
    await page.getByRole('heading', { name: 'Chat with the model' }).waitFor();
    await page.getByText('No conversations yet.').waitFor();
    await page.getByLabel('Model to talk with').selectOption('demo-openai');
    await shot(page, 'chat-list-390');
    await page.getByTestId('new-conversation').click();
    await page.waitForURL(/\/conversations\//);
    conversationUrl = page.url();
    conversationId = decodeURIComponent(conversationUrl.split('/conversations/')[1] ?? '');
    await page.getByTestId('model-badge').filter({ hasText: 'fake-chat-model' }).waitFor();
    await expect(page.getByTestId('replay-note').count()).resolves.toBe(0);

    // Shift+Enter is a new line; Enter sends.
    const composer = page.getByTestId('composer');
    const question = 'Why do people celebrate Thanksgiving?\nAnswer briefly.';
    await composer.fill('Why do people celebrate Thanksgiving?');
    await composer.press('Shift+Enter');
    await composer.pressSequentially('Answer briefly.');
    await expect(composer.inputValue()).resolves.toBe(question);
    await expect(page.getByTestId('length-counter').textContent()).resolves.toBe(
      `${question.length} of 8000 characters`,
    );
    await composer.press('Enter');

    // The answer grows while it streams: at least two different partial texts before it is done.
    const seen: string[] = [];
    const streaming = page.getByTestId('streaming-text');
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      const text = await streaming.textContent({ timeout: 100 }).catch(() => null);
      if (text === null && seen.length > 0) break;
      if (text && text !== seen[seen.length - 1]) seen.push(text);
      if (seen.length === 2) await page.screenshot({ path: join(shots, 'streaming-390.png'), fullPage: true });
      await page.waitForTimeout(60);
    }
    expect(seen.length, `partial answers seen: ${JSON.stringify(seen)}`).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < seen.length; i++) expect((seen[i] ?? '').startsWith(seen[i - 1] ?? '')).toBe(true);
    expect((seen[0] ?? '').length).toBeLessThan(liveAnswer.length);
    // Once done, the stored answer is the whole one, announced once.
    await page.getByTestId('message-assistant').filter({ hasText: liveAnswer }).waitFor();
    await page.getByTestId('chat-live').filter({ hasText: 'The answer is complete' }).waitFor();
    await page.getByTestId('turns').filter({ hasText: 'Turns used: 1 of 20. 19 turns left.' }).waitFor();
    await shot(page, 'conversation-390');
  });

  it('an answer cut off mid-stream is kept, marked, explained, and retried', async () => {
    const page = contexts[0]?.pages()[0] as Page;
    fake.script({ type: 'drop', afterTokens: 4 });
    const composer = page.getByTestId('composer');
    await composer.fill('And in India?');
    await page.getByTestId('send').click();
    const failure = page.getByTestId('chat-failure');
    await failure.waitFor();
    await expect(failure.getAttribute('data-code')).resolves.toBe('STREAM_BROKEN');
    await expect(failure.textContent()).resolves.toContain('The answer broke off before it was complete.');
    // The words shown before the cut stay, marked incomplete.
    const cut = page.getByTestId('message-assistant').last();
    await expect(cut.getAttribute('data-status')).resolves.toBe('incomplete');
    await expect(cut.textContent()).resolves.toContain('Thanksgiving began as');
    await page.getByTestId('message-incomplete').waitFor();
    await shot(page, 'failure-390');

    await page.getByTestId('retry').click();
    await page.getByTestId('message-assistant').nth(2).filter({ hasText: liveAnswer }).waitFor();
    await expect(page.getByTestId('chat-failure').count()).resolves.toBe(0);
    await expect(page.getByTestId('retry').count()).resolves.toBe(0);
  });

  it('an unreachable model says so, and nothing typed is lost; a reload shows the stored conversation', async () => {
    const page = contexts[0]?.pages()[0] as Page;
    // Every attempt (the first and the server's retries) answers 500.
    fake.script(...Array.from({ length: 3 }, () => ({ type: 'error' as const, status: 500 })));
    await page.getByTestId('composer').fill('Is it celebrated elsewhere?');
    await page.getByTestId('composer').press('Enter');
    const failure = page.getByTestId('chat-failure');
    await failure.waitFor({ timeout: 20_000 });
    await expect(failure.getAttribute('data-code')).resolves.toBe('ENDPOINT_DOWN');
    await expect(page.getByTestId('message-incomplete').last().textContent()).resolves.toBe('No answer came.');

    // Typed and not sent: still there after a reload, with the conversation as stored.
    await page.getByTestId('composer').fill('A draft I have not sent yet');
    await page.reload();
    await page.getByTestId('message-list').waitFor();
    await expect(page.getByTestId('composer').inputValue()).resolves.toBe('A draft I have not sent yet');
    await expect(page.getByTestId('message-user').count()).resolves.toBe(3);
    const statuses = await page
      .getByTestId('message-assistant')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-status')));
    expect(statuses).toEqual(['complete', 'incomplete', 'complete', 'failed']);
    await expect(page.getByTestId('message-incomplete').count()).resolves.toBe(2);
    // The last answer failed: Retry is offered after the reload too.
    await page.getByTestId('retry').waitFor();
    await page.getByTestId('retry').click();
    await page.getByTestId('message-assistant').nth(4).filter({ hasText: liveAnswer }).waitFor();
  });

  it('the conversation is listed: on her chat page, and for coding once she shares it', async () => {
    const page = contexts[0]?.pages()[0] as Page;
    await page.getByRole('link', { name: 'All your conversations' }).click();
    const listed = page.getByTestId('conversation-list').getByRole('link');
    await listed.first().waitFor();
    await expect(listed.count()).resolves.toBe(1);
    await expect(page.getByTestId('conversation-list').textContent()).resolves.toContain(
      'Why do people celebrate Thanksgiving?',
    );

    // Another participant does not see it until it is shared.
    const ben = await joinAs('Ben');
    const before = await http<{ interactions: { id: string }[] }>(
      'GET',
      `/api/groups/${group.id}/interactions`,
      ben.token,
    );
    expect(before.interactions.map((i) => i.id)).not.toContain(conversationId);

    await listed.first().click();
    await page.getByTestId('sharing').getByRole('button', { name: 'Share', exact: true }).click();
    await page.getByText('Shared.', { exact: true }).waitFor();
    const after = await http<{ interactions: { id: string; messages: { content: string }[] }[] }>(
      'GET',
      `/api/groups/${group.id}/interactions`,
      ben.token,
    );
    const shared = after.interactions.find((i) => i.id === conversationId);
    expect(shared?.messages[1]?.content).toBe(liveAnswer);

    // The moderator reads it on the group's chat page, without a composer.
    const moderator = await open(`/groups/${group.id}/chat#token=${group.moderatorToken}`, {
      width: 1280,
      height: 800,
    });
    await moderator.getByRole('heading', { name: "The group's conversations" }).waitFor();
    await expect(moderator.getByTestId('new-conversation').count()).resolves.toBe(0);
    await moderator.getByTestId('conversation-list').getByRole('link').first().click();
    await moderator.getByTestId('read-only').waitFor();
    await expect(moderator.getByTestId('composer').count()).resolves.toBe(0);
    await expect(moderator.getByTestId('message-user').count()).resolves.toBe(3);
  });

  it('the demo replay model answers in Hindi, badged plainly as recorded replies', async () => {
    const chen = await joinAs('Chen');
    // Familiarize through the API this time: every page read, the check passed.
    const orientation = await http<{ pages: unknown[]; check: { questions: { id: string; correct: number }[] } }>(
      'GET',
      `/api/studies/${demo.studyId}/orientation`,
      adminToken,
    );
    for (const [page] of orientation.pages.entries())
      await http('POST', `/api/groups/${group.id}/orientation/read`, chen.token, { page });
    const answers = Object.fromEntries(orientation.check.questions.map((q) => [q.id, q.correct]));
    expect(await http('POST', `/api/groups/${group.id}/check`, chen.token, { answers })).toMatchObject({
      passed: true,
    });

    const page = await open(`/groups/${group.id}/chat#token=${chen.token}`, { width: 1280, height: 800 }, 'hi');
    await page.getByRole('heading', { name: 'मॉडल से बातचीत करें' }).waitFor();
    await page.getByLabel('किस मॉडल से बात करें').selectOption('replay');
    await page.getByTestId('new-conversation').click();
    await page.waitForURL(/\/conversations\//);
    await page.getByTestId('replay-note').waitFor();
    await expect(page.getByTestId('model-badge').textContent()).resolves.toContain('दर्ज किए गए उत्तर');
    await page.getByTestId('composer').fill('थैंक्सगिविंग क्यों मनाया जाता है?');
    await page.getByTestId('composer').press('Enter');
    const answer = page.getByTestId('message-assistant').first();
    await answer.waitFor({ timeout: 20_000 });
    await expect(answer.getAttribute('data-status')).resolves.toBe('complete');
    expect(((await answer.locator('.message-text').textContent()) ?? '').length).toBeGreaterThan(0);
    await page.getByTestId('turns').filter({ hasText: 'इस्तेमाल हुई बारी: 20 में से 1।' }).waitFor();
    await shot(page, 'conversation-replay-hi-1280');
  });

  it('a model whose key is missing says so plainly, in Hindi, and the turn is kept', async () => {
    const current = await http<{ models: { id: string }[] }>('GET', `/api/studies/${demo.studyId}/models`, adminToken);
    const keyless = {
      id: 'keyless',
      label: 'Keyless model',
      provider: 'openai',
      baseUrl: fake.baseUrl,
      model: 'fake-chat-model',
      apiKeyEnv: 'CALMA_E2E_UNSET_KEY',
    };
    await http('PUT', `/api/studies/${demo.studyId}/models`, adminToken, {
      models: [...current.models, keyless],
      assignment: 'choice',
    });
    const page = contexts[contexts.length - 1]?.pages()[0] as Page;
    await page.getByRole('link', { name: 'आपकी सभी बातचीत' }).click();
    await page.getByLabel('किस मॉडल से बात करें').selectOption('keyless');
    await page.getByTestId('new-conversation').click();
    await page.waitForURL(/\/conversations\//);
    await page.getByTestId('composer').fill('नमस्ते');
    await page.getByTestId('composer').press('Enter');
    const failure = page.getByTestId('chat-failure');
    await failure.waitFor();
    await expect(failure.getAttribute('data-code')).resolves.toBe('KEY_MISSING');
    await expect(failure.textContent()).resolves.toContain('सर्वर पर उसकी API कुंजी नहीं है');
    await expect(page.getByTestId('message-user').textContent()).resolves.toContain('नमस्ते');
    await page.getByTestId('retry').waitFor();
    await shot(page, 'key-missing-hi-1280');
  });

  it('the administrator sets up a study: context and a model are kept across a reload; the key only by name', async () => {
    const page = await open(`/#token=${adminToken}`, { width: 1280, height: 900 });
    await page.getByRole('link', { name: 'Set up studies' }).click();
    await page.getByRole('heading', { name: 'Studies' }).waitFor();
    await page.getByTestId('study-list').getByRole('link').first().waitFor();
    await page.getByLabel('Study title').fill('Cooking assistant pilot');
    await page.getByLabel('Deployment name').fill('Cooking assistant');
    await page.getByRole('button', { name: 'Create study' }).click();
    await page.waitForURL(/\/studies\/st/);
    await page.getByRole('heading', { name: 'Cooking assistant pilot' }).waitFor();

    await page.getByLabel('System prompt').fill('You help home cooks. Be brief.');
    await page.getByRole('button', { name: 'Save context' }).click();
    await page.getByTestId('context-outcome').filter({ hasText: 'Saved.' }).waitFor();

    await page.getByText('No models yet').waitFor();
    await expect(page.getByTestId('key-note').textContent()).resolves.toContain('never stored');
    await page.getByRole('button', { name: 'Add a model' }).click();
    const model = page.getByTestId('model-editor').first();
    await model.getByLabel('Label shown to participants').fill('Kitchen helper');
    await model.getByLabel('Model name').fill('llama3.2');
    await model.getByLabel('Base URL (OpenAI-compatible)').fill('not a url');
    await model.getByLabel('Environment variable holding the API key').fill('CALMA_E2E_MODEL_KEY');
    await model.getByLabel('Temperature').fill('0.4');
    // A validation error from the server stays beside the form.
    await page.getByRole('button', { name: 'Save models' }).click();
    await page.getByTestId('models-outcome').getByRole('alert').waitFor();
    await model.getByLabel('Base URL (OpenAI-compatible)').fill('http://127.0.0.1:11434/v1');
    await page.getByRole('button', { name: 'Save models' }).click();
    await page.getByTestId('models-outcome').filter({ hasText: 'Saved.' }).waitFor();
    await shot(page, 'study-setup-1280');

    await page.reload();
    const reloaded = page.getByTestId('model-editor').first();
    await expect(reloaded.getByLabel('Label shown to participants').inputValue()).resolves.toBe('Kitchen helper');
    await expect(reloaded.getByLabel('Environment variable holding the API key').inputValue()).resolves.toBe(
      'CALMA_E2E_MODEL_KEY',
    );
    await expect(reloaded.getByLabel('Temperature').inputValue()).resolves.toBe('0.4');
    await expect(page.getByLabel('System prompt').inputValue()).resolves.toBe('You help home cooks. Be brief.');
    // The orientation at a glance (the shipped one until the owner edits it), edited on its own page.
    const orientation = page.getByTestId('orientation-summary');
    await orientation.getByText('uses the orientation Calma ships').waitFor();
    await orientation.getByText('required before chatting.').waitFor();
    expect(await page.content()).not.toContain(secretKey);

    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'study-setup-390');
    await orientation.getByRole('link', { name: 'Edit the orientation, practice and check' }).click();
    await page.getByRole('heading', { name: 'Orientation, practice and check' }).waitFor();
  });
});
