import { describe, expect, it } from 'vitest';
import { comparisonRows, comparisonToCsv, comparisonToMarkdown } from './export.js';
import { type ComparisonAxis, type ComparisonDecisionInput, type ComparisonTable, compareAxes } from './pairing.js';

/** Handmade meaning vectors: dimensions feeling, difficulty, sides, faith, sources. */
const axis = (groupId: string, attributeId: string, name: string, vector: number[]) => ({
  axis: { groupId, attributeId, name },
  vector,
});
const items = [
  axis('us', 'u1', 'Empathy', [1, 0, 0.1, 0, 0]),
  axis('us', 'u2', 'Complexity', [0, 1, 0, 0, 0.1]),
  axis('us', 'u3', 'Bias', [0.1, 0, 1, 0.1, 0]),
  axis('us', 'u4', 'Source', [0, 0.1, 0.3, 0, 1]),
  axis('in', 'i1', 'Emotion', [0.9, 0.1, 0, 0.1, 0]),
  axis('in', 'i2', 'Comprehension level', [0.1, 0.9, 0, 0, 0]),
  axis('in', 'i3', 'Neutrality', [0, 0, 0.9, 0, 0.4]),
  axis('in', 'i4', 'Religious sensitivity', [0.2, 0, 0.2, 1, 0]),
];

const cosine = (a: number[], b: number[]) => {
  const dot = a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return dot / (norm(a) * norm(b));
};

function run(list: typeof items, decisions: ComparisonDecisionInput[] = [], order = ['us', 'in']): ComparisonTable {
  const matrix = list.map((x) => list.map((y) => cosine(x.vector, y.vector)));
  return compareAxes(
    list.map((x) => x.axis),
    matrix,
    decisions,
    order,
    { sharedThreshold: 0.8, nearThreshold: 0.5, nearRank: 2 },
  );
}

const names = (t: ComparisonTable, kind: 'shared' | 'near') =>
  t.pairs.filter((p) => p.kind === kind).map((p) => `${p.a.name} ↔ ${p.b.name}`);

/** Checks the contract's invariants: two groups per pair, one-to-one shared, every axis placed. */
function expectWellFormed(t: ComparisonTable, all: readonly ComparisonAxis[]) {
  const shared = t.pairs.filter((p) => p.kind === 'shared').flatMap((p) => [p.a.attributeId, p.b.attributeId]);
  expect(new Set(shared).size).toBe(shared.length);
  for (const p of t.pairs) expect(p.a.groupId).not.toBe(p.b.groupId);
  const placed = new Set([
    ...t.pairs.flatMap((p) => [p.a.attributeId, p.b.attributeId]),
    ...t.unique.map((u) => u.attributeId),
  ]);
  expect([...placed].sort()).toEqual(all.map((a) => a.attributeId).sort());
  for (const u of t.unique) expect(t.pairs.some((p) => p.a === u || p.b === u)).toBe(false);
}

/** Deterministic shuffles of a list. */
function* shuffles<T>(list: readonly T[], count: number): Generator<T[]> {
  let seed = 11;
  for (let n = 0; n < count; n++) {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = seed % (i + 1);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    yield copy;
  }
}

