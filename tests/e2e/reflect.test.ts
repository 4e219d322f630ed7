import { join as joinPath } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { adminToken, root } from '../support/child-server.js';
import { type Demo, type DemoServer, familiarize, join, shot, startDemo } from '../support/demo-session.js';
import { picturesOnFailure } from '../support/e2e-page.js';

/**
 * Reflect from end to end in a real browser against the built server and the seeded demo. Two
 * participants join, pass Familiarize and code the study's baseline set (the pilot's Thanksgiving
 * response and a two-turn item the admin adds): codes on whole turns and on words selected with
 * the mouse, with notes; they agree on some codes and not on others, and a reload half-way loses
 * nothing. On the focused-coding page Asha edits and accepts a suggested grouping, then adds a
 * code against it (the version history says so); Ben builds a signed attribute by hand; both
 * share. The moderator reads Krippendorff's α, which the test computes itself from what the two
 * entered, and where they split; a new Discuss session's board then holds their codes as label
 * cards and the shared attributes as attribute cards with their signed codes. Screenshots in
 * test-results/e2e/reflect/.
 */
const folder = 'reflect';
const shots = joinPath(root, 'test-results', 'e2e', folder);

/** The admin's addition to the study's baseline set: two assistant turns, one kind, one curt. */
const extraItem = {
  id: 'e2e-reflect',
  messages: [
    { role: 'user', content: 'Why do families gather at Thanksgiving?' },
    {
      role: 'assistant',
      content: 'Families gather to share a meal and give thanks, welcoming friends and neighbours warmly.',
    },
    { role: 'user', content: 'And if I do not celebrate it?' },
    { role: 'assistant', content: 'Then do not. It is a holiday. Look it up.' },
  ],
} as const;

/** What a coder does on one turn: words selected and coded with a note, and codes on the whole turn. */
interface TurnPlan {
  /**
   * `overshoot`: the drag goes on past the last words onto the form below, as a hurried hand
   * does; the words it passed over in the response are still the ones coded.
   */
  span?: { words: string; code: string; note: string; overshoot?: true };
  whole: string[];
}
type Coder = 'Asha' | 'Ben';

/** The baseline turns in the coding page's order: the pilot's response, then the two added ones. */
const plans: Record<Coder, TurnPlan[]> = {
  Asha: [
    {
      span: { words: 'harvest festival', code: 'origin story', note: 'Says where the holiday began.' },
      whole: ['informative'],
    },
    {
      span: { words: 'welcoming friends and neighbours warmly', code: 'friendly', note: 'It invites everyone in.' },
      whole: ['warm', 'caring'],
    },
    { whole: ['cold'] },
  ],
  Ben: [
    {
      span: { words: 'early European colonizers', code: 'American viewpoint', note: 'Told from the colonists’ side.' },
      whole: ['informative'],
    },
    { whole: ['warm', 'caring'] },
    { span: { words: 'Look it up.', code: 'terse', note: 'Sends the reader away.', overshoot: true }, whole: [] },
  ],
};

/** The codes a coder put on each turn (turn index → codes), as planned above. */
const codesOn = (coder: Coder) => plans[coder].map((p) => new Set([...(p.span ? [p.span.code] : []), ...p.whole]));

/** The attributes Asha and Ben end with: each code counting for (1) or against (−1) it. */
const signedCodes: Record<string, Record<string, 1 | -1>> = {
  Warmth: { caring: 1, cold: -1, friendly: 1, warm: 1 },
  Helpfulness: { informative: 1, terse: -1 },
};

/**
 * Krippendorff's α by the textbook definition (Krippendorff 2011, "Computing Krippendorff's
 * alpha-reliability"): `units` holds each unit's values, null where a coder gave none; the
 * difference is nominal (0 or 1) or interval (squared). Written here independently of
 * `@calma/core`, so a wrong α on the page or from the API fails the test.
 */
