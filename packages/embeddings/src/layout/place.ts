import { cosine } from '../embedder.js';
import { type CardBox, defaultCardBox } from './board.js';

/** Offsets in half-card steps (a half card is about twice as wide as high) within 12 rings, nearest first in pixels: where to look for a free spot. */
const spiral: [number, number][] = Array.from({ length: 25 * 25 }, (_, i): [number, number] => [
  (i % 25) - 12,
  Math.floor(i / 25) - 12,
]).sort((p, q) => p[0] ** 2 + (p[1] / 2) ** 2 - (q[0] ** 2 + (q[1] / 2) ** 2) || p[1] - q[1] || p[0] - q[0]);

/** A card already on the map: its vector and where it is on the board now. */
export interface PlacedCard {
  vector: Float32Array;
  x: number;
  y: number;
  clusterId: number | null;
}

export interface Placement {
  x: number;
  y: number;
  clusterId: number | null;
  /** Indices of the cards it was placed by, most similar first. */
  neighbours: number[];
}

/**
 * Places new cards by their nearest neighbours without refitting the map: each goes to the
 * similarity-weighted mean of its k most similar cards' current positions (people may have moved
 * them), then to the nearest free spot on a spiral around it; its cluster is the neighbours'
 * weighted vote. Free spots are found through a spatial hash, and each placed card joins the
 * cards the next one is placed by. O(n·d) per card: well under 10 ms for 5,000 cards.
 */
export class Placer {
  private readonly cells = new Map<string, { x: number; y: number }[]>();
  private readonly cards: PlacedCard[];
  private readonly box: CardBox;
  private readonly k: number;

  constructor(
    cards: readonly PlacedCard[],
    options: { k?: number; box?: CardBox; occupied?: readonly { x: number; y: number }[] } = {},
  ) {
    this.cards = [...cards];
    this.box = options.box ?? defaultCardBox;
    this.k = options.k ?? 5;
    for (const spot of options.occupied ?? cards) this.occupy(spot.x, spot.y);
  }

  place(vector: Float32Array): Placement {
    const { cards } = this;
    if (cards.length === 0) {
      const spot = this.free(40, 40) ?? { x: 40, y: 40 };
      this.add(vector, spot.x, spot.y, null);
      return { ...spot, clusterId: null, neighbours: [] };
    }
    const ranked: { i: number; s: number }[] = [];
    for (let i = 0; i < cards.length; i += 1) {
      const s = cosine(vector, (cards[i] as PlacedCard).vector);
      if (ranked.length < this.k || s > (ranked.at(-1)?.s ?? -2)) {
        ranked.push({ i, s });
        ranked.sort((p, q) => q.s - p.s || p.i - q.i);
        if (ranked.length > this.k) ranked.pop();
      }
    }
    const best = ranked[0]?.s ?? 0;
    // Sharply weighted towards the closest: a label that matches one card well sits by that card.
    const weighted = ranked.map((r) => ({ ...r, w: Math.exp((r.s - best) / 0.05) }));
    const total = weighted.reduce((sum, r) => sum + r.w, 0);
    const cx = weighted.reduce((sum, r) => sum + r.w * (cards[r.i]?.x ?? 0), 0) / total;
    const cy = weighted.reduce((sum, r) => sum + r.w * (cards[r.i]?.y ?? 0), 0) / total;
    const votes = new Map<number, number>();
    for (const r of weighted) {
      const c = cards[r.i]?.clusterId;
      if (c !== null && c !== undefined) votes.set(c, (votes.get(c) ?? 0) + r.w);
    }
    const clusterId = [...votes.entries()].sort((p, q) => q[1] - p[1] || p[0] - q[0])[0]?.[0] ?? null;
    const spot = this.free(cx, cy) ?? { x: Math.round(cx), y: Math.round(cy) };
    this.add(vector, spot.x, spot.y, clusterId);
    return { ...spot, clusterId, neighbours: ranked.map((r) => r.i) };
  }

  private add(vector: Float32Array, x: number, y: number, clusterId: number | null): void {
    this.cards.push({ vector, x, y, clusterId });
    this.occupy(x, y);
  }

  private cell(x: number, y: number): [number, number] {
    return [Math.floor(x / (this.box.width + this.box.gap)), Math.floor(y / (this.box.height + this.box.gap))];
  }

  private occupy(x: number, y: number): void {
    const [cx, cy] = this.cell(x, y);
    const key = `${cx},${cy}`;
    const list = this.cells.get(key);
    if (list) list.push({ x, y });
    else this.cells.set(key, [{ x, y }]);
  }

  /** The nearest spot on the spiral around (x, y) that overlaps no card, or null. */
  private free(x: number, y: number): { x: number; y: number } | null {
    const { box } = this;
    const stepX = (box.width + box.gap) / 2;
    const stepY = (box.height + box.gap) / 2;
    for (const [dx, dy] of spiral) {
      const sx = Math.round(x + dx * stepX);
      const sy = Math.round(y + dy * stepY);
      const [cx, cy] = this.cell(sx, sy);
      let clear = true;
      for (let gx = cx - 1; gx <= cx + 1 && clear; gx += 1) {
        for (let gy = cy - 1; gy <= cy + 1 && clear; gy += 1) {
          for (const o of this.cells.get(`${gx},${gy}`) ?? []) {
            if (Math.abs(o.x - sx) < box.width + box.gap && Math.abs(o.y - sy) < box.height + box.gap) {
              clear = false;
              break;
            }
          }
        }
      }
      if (clear) return { x: sx, y: sy };
    }
    return null;
  }
}

/** Places one new card among `cards` (see {@link Placer}). */
export function placeNear(
  vector: Float32Array,
  cards: readonly PlacedCard[],
  options: { k?: number; box?: CardBox; occupied?: readonly { x: number; y: number }[] } = {},
): Placement {
  return new Placer(cards, options).place(vector);
}
