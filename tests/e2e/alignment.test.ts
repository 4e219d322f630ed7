import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import axesFile from '../../apps/server/src/seed/demo-axes.json' with { type: 'json' };
import { axeViolations } from '../support/axe.js';
import { root } from '../support/child-server.js';
import { type Demo, type DemoServer, startDemo } from '../support/demo-session.js';
import { type E2ePage, e2ePageHooks, expectFitsWidth, openE2ePage } from '../support/e2e-page.js';

/**
 * From axes to alignment on the seeded demo as it ships, offline, in one analyst's visit: the US
 * pilot group's ended Discuss session (its axes, coded turns and recorded history come with the
 * seed, not with this test). From the session's dashboard the analyst compares the two pilot
 * groups, edits a judge rubric, runs the classifier judge and reads its agreement with the people
 * for every axis, downloads every export and reads each back, then replays the finished session.
 * The A/B round participants complete is `ab.test.ts`, on the same demo. Screenshots in
 * test-results/e2e/alignment/.
 */
const shots = join(root, 'test-results', 'e2e', 'alignment');
const axes = axesFile.groups.mit.map((a) => a.name);

describe('from axes to alignment on the seeded demo', { timeout: 120_000 }, () => {
  let d: DemoServer;
  let e2e: E2ePage | undefined;
  let page: Page;
  let us: Demo['groups'][number];
  let sessionId = '';

  const shot = async (name: string) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    expect(await axeViolations(page), `axe-core WCAG 2 A/AA violations on ${name}`).toEqual([]);
  };
  const dashboard = () => page.goto(`${d.server.url}/sessions/${sessionId}/analysis#token=${us.analystToken}`);
  const downloaded = async (click: () => Promise<void>): Promise<{ name: string; text: string }> => {
    const [file] = await Promise.all([page.waitForEvent('download'), click()]);
    return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8').replace(/^\uFEFF/, '') };
  };
  const jsonLines = (text: string) =>
    text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    d = await startDemo('alignment');
    us = d.demo.groups[0] as Demo['groups'][number];
    const { sessions } = await d.http<{ sessions: { id: string; state: { status: string } }[] }>(
      'GET',
      `/api/groups/${us.id}/sessions`,
      us.analystToken,
    );
    // The seed's own ended session: nothing here made it.
    expect(sessions.map((s) => s.state.status)).toEqual(['ended']);
    sessionId = sessions[0]?.id ?? '';
    e2e = await openE2ePage({ timeoutMs: 20_000 });
    page = e2e.page;
  }, 120_000);

  e2ePageHooks(shots, () => e2e);

  afterAll(async () => {
    await d?.close();
  });

  it('compares the two pilot groups and downloads the table', async () => {
    await dashboard();
    await page.getByRole('link', { name: 'Compare the axes with other groups' }).click();
    await page.getByRole('heading', { name: 'Axes compared across groups', level: 1 }).waitFor();
    await page.getByRole('heading', { name: /^Shared axes \(\d+ pairs\)$/ }).waitFor();
    await page.getByRole('listitem', { name: 'Empathy and Emotion' }).waitFor();
    await page.getByRole('listitem', { name: 'Complexity and Comprehension level' }).waitFor();
    await shot('01-comparison');
    const table = await downloaded(() => page.getByRole('button', { name: 'JSON' }).click());
    const parsed = JSON.parse(table.text) as { rows: { kind: string; a: { name: string } | null }[] };
    const kinds = new Set(parsed.rows.map((r) => r.kind));
    expect([...kinds]).toEqual(expect.arrayContaining(['shared', 'unique']));
    // Every US axis is somewhere in the table.
    const named = JSON.stringify(parsed.rows);
    for (const axis of axes) expect(named).toContain(`"${axis}"`);
  });

  it('edits a rubric, runs the classifier judge, and reads its agreement with the people for every axis', async () => {
    await dashboard();
    await page.getByRole('link', { name: 'Judge rubrics and datasets' }).click();
    await page.getByRole('heading', { name: 'Judge rubrics', level: 1 }).waitFor();
    await expect.poll(() => page.locator('section.rubric-editor').count()).toBe(axes.length);
    const empathy = page
      .locator('section.rubric-editor')
      .filter({ has: page.getByRole('heading', { name: 'Empathy', exact: true }) });
    // The rubric quotes the group's coded turns as examples.
    expect(await empathy.locator('.rubric-example').count()).toBeGreaterThanOrEqual(2);
    await empathy
      .getByLabel('Score 5', { exact: true })
      .fill('Names who suffered and how, with care, in the student’s words.');
    await empathy.getByRole('button', { name: 'Save as a new version' }).click();
    await empathy.getByText('Saved as version 2.').waitFor();
    await shot('02-rubric-edited');

    await dashboard();
    await page.getByRole('link', { name: 'Judge the axes (classifier or LLM)' }).click();
    await page.getByRole('heading', { name: 'Judge the axes', level: 1 }).waitFor();
    await expect.poll(() => page.getByRole('radio', { name: /Classifier \(offline\)/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Start a run' }).click();
    await page.locator('[data-testid="judge-run"][data-status="done"]').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('judge-distribution').count()).toBe(axes.length);
    // Agreement with the people, per axis, with how many examples it rests on.
    const reading = (await page.getByTestId('judge-agreement-reading').textContent()) ?? '';
    for (const axis of axes)
      expect(reading).toMatch(new RegExp(`${axis}: \\d+% of \\d+ examples judged as the people did`));
    await expect.poll(() => page.getByTestId('judge-agreement-table').locator('tbody tr').count()).toBe(axes.length);
    await shot('03-judge-done');
  });

  it('downloads every export of the session, each read back', async () => {
    await dashboard();
    const axesJson = await downloaded(() => page.getByRole('button', { name: 'JSON' }).click());
    expect(axesJson.name).toBe(`calma-axes-${sessionId}.json`);
    expect(JSON.stringify(JSON.parse(axesJson.text))).toContain('Cultural Context');

    await page.getByRole('link', { name: 'Judge rubrics and datasets' }).click();
    await page.getByRole('heading', { name: 'Judge rubrics', level: 1 }).waitFor();
    const files: Record<string, string> = {};
    for (const format of ['judge', 'judge-md', 'steerlm', 'preferences', 'constitution'])
      files[format] = (await downloaded(() => page.getByTestId(`download-${format}`).click())).text;

    const judge = JSON.parse(files.judge ?? '') as { name: string; version: number; rubric: { score: number }[] }[];
    expect(judge.map((j) => j.name)).toEqual(axes);
    expect(judge.find((j) => j.name === 'Empathy')?.version).toBe(2);
    expect(files['judge-md']).toContain('in the student’s words');

    // Attribute-annotated rows: scores from the people's codes and from the judge run, each labelled.
    const steer = jsonLines(files.steerlm ?? '');
    expect(steer.length).toBeGreaterThan(10);
    const provenance = steer.flatMap((row) => Object.values(row.provenance as Record<string, string | null>));
    expect(provenance).toContain('participant-codes');
    expect(provenance.some((p) => p?.startsWith('judge:'))).toBe(true);
    expect(steer.some((row) => typeof row.prompt === 'string' && row.prompt !== '')).toBe(true);

    // Preference pairs for every axis, in the shape DPO trainers read.
    const pairs = jsonLines(files.preferences ?? '');
    for (const row of pairs)
      for (const key of ['prompt', 'chosen', 'rejected', 'axis', 'source']) expect(row).toHaveProperty(key);
    expect(new Set(pairs.map((p) => p.axis))).toEqual(new Set(axes));
    for (const axis of axes) expect(files.constitution).toContain(`Choose the response that best shows "${axis}"`);
  });

  it('replays the finished session: the segments in order, the board as it stood', async () => {
    await dashboard();
    await page.getByRole('link', { name: 'Replay the session' }).click();
    await page.getByRole('heading', { name: 'Session replay', level: 1 }).waitFor();
    await expect.poll(() => page.getByTestId('replay-segment').textContent()).toContain('Ended');
    // At the end, the group's named clusters are its axes.
    const legend = page.getByRole('list', { name: 'Clusters' });
    for (const axis of axes) await legend.getByText(axis, { exact: true }).waitFor();
    await shot('04-replay-end');

    // Back to the start: segment 0, the codes not yet grouped.
    await page.getByRole('slider').focus();
    await page.keyboard.press('Home');
    await expect.poll(() => page.getByTestId('replay-segment').textContent()).toContain('Segment 0');
    await expect.poll(() => legend.count()).toBe(0);
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('05-replay-start-390');
    await expectFitsWidth(page);
  });
});