function alpha(units: readonly (number | null)[][], metric: 'nominal' | 'interval'): number | null {
  const delta = (c: number, k: number) => (metric === 'nominal' ? Number(c !== k) : (c - k) ** 2);
  const coincidences = new Map<number, Map<number, number>>();
  for (const unit of units) {
    const values = unit.filter((v): v is number => v !== null);
    const m = values.length;
    if (m < 2) continue;
    for (const [i, c] of values.entries())
      for (const [j, k] of values.entries()) {
        if (i === j) continue;
        const row = coincidences.get(c) ?? new Map<number, number>();
        row.set(k, (row.get(k) ?? 0) + 1 / (m - 1));
        coincidences.set(c, row);
      }
  }
  const marginal = new Map([...coincidences].map(([c, row]) => [c, [...row.values()].reduce((a, b) => a + b, 0)]));
  const n = [...marginal.values()].reduce((a, b) => a + b, 0);
  let observed = 0;
  let expected = 0;
  for (const [c, row] of coincidences) for (const [k, o] of row) observed += o * delta(c, k);
  for (const [c, nc] of marginal) for (const [k, nk] of marginal) expected += nc * nk * delta(c, k);
  if (expected === 0) return null;
  return 1 - ((n - 1) * observed) / expected;
}

/**
 * What the agreement page should say, from the plans. Per code, a unit per baseline turn with
 * each coder's 1 (put it on), 0 (coded the turn without it) or null (did not code the turn);
 * overall, every (turn, code) pair as one unit of a single nominal α. Per attribute, interval α
 * over the sign of the sum of the signs of its codes a coder put on a turn (1, 0 or −1).
 */
function expectedAgreement() {
  const coders: Coder[] = ['Asha', 'Ben'];
  const turns = Array.from({ length: plans.Asha.length }, (_, turn) => turn);
  const on = (coder: Coder, turn: number) => codesOn(coder)[turn] ?? new Set<string>();
  const value = (coder: Coder, turn: number, score: (codes: Set<string>) => number) =>
    on(coder, turn).size > 0 ? score(on(coder, turn)) : null;
  const codes = [...new Set(coders.flatMap((c) => codesOn(c).flatMap((set) => [...set])))];
  const unitsOf = (code: string) =>
    turns.map((turn) => coders.map((coder) => value(coder, turn, (set) => Number(set.has(code)))));
  const perCode = new Map(
    codes.map((code) => {
      const units = unitsOf(code);
      const split = units.filter((u) => u.includes(0) && u.includes(1)).length;
      return [code, { alpha: alpha(units, 'nominal'), split }];
    }),
  );
  const perAttribute = new Map(
    Object.entries(signedCodes).map(([name, signs]) => {
      const score = (set: Set<string>) => Math.sign([...set].reduce((sum, code) => sum + (signs[code] ?? 0), 0));
      return [
        name,
        alpha(
          turns.map((turn) => coders.map((coder) => value(coder, turn, score))),
          'interval',
        ),
      ];
    }),
  );
  return { overall: alpha(codes.flatMap(unitsOf), 'nominal'), perCode, perAttribute };
}

interface Label {
  id: string;
  text: string;
  annotation: string | null;
  participantId: string | null;
  interactionId: string | null;
  messageIndex: number | null;
  span: { start: number; end: number } | null;
}
interface Attribute {
  id: string;
  participantId: string | null;
  name: string;
  codes: { labelId: string; sign: 1 | -1 }[];
  shared: boolean;
  version: number;
}

