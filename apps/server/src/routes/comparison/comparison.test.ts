import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { databaseKinds } from '@calma/db/testing/fresh';
import type { Comparison, ComparisonPair } from '@calma/protocol';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoCredentials, seedDemo } from '../../seed/demo.js';
import { bearer, createGroup, join, startTestApp, type TestApp } from '../../testing.js';

const names = (pairs: readonly ComparisonPair[], kind: 'shared' | 'near') =>
  pairs.filter((p) => p.kind === kind).map((p) => `${p.a.name} ↔ ${p.b.name}`);

describe.each(databaseKinds)('the cross-group comparison on %s', (kind) => {
  let t: TestApp;
  let demo: DemoCredentials;
  let us: DemoCredentials['groups'][number];
  let india: DemoCredentials['groups'][number];
  const dataDir = mkdtempSync(joinPath(tmpdir(), 'calma-comparison-'));

  beforeAll(async () => {
    t = await startTestApp(kind);
    demo = (await seedDemo(t.db.db, dataDir, {})) as DemoCredentials;
    [us, india] = demo.groups as [typeof us, typeof india];
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const get = (path: string, token: string) => t.app.inject({ url: path, headers: bearer(token) });
  const compare = async (groups: string, token = us.analystToken): Promise<Comparison> => {
    const res = await get(`/api/studies/${demo.studyId}/comparison?groups=${groups}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const decide = (token: string, body: object) =>
    t.app.inject({
      method: 'PUT',
      url: `/api/studies/${demo.studyId}/comparison/pairs`,
      payload: body,
      headers: bearer(token),
    });
  const axisId = (table: Comparison, name: string) =>
    table.groups.flatMap((g) => g.axes).find((a) => a.name === name)?.attributeId as string;

  it("pairs the pilot groups' axes worded differently, with the offline embedder", async () => {
    const table = await compare(`${us.id},${india.id}`);
    expect(names(table.pairs, 'shared').sort()).toEqual(
      [
        'Bias ↔ Neutrality',
        'Complexity ↔ Comprehension level',
        'Cultural Context ↔ Schools of Thought',
        'Empathy ↔ Emotion',
        'Source ↔ Fact / Power',
      ].sort(),
    );
    expect(table.unique.map((u) => u.name)).toEqual(['Religious sensitivity']);
    expect(table.groups.map((g) => [g.groupId, g.axes.length])).toEqual([
      [us.id, 5],
      [india.id, 6],
    ]);
    for (const p of table.pairs) {
      expect(p.a.groupId).toBe(us.id);
      expect(p.b.groupId).toBe(india.id);
      expect(p.confirmed).toBe(false);
    }
    // Asked the other way round, the same pairs, oriented the other way.
    const reversed = await compare(`${india.id},${us.id}`, india.analystToken);
    expect(reversed.pairs.map((p) => `${p.b.attributeId} ${p.a.attributeId} ${p.kind} ${p.similarity}`)).toEqual(
      table.pairs.map((p) => `${p.a.attributeId} ${p.b.attributeId} ${p.kind} ${p.similarity}`),
    );
  });

  it('lets the admin and the groups’ analysts in, and no one else', async () => {
    const groups = `${us.id},${india.id}`;
    const url = `/api/studies/${demo.studyId}/comparison?groups=${groups}`;
    expect((await get(url, t.adminToken)).statusCode).toBe(200);
    expect((await get(url, india.analystToken)).statusCode).toBe(200);
    expect((await get(url, us.moderatorToken)).statusCode).toBe(403);
    const person = await join(t, us.inviteCode, 'Asha');
    expect((await get(url, person.token)).statusCode).toBe(403);
    expect((await t.app.inject({ url })).statusCode).toBe(401);
    // An analyst of another study; an analyst of this study whose group is not compared.
    const other = await createGroup(t);
    expect((await get(url, other.analystToken)).statusCode).toBe(403);
    const third = await createGroup(t, { studyId: demo.studyId, name: 'Third group' });
    expect((await get(url, third.analystToken)).statusCode).toBe(403);
    expect(
      (await get(`/api/studies/${demo.studyId}/comparison?groups=${third.id},${us.id}`, third.analystToken)).statusCode,
    ).toBe(200);
    // Unknown study: 404; groups that cannot be compared: 400.
    expect((await get(`/api/studies/nope/comparison?groups=${groups}`, t.adminToken)).statusCode).toBe(404);
    for (const bad of [us.id, `${us.id},${us.id}`, `${us.id},${other.id}`, `${us.id},nope`, ','])
      expect((await get(`/api/studies/${demo.studyId}/comparison?groups=${bad}`, t.adminToken)).statusCode, bad).toBe(
        400,
      );
    expect((await get(`/api/studies/${demo.studyId}/comparison`, t.adminToken)).statusCode).toBe(400);
    // A group without an ended session has no axes: everyone else's are unique.
    const withThird = await compare(`${us.id},${third.id}`, t.adminToken);
    expect(withThird.pairs).toEqual([]);
    expect(withThird.unique).toHaveLength(5);
    expect(withThird.groups[1]).toMatchObject({ groupId: third.id, sessionId: null, axes: [] });
    const listed = await get(`/api/studies/${demo.studyId}/comparison/groups`, us.analystToken);
    expect(listed.json().groups.map((g: { name: string; axes: number }) => [g.name, g.axes])).toEqual([
      [us.name, 5],
      [india.name, 6],
      ['Third group', 0],
    ]);
    expect((await get(`/api/studies/${demo.studyId}/comparison/groups`, other.analystToken)).statusCode).toBe(403);
  });

  it('applies analysts’ decisions: a confirmed pair stays, a broken one is never suggested again', async () => {
    const before = await compare(`${us.id},${india.id}`);
    const [bias, emotion, neutrality, empathy, religion] = [
      'Bias',
      'Emotion',
      'Neutrality',
      'Empathy',
      'Religious sensitivity',
    ].map((n) => axisId(before, n)) as [string, string, string, string, string];
    // Refused: one group's two axes, an axis of no study, a moderator, an analyst of neither group.
    expect(
      (await decide(us.analystToken, { a: bias, b: empathy, status: 'confirmed', kind: 'shared' })).statusCode,
    ).toBe(400);
    expect(
      (await decide(us.analystToken, { a: bias, b: 'fa_nope', status: 'confirmed', kind: 'shared' })).statusCode,
    ).toBe(400);
    expect(
      (await decide(us.moderatorToken, { a: bias, b: emotion, status: 'confirmed', kind: 'shared' })).statusCode,
    ).toBe(403);
    const third = await createGroup(t, { studyId: demo.studyId, name: 'Group three' });
    expect(
      (await decide(third.analystToken, { a: bias, b: emotion, status: 'confirmed', kind: 'shared' })).statusCode,
    ).toBe(403);

    // The US analyst pairs Empathy with Religious sensitivity instead, and breaks Bias ↔ Neutrality.
    const put = await decide(us.analystToken, { a: religion, b: empathy, status: 'confirmed', kind: 'shared' });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({
      a: [religion, empathy].sort()[0],
      status: 'confirmed',
      decidedBy: `analyst:${us.id}`,
    });
    expect(
      (await decide(india.analystToken, { a: bias, b: neutrality, status: 'broken', kind: 'shared' })).statusCode,
    ).toBe(200);
    const after = await compare(`${us.id},${india.id}`);
    const confirmed = after.pairs.filter((p) => p.confirmed);
    expect(confirmed.map((p) => `${p.a.name} ↔ ${p.b.name} ${p.kind} ${p.decidedBy}`)).toEqual([
      `Empathy ↔ Religious sensitivity shared analyst:${us.id}`,
    ]);
    expect(after.pairs.some((p) => p.a.name === 'Bias' && p.b.name === 'Neutrality')).toBe(false);
    expect(after.broken.map((p) => `${p.a.name} ↔ ${p.b.name} ${p.decidedBy}`)).toEqual([
      `Bias ↔ Neutrality analyst:${india.id}`,
    ]);
    expect(names(after.pairs, 'shared')).not.toContain('Empathy ↔ Emotion');
    const shared = after.pairs.filter((p) => p.kind === 'shared').flatMap((p) => [p.a.attributeId, p.b.attributeId]);
    expect(new Set(shared).size).toBe(shared.length);

    // Re-pairing Empathy with Emotion drops its confirmed pair with Religious sensitivity.
    expect(
      (await decide(t.adminToken, { a: empathy, b: emotion, status: 'confirmed', kind: 'shared' })).statusCode,
    ).toBe(200);
    const repaired = await compare(`${us.id},${india.id}`);
    expect(repaired.pairs.filter((p) => p.confirmed).map((p) => `${p.a.name} ↔ ${p.b.name} ${p.decidedBy}`)).toEqual([
      'Empathy ↔ Emotion admin',
    ]);
    expect(repaired.unique.map((u) => u.name)).toContain('Religious sensitivity');

    // Withdrawing the break lets the embedder suggest Bias ↔ Neutrality again.
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/studies/${demo.studyId}/comparison/pairs?a=${neutrality}&b=${bias}`,
      headers: bearer(us.analystToken),
    });
    expect(del.statusCode, del.body).toBe(200);
    const withdrawn = await compare(`${us.id},${india.id}`);
    expect(names(withdrawn.pairs, 'shared')).toContain('Bias ↔ Neutrality');
    expect(withdrawn.broken).toEqual([]);
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/studies/${demo.studyId}/comparison/pairs?a=${neutrality}&b=${bias}`,
      headers: bearer(us.analystToken),
    });
    expect(again.statusCode).toBe(404);
  });

  it('exports the current table as JSON, CSV and Markdown that parse back', async () => {
    const table = await compare(`${us.id},${india.id}`);
    const url = (format: string) =>
      `/api/studies/${demo.studyId}/comparison/export?groups=${us.id},${india.id}&format=${format}`;
    const json = await get(url('json'), us.analystToken);
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-disposition']).toMatch(/attachment; filename="calma-comparison-.+\.json"/);
    const parsed = JSON.parse(json.body);
    expect(parsed.pairs).toEqual(table.pairs);
    expect(parsed.rows).toHaveLength(table.pairs.length + table.unique.length);

    const csv = await get(url('csv'), us.analystToken);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = Papa.parse<Record<string, string>>(csv.body.replace(/^\uFEFF/, ''), {
      header: true,
      skipEmptyLines: true,
    }).data;
    expect(rows).toHaveLength(table.pairs.length + table.unique.length);
    expect(rows.find((r) => r.axis_a === 'Empathy' && r.kind === 'shared')).toMatchObject({
      confirmed: 'true',
      group_a: us.name,
      axis_b: 'Emotion',
      group_b: india.name,
    });
    expect(rows.find((r) => r.kind === 'unique')?.axis_a).toBe('Religious sensitivity');

    const md = await get(url('md'), us.analystToken);
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    const lines = md.body.split('\n').filter((l) => l.startsWith('| '));
    expect(lines[0]).toBe('| Kind | Confirmed | Similarity | Axis A | Group A | Axis B | Group B |');
    expect(lines.slice(2)).toHaveLength(rows.length);
    expect(lines.slice(2).map((l) => l.split(' | ')[3])).toEqual(rows.map((r) => r.axis_a));
    expect((await get(url('csv'), us.moderatorToken)).statusCode).toBe(403);
  });
});
