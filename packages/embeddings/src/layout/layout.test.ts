import { describe, expect, it } from 'vitest';
import { defaultCardBox } from './board.js';
import { computeLayout } from './layout.js';
import { placeNear } from './place.js';
import { seededRandom } from './random.js';
import { epochsFor } from './umap.js';

/** `groups` tight clusters of unit vectors in `dims` dimensions, `size` each, interleaved. */
function clustered(groups: number, size: number, dims = 16, seed = 1): { vectors: Float32Array; group: number[] } {
  const random = seededRandom(seed);
  const centres = Array.from({ length: groups }, () => Array.from({ length: dims }, () => random() - 0.5));
  const vectors = new Float32Array(groups * size * dims);
  const group: number[] = [];
  for (let i = 0; i < groups * size; i += 1) {
    const g = i % groups;
    group.push(g);
    const row = (centres[g] as number[]).map((c) => c + (random() - 0.5) * 0.15);
    const norm = Math.hypot(...row);
    row.forEach((v, d) => {
      vectors[i * dims + d] = v / norm;
    });
  }
  return { vectors, group };
}

const distance = (p: Float32Array, i: number, j: number) =>
  Math.hypot((p[i * 2] as number) - (p[j * 2] as number), (p[i * 2 + 1] as number) - (p[j * 2 + 1] as number));

describe('computeLayout', () => {
  const data = clustered(4, 30);
  const job = { vectors: data.vectors, dims: 16, seed: 7 };

  it('is the same for the same seed and differs for another', () => {
    const a = computeLayout(job);
    const b = computeLayout(job);
    const c = computeLayout({ ...job, seed: 8 });
    expect([...a.positions]).toEqual([...b.positions]);
    expect([...a.clusters]).toEqual([...b.clusters]);
    expect([...a.positions]).not.toEqual([...c.positions]);
  });

  it('keeps members of a group closer to each other than to other groups', () => {
    const { positions } = computeLayout(job);
    let within = 0;
    let across = 0;
    let nWithin = 0;
    let nAcross = 0;
    for (const [i, gi] of data.group.entries()) {
      for (const [j, gj] of data.group.entries()) {
        if (j <= i) continue;
        if (gi === gj) {
          within += distance(positions, i, j);
          nWithin += 1;
        } else {
          across += distance(positions, i, j);
          nAcross += 1;
        }
      }
    }
    expect(within / nWithin).toBeLessThan((across / nAcross) * 0.6);
  });

  it('suggests clusters that match the groups', () => {
    const { clusters } = computeLayout(job);
    expect(new Set(clusters).size).toBe(4);
    // Every group maps to one cluster.
    for (let g = 0; g < 4; g += 1) {
      const ids = new Set(data.group.flatMap((gi, i) => (gi === g ? [clusters[i]] : [])));
      expect(ids.size).toBe(1);
    }
  });

  it('places cards on the board without overlaps, from (40, 40)', () => {
    const { positions } = computeLayout(job);
    const n = positions.length / 2;
    let minX = Number.POSITIVE_INFINITY;
    let minY = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i += 1) {
      minX = Math.min(minX, positions[i * 2] as number);
      minY = Math.min(minY, positions[i * 2 + 1] as number);
      for (let j = i + 1; j < n; j += 1) {
        const overlapX = Math.abs((positions[i * 2] as number) - (positions[j * 2] as number)) < defaultCardBox.width;
        const overlapY =
          Math.abs((positions[i * 2 + 1] as number) - (positions[j * 2 + 1] as number)) < defaultCardBox.height;
        expect(overlapX && overlapY, `cards ${i} and ${j} overlap`).toBe(false);
      }
    }
    expect([minX, minY]).toEqual([40, 40]);
  });

  it('leaves no overlaps in dense clusters either (800 cards, 2 tight groups)', () => {
    const dense = clustered(2, 400, 16, 5);
    const { positions } = computeLayout({ vectors: dense.vectors, dims: 16, seed: 1 });
    const n = positions.length / 2;
    let overlaps = 0;
    for (let i = 0; i < n; i += 1)
      for (let j = i + 1; j < n; j += 1) {
        const dx = Math.abs((positions[i * 2] as number) - (positions[j * 2] as number));
        const dy = Math.abs((positions[i * 2 + 1] as number) - (positions[j * 2 + 1] as number));
        if (dx < defaultCardBox.width && dy < defaultCardBox.height) overlaps += 1;
      }
    expect(overlaps).toBe(0);
  });

  it('handles zero, one and two points', () => {
    expect(computeLayout({ vectors: new Float32Array(0), dims: 4, seed: 1 }).positions.length).toBe(0);
    expect([...computeLayout({ vectors: Float32Array.from([1, 0, 0, 0]), dims: 4, seed: 1 }).positions]).toEqual([
      40, 40,
    ]);
    const two = computeLayout({ vectors: Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0]), dims: 4, seed: 1 });
    expect(two.positions.length).toBe(4);
    expect(distance(two.positions, 0, 1)).toBeGreaterThanOrEqual(defaultCardBox.width);
  });

  it('reports progress through every stage, ending at 1', () => {
    const seen: { stage: string; fraction: number }[] = [];
    computeLayout(job, (p) => seen.push(p));
    expect(new Set(seen.map((p) => p.stage))).toEqual(
      new Set(['neighbours', 'graph', 'optimise', 'clusters', 'board']),
    );
    const fractions = seen.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
  });
});