describe('reflect: coding, attributes, agreement and the board', { timeout: 90_000 }, () => {
  let demo: DemoServer;
  let group: Demo['groups'][number];
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pages = {} as Record<Coder | 'Moderator', Page>;
  const tokens = {} as Record<Coder, string>;
  /** The baseline turns' responses, first in the coding page's order (the pilot's quoted ones follow). */
  let responses: string[] = [];
  /** Turns on the coding page: the baseline set and the pilot's material shared in the group. */
  let total = 0;

  const url = () => demo.server.url;
  const open = async (viewport = { width: 1280, height: 900 }) => {
    const context = await browser.newContext({ viewport });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
    return page;
  };
  const labels = async () =>
    (await demo.http<{ labels: Label[] }>('GET', `/api/groups/${group.id}/labels`, group.moderatorToken)).labels;
  // The participants' attributes: the demo's group also holds the moderator's focused coding of its axes.
  const attributes = async () =>
    (
      await demo.http<{ attributes: Attribute[] }>('GET', `/api/groups/${group.id}/attributes`, group.moderatorToken)
    ).attributes.filter((a) => a.participantId !== null);

  beforeAll(async () => {
    demo = await startDemo(folder);
    group = demo.demo.groups[0] as Demo['groups'][number];
    // The admin adds an item to the study's baseline set (the pilot's response stays first).
    const baseline = await demo.http<{ interactions: { id: string; messages: unknown[] }[] }>(
      'GET',
      `/api/studies/${demo.demo.studyId}/baseline`,
      adminToken,
    );
    const set = [...baseline.interactions, extraItem];
    await demo.http('PUT', `/api/studies/${demo.demo.studyId}/baseline`, adminToken, { interactions: set });
    const { interactions } = await demo.http<{
      interactions: { id: string; baseline: boolean; messages: { role: string; content: string }[] }[];
    }>('GET', `/api/groups/${group.id}/interactions`, group.moderatorToken);
    responses = interactions
      .filter((i) => i.baseline)
      .flatMap((i) => i.messages.filter((m) => m.role === 'assistant').map((m) => m.content));
    expect(responses).toHaveLength(3);
    expect(responses[0]).toContain('harvest festival');
    browser = await launchChromium();
  }, 90_000);

  picturesOnFailure(shots, () => browser);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await demo?.close();
  });

  const codeField = (page: Page) => page.getByRole('combobox', { name: 'Code' });
  const noteField = (page: Page) => page.getByLabel('Note: why (optional)');
  /** The saved codes of the turn shown (not those still being sent). */
  const saved = (page: Page) => page.getByTestId('coding-codes').locator('li:not([data-testid="coding-pending"])');
  const turnHeading = (page: Page, n: number) => page.getByRole('heading', { name: `Turn ${n} of ${total}` });
  const progress = (page: Page, coded: number) => page.getByText(`${coded} of ${total} turns coded`);

  /**
   * Drags the mouse over `words` in the response shown, as a person selects them; with
   * `overshoot`, on past them to the form's heading below (they must end the response).
   */
  const selectWithMouse = async (page: Page, words: string, overshoot = false) => {
    const response = page.getByTestId('coding-response');
    await response.scrollIntoViewIfNeeded();
    const at = await response.evaluate((el, words) => {
      const start = (el.textContent ?? '').indexOf(words);
      if (start < 0) throw new Error(`“${words}” is not in the response`);
      // The character at `offset` of the response's text, wherever marks split it into nodes.
      const box = (offset: number) => {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        let seen = 0;
        for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
          if (offset < seen + node.length) {
            const range = document.createRange();
            range.setStart(node, offset - seen);
            range.setEnd(node, offset - seen + 1);
            return range.getClientRects()[0] as DOMRect;
          }
          seen += node.length;
        }
        throw new Error(`offset ${offset} is past the response`);
      };
      const first = box(start);
      const last = box(start + words.length - 1);
      // On the words of the form's heading below the response.
      const heading = el.closest('article')?.querySelector('form h3')?.getBoundingClientRect() as DOMRect;
      return {
        from: { x: first.left + 1, y: (first.top + first.bottom) / 2 },
        to: { x: last.right - 1, y: (last.top + last.bottom) / 2 },
        below: { x: heading.left + 20, y: (heading.top + heading.bottom) / 2 },
      };
    }, words);
    await page.mouse.move(at.from.x, at.from.y);
    await page.mouse.down();
    await page.mouse.move(at.to.x, at.to.y, { steps: 8 });
    if (overshoot) await page.mouse.move(at.below.x, at.below.y, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('coding-span').locator('q').textContent()).toBe(words);
  };

  /** Adds a code (and note) through the form, and waits until the server has it. */
  const addCode = async (page: Page, code: string, note = '') => {
    await codeField(page).fill(code);
    await noteField(page).fill(note);
    await codeField(page).press('Enter');
    await saved(page).getByText(code, { exact: true }).waitFor();
    await expect.poll(() => page.getByTestId('coding-pending').count()).toBe(0);
  };

  /** Codes turn `n` (1-based) as planned: the selected words first, then the whole turn. */
  const codeTurn = async (page: Page, coder: Coder, n: number) => {
    const plan = plans[coder][n - 1] as TurnPlan;
    await turnHeading(page, n).waitFor();
    await expect(page.getByTestId('coding-response').textContent()).resolves.toBe(responses[n - 1]);
    if (plan.span) {
      await selectWithMouse(page, plan.span.words, plan.span.overshoot);
      await addCode(page, plan.span.code, plan.span.note);
      await expect.poll(() => page.locator('.coding-response mark').allTextContents()).toEqual([plan.span.words]);
    }
    await expect(page.getByTestId('coding-span').textContent()).resolves.toMatch(/^Coding the whole turn\./);
    for (const code of plan.whole) await addCode(page, code);
    await expect.poll(() => saved(page).count()).toBe(codesOn(coder)[n - 1]?.size);
  };

  /** Checks turn `n` shows exactly what was planned for it: codes, note, marked words. */
  const checkTurn = async (page: Page, coder: Coder, n: number) => {
    const plan = plans[coder][n - 1] as TurnPlan;
    await turnHeading(page, n).waitFor();
    await expect
      .poll(() => saved(page).locator('.coding-code-text').allTextContents())
      .toEqual([...(codesOn(coder)[n - 1] ?? [])]);
    if (plan.span) {
      await saved(page).getByText(plan.span.note, { exact: true }).waitFor();
      expect(await page.locator('.coding-response mark').allTextContents()).toEqual([plan.span.words]);
    }
  };

  it('two participants join, pass Familiarize and code the baseline set; a reload loses nothing', async () => {
    for (const coder of ['Asha', 'Ben'] as const) {
      const page = await open();
      pages[coder] = page;
      tokens[coder] = await join(page, url(), group.inviteCode, coder);
      await familiarize(page);
      // The journey's coding step links to the coding page once Familiarize is done.
      await page.getByRole('link', { name: /^Label responses/ }).click();
      await page.getByRole('heading', { name: 'Code the responses', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/groups/${group.id}/coding`);
      const shown = page.getByTestId('coding-progress');
      await expect.poll(() => shown.textContent()).toMatch(/^0 of \d+ turns coded$/);
      total = Number(/^0 of (\d+)/.exec((await shown.textContent()) ?? '')?.[1]);
      expect(total).toBeGreaterThanOrEqual(responses.length);
    }
    const asha = pages.Asha;
    await codeTurn(asha, 'Asha', 1);
    await shot(asha, folder, '01-coding-span-and-whole');
    await asha.getByRole('button', { name: 'Next turn' }).click();
    await codeTurn(asha, 'Asha', 2);
    await asha.getByRole('button', { name: 'Next turn' }).click();
    await turnHeading(asha, 3).waitFor();
    // Half-way: a code typed but not added yet, then a reload.
    await codeField(asha).fill('col');
    await noteField(asha).fill('Not sent yet');
    await asha.reload();
    await turnHeading(asha, 3).waitFor();
    await progress(asha, 2).waitFor();
    await asha.getByTestId('draft-restored').waitFor();
    await expect(codeField(asha).inputValue()).resolves.toBe('col');
    await expect(noteField(asha).inputValue()).resolves.toBe('Not sent yet');
    await asha.getByRole('button', { name: 'Previous turn' }).click();
    await checkTurn(asha, 'Asha', 2);
    await asha.getByRole('button', { name: 'Previous turn' }).click();
    await checkTurn(asha, 'Asha', 1);
    await shot(asha, folder, '02-after-reload');
    await asha.getByRole('button', { name: 'Next turn' }).click();
    await asha.getByRole('button', { name: 'Next turn' }).click();
    await codeTurn(asha, 'Asha', 3);
    await progress(asha, 3).waitFor();

    const ben = pages.Ben;
    for (const n of [1, 2, 3]) {
      if (n > 1) await ben.getByRole('button', { name: 'Next turn' }).click();
      await codeTurn(ben, 'Ben', n);
    }
    await progress(ben, 3).waitFor();
    await shot(ben, folder, '03-coding-ben');

    // The server holds every code once, with the selected words' offsets and the notes.
    const stored = await labels();
    for (const coder of ['Asha', 'Ben'] as const) {
      const { participantId } = await demo.http<{ participantId: string }>('GET', '/api/me', tokens[coder]);
      const own = stored.filter((l) => l.participantId === participantId);
      expect(own.map((l) => l.text).sort()).toEqual(
        codesOn(coder)
          .flatMap((set) => [...set])
          .sort(),
      );
      for (const [turn, plan] of plans[coder].entries()) {
        if (!plan.span) continue;
        const label = own.find((l) => l.text === plan.span?.code) as Label;
        const response = responses[turn] as string;
        const start = response.indexOf(plan.span.words);
        expect(label).toMatchObject({
          annotation: plan.span.note,
          span: { start, end: start + plan.span.words.length },
        });
      }
      expect(own.filter((l) => l.span === null).every((l) => l.annotation === null)).toBe(true);
    }
  });

  it('groups codes into signed attributes: a suggestion edited and accepted, the history, a hand-made one', async () => {
    const asha = pages.Asha;
    await asha.goto(`${url()}/groups/${group.id}/journey`);
    await asha.getByRole('link', { name: 'Group your codes into attributes' }).click();
    await asha.getByRole('heading', { name: 'Group your codes into attributes', level: 1 }).waitFor();
    expect(new URL(asha.url()).pathname).toBe(`/groups/${group.id}/attributes`);
    await asha.getByRole('heading', { name: 'Your codes (6)' }).waitFor();
    // A suggestion gathers "warm" with codes near it by meaning; it is opened, then edited into
    // the three kind codes (whatever else the model put beside them) before it is saved.
    const suggestion = asha
      .getByTestId('suggestions')
      .locator('li.suggestion')
      .filter({ has: asha.getByText('warm', { exact: true }) });
    await suggestion.first().waitFor();
    await shot(asha, folder, '04-suggestion');
    await suggestion
      .first()
      .getByRole('button', { name: /^Open in editor: / })
      .click();
    await asha.getByText('Opened from a suggestion').waitFor();
    const kind = ['caring', 'friendly', 'warm'];
    const drafted = () => asha.locator('.draft-codes .draft-code-text').allTextContents();
    for (const code of await drafted())
      if (!kind.includes(code)) await asha.getByRole('button', { name: `Remove: ${code}`, exact: true }).click();
    for (const code of kind)
      if (!(await drafted()).includes(code)) {
        await asha.getByLabel('Add one of your codes').selectOption(code);
        await asha.getByRole('button', { name: 'Add', exact: true }).click();
      }
    await expect.poll(async () => (await drafted()).sort()).toEqual(kind);
    await asha.getByLabel('Name').fill('Warmth');
    await asha.getByLabel('Definition').fill('How kindly the answer speaks to the reader');
    expect(await attributes()).toEqual([]); // a suggestion is never applied by itself
    await asha.getByRole('button', { name: 'Save', exact: true }).click();
    await asha.getByText('Saved as version 1.').waitFor();

    // A code against it: "cold" counts against warmth.
    await asha.getByLabel('Add one of your codes').selectOption('cold');
    await asha.getByRole('button', { name: 'Add', exact: true }).click();
    await asha.getByLabel('How “cold” counts').selectOption('-1');
    await asha.getByRole('button', { name: 'Save', exact: true }).click();
    await asha.getByText('Saved as version 2.').waitFor();
    const history = asha.getByTestId('version-history');
    await history.getByText('added code “cold” (against)').waitFor();
    const words = (await history.textContent()) ?? '';
    expect(words).toContain('Version 1 · by its author');
    expect(words).toContain('created it');
    expect(words.indexOf('Version 2')).toBeLessThan(words.indexOf('Version 1'));
    await asha.getByRole('button', { name: 'Share with the group' }).click();
    await asha.getByText('Shared with your group.').waitFor();
    await history.getByText('shared with the group').waitFor();
    await shot(asha, folder, '05-attribute-history');

    const ben = pages.Ben;
    await ben.goto(`${url()}/groups/${group.id}/attributes`);
    await ben.getByRole('heading', { name: 'Your codes (5)' }).waitFor();
    await ben.getByRole('button', { name: 'New attribute' }).click();
    await ben.getByLabel('Name').fill('Helpfulness');
    await ben.getByLabel('Definition').fill('Gives the reader something to use');
    for (const code of ['informative', 'terse']) {
      await ben.getByLabel('Add one of your codes').selectOption(code);
      await ben.getByRole('button', { name: 'Add', exact: true }).click();
    }
    await ben.getByLabel('How “terse” counts').selectOption('-1');
    await ben.getByRole('button', { name: 'Save', exact: true }).click();
    await ben.getByText('Saved as version 1.').waitFor();
    await ben.getByRole('button', { name: 'Share with the group' }).click();
    await ben.getByText('Shared with your group.').waitFor();
    await shot(ben, folder, '06-attribute-by-hand');

    const texts = new Map((await labels()).map((l) => [l.id, l.text]));
    const signed = (a: Attribute) => a.codes.map((c) => `${texts.get(c.labelId)} ${c.sign}`).sort();
    const byName = new Map((await attributes()).map((a) => [a.name, a]));
    expect(byName.get('Warmth')).toMatchObject({ shared: true, version: 3 });
    const planned = (name: string) =>
      Object.entries(signedCodes[name] ?? {})
        .map(([code, sign]) => `${code} ${sign}`)
        .sort();
    expect(signed(byName.get('Warmth') as Attribute)).toEqual(planned('Warmth'));
    expect(byName.get('Helpfulness')).toMatchObject({ shared: true, version: 2 });
    expect(signed(byName.get('Helpfulness') as Attribute)).toEqual(planned('Helpfulness'));
  });

  it("the moderator sees Krippendorff's α for the baseline set and where the coders split", async () => {
    const expected = expectedAgreement();
    expect(expected.overall).not.toBeNull();
    const moderator = await open();
    pages.Moderator = moderator;
    await moderator.goto(`${url()}/#token=${group.moderatorToken}`);
    await moderator.getByRole('link', { name: 'Agreement between coders (α) and codebook downloads' }).click();
    await moderator.getByRole('heading', { name: 'Agreement on the baseline set', level: 1 }).waitFor();
    await expect
      .poll(() => moderator.getByTestId('agreement-overall').textContent())
      .toContain(`(α = ${(expected.overall as number).toFixed(2)})`);
    await moderator.getByText('Over 2 coders and 3 baseline responses.').waitFor();

    // Every code's row: its α (or "no variation") and whether the coders split on it.
    const rows = moderator.getByTestId('agreement-code');
    await expect.poll(() => rows.count()).toBe(expected.perCode.size);
    for (const [code, { alpha, split }] of expected.perCode) {
      const cells = await rows
        .filter({ has: moderator.getByRole('rowheader', { name: code, exact: true }) })
        .locator('td')
        .allTextContents();
      expect(cells[0], `α of ${code}`).toBe(alpha === null ? '– (no variation)' : alpha.toFixed(2));
      expect(cells[3], `split on ${code}`).toBe(split === 0 ? 'none' : `Show ${split} response`);
    }
    // The same numbers, unrounded, from the API.
    const api = await demo.http<{
      overall: number;
      codes: { text: string; alpha: number | null }[];
      attributes: { name: string; alpha: number | null }[];
    }>('GET', `/api/groups/${group.id}/agreement`, group.moderatorToken);
    expect(api.overall).toBeCloseTo(expected.overall as number, 12);
    expect(api.codes.map((c) => c.text).sort()).toEqual([...expected.perCode.keys()].sort());
    for (const c of api.codes) {
      const alpha = expected.perCode.get(c.text)?.alpha ?? null;
      if (alpha === null) expect(c.alpha).toBeNull();
      else expect(c.alpha).toBeCloseTo(alpha, 12);
    }

    // Where they split on "cold": Asha put it on the curt turn, Ben coded that turn without it.
    await rows
      .filter({ has: moderator.getByRole('rowheader', { name: 'cold', exact: true }) })
      .getByRole('button', { name: 'Show 1 response' })
      .click();
    await moderator.getByRole('heading', { name: 'Where coders disagree on “cold”' }).waitFor();
    const unit = moderator.getByTestId('agreement-unit');
    await unit.getByText(responses[2] as string).waitFor();
    expect(await unit.locator('dd').allTextContents()).toEqual(['Asha', 'Ben']);
    // Each attribute's interval α, on the page and (unrounded) from the API.
    for (const [name, value] of expected.perAttribute) {
      expect(value, name).not.toBeNull();
      const row = moderator.getByRole('row').filter({ has: moderator.getByRole('rowheader', { name, exact: true }) });
      await expect.poll(() => row.locator('td').first().textContent()).toBe((value as number).toFixed(2));
      expect(api.attributes.find((a) => a.name === name)?.alpha).toBeCloseTo(value as number, 12);
    }
    await shot(moderator, folder, '07-agreement');
  });

  it('a new Discuss session’s board holds the codes as label cards and the attributes with their signed codes', async () => {
    const moderator = pages.Moderator;
    await moderator.goto(`${url()}/`);
    await moderator.getByRole('button', { name: 'New session' }).click();
    await moderator.waitForURL(/\/sessions\/[^/]+$/);
    await moderator.getByTestId('board-surface').waitFor();

    const coded = (await labels()).filter((l) => l.participantId !== null);
    expect(coded).toHaveLength(
      codesOn('Asha')
        .concat(codesOn('Ben'))
        .reduce((n, set) => n + set.size, 0),
    );
    for (const label of coded) {
      const card = moderator.locator(`[data-card-id="label-${label.id}"]`);
      await expect.poll(() => card.locator('.card-text').textContent(), { timeout: 15_000 }).toBe(label.text);
      expect(await card.getAttribute('class')).toContain('kind-label');
    }
    const texts = new Map(coded.map((l) => [l.id, l.text]));
    const shared = await attributes();
    expect(shared.map((a) => a.name).sort()).toEqual(['Helpfulness', 'Warmth']);
    for (const attribute of shared) {
      const card = moderator.locator(`[data-card-id="reflect-${attribute.id}"]`);
      await expect.poll(() => card.locator('.card-text').textContent()).toBe(attribute.name);
      expect(await card.getAttribute('class')).toContain('kind-attribute');
      await card.focus();
      await moderator.keyboard.press('Enter');
      const popover = moderator.getByTestId('card-popover');
      await popover.waitFor();
      await expect.poll(() => popover.textContent()).toContain('from focused coding');
      const side = (sign: 1 | -1) =>
        attribute.codes
          .filter((c) => c.sign === sign)
          .map((c) => texts.get(c.labelId))
          .sort();
      const codes = (await popover.locator('dd').last().textContent()) ?? '';
      const listed = (sign: 'for' | 'against') =>
        (new RegExp(`${sign}: ([^·]+)`).exec(codes)?.[1] ?? '')
          .split(',')
          .map((s) => s.trim())
          .sort();
      expect(listed('for')).toEqual(side(1));
      expect(listed('against')).toEqual(side(-1));
      if (attribute.name === 'Warmth') await shot(moderator, folder, '08-board-attribute-popover');
      await moderator.keyboard.press('Escape');
      await popover.waitFor({ state: 'detached' });
    }
    await moderator.getByRole('button', { name: 'Fit all' }).click();
    await shot(moderator, folder, '09-board');
  });
});