describe('compareAxes', () => {
  it('pairs axes that name one value in other words, one-to-one, with near links and unique axes', () => {
    const t = run(items);
    expect(names(t, 'shared')).toEqual(['Complexity ↔ Comprehension level', 'Empathy ↔ Emotion', 'Bias ↔ Neutrality']);
    // Source is close to Neutrality (sources of a side), but Neutrality is taken: a near link.
    expect(names(t, 'near')).toContain('Source ↔ Neutrality');
    expect(t.unique.map((u) => u.name)).toEqual(['Religious sensitivity']);
    expect(t.pairs.every((p) => !p.confirmed && p.decidedBy === null)).toBe(true);
    expectWellFormed(
      t,
      items.map((i) => i.axis),
    );
  });

  it('gives the same table whatever the order of the axes', () => {
    const reference = JSON.stringify(run(items));
    for (const shuffled of shuffles(items, 30)) expect(JSON.stringify(run(shuffled))).toBe(reference);
  });

  it('orients pairs by the order of the groups asked', () => {
    const t = run(items, [], ['in', 'us']);
    expect(names(t, 'shared')[0]).toBe('Comprehension level ↔ Complexity');
    expect(t.unique[0]?.groupId).toBe('in');
  });

  it('keeps confirmed pairs whatever the similarity, never suggests a broken one again', () => {
    const decisions: ComparisonDecisionInput[] = [
      // The analyst pairs Source with Religious sensitivity as shared (the embedder would not).
      { a: 'i4', b: 'u4', status: 'confirmed', kind: 'shared', decidedBy: 'admin', decidedAt: 1 },
      // … and breaks Bias ↔ Neutrality.
      { a: 'i3', b: 'u3', status: 'broken', kind: 'shared', decidedBy: 'admin', decidedAt: 2 },
      // A confirmed near link stays near even though the pair would be matched.
      { a: 'u1', b: 'i1', status: 'confirmed', kind: 'near', decidedBy: 'analyst:us', decidedAt: 3 },
    ];
    const t = run(items, decisions);
    const source = t.pairs.find((p) => p.a.name === 'Source');
    expect(source).toMatchObject({
      b: { name: 'Religious sensitivity' },
      kind: 'shared',
      confirmed: true,
      decidedBy: 'admin',
    });
    expect(t.pairs.some((p) => p.a.name === 'Bias' && p.b.name === 'Neutrality')).toBe(false);
    expect(t.broken.map((p) => `${p.a.name} ↔ ${p.b.name} ${p.decidedBy}`)).toEqual(['Bias ↔ Neutrality admin']);
    expect(t.pairs.find((p) => p.a.name === 'Empathy' && p.b.name === 'Emotion')).toMatchObject({
      kind: 'near',
      confirmed: true,
    });
    // Source left the automatic matching: it is in one shared pair only, and not near Neutrality twice over.
    expect(t.pairs.filter((p) => p.kind === 'shared' && (p.a.name === 'Source' || p.b.name === 'Source'))).toHaveLength(
      1,
    );
    expectWellFormed(
      t,
      items.map((i) => i.axis),
    );
    for (const shuffled of shuffles(items, 10)) expect(run(shuffled, [...decisions].reverse())).toEqual(t);
  });

  it('lets the earlier confirmation win when two confirmed shared pairs name one axis', () => {
    const t = run(items, [
      { a: 'u1', b: 'i2', status: 'confirmed', kind: 'shared', decidedBy: 'x', decidedAt: 5 },
      { a: 'u1', b: 'i1', status: 'confirmed', kind: 'shared', decidedBy: 'y', decidedAt: 4 },
    ]);
    expect(t.pairs.filter((p) => p.confirmed).map((p) => `${p.a.name} ↔ ${p.b.name}`)).toEqual(['Empathy ↔ Emotion']);
    expectWellFormed(
      t,
      items.map((i) => i.axis),
    );
  });

  it('ignores decisions on axes not compared, or within one group', () => {
    const t = run(items, [
      { a: 'gone', b: 'u1', status: 'confirmed', kind: 'shared', decidedBy: 'x', decidedAt: 1 },
      { a: 'u1', b: 'u2', status: 'confirmed', kind: 'shared', decidedBy: 'x', decidedAt: 1 },
    ]);
    expect(t).toEqual(run(items));
  });

  it('with three groups, keeps each axis in one shared pair at most and the rest as near links', () => {
    const third = [
      axis('uk', 'k1', 'Feelings', [1, 0.05, 0.05, 0, 0]),
      axis('uk', 'k2', 'Reading level', [0.05, 1, 0, 0, 0]),
    ];
    const all = [...items, ...third];
    const t = run(all, [], ['us', 'in', 'uk']);
    expectWellFormed(
      t,
      all.map((i) => i.axis),
    );
    // Empathy's strongest match is Feelings; Emotion then pairs with nothing shared but stays near both.
    expect(names(t, 'shared')).toContain('Empathy ↔ Feelings');
    expect(names(t, 'near')).toEqual(expect.arrayContaining(['Empathy ↔ Emotion', 'Emotion ↔ Feelings']));
    const reference = JSON.stringify(t);
    for (const shuffled of shuffles(all, 20))
      expect(JSON.stringify(run(shuffled, [], ['us', 'in', 'uk']))).toBe(reference);
  });
});

describe('comparison exports', () => {
  const table = run(items);
  const rows = comparisonRows(table, {
    groups: [
      { id: 'us', name: 'US, "students"' },
      { id: 'in', name: 'India | professionals' },
    ],
    definitions: new Map([['u1', '=cares, about feelings']]),
  });

  it('lists every pair and unique axis, as CSV a spreadsheet reads safely', () => {
    expect(rows).toHaveLength(table.pairs.length + table.unique.length);
    const csv = comparisonToCsv(rows);
    expect(
      csv.startsWith('\uFEFFkind,confirmed,similarity,group_a,axis_a,definition_a,group_b,axis_b,definition_b\r\n'),
    ).toBe(true);
    expect(csv).toContain(`"US, ""students"""`);
    expect(csv).toContain(`"'=cares, about feelings"`);
    expect(csv.trimEnd().split('\r\n')).toHaveLength(rows.length + 1);
    expect(csv).toContain('unique,false,,India | professionals,Religious sensitivity,,,,\r\n');
  });

  it('as a Markdown table with pipes escaped', () => {
    const md = comparisonToMarkdown(rows, { title: 'Axes compared', generatedAt: '2026-01-01T00:00:00Z' });
    const tableLines = md.split('\n').filter((l) => l.startsWith('|'));
    expect(tableLines).toHaveLength(rows.length + 2);
    expect(md).toContain('India \\| professionals');
    expect(md).toContain('| shared | no |');
  });
});

describe('the shared matching', () => {
  it('does not trade one clearly similar pair for two barely over the threshold', () => {
    // x1–y1 is a clear pair (0.9); x1–y2 and x2–y1 are just over 0.8. Summing raw similarities
    // would prefer the two weak pairs (1.62 > 0.9 + 0); summing what is above 0.8 does not.
    const axes = [
      { groupId: 'g', attributeId: 'x1', name: 'x1' },
      { groupId: 'g', attributeId: 'x2', name: 'x2' },
      { groupId: 'h', attributeId: 'y1', name: 'y1' },
      { groupId: 'h', attributeId: 'y2', name: 'y2' },
    ];
    const m = [
      [1, 0, 0.9, 0.81],
      [0, 1, 0.81, 0.1],
      [0.9, 0.81, 1, 0],
      [0.81, 0.1, 0, 1],
    ];
    const t = compareAxes(axes, m, [], ['g', 'h'], { sharedThreshold: 0.8, nearThreshold: 0.8, nearRank: 2 });
    expect(t.pairs.filter((p) => p.kind === 'shared').map((p) => `${p.a.name}-${p.b.name}`)).toEqual(['x1-y1']);
  });
});
