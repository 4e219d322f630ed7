import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.js';
import { root } from '../support/child-server.js';
import { type Demo, type DemoServer, startDemo } from '../support/demo-session.js';
import { type E2ePage, e2ePageHooks, expectFitsWidth, openE2ePage } from '../support/e2e-page.js';

/**
 * The cross-group comparison in a real browser on the seeded demo: the US group's analyst opens
 * it from the analyst dashboard of the group's ended demo session, sees the two pilot groups' axes
 * paired (different wording, same values), confirms one pair, breaks another, and downloads the
 * table; pictures at 1280 and 390 px checked with axe-core.
 */
const shots = join(root, 'test-results', 'e2e', 'comparison');

describe('the cross-group comparison in the browser', { timeout: 60_000 }, () => {
  let d: DemoServer;
  let e2e: E2ePage | undefined;
  let page: Page;
  let demo: Demo;

  const shot = async (name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    expect(await axeViolations(page), `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    d = await startDemo('comparison');
    demo = d.demo;
    e2e = await openE2ePage({ timeoutMs: 15_000 });
    page = e2e.page;
  });

  e2ePageHooks(shots, () => e2e);

  afterAll(async () => {
    await d?.close();
  });

  it('the analyst compares the pilot groups, confirms a pair, breaks one and downloads the table', async () => {
    const us = demo.groups[0] as Demo['groups'][number];
    const india = demo.groups[1] as Demo['groups'][number];
    const sessions = (await (
      await fetch(`${d.server.url}/api/groups/${us.id}/sessions`, {
        headers: { authorization: `Bearer ${us.analystToken}` },
      })
    ).json()) as { sessions: { id: string }[] };
    const sessionId = sessions.sessions[0]?.id ?? '';
    await page.goto(`${d.server.url}/sessions/${sessionId}/analysis#token=${us.analystToken}`);
    await page.getByRole('link', { name: 'Compare the axes with other groups' }).click();
    await page.getByRole('heading', { name: 'Axes compared across groups', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/studies/${demo.studyId}/comparison`);

    // Both pilot groups are chosen; their axes pair by meaning though worded differently.
    await page.getByRole('heading', { name: 'Shared axes (5 pairs)' }).waitFor();
    for (const name of ['Empathy and Emotion', 'Complexity and Comprehension level', 'Source and Fact / Power'])
      await page.getByRole('listitem', { name }).waitFor();
    await page.getByRole('heading', { name: 'Unique axes (1)' }).waitFor();
    await page.getByText('Religious sensitivity', { exact: true }).waitFor();
    await shot('01-comparison-1280');

    // Confirm Empathy ↔ Emotion.
    const empathy = page.getByRole('listitem', { name: 'Empathy and Emotion' });
    await empathy.getByRole('button', { name: 'Confirm', exact: true }).click();
    await empathy.getByText(`Confirmed by the analyst of ${us.name}`).waitFor();
    await page.getByText('Pair confirmed.').waitFor();

    // Break Bias ↔ Neutrality: it leaves the shared pairs and is not suggested again.
    await page.getByRole('listitem', { name: 'Bias and Neutrality' }).getByRole('button', { name: 'Break' }).click();
    await page.getByText('Pair broken: it will not be suggested again.').waitFor();
    await page.getByRole('heading', { name: 'Shared axes (4 pairs)' }).waitFor();
    // It is listed as broken, with the way back.
    const broken = page.getByRole('region', { name: 'Broken pairs (1)' });
    await broken.getByText(`Broken by the analyst of ${us.name}.`).waitFor();
    expect(await page.getByRole('heading', { name: /^Shared axes/ }).textContent()).toBe('Shared axes (4 pairs)');
    await shot('02-decided-1280');

    // The CSV of the table as it stands: the confirmed pair says so, the broken one is gone.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'CSV (spreadsheet)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`calma-comparison-${demo.studyId}.csv`);
    const text = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
    const rows = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;
    expect(rows.find((r) => r.axis_a === 'Empathy')).toMatchObject({
      kind: 'shared',
      confirmed: 'true',
      axis_b: 'Emotion',
      group_b: india.name,
    });
    expect(rows.some((r) => r.axis_a === 'Bias' && r.axis_b === 'Neutrality')).toBe(false);
    const [markdown] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Markdown' }).click(),
    ]);
    expect(readFileSync(await markdown.path(), 'utf8')).toContain('| shared | yes |');

    // On a phone the pairs stack and nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('03-decided-390');
    await expectFitsWidth(page);

    // In Hindi: the page's own words translated, the groups' axes as they wrote them.
    await page.getByLabel('Language').selectOption('hi');
    await page.getByRole('heading', { name: 'समूहों के अक्षों की तुलना', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'साझा अक्ष (4 जोड़े)' }).waitFor();
    await page
      .getByRole('listitem', { name: 'Empathy और Emotion' })
      .getByRole('button', { name: 'निर्णय वापस लें' })
      .waitFor();
    await shot('04-hindi-390');
  });
});