describe('epochsFor', () => {
  it('keeps 200 epochs up to 1,000 points and halves them by 2,000', () => {
    expect([15, 1000, 1500, 2000, 5000].map(epochsFor)).toEqual([200, 200, 133, 100, 100]);
  });
});

describe('placeNear', () => {
  it('puts a new card by its most similar cards, on a free spot, in their cluster', () => {
    const data = clustered(3, 20);
    const { positions, clusters } = computeLayout({ vectors: data.vectors, dims: 16, seed: 3 });
    const cards = data.group.map((_, i) => ({
      vector: data.vectors.subarray(i * 16, (i + 1) * 16),
      x: positions[i * 2] as number,
      y: positions[i * 2 + 1] as number,
      clusterId: clusters[i] as number,
    }));
    // A new member of group 1: a copy of card 1's vector, slightly perturbed.
    const vector = Float32Array.from(cards[1]?.vector ?? [], (v, d) => v + (d === 0 ? 0.01 : 0));
    const placed = placeNear(vector, cards);
    expect(placed.clusterId).toBe(clusters[1]);
    expect(placed.neighbours[0]).toBe(1);
    const own = data.group.flatMap((g, i) => (g === 1 ? [i] : []));
    const others = data.group.flatMap((g, i) => (g !== 1 ? [i] : []));
    const d = (i: number) => Math.hypot(placed.x - (cards[i]?.x ?? 0), placed.y - (cards[i]?.y ?? 0));
    const nearestOwn = Math.min(...own.map(d));
    const nearestOther = Math.min(...others.map(d));
    expect(nearestOwn).toBeLessThanOrEqual(nearestOther);
    for (const card of cards) {
      expect(
        Math.abs(card.x - placed.x) >= defaultCardBox.width || Math.abs(card.y - placed.y) >= defaultCardBox.height,
      ).toBe(true);
    }
  });

  it('follows cards people moved: it uses their current positions', () => {
    const vector = Float32Array.from([1, 0]);
    const placed = placeNear(vector, [
      { vector: Float32Array.from([1, 0]), x: 5000, y: 3000, clusterId: 2 },
      { vector: Float32Array.from([0, 1]), x: 40, y: 40, clusterId: 1 },
    ]);
    expect(Math.abs(placed.x - 5000)).toBeLessThan(600);
    expect(Math.abs(placed.y - 3000)).toBeLessThan(600);
    expect(placed.clusterId).toBe(2);
  });
});
