import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { defaultOrientation } from '@calma/core';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations } from './axe.js';
import { adminToken, buildServer, type Running, root, startServer, stop } from './child-server.js';
import { expectFitsWidth } from './e2e-page.js';

/** What the seeded demo writes to `demo-credentials.json` in the server's data directory. */
export interface Demo {
  studyId: string;
  groups: { id: string; name: string; inviteCode: string; moderatorToken: string; analystToken: string }[];
}

/** A built server on the seeded demo, and JSON requests to it. */
export interface DemoServer {
  server: Running;
  demo: Demo;
  /** A JSON request as `token` (none when empty); throws with the answer on any status ≥ 400. */
  http: <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) => Promise<T>;
  /** Stops the server and removes its data directory. */
  close: () => Promise<void>;
}

/**
 * Bundles the server from the current sources and starts it on a fresh data directory, where it
 * seeds the demo study (the CALMA pilot) and writes its credentials.
 */
export async function startDemo(name: string): Promise<DemoServer> {
  expect(buildServer().status).toBe(0);
  const dataDir = mkdtempSync(joinPath(tmpdir(), `calma-e2e-${name}-`));
  const server = await startServer({ CALMA_DATA_DIR: dataDir, CALMA_ADMIN_TOKEN: adminToken });
  const demo = JSON.parse(readFileSync(joinPath(dataDir, 'demo-credentials.json'), 'utf8')) as Demo;
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
  return {
    server,
    demo,
    http,
    close: async () => {
      await stop(server);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Joins a group in the browser as a participant would: the invite link, a display name, consent.
 * Resolves with the token the tab signed in with (kept in its session storage).
 */
export async function join(page: Page, url: string, inviteCode: string, displayName: string): Promise<string> {
  await page.goto(`${url}/join/${inviteCode}`);
  await page.getByLabel('Display name').fill(displayName);
  await page.getByLabel('I have read the above and agree to take part.').check();
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await page.getByText(`Welcome, ${displayName}`).waitFor();
  const token = await page.evaluate(() => window.sessionStorage.getItem('calma.token'));
  expect(token).toBeTruthy();
  return token as string;
}

/**
 * Familiarize in the browser, from the home page: every page of the (shipped, English) orientation
 * read, then the comprehension check answered right, so the journey opens Interact and coding.
 * The practice is optional and left out. Ends on the journey page.
 */
export async function familiarize(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Continue your journey' }).click();
  await page.getByRole('heading', { name: 'Your journey', level: 1 }).waitFor();
  await page.getByRole('link', { name: 'Read the orientation', exact: true }).click();
  const next = page.getByRole('button', { name: 'I have read this page: next' });
  await next.click();
  await next.click();
  await page.getByRole('button', { name: 'I have read this page', exact: true }).click();
  await page.getByText('You have read the orientation.').waitFor();
  const check = new URL(page.url());
  check.pathname = check.pathname.replace(/\/orientation$/, '/check');
  await page.goto(check.href);
  await page.getByRole('heading', { name: 'Comprehension check' }).waitFor();
  for (const [i, question] of defaultOrientation('en').check.questions.entries())
    await page.locator('fieldset').nth(i).getByRole('radio').nth(question.correct).check();
  await page.getByRole('button', { name: 'Check my answers' }).click();
  await page.getByTestId('check-result').getByText('You passed: Interact is open.').waitFor();
  await page.getByRole('link', { name: 'Back to your journey' }).click();
  await page.getByTestId('interact-open').waitFor();
}

/**
 * A full-page screenshot in `test-results/e2e/<folder>/<name>.png`, then the checks every picture
 * gets: no axe-core WCAG 2 A/AA violation, and nothing wider than the screen.
 */
export async function shot(page: Page, folder: string, name: string): Promise<void> {
  const dir = joinPath(root, 'test-results', 'e2e', folder);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: joinPath(dir, `${name}.png`), fullPage: true });
  expect(await axeViolations(page), `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
  await expectFitsWidth(page, name);
}
